package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// reportStore is what the reports of a publication keep in Redis: the one
// message of each of the post's people, written under a claim so that two
// processes never send one person two (storage/report.go).
type reportStore interface {
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	Broadcast(ctx context.Context, postID string) (redaktor.Broadcast, error)
	ClaimReport(ctx context.Context, postID, token string, ttl time.Duration) (bool, error)
	ReleaseReport(ctx context.Context, postID, token string, ttl time.Duration) (again bool, err error)
	ReportMessages(ctx context.Context, postID string) (map[int64]int, map[int64]bool, error)
	SetReportMessage(ctx context.Context, postID string, chatID int64, messageID int) error
	ExplainInReport(ctx context.Context, postID string, chatID int64) error
	FirstTold(ctx context.Context, userID int64, what string) (bool, error)
	RetryReport(ctx context.Context, postID string, now time.Time, step time.Duration, max int64) (int64, bool, error)
	ReportWritten(ctx context.Context, postID string) error
	DueReports(ctx context.Context, now time.Time, n int64) ([]string, error)
}

// reportClaim is how long a writer of a report holds it: longer than its
// sends may take (paced, a 429 waited out), so that a live writer never
// loses it; a dead one's lapses after this.
const reportClaim = 2 * time.Minute

// A report whose final state could not be written is written again after
// reportRetryDelay times the tries so far, up to reportRetries times (a
// chief editor who blocked the bot is not tried for ever).
const (
	reportRetryDelay = 30 * time.Second
	reportRetries    = 5
)

// BroadcastReports tells a post's people (its chief editors, and its
// author) of its publication in one message each: where and when it was
// published, then the delivery to the page's subscribers edited into it
// as it goes, ending as the report (broadcast.Reporter; the scheduler's
// Notifier starts it).
type BroadcastReports struct {
	*base
	store reportStore
}

// StopButton is the button under an announcement copy, in the
// subscriber's language: it unsubscribes the person who presses it.
func (r *BroadcastReports) StopButton(pageID, lang string) bot.Keyboard {
	return stopButton(r.texts, pageID, lang)
}

func stopButton(texts *Texts, pageID, lang string) bot.Keyboard {
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(texts.For(lang).T("btn_stop"), btnStopPage+":"+pageID)))
	return &kb
}

// BroadcastProgress brings the publication's messages up to date with the
// broadcast (broadcast.Reporter). What they show is read afresh under the
// claim, not taken from b: a writer that comes second must not put back
// an older state.
func (r *BroadcastReports) BroadcastProgress(ctx context.Context, b redaktor.Broadcast, _ redaktor.Page, _ bool) {
	r.Update(ctx, b.PostID)
}

// Update writes the post's report messages as things stand: sends the
// message to whoever has none yet and edits the others. If another writer
// (another process) is at it, that writer is told to write again instead,
// so the last state always arrives and nobody gets a second message.
func (r *BroadcastReports) Update(ctx context.Context, postID string) {
	r.update(ctx, postID, nil, nil)
}

// update is Update; the first writing uses post and page when given (the
// scheduler's, just stored), every later one reads them afresh.
func (r *BroadcastReports) update(ctx context.Context, postID string, post *redaktor.Post, page *redaktor.Page) {
	token := newToken()
	ok, err := r.store.ClaimReport(ctx, postID, token, reportClaim)
	if err != nil {
		r.log.Warn("claim the report", "post", postID, "err", err)
		return
	}
	if !ok {
		return // its writer writes again before it lets go
	}
	for {
		final, failed := r.write(ctx, postID, post, page)
		post, page = nil, nil
		// Given back even when ctx ended (a scheduler tick's budget): a
		// claim left behind would keep every other writer out for its
		// whole lifetime.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		again, err := r.store.ReleaseReport(rctx, postID, token, reportClaim)
		cancel()
		if err != nil {
			r.log.Warn("release the report", "post", postID, "err", err)
			return
		}
		if !again {
			r.settle(ctx, postID, final, failed)
			return
		}
	}
}

