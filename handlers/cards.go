package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/quality"
)

// A post's card is drawn in two steps: readCard reads everything the card
// shows (the advice compares the post with the page's recent posts), and
// renderCard draws it from what was read, reading nothing.

// cardStore is what showing and refreshing cards keeps in Redis.
type cardStore interface {
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	History(ctx context.Context, postID string) ([]redaktor.Event, error)
	SetCard(ctx context.Context, pageID, postID string, c redaktor.Card) error
	HeldCards(ctx context.Context, chatID int64, postIDs []string) (map[string]int, error)
	CardViewers(ctx context.Context, postID, pageID string) ([]redaktor.Card, map[int64]redaktor.User, map[int64]redaktor.Role, error)
	DropCards(ctx context.Context, pageID string, userID int64, postIDs []string) error
	afterpubCardStore
}

// cards shows posts to people and keeps their cards up to date.
type cards struct {
	*base
	store  cardStore
	advice *Advice
}

// cardView is everything one viewer's card of a post shows.
type cardView struct {
	post   redaktor.Post
	page   redaktor.Page
	viewer int64
	role   redaktor.Role
	loc    *time.Location
	now    time.Time
	// advice is the writing advice and the page's week, nil when the card
	// shows none.
	advice *cardAdvice
	// afterpub is the outcome of the last change after publication, nil
	// when none (afterpub_card.go).
	afterpub *redaktor.AfterPubProgress
}

type cardAdvice struct {
	report quality.Report
	rhythm *quality.Rhythm // nil when the week could not be read
}

// readCard reads what a viewer's card shows; act is the page's activity
// when the caller read it already, else nil.
func (c *cards) readCard(ctx context.Context, t tr, post redaktor.Post, page redaktor.Page, viewer int64, role redaktor.Role, act *redaktor.Activity) cardView {
	v := cardView{post: post, page: page, viewer: viewer, role: role, loc: c.pageLoc(page), now: c.now()}
	if role != "" {
		v.advice = c.advice.forCard(ctx, t, post, page, act)
	}
	v.afterpub = c.readAfterPub(ctx, post)
	return v
}

// renderCard draws the text and buttons of a post's card. It reads
// nothing: all is in v.
func renderCard(t tr, v cardView) (string, bot.Keyboard) {
	post, page, loc, now := v.post, v.page, v.loc, v.now
	var b strings.Builder
	b.WriteString(t.T("card_title", map[string]any{"ID": post.ID, "Page": page.Title}))
	b.WriteString("\n" + t.T("card_author", map[string]any{"Name": t.Person(post.AuthorName), "Version": post.Version}))
	b.WriteString("\n" + t.T("card_status", map[string]any{"Status": t.T("status_" + string(post.Status))}))
	if page.Archived && post.Status.Open() {
		b.WriteString("\n" + t.T("card_page_archived"))
	}
	b.WriteString(reviewLines(t, v))
	if !post.PublishAt.IsZero() && (post.Status == redaktor.StatusScheduled || post.Status == redaktor.StatusPublishing) {
		b.WriteString("\n" + t.T("card_publish_at", map[string]any{"When": formatTime(post.PublishAt, loc, now)}))
		if post.Urgent {
			b.WriteString("\n" + t.T("card_urgent"))
		}
	}
	if post.Status == redaktor.StatusPublished {
		b.WriteString("\n" + t.T("card_published", map[string]any{"When": formatTime(post.PublishedAt, loc, now), "Link": PostLink(page, post)}))
	}
	b.WriteString(afterpubLines(t, v))
	if post.Comment != "" {
		b.WriteString("\n" + t.T("card_comment", map[string]any{"Comment": post.Comment}))
	}
	if !post.FailReason.IsZero() {
		b.WriteString("\n" + t.T("card_fail_reason", map[string]any{"Reason": reasonText(t, post.FailReason)}))
	}
	for _, w := range warnings(t, post.Content) {
		b.WriteString("\n⚠️ " + w)
	}
	if post.Last.Action != "" && post.Last.Action != redaktor.ActCreate {
		b.WriteString("\n" + t.T("card_last", map[string]any{"Last": eventLine(t, post.Last, loc, now)}))
	}
	kb := withAfterPubButtons(t, v, withApproveProposed(t, v, cardButtons(t, post, v.viewer, v.role)))
	if a := v.advice; a != nil {
		b.WriteString("\n\n" + qualityLines(t, a.report))
		if a.rhythm != nil {
			b.WriteString("\n" + rhythmLine(t, *a.rhythm))
		}
		if more := qualityButton(t, post, a.report); more != nil {
			if kb == nil {
				m := tgbotapi.NewInlineKeyboardMarkup()
				kb = &m
			}
			kb.InlineKeyboard = append(kb.InlineKeyboard, more)
		}
	}
	return b.String(), kb
}

// card reads and draws one viewer's card.
func (c *cards) card(ctx context.Context, t tr, post redaktor.Post, page redaktor.Page, viewer int64, role redaktor.Role, act *redaktor.Activity) (string, bot.Keyboard) {
	return renderCard(t, c.readCard(ctx, t, post, page, viewer, role, act))
}

