package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/quality"
)

// repeatWindow is how far back a draft is compared with the page's posts.
const repeatWindow = 30 * 24 * time.Hour

// review checks a post's content against the regional centre's advice and
// the page's posts of the last 30 days. ok is false when advice is off.
func (d *Desk) review(ctx context.Context, c redaktor.Content, pageID, exceptPost, lang string) (quality.Report, bool) {
	if d.cfg.Quality == nil {
		return quality.Report{}, false
	}
	var recent []quality.Published
	if pageID != "" {
		act, err := d.store.PageActivity(ctx, pageID, d.now().Add(-repeatWindow), d.now(), recentLimit)
		if err == nil {
			recent, err = d.published(ctx, act.Recent, exceptPost)
		}
		if err != nil {
			d.log.Warn("read recent posts", "page", pageID, "err", err)
		}
	}
	return d.check(c, recent, lang), true
}

// recentLimit bounds the published posts a draft is compared with.
const recentLimit = 200

// check runs the advice on content, given the page's recent posts.
func (d *Desk) check(c redaktor.Content, recent []quality.Published, lang string) quality.Report {
	return d.cfg.Quality.Check(lang, quality.Post{Text: c.Text, HasMedia: hasPicture(c), Recent: recent})
}

// hasPicture: the media advice is about photos and videos, which is what
// makes a post visible in a feed; a document does not.
func hasPicture(c redaktor.Content) bool {
	for _, m := range c.Media {
		switch m.Kind {
		case redaktor.MediaPhoto, redaktor.MediaVideo, redaktor.MediaAnimation:
			return true
		}
	}
	return false
}

// qualityLines is the short report of a card: the score and the three most
// useful hints.
func qualityLines(t tr, r quality.Report) string {
	var b strings.Builder
	b.WriteString(t.T("q_score", map[string]any{"Score": r.Score}))
	for _, f := range r.Top {
		b.WriteString("\n💡 " + findingText(t, f))
	}
	return b.String()
}

// findingText renders one finding in the reader's language: the rule, the
// quoted fragment, and what to do.
func findingText(t tr, f quality.Finding) string {
	data := f.TemplateData()
	if f.Missing != "" {
		data["Missing"] = t.T("q_missing_" + f.Missing)
	}
	return t.T("q_"+f.Rule, data)
}

// qualityButton opens the full list of findings.
func qualityButton(t tr, post redaktor.Post, r quality.Report) []tgbotapi.InlineKeyboardButton {
	if len(r.Findings) <= len(r.Top) {
		return nil
	}
	return tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
		t.N("btn_all_advice", len(r.Findings), nil), btnQuality+":"+post.ID))
}

// onQuality sends every finding of a post to a member of its page.
func (d *Desk) onQuality(ctx context.Context, p who, postID string) string {
	post, err := d.store.Post(ctx, postID)
	if isNotFound(err) {
		return p.t.T("button_stale")
	}
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	role, err := d.store.Role(ctx, post.PageID, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if !redaktor.MayRead(post, redaktor.Actor{UserID: p.ID, Role: role}) {
		return p.t.T("not_allowed")
	}
	r, ok := d.review(ctx, post.Content, post.PageID, post.ID, p.Lang)
	if !ok {
		return ""
	}
	d.reply(ctx, p, fullReport(p.t, r, p.t.T("q_all_title", map[string]any{"ID": post.ID})))
	return ""
}

func fullReport(t tr, r quality.Report, title string) string {
	var b strings.Builder
	b.WriteString(title + "\n" + t.T("q_score", map[string]any{"Score": r.Score}))
	if len(r.Findings) == 0 {
		b.WriteString("\n" + t.T("q_none"))
	}
	for _, f := range r.Findings {
		b.WriteString("\n• " + findingText(t, f))
	}
	return b.String()
}

// cmdCheck checks a text without making a draft: "/check text", or /check
// and then the text or a forwarded post.
func (d *Desk) cmdCheck(ctx context.Context, p who, m *tgbotapi.Message) {
	if d.cfg.Quality == nil {
		d.reply(ctx, p, p.t.T("unknown_command"))
		return
	}
	// For teams only: a stranger's text is not kept, not even as a session.
	if _, _, ok := d.memberPage(ctx, p); !ok {
		return
	}
	if strings.TrimSpace(m.CommandArguments()) == "" {
		if err := d.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionCheck}); err != nil {
			d.fail(ctx, p, err)
			return
		}
		d.reply(ctx, p, p.t.T("check_ask")+"\n"+p.t.T("cancel_hint"))
		return
	}
	// The text after the command, with its formatting offsets left behind:
	// the checker reads plain text.
	d.checkContent(ctx, p, redaktor.Content{Text: strings.TrimSpace(m.CommandArguments())})
}

