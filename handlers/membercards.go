package handlers

import (
	"context"

	"github.com/redaktor/redaktor"
)

// memberCardsChanged redraws every card a person holds of a page's posts
// after their role there changed, with the buttons of the new role. A
// person taken off the team (role "") keeps the cards without buttons,
// and the cards are forgotten: they get no further updates.
func (d *Desk) memberCardsChanged(ctx context.Context, pageID string, userID int64, role redaktor.Role) {
	ids, err := d.store.MemberCards(ctx, pageID, userID)
	if err != nil {
		d.log.Warn("read member cards", "err", err)
		return
	}
	posts, err := d.store.Posts(ctx, ids)
	if err != nil {
		d.log.Warn("read member cards' posts", "err", err)
		return
	}
	page, err := d.store.Page(ctx, pageID)
	if err != nil {
		d.log.Warn("read page", "err", err)
		return
	}
	if role != "" && d.admin[userID] {
		role = redaktor.RoleChief // as adminRoles reads it
	}
	cards := map[string]int{}
	for _, pid := range ids {
		cs, err := d.store.Cards(ctx, pid)
		if err != nil {
			d.log.Warn("read cards", "post", pid, "err", err)
			continue
		}
		for _, c := range cs {
			if c.ChatID == userID {
				cards[pid] = c.MessageID
			}
		}
	}
	u, err := d.store.User(ctx, userID)
	if err != nil && !isNotFound(err) {
		d.log.Warn("read user", "err", err)
	}
	t := d.texts.For(u.Lang)
	for _, post := range posts {
		msg, ok := cards[post.ID]
		if !ok || post.PageID != pageID {
			continue
		}
		text, kb := d.card(ctx, t, post, page, userID, role, nil)
		if err := d.tg.EditText(ctx, userID, msg, text, kb); err != nil {
			d.log.Debug("redraw card", "chat", userID, "err", err)
		}
	}
	if role != "" {
		return
	}
	if err := d.store.DropCards(ctx, pageID, userID, ids); err != nil {
		d.log.Warn("drop cards", "err", err)
	}
}