// showPostTo sends a person the post as it will appear (an album stays an
// album) and under it the card with the buttons their role allows.
func (c *cards) showPostTo(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, preview bool) {
	role, err := c.base.store.Role(ctx, post.PageID, p.ID)
	if err != nil {
		c.log.Warn("read role to show a card", "post", post.ID, "user", p.ID, "err", err)
	}
	c.showPostAs(ctx, p, role, post, page, preview, nil)
}

// showPostAs is showPostTo for a caller who knows the person's role (and
// may have read the page's activity for the card: act, else nil).
func (c *cards) showPostAs(ctx context.Context, p who, role redaktor.Role, post redaktor.Post, page redaktor.Page, preview bool, act *redaktor.Activity) {
	if preview {
		if _, err := c.tg.SendContent(ctx, p.ID, post.Content); err != nil {
			c.log.Warn("send preview", "post", post.ID, "err", err)
			c.reply(ctx, p, previewFailed(p.t, err))
		}
	}
	text, kb := c.card(ctx, p.t, post, page, p.ID, role, act)
	msgID, err := c.tg.SendText(ctx, p.ID, text, kb)
	if err != nil {
		c.log.Warn("send card", "post", post.ID, "err", err)
		return
	}
	if err := c.store.SetCard(ctx, post.PageID, post.ID, redaktor.Card{ChatID: p.ID, MessageID: msgID}); err != nil {
		c.log.Warn("remember card", "post", post.ID, "user", p.ID, "err", err)
	}
}

// showMade shows a post the update being handled made before (it is
// handled again after a crash or a timeout) instead of making a second.
func (c *cards) showMade(ctx context.Context, p who, postID string, page redaktor.Page) error {
	post, err := c.store.Post(ctx, postID)
	if err != nil {
		return err
	}
	if post.PageID != page.ID {
		if page, err = c.base.store.Page(ctx, post.PageID); err != nil {
			return err
		}
	}
	sctx, cancel := showing(ctx)
	defer cancel()
	c.showPostTo(sctx, p, post, page, true)
	return nil
}

// refreshCards redraws every live card of a post for its viewer, so nobody
// keeps pressing buttons of a state that has passed. A viewer no longer on
// the page's team gets no further updates: their card is forgotten. The
// cards come with their viewers and roles in one round trip.
func (c *cards) refreshCards(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	shown, users, roles, err := c.store.CardViewers(ctx, post.ID, post.PageID)
	if err := c.loggedIfCorrupt(err, "read cards", "post", post.ID); err != nil {
		c.log.Warn("read cards", "post", post.ID, "err", err)
		return
	}
	for _, card := range shown {
		u, ok := users[card.ChatID]
		if !ok {
			continue // no record: never wrote to the bot, or asked to be forgotten
		}
		role := roles[u.ID]
		if c.admin[u.ID] && page.ID != "" {
			role = redaktor.RoleChief // as adminRoles reads it
		}
		if role == "" { // one who left the team hears no more of it
			if err := c.store.DropCards(ctx, post.PageID, u.ID, []string{post.ID}); err != nil {
				c.log.Warn("drop card", "post", post.ID, "user", u.ID, "err", err)
			}
			continue
		}
		if !redaktor.MayRead(post, redaktor.Actor{UserID: u.ID, Role: role}) {
			continue // no longer reviews it (a chief editor made moderator)
		}
		text, kb := c.card(ctx, c.texts.For(u.Lang), post, page, u.ID, role, nil)
		if err := c.tg.EditText(ctx, card.ChatID, card.MessageID, text, kb); err != nil {
			c.log.Debug("refresh card", "chat", card.ChatID, "err", err)
		}
	}
}

