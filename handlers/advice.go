package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/quality"
)

// adviceStore is what the writing advice and the page's week read.
type adviceStore interface {
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	Posts(ctx context.Context, ids []string) ([]redaktor.Post, error)
	PageActivity(ctx context.Context, pageID string, since, weekStart time.Time, limit int64) (redaktor.Activity, error)
	PublishedCount(ctx context.Context, pageID string, since time.Time) (int, error)
	PendingPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error)
	QueuedPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error)
	EditPage(ctx context.Context, pageID string, change func(p *redaktor.Page) bool) (redaktor.Page, error)
	SetSession(ctx context.Context, userID int64, se redaktor.Session) error
}

// Advice is the regional centre's writing advice (on every card, on a
// press for all of it, and /check for any text) and the page's week
// against its goal (/stats).
type Advice struct {
	*base
	store adviceStore
	seen  *lru.Cache[string, quality.Published] // see newPublishedCache
}

// repeatWindow is how far back a draft is compared with the page's posts.
const repeatWindow = 30 * 24 * time.Hour

// review checks a post's content against the regional centre's advice and
// the page's posts of the last 30 days. ok is false when advice is off.
func (a *Advice) review(ctx context.Context, c redaktor.Content, pageID, exceptPost, lang string) (quality.Report, bool) {
	if a.cfg.Quality == nil {
		return quality.Report{}, false
	}
	var recent []quality.Published
	if pageID != "" {
		act, err := a.store.PageActivity(ctx, pageID, a.now().Add(-repeatWindow), a.now(), recentLimit)
		if err == nil {
			recent, err = a.published(ctx, act.Recent, exceptPost)
		}
		if err != nil {
			a.log.Warn("read recent posts", "page", pageID, "err", err)
		}
	}
	return a.check(c, recent, lang), true
}

// recentLimit bounds the published posts a draft is compared with.
const recentLimit = 200

// check runs the advice on content, given the page's recent posts.
func (a *Advice) check(c redaktor.Content, recent []quality.Published, lang string) quality.Report {
	return a.cfg.Quality.Check(lang, quality.Post{Text: c.Text, HasMedia: hasPicture(c), Recent: recent})
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
func (a *Advice) onQuality(ctx context.Context, p who, postID string) (string, error) {
	post, err := a.store.Post(ctx, postID)
	if isNotFound(err) {
		return p.t.T("button_stale"), nil
	}
	if err != nil {
		return "", err
	}
	role, err := a.base.store.Role(ctx, post.PageID, p.ID)
	if err != nil {
		return "", err
	}
	if !redaktor.MayRead(post, redaktor.Actor{UserID: p.ID, Role: role}) {
		return p.t.T("not_allowed"), nil
	}
	r, ok := a.review(ctx, post.Content, post.PageID, post.ID, p.Lang)
	if !ok {
		return "", nil
	}
	a.reply(ctx, p, fullReport(p.t, r, p.t.T("q_all_title", map[string]any{"ID": post.ID})))
	return "", nil
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
func (a *Advice) cmdCheck(ctx context.Context, p who, m *tgbotapi.Message) error {
	if a.cfg.Quality == nil {
		a.reply(ctx, p, p.t.T("unknown_command"))
		return nil
	}
	// For teams only: a stranger's text is not kept, not even as a session.
	if _, _, ok, err := a.memberPage(ctx, p); !ok {
		return err
	}
	if strings.TrimSpace(m.CommandArguments()) == "" {
		if err := a.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionCheck}); err != nil {
			return err
		}
		a.reply(ctx, p, p.t.T("check_ask")+"\n"+p.t.T("cancel_hint"))
		return nil
	}
	// The text after the command, with its formatting offsets left behind:
	// the checker reads plain text.
	return a.checkContent(ctx, p, redaktor.Content{Text: strings.TrimSpace(m.CommandArguments())})
}

// onCheckAnswer checks the text or post sent after /check. The session
// ends only once the text is checked: when the check fails, the update is
// handled again and must still be taken as the answer, not as a draft.
func (a *Advice) onCheckAnswer(ctx context.Context, p who, m *tgbotapi.Message) error {
	c, ok := bot.ContentOf(m)
	if !ok || (c.Text == "" && !c.HasMedia()) {
		a.endSession(ctx, p)
		a.reply(ctx, p, p.t.T("check_ask"))
		return nil
	}
	if err := a.checkContent(ctx, p, c); err != nil {
		return err
	}
	a.endSession(ctx, p)
	return nil
}

