package handlers

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/planpic"
)

// planStore is what the week's plan reads: the page's queued and pending
// posts at once (storage.WeekPosts), never post by post.
type planStore interface {
	WeekPosts(ctx context.Context, pageID string, from, to time.Time, limit int64) (queued, pending []redaktor.Post, err error)
}

// planPainter draws the week as a picture (planpic.Painter).
type planPainter interface {
	Draw(w planpic.Week) ([]byte, error)
}

// Plan is /plan: the week ahead of the person's current page, day by day
// in the page's time zone, as a text with a button per post and as a
// calendar picture. The whole team sees it; it has no button that
// changes anything, only ones that open a card, which shows each person
// what their role allows.
type Plan struct {
	*base
	store   planStore
	painter planPainter // nil: the plan is sent as text only
}

const (
	planDays = 7
	// planLimit bounds the posts of each kind a plan reads and shows: far
	// more than a page publishes in a week, and the text stays within one
	// message.
	planLimit   = 40
	planSnippet = 32
	// planButtonsPerRow fits the buttons across a phone's screen.
	planButtonsPerRow = 3
	// messageLimit is Telegram's length of a text message.
	messageLimit = 4096
)

// planEntry is one line of a day: a post or a free posting time.
type planEntry struct {
	at   time.Time
	post *redaktor.Post // nil: a free time
}

// week is the plan as read: seven days from today in the page's time zone.
type week struct {
	page    redaktor.Page
	loc     *time.Location
	start   time.Time // today, 00:00 in loc
	now     time.Time
	days    [planDays][]planEntry
	undated []redaktor.Post // pending without a proposed time within the week
}

func (pl *Plan) cmdPlan(ctx context.Context, p who) error {
	page, role, ok, err := pl.memberPage(ctx, p)
	if !ok {
		return err
	}
	w, err := pl.read(ctx, page)
	if err != nil {
		return err
	}
	actor := redaktor.Actor{UserID: p.ID, Name: p.Name, Role: role}
	if pl.painter != nil {
		pl.sendPicture(ctx, p, w)
	}
	text, kb := planText(p.t, w, actor)
	pl.send(ctx, p.ID, text, kb)
	return nil
}

// read reads the page's week in one call to the store and places each
// post on its day, with the page's free posting times around them.
func (pl *Plan) read(ctx context.Context, page redaktor.Page) (week, error) {
	loc := pl.pageLoc(page)
	now := pl.now().In(loc)
	w := week{page: page, loc: loc, now: now,
		start: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)}
	end := w.dayStart(planDays)
	queued, pending, err := pl.store.WeekPosts(ctx, page.ID, w.start, end, planLimit)
	if err != nil {
		return w, fmt.Errorf("read the plan of page %s: %w", page.ID, err)
	}
	taken := map[int64]bool{}
	for i := range queued {
		post := &queued[i]
		if post.PageID != page.ID { // never another page's post, whatever an index says
			continue
		}
		taken[post.PublishAt.Unix()] = true
		w.place(post.PublishAt, post)
	}
	for i := range pending {
		post := &pending[i]
		switch {
		case post.PageID != page.ID:
		case !post.ProposedAt.Before(now) && post.ProposedAt.Before(end):
			w.place(post.ProposedAt, post)
		default:
			w.undated = append(w.undated, *post)
		}
	}
	slots := page.Slots
	if len(slots) == 0 {
		slots = redaktor.DefaultSlots()
	}
	for after := now; ; {
		t, ok := slots.Next(after, loc, func(t time.Time) bool { return taken[t.Unix()] })
		if !ok || !t.Before(end) {
			break
		}
		w.place(t, nil)
		after = t
	}
	for d := range w.days {
		sortEntries(w.days[d])
	}
	return w, nil
}

// dayStart is the midnight i days after today (time.Date keeps it
// midnight across a change of clocks).
func (w week) dayStart(i int) time.Time {
	return time.Date(w.start.Year(), w.start.Month(), w.start.Day()+i, 0, 0, 0, 0, w.loc)
}

// place puts an entry on its day; one outside the week is left out.
func (w *week) place(at time.Time, post *redaktor.Post) {
	for d := planDays - 1; d >= 0; d-- {
		if !at.Before(w.dayStart(d)) {
			if at.Before(w.dayStart(d + 1)) {
				w.days[d] = append(w.days[d], planEntry{at: at, post: post})
			}
			return
		}
	}
}

// sortEntries orders a day by time; at the same moment a post comes
// before a free time, and posts keep the store's order.
func sortEntries(es []planEntry) {
	slices.SortStableFunc(es, func(a, b planEntry) int { return a.at.Compare(b.at) })
}

// planText is the plan's message: a section per day, then what waits for
// approval without a time in the week; a button opens each post the
// person may read.
func planText(t tr, w week, actor redaktor.Actor) (string, bot.Keyboard) {
	var b strings.Builder
	b.WriteString(t.T("plan_title", map[string]any{"Page": w.page.Title,
		"From": w.start.Format("02.01"), "To": w.dayStart(planDays - 1).Format("02.01")}))
	var opens []redaktor.Post
	open := func(post redaktor.Post) {
		if redaktor.MayRead(post, actor) {
			opens = append(opens, post)
		}
	}
	for d := range w.days {
		day := w.dayStart(d)
		key := "plan_day"
		if d == 0 {
			key = "plan_today"
		}
		b.WriteString("\n\n" + t.T(key, map[string]any{"Weekday": t.T(fmt.Sprintf("plan_wd_%d", day.Weekday())), "Date": day.Format("02.01")}))
		var free []string
		posts := 0
		for _, e := range w.days[d] {
			if e.post == nil {
				free = append(free, e.at.In(w.loc).Format("15:04"))
				continue
			}
			posts++
			b.WriteString("\n" + planPostLine(t, *e.post, e.at.In(w.loc)))
			open(*e.post)
		}
		if posts == 0 {
			b.WriteString("\n" + t.T("plan_day_empty"))
		}
		if len(free) > 0 {
			b.WriteString("\n" + t.T("plan_free", map[string]any{"Times": strings.Join(free, ", ")}))
		}
	}
	if len(w.undated) > 0 {
		b.WriteString("\n\n" + t.T("plan_undated_title"))
		for _, post := range w.undated {
			b.WriteString("\n" + t.T("plan_undated_line", map[string]any{"ID": post.ID, "Snippet": snippet(t, post.Content, planSnippet)}))
			open(post)
		}
	}
	if actor.Role != redaktor.RoleChief {
		b.WriteString("\n\n" + t.T("plan_readonly"))
	}
	return fitMessage(b.String(), t.T("plan_cut")), openKeyboard(t, opens)
}