func (c *cards) showHistory(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, hist []redaktor.Event) error {
	if hist == nil {
		var err error
		if hist, err = c.store.History(ctx, post.ID); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString(p.t.T("history_title", map[string]any{"ID": post.ID}))
	loc, now := c.pageLoc(page), c.now()
	for _, ev := range hist {
		b.WriteString("\n• " + eventLine(p.t, ev, loc, now))
	}
	c.reply(ctx, p, b.String())
	return nil
}

// staleAnswer tells the viewer who did what to a post since their card
// was drawn; the author is not told of herself in the third person.
func (c *cards) staleAnswer(t tr, post redaktor.Post, page redaktor.Page, viewer int64) string {
	if post.Status == redaktor.StatusDraft && post.Last.Action == redaktor.ActWithdraw {
		if viewer == post.AuthorID && viewer == post.Last.ActorID {
			return t.T("stale_withdrawn_own", map[string]any{"ID": post.ID})
		}
		return t.T("stale_withdrawn", map[string]any{"ID": post.ID, "Name": actorName(t, post.Last)})
	}
	return t.T("stale_card", map[string]any{
		"ID": post.ID, "Status": t.T("status_" + string(post.Status)),
		"Last": eventLine(t, post.Last, c.pageLoc(page), c.now())})
}

// sendList shows posts one line each, with a button to open each card.
func (c *cards) sendList(ctx context.Context, p who, title string, list []redaktor.Post) {
	var b strings.Builder
	b.WriteString(title)
	var rows [][]tgbotapi.InlineKeyboardButton
	pages := map[string]redaktor.Page{} // each page read once: a list is mostly one page's
	for _, post := range list {
		page, ok := pages[post.PageID]
		if !ok {
			page = c.pageForShow(ctx, post.PageID)
			pages[post.PageID] = page
		}
		fmt.Fprintf(&b, "\n\n%s", c.listLine(p.t, post, page))
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			p.t.T("open_post", map[string]any{"ID": post.ID}), btnOpen+":"+post.ID)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	c.send(ctx, p.ID, b.String(), &kb)
}

func (c *cards) listLine(t tr, post redaktor.Post, page redaktor.Page) string {
	loc, now := c.pageLoc(page), c.now()
	line := t.T("list_line", map[string]any{
		"ID": post.ID, "Page": page.Title, "Status": t.T("status_" + string(post.Status)),
		"Changed": formatTime(post.UpdatedAt, loc, now), "Snippet": snippet(t, post.Content, 60)})
	if !post.PublishAt.IsZero() && post.Status != redaktor.StatusPublished {
		line += "\n" + t.T("card_publish_at", map[string]any{"When": formatTime(post.PublishAt, loc, now)})
	}
	return line
}

// warnings are what the author and the editor should know before
// publication; none of them blocks it.
func warnings(t tr, c redaktor.Content) []string {
	var out []string
	if c.CaptionSeparate() {
		out = append(out, t.T("warn_caption_split", map[string]any{"Length": c.TextLength()}))
	}
	return out
}

func cardButtons(t tr, post redaktor.Post, viewer int64, role redaktor.Role) bot.Keyboard {
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
		// A draft can be corrected before it is sent, and after it was
		// taken back from approval: a new version keeps it a draft.
		case author && chief:
			rows = append(review, []tgbotapi.InlineKeyboardButton{btn("btn_new_version", btnNewVersion), btn("btn_delete", btnDelete)})
		case author:
			rows = [][]tgbotapi.InlineKeyboardButton{
				{btn("btn_submit", btnSubmit)},
				{btn("btn_new_version", btnNewVersion)},
				{btn("btn_propose", btnPropose), btn("btn_delete", btnDelete)},
			}
		}
	case redaktor.StatusPending:
		if chief {
			rows = append(review, []tgbotapi.InlineKeyboardButton{btn("btn_changes", btnChanges), btn("btn_reject", btnReject)})
		}
		if author {
			rows = append(rows, []tgbotapi.InlineKeyboardButton{btn("btn_withdraw", btnWithdraw)})
		}
	case redaktor.StatusChangesRequested:
		if author {
			rows = [][]tgbotapi.InlineKeyboardButton{{btn("btn_new_version", btnNewVersion)}, {btn("btn_delete", btnDelete)}}
		}
	case redaktor.StatusRejected: // final: the author may only clear it away
		if author {
			rows = [][]tgbotapi.InlineKeyboardButton{{btn("btn_delete", btnDelete)}}
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

// urgentButton is the review card's "publish now, urgent" button: its
// broadcast goes before every other.
func urgentButton(t tr, post redaktor.Post) tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardButtonData(t.T("btn_publish_urgent"), postData(btnUrgent, post))
}

// eventLine tells one step of a post's history: who, what, when.
func eventLine(t tr, ev redaktor.Event, loc *time.Location, now time.Time) string {
	data := map[string]any{"Name": actorName(t, ev), "At": formatTime(ev.At, loc, now), "Version": ev.Version}
	if !ev.When.IsZero() {
		data["When"] = formatTime(ev.When, loc, now)
	}
	key := "event_" + string(ev.Action)
	if ev.Action == redaktor.ActSubmit && !ev.When.IsZero() {
		key = "event_submit_at" // submitted with a proposed time
	}
	line := t.T(key, data)
	switch note := eventNote(t, ev); {
	case note == "":
	case !ev.Failure.IsZero() || ev.Action == redaktor.ActFail:
		line += ": " + note // the reason, in the desk's words
	default:
		line += fmt.Sprintf(" — «%s»", note) // what the person wrote
	}
	return line
}

// actorName is who took a step, as the team knows them: their name; one
// who asked the bot to forget them is a former member; a member whose
// name the bot never learnt is a team member, never a number.
func actorName(t tr, ev redaktor.Event) string {
	if ev.ActorName == "" && ev.ActorID != 0 {
		return t.T("role_member")
	}
	return t.Person(ev.ActorName)
}

// snippet is the start of a post's text, for lists.
func snippet(t tr, c redaktor.Content, n int) string {
	s := strings.Join(strings.Fields(c.Text), " ")
	r := []rune(s)
	if len(r) > n {
		s = string(r[:n]) + "…"
	}
	if s == "" {
		s = t.N("snippet_media", len(c.Media), map[string]any{"Kind": t.T("media_" + string(c.Media[0].Kind))})
	}
	return s
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