// settle leaves a retry mark when the final state did not reach everybody
// (no later broadcast tick would write it), and clears it when it did.
func (r *BroadcastReports) settle(ctx context.Context, postID string, final, failed bool) {
	if !final {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if !failed {
		if err := r.store.ReportWritten(ctx, postID); err != nil {
			r.log.Warn("clear the report's retry", "post", postID, "err", err)
		}
		return
	}
	tries, queued, err := r.store.RetryReport(ctx, postID, r.now(), reportRetryDelay, reportRetries)
	switch {
	case err != nil:
		r.log.Warn("mark the report to retry", "post", postID, "err", err)
	case !queued:
		r.log.Warn("the report's final state could not be written; given up", "post", postID, "tries", tries)
	}
}

// Run writes again, every interval, the reports whose final state did not
// reach everybody, until ctx ends.
func (r *BroadcastReports) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ids, err := r.store.DueReports(ctx, r.now(), 20)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("read the reports to retry", "err", err)
		}
		for _, id := range ids {
			r.Update(ctx, id)
		}
	}
}

// write sends or edits each person's message with the state read now.
// final: the state is the report (the broadcast is over, or there is
// none); failed: a message could not be sent or edited.
func (r *BroadcastReports) write(ctx context.Context, postID string, given *redaktor.Post, givenPage *redaktor.Page) (final, failed bool) {
	post, page, err := r.postAndPage(ctx, postID, given, givenPage)
	if err != nil {
		r.log.Warn("read the post to report", "post", postID, "err", err)
		return false, true
	}
	b, err := r.store.Broadcast(ctx, postID)
	switch {
	case errors.Is(err, redaktor.ErrNotFound):
		b = redaktor.Broadcast{} // the page sends to its channel only
	case err != nil:
		r.log.Warn("read the broadcast to report", "post", postID, "err", err)
		return false, true
	}
	final = b.Total == 0 || !b.FinishedAt.IsZero()
	msgs, explained, err := r.store.ReportMessages(ctx, postID)
	if err != nil {
		r.log.Warn("read the report messages", "post", postID, "err", err)
		return final, true
	}
	for _, p := range r.people(ctx, post) {
		explain := b.Inactive > 0 && r.explains(ctx, postID, p.ID, explained[p.ID])
		text := r.reportText(p.t, post, page, b, explain)
		if id := msgs[p.ID]; id != 0 {
			if err := r.tg.EditText(ctx, p.ID, id, text, nil); err != nil {
				r.log.Warn("edit the report", "post", postID, "chat", p.ID, "final", final, "err", err)
				failed = true
			}
			continue
		}
		id := r.send(ctx, p.ID, text, nil)
		if id == 0 {
			failed = true
			continue
		}
		if err := r.store.SetReportMessage(ctx, postID, p.ID, id); err != nil {
			r.log.Warn("record the report message", "post", postID, "chat", p.ID, "err", err)
		}
	}
	return final, failed
}

func (r *BroadcastReports) postAndPage(ctx context.Context, postID string, post *redaktor.Post, page *redaktor.Page) (redaktor.Post, redaktor.Page, error) {
	if post != nil && page != nil {
		return *post, *page, nil
	}
	p, err := r.store.Post(ctx, postID)
	if err != nil {
		return p, redaktor.Page{}, err
	}
	pg, err := r.base.store.Page(ctx, p.PageID)
	if err != nil {
		return p, pg, fmt.Errorf("read its page: %w", err)
	}
	return p, pg, nil
}

// people are whom a publication is reported to: the page's chief editors
// and the post's author, if still on the team.
func (r *BroadcastReports) people(ctx context.Context, post redaktor.Post) []who {
	out := r.chiefs(ctx, post.PageID)
	for _, c := range out {
		if c.ID == post.AuthorID {
			return out
		}
	}
	role, err := r.base.store.Role(ctx, post.PageID, post.AuthorID)
	if err != nil {
		r.log.Warn("read the author's role", "post", post.ID, "err", err)
		return out
	}
	if role == "" {
		return out
	}
	if u, ok := r.userToTell(ctx, post.AuthorID); ok {
		out = append(out, r.whoOf(u))
	}
	return out
}