func (a *Advice) checkContent(ctx context.Context, p who, c redaktor.Content) error {
	page, _, err := a.currentPage(ctx, p)
	if err != nil {
		return err
	}
	r, _ := a.review(ctx, c, page.ID, "", p.Lang) // on: /check is answered only when advice is
	a.reply(ctx, p, fullReport(p.t, r, p.t.T("check_title")))
	return nil
}

// weekStart is Monday 00:00 of the week of now, in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	n := now.In(loc)
	back := (int(n.Weekday()) + 6) % 7
	return time.Date(n.Year(), n.Month(), n.Day()-back, 0, 0, 0, 0, loc)
}

// weekRhythm is the page's week, n posts published since Monday.
func (a *Advice) weekRhythm(page redaktor.Page, n int) quality.Rhythm {
	loc := a.pageLoc(page)
	start := weekStart(a.now(), loc)
	daysLeft := 6 - int(a.now().In(loc).Sub(start)/(24*time.Hour))
	return quality.WeekRhythm(n, page.Goal(), daysLeft)
}

func rhythmLine(t tr, r quality.Rhythm) string {
	return t.N("rhythm_"+r.Status, r.Published, map[string]any{"Goal": r.Goal, "Remaining": r.Remaining})
}

// cmdStats shows the page's week; "/stats 5" sets the weekly goal («/stats
// цель 5» and "/stats goal 5" too, as people may type it).
func (a *Advice) cmdStats(ctx context.Context, p who, args string) error {
	page, role, ok, err := a.memberPage(ctx, p)
	if !ok {
		return err
	}
	if f := strings.Fields(args); len(f) > 0 {
		if role != redaktor.RoleChief {
			a.reply(ctx, p, p.t.T("chief_only", map[string]any{"Page": page.Title}))
			return nil
		}
		goal, err := strconv.Atoi(f[len(f)-1])
		named := len(f) == 2 && (strings.EqualFold(f[0], "goal") || strings.EqualFold(f[0], "цель"))
		if !(len(f) == 1 || named) || err != nil || goal < 1 || goal > 50 {
			a.reply(ctx, p, p.t.T("stats_usage"))
			return nil
		}
		page, err = a.store.EditPage(ctx, page.ID, func(pg *redaktor.Page) bool { pg.WeeklyGoal = goal; return true })
		if err != nil {
			return err
		}
	}
	n, err := a.store.PublishedCount(ctx, page.ID, weekStart(a.now(), a.pageLoc(page)))
	if err != nil {
		return err
	}
	pending, err := a.store.PendingPosts(ctx, page.ID, 100)
	if err != nil {
		return err
	}
	queued, err := a.store.QueuedPosts(ctx, page.ID, 100)
	if err != nil {
		return err
	}
	a.reply(ctx, p, p.t.T("stats", map[string]any{
		"Page": page.Title, "Rhythm": rhythmLine(p.t, a.weekRhythm(page, n)), "Goal": page.Goal(),
		"Pending": len(pending), "Queued": len(queued)}))
	return nil
}

// forCard reads and works out the advice and the page's week for a card,
// for the states in which the post can still be improved or decided on;
// nil otherwise. read is the page's activity when the caller read it.
// A failed read is logged, and the card shows what could be read.
func (a *Advice) forCard(ctx context.Context, t tr, post redaktor.Post, page redaktor.Page, read *redaktor.Activity) *cardAdvice {
	switch post.Status {
	case redaktor.StatusDraft, redaktor.StatusPending, redaktor.StatusChangesRequested, redaktor.StatusRejected:
	default:
		return nil
	}
	if a.cfg.Quality == nil {
		return nil
	}
	// The recent posts and the week's count in one round trip: every card
	// shows both.
	var act redaktor.Activity
	var err error
	if read != nil {
		act = *read
	} else if act, err = a.store.PageActivity(ctx, page.ID, a.now().Add(-repeatWindow), weekStart(a.now(), a.pageLoc(page)), recentLimit); err != nil {
		a.log.Warn("read page activity", "page", page.ID, "err", err)
	}
	recent, perr := a.published(ctx, act.Recent, post.ID)
	if perr != nil {
		a.log.Warn("read recent posts", "page", page.ID, "err", perr)
	}
	out := &cardAdvice{report: a.check(post.Content, recent, t.lang)}
	if err == nil {
		r := a.weekRhythm(page, act.Week)
		out.rhythm = &r
	}
	return out
}
