package handlers

import (
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// What a card says about the way to approval (issue 13): the proposed
// time and whether it passed, a page without a channel, a final
// rejection, a withdrawal; and the button that approves for the proposed
// time. Like renderCard, these read nothing.

// reviewLines are the card's lines about the way to approval, each
// starting with a new line.
func reviewLines(t tr, v cardView) string {
	post, page := v.post, v.page
	var out string
	waiting := post.Status == redaktor.StatusDraft || post.Status == redaktor.StatusPending ||
		post.Status == redaktor.StatusChangesRequested
	if !post.ProposedAt.IsZero() && post.Status != redaktor.StatusPublished {
		key := "card_proposed"
		if waiting && !proposedAhead(post, v.now) {
			key = "card_proposed_passed"
		}
		out += "\n" + t.T(key, map[string]any{"When": formatTime(post.ProposedAt, v.loc, v.now)})
	}
	// Said at once, not first at publication. A page that could not be
	// read (ID "") is not taken for one without a channel.
	if page.ID != "" && !page.HasChannel() && (waiting || post.Status == redaktor.StatusScheduled) {
		out += "\n" + t.T("card_no_channel")
	}
	switch {
	case post.Status == redaktor.StatusRejected:
		out += "\n" + t.T("card_rejected_final")
	case post.Status == redaktor.StatusDraft && post.Last.Action == redaktor.ActWithdraw && v.viewer != post.AuthorID:
		out += "\n" + t.T("card_withdrawn", map[string]any{"Name": actorName(t, post.Last)})
	}
	return out
}

// withApproveProposed puts «✅ Одобрить на <the proposed time>» first on a
// card that offers approval, while that time is still ahead.
func withApproveProposed(t tr, v cardView, kb bot.Keyboard) bot.Keyboard {
	post := v.post
	reviews := v.role == redaktor.RoleChief && (post.Status == redaktor.StatusPending ||
		post.Status == redaktor.StatusDraft && post.AuthorID == v.viewer)
	if kb == nil || !reviews || !proposedAhead(post, v.now) {
		return kb
	}
	label := t.T("btn_approve_proposed", map[string]any{"When": formatTime(post.ProposedAt, v.loc, v.now)})
	row := tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(label, postData(btnApproveProposed, post)))
	kb.InlineKeyboard = append([][]tgbotapi.InlineKeyboardButton{row}, kb.InlineKeyboard...)
	return kb
}
