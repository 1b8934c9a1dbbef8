package handlers

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// chiefs returns the chief editors of a page as the bot knows them; a
// page left without one (its director left) has the admins instead, who
// may act as its chief editor until a successor joins.
func (d *Desk) chiefs(ctx context.Context, pageID string) []who {
	out := d.pageChiefs(ctx, pageID)
	if len(out) > 0 {
		return out
	}
	for _, id := range d.cfg.AdminIDs {
		if u, ok := d.userToTell(ctx, id); ok {
			out = append(out, who{User: u, t: d.texts.For(u.Lang)})
		}
	}
	return out
}

func (d *Desk) pageChiefs(ctx context.Context, pageID string) []who {
	members, err := d.store.Members(ctx, pageID)
	if err != nil {
		d.log.Warn("read members", "page", pageID, "err", err)
		return nil
	}
	var out []who
	for _, m := range members {
		if m.Role != redaktor.RoleChief {
			continue
		}
		if u, ok := d.userToTell(ctx, m.UserID); ok {
			out = append(out, who{User: u, t: d.texts.For(u.Lang)})
		}
	}
	return out
}

// notifyChiefs sends every chief editor (but the author) the preview and a
// review card of a post that waits for them.
func (d *Desk) notifyChiefs(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	for _, c := range d.chiefs(ctx, post.PageID) {
		if c.ID == post.AuthorID {
			continue
		}
		key := "notify_submitted"
		if post.Version > 1 {
			key = "notify_new_version"
		}
		d.reply(ctx, c, c.t.T(key, map[string]any{"ID": post.ID, "Name": c.t.Person(post.AuthorName), "Page": page.Title, "Version": post.Version}))
		d.showPostTo(ctx, c, post, page, true)
	}
}

// author reads a post's author if they are still on its page: someone
// taken off the team hears nothing more of the page's posts.
func (d *Desk) author(ctx context.Context, post redaktor.Post) (redaktor.User, bool) {
	role, err := d.store.Role(ctx, post.PageID, post.AuthorID)
	if err != nil {
		d.log.Warn("read the author's role", "post", post.ID, "page", post.PageID, "err", err)
		return redaktor.User{}, false
	}
	if role == "" {
		return redaktor.User{}, false
	}
	return d.userToTell(ctx, post.AuthorID)
}

// notifyAuthor tells the author something about their post, in their language.
func (d *Desk) notifyAuthor(ctx context.Context, post redaktor.Post, key string, data map[string]any) {
	u, ok := d.author(ctx, post)
	if !ok {
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	data["ID"] = post.ID
	d.send(ctx, u.ID, d.texts.For(u.Lang).T(key, data), nil)
}

func (d *Desk) notifyApproved(ctx context.Context, post redaktor.Post, page redaktor.Page, by who) {
	if post.AuthorID == by.ID {
		return
	}
	u, ok := d.author(ctx, post)
	if !ok {
		return
	}
	t := d.texts.For(u.Lang)
	d.send(ctx, u.ID, t.T("notify_approved", map[string]any{
		"ID": post.ID, "Name": by.Name, "When": formatTime(post.PublishAt, d.pageLoc(page), d.now())}), nil)
}

// notifyVerdict sends the author the reviewer's comment with the draft as
// it stands and a fresh card that offers "Send new version".
// It reports whether the author is still on the team to be told.
func (d *Desk) notifyVerdict(ctx context.Context, post redaktor.Post, page redaktor.Page, by who) bool {
	u, ok := d.author(ctx, post)
	if !ok {
		return false
	}
	author := who{User: u, t: d.texts.For(u.Lang)}
	key := "notify_changes_requested"
	if post.Status == redaktor.StatusRejected {
		key = "notify_rejected"
	}
	d.reply(ctx, author, author.t.T(key, map[string]any{"ID": post.ID, "Name": by.Name, "Comment": post.Comment}))
	d.showPostTo(ctx, author, post, page, true)
	return true
}

// Published tells the author and the chief editors where the post is.
func (d *Desk) Published(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	link := PostLink(page, post)
	d.refreshCards(ctx, post, page)
	told := map[int64]bool{}
	for _, c := range d.chiefs(ctx, post.PageID) {
		told[c.ID] = true
		key := "notify_published"
		if post.Late {
			key = "notify_published_late"
		}
		d.reply(ctx, c, c.t.T(key, map[string]any{"ID": post.ID, "Link": link, "Page": page.Title,
			"When": formatTime(post.PublishAt, d.pageLoc(page), d.now())}))
	}
	if !told[post.AuthorID] {
		d.notifyAuthor(ctx, post, "notify_published", map[string]any{"Link": link, "Page": page.Title})
	}
}

// Failed tells the chief editors why a post could not be published, with
// a Retry button.
func (d *Desk) Failed(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	d.refreshCards(ctx, post, page)
	for _, c := range d.chiefs(ctx, post.PageID) {
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(c.t.T("btn_retry"), postData(btnRetry, post)),
			tgbotapi.NewInlineKeyboardButtonData(c.t.T("btn_cancel"), postData(btnCancel, post)),
		))
		d.send(ctx, c.ID, c.t.T("notify_failed", map[string]any{"ID": post.ID, "Page": page.Title, "Reason": reasonText(c.t, post.FailReason)}), &kb)
	}
}

// Remind tells the chief editors that a post's proposed time has come while
// it still waits for approval: it is not published without them.
func (d *Desk) Remind(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	for _, c := range d.chiefs(ctx, post.PageID) {
		d.reply(ctx, c, c.t.T("notify_remind", map[string]any{"ID": post.ID, "Page": page.Title,
			"When": formatTime(post.ProposedAt, d.pageLoc(page), d.now())}))
		d.showPostTo(ctx, c, post, page, false)
	}
}