// openKeyboard has an Open button per post, a few to a row to fit a
// phone's screen; nil for no posts. It changes nothing: the card it opens
// has the buttons of the presser's role.
func openKeyboard(t tr, posts []redaktor.Post) bot.Keyboard {
	if len(posts) == 0 {
		return nil
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, post := range posts {
		if i%planButtonsPerRow == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], tgbotapi.NewInlineKeyboardButtonData(
			t.T("open_post", map[string]any{"ID": post.ID}), btnOpen+":"+post.ID))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return &kb
}

// readOnlyList is /pending or /queue as a moderator sees it: the posts
// without the chief editor's buttons, an Open button for each of their
// own, and who may change them.
func (c *cards) readOnlyList(ctx context.Context, p who, title string, list []redaktor.Post, page redaktor.Page, role redaktor.Role) {
	var b strings.Builder
	b.WriteString(title)
	actor := redaktor.Actor{UserID: p.ID, Name: p.Name, Role: role}
	var opens []redaktor.Post
	for _, post := range list {
		line := c.listLine
		if queued(post.Status) {
			line = c.queueLine // /queue: one time per post
		}
		b.WriteString("\n\n" + line(p.t, post, page))
		if redaktor.MayRead(post, actor) {
			opens = append(opens, post)
		}
	}
	b.WriteString("\n\n" + p.t.T("list_readonly"))
	c.send(ctx, p.ID, b.String(), openKeyboard(p.t, opens))
}

// planPostLine is a post's line on its day: its time, number and first
// words, and what it waits for when it is not simply scheduled.
func planPostLine(t tr, post redaktor.Post, at time.Time) string {
	data := map[string]any{"Time": at.Format("15:04"), "ID": post.ID, "Snippet": snippet(t, post.Content, planSnippet)}
	if post.Status == redaktor.StatusScheduled {
		return t.T("plan_post", data)
	}
	data["Status"] = t.T("status_" + string(post.Status))
	return t.T("plan_post_status", data)
}

// fitMessage cuts a text longer than a message at a line, saying so.
func fitMessage(s, more string) string {
	r := []rune(s)
	if len(r) <= messageLimit {
		return s
	}
	cut := string(r[:messageLimit-len([]rune(more))-2])
	if i := strings.LastIndex(cut, "\n"); i > 0 {
		cut = cut[:i]
	}
	return cut + "\n\n" + more
}

// sendPicture sends the week as a calendar picture. It only illustrates
// the text that follows: a failure is logged and the text still goes.
func (pl *Plan) sendPicture(ctx context.Context, p who, w week) {
	png, err := pl.painter.Draw(planPicture(p.t, w))
	if err != nil {
		pl.log.Warn("draw the plan", "page", w.page.ID, "err", err)
		return
	}
	caption := p.t.T("plan_pic_caption", map[string]any{"Page": w.page.Title})
	if _, err := pl.tg.SendPhotoFile(ctx, p.ID, "plan.png", png, caption); err != nil {
		pl.log.Warn("send the plan picture", "chat", p.ID, "err", err)
	}
}

// planPicture is what the picture shows: a column per day, a block per
// post at its hour, labelled with its time, number and first words, and
// the free times.
func planPicture(t tr, w week) planpic.Week {
	pic := planpic.Week{
		Title: t.T("plan_pic_title", map[string]any{"Page": w.page.Title,
			"From": w.start.Format("02.01"), "To": w.dayStart(planDays - 1).Format("02.01")}),
		Legend: []planpic.Legend{
			{Kind: planpic.Scheduled, Label: t.T("status_scheduled")},
			{Kind: planpic.Pending, Label: t.T("status_pending")},
			{Kind: planpic.Failed, Label: t.T("status_failed")},
			{Kind: planpic.Free, Label: t.T("plan_pic_free")},
		},
	}
	for d := range w.days {
		day := w.dayStart(d)
		pic.Days[d] = t.T(fmt.Sprintf("plan_wd_%d", day.Weekday())) + " " + day.Format("02.01")
		for _, e := range w.days[d] {
			at := e.at.In(w.loc)
			it := planpic.Item{Day: d, Minute: at.Hour()*60 + at.Minute(), Kind: planpic.Free,
				Label: at.Format("15:04") + " " + t.T("plan_pic_free")}
			if e.post != nil {
				it.Kind = pictureKind(e.post.Status)
				it.Label = at.Format("15:04") + " #" + e.post.ID + " " + snippet(t, e.post.Content, planSnippet)
			}
			pic.Items = append(pic.Items, it)
		}
	}
	return pic
}

func pictureKind(s redaktor.Status) planpic.Kind {
	switch s {
	case redaktor.StatusPending:
		return planpic.Pending
	case redaktor.StatusFailed:
		return planpic.Failed
	}
	return planpic.Scheduled
}
