package handlers

import (
	"context"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// showPostTo sends a person the post as it will appear (an album stays an
// album) and under it the card with the buttons their role allows.
func (d *Desk) showPostTo(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, preview bool) {
	role, err := d.store.Role(ctx, post.PageID, p.ID)
	if err != nil {
		d.log.Warn("read role", "err", err)
	}
	d.showPostAs(ctx, p, role, post, page, preview, nil)
}

// showPostAs is showPostTo for a caller who knows the person's role (and
// may have read the page's activity for the card: act, else nil).
func (d *Desk) showPostAs(ctx context.Context, p who, role redaktor.Role, post redaktor.Post, page redaktor.Page, preview bool, act *redaktor.Activity) {
	if preview {
		if _, err := d.tg.SendContent(ctx, p.ID, post.Content); err != nil {
			d.log.Warn("send preview", "post", post.ID, "err", err)
			d.reply(ctx, p, p.t.T("preview_failed", map[string]any{"Reason": bot.Description(err)}))
		}
	}
	text, kb := d.card(ctx, p.t, post, page, p.ID, role, act)
	msgID, err := d.tg.SendText(ctx, p.ID, text, kb)
	if err != nil {
		d.log.Warn("send card", "post", post.ID, "err", err)
		return
	}
	if err := d.store.SetCard(ctx, post.PageID, post.ID, redaktor.Card{ChatID: p.ID, MessageID: msgID}); err != nil {
		d.log.Warn("remember card", "err", err)
	}
}

// refreshCards redraws every live card of a post for its viewer, so nobody
// keeps pressing buttons of a state that has passed. A viewer no longer on
// the page's team gets no further updates: their card is forgotten.
func (d *Desk) refreshCards(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	cards, err := d.store.Cards(ctx, post.ID)
	if err != nil {
		d.log.Warn("read cards", "err", err)
		return
	}
	for _, c := range cards {
		u, ok := d.userToTell(ctx, c.ChatID)
		if !ok {
			continue
		}
		role, err := d.store.Role(ctx, post.PageID, u.ID)
		if err != nil {
			d.log.Warn("read role to refresh a card", "post", post.ID, "user", u.ID, "err", err)
			continue
		}
		if role == "" { // one who left the team hears no more of it
			if err := d.store.DropCards(ctx, post.PageID, u.ID, []string{post.ID}); err != nil {
				d.log.Warn("drop card", "err", err)
			}
			continue
		}
		if !redaktor.MayRead(post, redaktor.Actor{UserID: u.ID, Role: role}) {
			continue // no longer reviews it (a chief editor made moderator)
		}
		text, kb := d.card(ctx, d.texts.For(u.Lang), post, page, u.ID, role, nil)
		if err := d.tg.EditText(ctx, c.ChatID, c.MessageID, text, kb); err != nil {
			d.log.Debug("refresh card", "chat", c.ChatID, "err", err)
		}
	}
}

// card renders the text and buttons of a post for one viewer; act is the
// page's activity when the caller read it already, else nil.
func (d *Desk) card(ctx context.Context, t tr, post redaktor.Post, page redaktor.Page, viewer int64, role redaktor.Role, act *redaktor.Activity) (string, bot.Keyboard) {
	loc := d.pageLoc(page)
	now := d.now()
	var b strings.Builder
	b.WriteString(t.T("card_title", map[string]any{"ID": post.ID, "Page": page.Title}))
	b.WriteString("\n" + t.T("card_author", map[string]any{"Name": t.Person(post.AuthorName), "Version": post.Version}))
	b.WriteString("\n" + t.T("card_status", map[string]any{"Status": t.T("status_" + string(post.Status))}))
	if page.Archived && post.Status.Open() {
		b.WriteString("\n" + t.T("card_page_archived"))
	}
	if !post.ProposedAt.IsZero() && post.Status != redaktor.StatusPublished {
		b.WriteString("\n" + t.T("card_proposed", map[string]any{"When": formatTime(post.ProposedAt, loc, now)}))
	}
	if !post.PublishAt.IsZero() && (post.Status == redaktor.StatusScheduled || post.Status == redaktor.StatusPublishing) {
		b.WriteString("\n" + t.T("card_publish_at", map[string]any{"When": formatTime(post.PublishAt, loc, now)}))
		if post.Urgent {
			b.WriteString("\n" + t.T("card_urgent"))
		}
	}
	if post.Status == redaktor.StatusPublished {
		b.WriteString("\n" + t.T("card_published", map[string]any{"When": formatTime(post.PublishedAt, loc, now), "Link": PostLink(page, post)}))
	}
	if post.Comment != "" {
		b.WriteString("\n" + t.T("card_comment", map[string]any{"Comment": post.Comment}))
	}
	if !post.FailReason.IsZero() {
		b.WriteString("\n" + t.T("card_fail_reason", map[string]any{"Reason": reasonText(t, post.FailReason)}))
	}
	for _, w := range d.warnings(t, post.Content) {
		b.WriteString("\n⚠️ " + w)
	}
	if post.Last.Action != "" && post.Last.Action != redaktor.ActCreate {
		b.WriteString("\n" + t.T("card_last", map[string]any{"Last": d.eventLine(t, post.Last, page)}))
	}
	kb := d.cardButtons(t, post, viewer, role)
	if advice, more := d.qualityBlock(ctx, t, post, page, act); advice != "" && role != "" {
		b.WriteString("\n\n" + advice)
		if more != nil {
			if kb == nil {
				m := tgbotapi.NewInlineKeyboardMarkup()
				kb = &m
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, more)
		}
	}
	return b.String(), kb
}

// warnings are what the author and the editor should know before
// publication; none of them blocks it.
func (d *Desk) warnings(t tr, c redaktor.Content) []string {
	var out []string
	if c.CaptionSeparate() {
		out = append(out, t.T("warn_caption_split", map[string]any{"Length": c.TextLength()}))
	}
	return out
}

func (d *Desk) cardButtons(t tr, post redaktor.Post, viewer int64, role redaktor.Role) bot.Keyboard {
	chief := role == redaktor.RoleChief
	author := viewer == post.AuthorID && role != ""
	btn := func(key, act string) tgbotapi.InlineKeyboardButton {
		return tgbotapi.NewInlineKeyboardButtonData(t.T(key), postData(act, post))
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	review := [][]tgbotapi.InlineKeyboardButton{
		{btn("btn_approve_slot", btnApproveSlot)},
		{btn("btn_approve_at", btnApproveAt), btn("btn_publish_now", btnPublishNow)},
		{urgentButton(t, post)},
	}
	switch post.Status {
	case redaktor.StatusDraft:
		switch {
		case author && chief:
			rows = append(review, []tgbotapi.InlineKeyboardButton{btn("btn_delete", btnDelete)})
		case author:
			rows = [][]tgbotapi.InlineKeyboardButton{
				{btn("btn_submit", btnSubmit)},
				{btn("btn_propose", btnPropose), btn("btn_delete", btnDelete)},
			}
		}
	case redaktor.StatusPending:
		if chief {
			rows = append(review, []tgbotapi.InlineKeyboardButton{btn("btn_changes", btnChanges), btn("btn_reject", btnReject)})
		}
	case redaktor.StatusChangesRequested, redaktor.StatusRejected:
		if author {
			rows = [][]tgbotapi.InlineKeyboardButton{{btn("btn_new_version", btnNewVersion)}, {btn("btn_delete", btnDelete)}}
		}
	case redaktor.StatusScheduled:
		if chief {
			rows = [][]tgbotapi.InlineKeyboardButton{
				{btn("btn_publish_now", btnPublishNow), btn("btn_reschedule", btnReschedule)},
				{btn("btn_cancel", btnCancel)},
			}
		}
	case redaktor.StatusFailed:
		if chief {
			rows = [][]tgbotapi.InlineKeyboardButton{{btn("btn_retry", btnRetry), btn("btn_cancel", btnCancel)}}
		}
	}
	if role != "" && post.Status != redaktor.StatusCancelled {
		rows = append(rows, []tgbotapi.InlineKeyboardButton{btn("btn_history", btnHistory)})
	}
	if len(rows) == 0 {
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// eventLine tells one step of a post's history: who, what, when.
func (d *Desk) eventLine(t tr, ev redaktor.Event, page redaktor.Page) string {
	loc := d.pageLoc(page)
	data := map[string]any{"Name": t.Person(ev.ActorName), "At": formatTime(ev.At, loc, d.now()), "Version": ev.Version}
	if !ev.When.IsZero() {
		data["When"] = formatTime(ev.When, loc, d.now())
	}
	line := t.T("event_"+string(ev.Action), data)
	if note := eventNote(t, ev); note != "" {
		line += fmt.Sprintf(": «%s»", note)
	}
	return line
}

func (d *Desk) showHistory(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, hist []redaktor.Event) {
	if hist == nil {
		var err error
		if hist, err = d.store.History(ctx, post.ID); err != nil {
			d.fail(ctx, p, err)
			return
		}
	}
	var b strings.Builder
	b.WriteString(p.t.T("history_title", map[string]any{"ID": post.ID}))
	for _, ev := range hist {
		b.WriteString("\n• " + d.eventLine(p.t, ev, page))
	}
	d.reply(ctx, p, b.String())
}

// PostLink is the public address of a published post in its channel.
func PostLink(page redaktor.Page, post redaktor.Post) string {
	if len(post.MessageIDs) == 0 {
		return ""
	}
	if page.ChannelUsername != "" {
		return fmt.Sprintf("https://t.me/%s/%d", page.ChannelUsername, post.MessageIDs[0])
	}
	// A private channel: t.me/c/<id without the -100 prefix>/<message>.
	id := fmt.Sprint(-page.ChannelID)
	id = strings.TrimPrefix(id, "100")
	return fmt.Sprintf("https://t.me/c/%s/%d", id, post.MessageIDs[0])
}
