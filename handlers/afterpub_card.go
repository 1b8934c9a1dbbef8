package handlers

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// What a published (or taken down) post's card shows of its changes: the
// last change's reach, a moderator's edit against the published text, how
// long it can still be changed; and the buttons that change it.

// afterpubCardStore reads a post's last change for its card.
type afterpubCardStore interface {
	AfterPubProgress(ctx context.Context, postID string) (redaktor.AfterPubProgress, error)
}

// readAfterPub reads the outcome of the post's last change, nil when none.
func (c *cards) readAfterPub(ctx context.Context, post redaktor.Post) *redaktor.AfterPubProgress {
	if post.Status != redaktor.StatusPublished && post.Status != redaktor.StatusRemoved {
		return nil
	}
	prog, err := c.store.AfterPubProgress(ctx, post.ID)
	if err != nil {
		if !isNotFound(err) {
			c.log.Warn("read the outcome of a change", "post", post.ID, "err", err)
		}
		return nil
	}
	return &prog
}

// afterpubLines are the card's lines about changes after publication.
func afterpubLines(t tr, v cardView) string {
	post := v.post
	var out string
	if prog := v.afterpub; prog != nil {
		key := "ap_card_edited"
		if prog.Job.Op == redaktor.OpRemove {
			key = "ap_card_removed"
		}
		if !prog.Finished {
			key += "_running"
		}
		out += "\n" + t.T(key, map[string]any{"Reach": reachLine(t, *prog)})
	}
	if r := post.Revised; r != nil && post.Status == redaktor.StatusPublished {
		out += "\n\n" + t.T("ap_card_revised", map[string]any{"Name": t.Person(r.Name), "New": r.Content.Text, "Old": post.Content.Text})
	}
	if mayChange(v) {
		out += "\n" + t.T("ap_card_window", map[string]any{"Until": formatTime(changeUntil(post), v.loc, v.now)})
		if post.Content.HasMedia() {
			out += " " + t.T("ap_media_later")
		}
	}
	return out
}

// mayChange: the viewer may edit or take down the post now.
func mayChange(v cardView) bool {
	return v.role != "" && v.post.Changeable(v.now) &&
		(v.role == redaktor.RoleChief || v.viewer == v.post.AuthorID)
}

// reachLine says what a change reached: «канал ✓, подписчики 118 из 120».
func reachLine(t tr, p redaktor.AfterPubProgress) string {
	mark := "—"
	switch p.Channel {
	case "ok":
		mark = "✓"
	case "failed":
		mark = "✗"
	}
	s := t.T("ap_reach_channel", map[string]any{"Mark": mark})
	if p.Total > 0 {
		s += ", " + t.T("ap_reach_subscribers", map[string]any{"Done": number(t, p.Done), "Total": number(t, p.Total)})
	}
	return s
}

// withAfterPubButtons puts Edit and Delete (and a chief editor's verdict
// on a moderator's edit) over the card's other buttons.
func withAfterPubButtons(t tr, v cardView, kb bot.Keyboard) bot.Keyboard {
	if !mayChange(v) {
		return kb
	}
	post := v.post
	btn := func(key, act string) tgbotapi.InlineKeyboardButton {
		return tgbotapi.NewInlineKeyboardButtonData(t.T(key), postData(act, post))
	}
	rows := [][]tgbotapi.InlineKeyboardButton{{btn("ap_btn_edit", btnEditPub), btn("ap_btn_remove", btnRemovePub)}}
	if post.Revised != nil && v.role == redaktor.RoleChief {
		rows = append([][]tgbotapi.InlineKeyboardButton{
			{btn("ap_btn_approve_edit", btnApproveEdit)},
			{btn("ap_btn_edit_changes", btnEditChanges), btn("ap_btn_edit_reject", btnEditReject)},
		}, rows...)
	}
	if kb != nil {
		rows = append(rows, kb.InlineKeyboard...)
	}
	m := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &m
}