func (d *Desk) checkMessage(ctx context.Context, p who, m *tgbotapi.Message) {
	c, ok := bot.ContentOf(m)
	if !ok || (c.Text == "" && !c.HasMedia()) {
		d.reply(ctx, p, p.t.T("check_ask"))
		return
	}
	d.checkContent(ctx, p, c)
}

func (d *Desk) checkContent(ctx context.Context, p who, c redaktor.Content) {
	page, _, err := d.currentPage(ctx, p)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	r, _ := d.review(ctx, c, page.ID, "", p.Lang)
	d.reply(ctx, p, fullReport(p.t, r, p.t.T("check_title")))
}

// weekStart is Monday 00:00 of the week of now, in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	n := now.In(loc)
	back := (int(n.Weekday()) + 6) % 7
	return time.Date(n.Year(), n.Month(), n.Day()-back, 0, 0, 0, 0, loc)
}

// rhythm is the page's week against its goal.
func (d *Desk) rhythm(ctx context.Context, page redaktor.Page) (quality.Rhythm, error) {
	n, err := d.store.PublishedCount(ctx, page.ID, weekStart(d.now(), d.pageLoc(page)))
	if err != nil {
		return quality.Rhythm{}, err
	}
	return d.weekRhythm(page, n), nil
}

// weekRhythm is the page's week, n posts published since Monday.
func (d *Desk) weekRhythm(page redaktor.Page, n int) quality.Rhythm {
	loc := d.pageLoc(page)
	start := weekStart(d.now(), loc)
	daysLeft := 6 - int(d.now().In(loc).Sub(start)/(24*time.Hour))
	return quality.WeekRhythm(n, page.Goal(), daysLeft)
}

func rhythmLine(t tr, r quality.Rhythm) string {
	return t.N("rhythm_"+r.Status, r.Published, map[string]any{"Goal": r.Goal, "Remaining": r.Remaining})
}

// cmdStats shows the page's week; "/stats goal 5" sets the weekly goal.
func (d *Desk) cmdStats(ctx context.Context, p who, args string) {
	page, role, ok := d.memberPage(ctx, p)
	if !ok {
		return
	}
	if f := strings.Fields(args); len(f) > 0 {
		if role != redaktor.RoleChief {
			d.reply(ctx, p, p.t.T("chief_only", map[string]any{"Page": page.Title}))
			return
		}
		goal, err := strconv.Atoi(f[len(f)-1])
		if len(f) != 2 || f[0] != "goal" || err != nil || goal < 1 || goal > 50 {
			d.reply(ctx, p, p.t.T("stats_usage"))
			return
		}
		page, err = d.store.EditPage(ctx, page.ID, func(pg *redaktor.Page) bool { pg.WeeklyGoal = goal; return true })
		if err != nil {
			d.fail(ctx, p, err)
			return
		}
	}
	r, err := d.rhythm(ctx, page)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	pending, err := d.store.PendingPosts(ctx, page.ID, 100)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	queued, err := d.store.QueuedPosts(ctx, page.ID, 100)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	d.reply(ctx, p, p.t.T("stats", map[string]any{
		"Page": page.Title, "Rhythm": rhythmLine(p.t, r), "Goal": page.Goal(),
		"Pending": len(pending), "Queued": len(queued)}))
}

// qualityBlock is the advice and rhythm part of a card, for the states in
// which the post can still be improved or decided on.
func (d *Desk) qualityBlock(ctx context.Context, t tr, post redaktor.Post, page redaktor.Page, read *redaktor.Activity) (string, []tgbotapi.InlineKeyboardButton) {
	switch post.Status {
	case redaktor.StatusDraft, redaktor.StatusPending, redaktor.StatusChangesRequested, redaktor.StatusRejected:
	default:
		return "", nil
	}
	if d.cfg.Quality == nil {
		return "", nil
	}
	// The recent posts and the week's count in one round trip: every card
	// shows both.
	var act redaktor.Activity
	var err error
	if read != nil {
		act = *read
	} else if act, err = d.store.PageActivity(ctx, page.ID, d.now().Add(-repeatWindow), weekStart(d.now(), d.pageLoc(page)), recentLimit); err != nil {
		d.log.Warn("read page activity", "page", page.ID, "err", err)
	}
	recent, perr := d.published(ctx, act.Recent, post.ID)
	if perr != nil {
		d.log.Warn("read recent posts", "page", page.ID, "err", perr)
	}
	r := d.check(post.Content, recent, t.lang)
	text := qualityLines(t, r)
	if err == nil {
		text += "\n" + rhythmLine(t, d.weekRhythm(page, act.Week))
	}
	return text, qualityButton(t, post, r)
}