// explains reports whether a person's message explains what «заблокировали
// бота» means: the first such report a person gets does, and keeps doing
// so as it is edited; later ones do not.
func (r *BroadcastReports) explains(ctx context.Context, postID string, chatID int64, already bool) bool {
	if already {
		return true
	}
	first, err := r.store.FirstTold(ctx, chatID, "blocked")
	if err != nil {
		r.log.Warn("read what a person was told", "chat", chatID, "err", err)
		return false
	}
	if !first {
		return false
	}
	if err := r.store.ExplainInReport(ctx, postID, chatID); err != nil {
		r.log.Warn("mark the report as explaining", "post", postID, "err", err)
	}
	return true
}

// reportText is a person's message about a publication: where and when,
// then the delivery to the subscribers while it goes, or its outcome.
func (r *BroadcastReports) reportText(t tr, post redaktor.Post, page redaktor.Page, b redaktor.Broadcast, explain bool) string {
	if len(post.MessageIDs) == 0 {
		post.MessageIDs = b.MessageIDs // the broadcast began before the publication was recorded
	}
	at := post.PublishedAt
	if at.IsZero() {
		at = b.StartedAt
	}
	if at.IsZero() {
		at = r.now()
	}
	loc, now := r.pageLoc(page), r.now()
	data := map[string]any{"ID": post.ID, "Page": page.Title, "Link": PostLink(page, post),
		"When": formatTime(at, loc, now), "Planned": formatTime(post.PublishAt, loc, now)}
	key := "report_published"
	if post.Late {
		key = "report_published_late"
	}
	lines := []string{t.T(key, data)}
	if b.Total > 0 {
		lines = append(lines, r.deliveryText(t, b, loc))
		if b.Resent > 0 {
			lines = append(lines, t.T("report_resent", map[string]any{"Resent": number(t, b.Resent)}))
		}
		if explain {
			lines = append(lines, t.T("report_blocked_explained"))
		}
	}
	return strings.Join(lines, "\n")
}

// deliveryText is the line about the subscribers: how far, or how it ended.
func (r *BroadcastReports) deliveryText(t tr, b redaktor.Broadcast, loc *time.Location) string {
	prefix := ""
	if b.Urgent {
		prefix = t.T("report_urgent") + " "
	}
	if b.FinishedAt.IsZero() {
		data := map[string]any{"Done": number(t, b.Processed()), "Total": number(t, b.Total)}
		s := t.T("report_progress", data)
		now := r.now()
		if done, took := b.Processed(), now.Sub(b.StartedAt); done > 0 && took > 0 && b.Remaining() > 0 {
			left := time.Duration(float64(took) / float64(done) * float64(b.Remaining()))
			s += " " + t.T("report_eta", map[string]any{"ETA": now.Add(left).In(loc).Format("15:04")})
		}
		return prefix + s
	}
	parts := []string{t.T("report_delivered", map[string]any{"Delivered": number(t, b.Delivered),
		"Total": number(t, b.Total), "Took": clockDuration(b.FinishedAt.Sub(b.StartedAt))})}
	if b.Inactive > 0 {
		parts = append(parts, t.N("report_blocked", int(b.Inactive), map[string]any{"Number": number(t, b.Inactive)}))
	}
	if b.Failed > 0 {
		parts = append(parts, t.N("report_failed", int(b.Failed), map[string]any{"Number": number(t, b.Failed)}))
	}
	return prefix + strings.Join(parts, "; ") + "."
}

// number writes a count as people read it: «4 980» in Russian (a
// non-breaking space between thousands), «4,980» in English.
func number(t tr, n int64) string {
	s := strconv.FormatInt(max(0, n), 10)
	sep := "\u00a0"
	if t.lang == "en" {
		sep = ","
	}
	var b strings.Builder
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

// newToken names one writer of a report for its claim.
func newToken() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clockDuration shows a duration as h:mm:ss or m:ss.
func clockDuration(d time.Duration) string {
	d = max(0, d.Round(time.Second))
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
