package handlers

import (
	"context"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/reminders"
)

// remindStore is what the reminders' setting reads and writes.
type remindStore interface {
	RemindAfter(ctx context.Context, pageID string) (hours int, set bool, err error)
	SetRemindAfter(ctx context.Context, pageID string, hours int) error
}

// Reminders writes what package reminders decides to send
// (reminders.Notifier), and answers /remind, the page's setting.
type Reminders struct {
	news  *news
	store remindStore
}

// maxListed bounds the posts one reminder or digest lists (and buttons
// it carries): a long list is read by nobody.
const maxListed = 10

// Waiting reminds the chief editors of the posts waiting long, each with
// a button that opens its card.
func (r *Reminders) Waiting(ctx context.Context, page redaktor.Page, hours int, posts []reminders.Waiting) {
	loc, now := r.news.pageLoc(page), r.news.now()
	for _, c := range r.news.chiefs(ctx, page.ID) {
		var b strings.Builder
		b.WriteString(c.t.N("remind_waiting", hours, map[string]any{"Page": page.Title}))
		var rows [][]tgbotapi.InlineKeyboardButton
		for i, w := range posts {
			if i == maxListed {
				b.WriteString("\n" + c.t.N("remind_more", len(posts)-maxListed, nil))
				break
			}
			b.WriteString("\n" + waitingLine(c.t, w, loc, now))
			rows = append(rows, openRow(c.t, w.Post.ID))
		}
		b.WriteString("\n\n" + c.t.T("remind_waiting_hint"))
		kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
		r.news.send(ctx, c.ID, b.String(), &kb)
	}
}

// ProposalPassed tells the chief editors (with the card to decide on) and
// the author, once, that the time the author proposed passed unapproved.
func (r *Reminders) ProposalPassed(ctx context.Context, page redaktor.Page, post redaktor.Post) {
	when := formatTime(post.ProposedAt, r.news.pageLoc(page), r.news.now())
	told := map[int64]bool{}
	for _, c := range r.news.chiefs(ctx, post.PageID) {
		told[c.ID] = true
		r.news.reply(ctx, c, c.t.T("notify_remind", map[string]any{"ID": post.ID, "Page": page.Title, "When": when}))
		r.news.showPostTo(ctx, c, post, page, false)
	}
	if !told[post.AuthorID] {
		r.news.notifyAuthor(ctx, post, "remind_passed_author", map[string]any{"Page": page.Title, "When": when})
	}
}

// Digest sends the morning digest: a chief editor gets the page's day and
// every post waiting, a moderator their own posts of the day and their own
// posts waiting; someone with nothing of theirs to read gets nothing.
func (r *Reminders) Digest(ctx context.Context, page redaktor.Page, d reminders.Digest) {
	chiefs := r.news.chiefs(ctx, page.ID)
	isChief := map[int64]bool{}
	for _, c := range chiefs {
		isChief[c.ID] = true
		r.sendDigest(ctx, c, page, d, "digest_chief")
	}
	members, users := r.news.team(ctx, page.ID)
	for _, m := range members {
		u, ok := users[m.UserID]
		if !ok || isChief[m.UserID] || m.Role != redaktor.RoleModerator {
			continue
		}
		mine := reminders.Digest{Day: d.Day}
		for _, p := range d.Today {
			if p.AuthorID == m.UserID {
				mine.Today = append(mine.Today, p)
			}
		}
		for _, w := range d.Waiting {
			if w.Post.AuthorID == m.UserID {
				mine.Waiting = append(mine.Waiting, w)
			}
		}
		if len(mine.Today)+len(mine.Waiting) > 0 {
			r.sendDigest(ctx, r.news.whoOf(u), page, mine, "digest_mine")
		}
	}
}

func (r *Reminders) sendDigest(ctx context.Context, p who, page redaktor.Page, d reminders.Digest, head string) {
	loc, now := r.news.pageLoc(page), r.news.now()
	var b strings.Builder
	b.WriteString(p.t.T(head, map[string]any{"Page": page.Title, "Date": d.Day.In(loc).Format("02.01")}))
	b.WriteString("\n\n")
	if len(d.Today) == 0 {
		b.WriteString(p.t.T("digest_today_none"))
	} else {
		b.WriteString(p.t.T("digest_today"))
		for i, post := range d.Today {
			if i == maxListed {
				b.WriteString("\n" + p.t.N("remind_more", len(d.Today)-maxListed, nil))
				break
			}
			key, at := "digest_today_line", post.PublishAt
			if post.Status == redaktor.StatusPublished {
				key, at = "digest_published_line", post.PublishedAt
			}
			b.WriteString("\n" + p.t.T(key, map[string]any{"Time": at.In(loc).Format("15:04"), "ID": post.ID,
				"Snippet": snippet(p.t, post.Content, 40)}))
		}
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	if len(d.Waiting) > 0 {
		b.WriteString("\n\n" + p.t.N("digest_waiting", len(d.Waiting), nil))
		for i, w := range d.Waiting {
			if i == maxListed {
				b.WriteString("\n" + p.t.N("remind_more", len(d.Waiting)-maxListed, nil))
				break
			}
			b.WriteString("\n" + waitingLine(p.t, w, loc, now))
			rows = append(rows, openRow(p.t, w.Post.ID))
		}
	}
	var kb *tgbotapi.InlineKeyboardMarkup
	if len(rows) > 0 {
		m := tgbotapi.NewInlineKeyboardMarkup(rows...)
		kb = &m
	}
	if kb == nil {
		r.news.send(ctx, p.ID, b.String(), nil)
		return
	}
	r.news.send(ctx, p.ID, b.String(), kb)
}

// waitingLine is one post waiting: who sent it and since when, and
// whether the time its author proposed has passed.
func waitingLine(t tr, w reminders.Waiting, loc *time.Location, now time.Time) string {
	line := t.T("remind_line", map[string]any{"ID": w.Post.ID, "Name": t.Person(w.Post.AuthorName),
		"Since": formatTime(w.Since, loc, now), "Snippet": snippet(t, w.Post.Content, 40)})
	if w.Passed {
		line += " " + t.T("remind_line_passed", map[string]any{"When": formatTime(w.Post.ProposedAt, loc, now)})
	}
	return line
}

func openRow(t tr, postID string) []tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
		t.T("open_post", map[string]any{"ID": postID}), btnOpen+":"+postID))
}

// cmdRemind shows the page's reminders; a chief editor changes how long a
// post may wait: "/remind 6" (working hours), "/remind 0" (off).
func (r *Reminders) cmdRemind(ctx context.Context, p who, args string) error {
	page, role, ok, err := r.news.memberPage(ctx, p)
	if !ok {
		return err
	}
	if args = strings.TrimSpace(args); args != "" {
		if role != redaktor.RoleChief {
			r.news.reply(ctx, p, p.t.T("chief_only", map[string]any{"Page": page.Title}))
			return nil
		}
		hours, ok := parseRemindHours(args)
		if !ok {
			r.news.reply(ctx, p, p.t.T("remind_usage", map[string]any{"Max": reminders.MaxAfter}))
			return nil
		}
		if err := r.store.SetRemindAfter(ctx, page.ID, hours); err != nil {
			return err
		}
		if hours == 0 {
			r.news.reply(ctx, p, p.t.T("remind_set_off", map[string]any{"Page": page.Title, "N": reminders.DefaultAfter}))
			return nil
		}
		r.news.reply(ctx, p, p.t.T("remind_set", map[string]any{"Page": page.Title,
			"Hours": p.t.N("remind_hours", hours, nil)}))
		return nil
	}
	hours, set, err := r.store.RemindAfter(ctx, page.ID)
	if err != nil {
		return err
	}
	if !set {
		hours = reminders.DefaultAfter
	}
	waiting := p.t.T("remind_show_off")
	if hours > 0 {
		waiting = p.t.T("remind_show_on", map[string]any{"Hours": p.t.N("remind_hours", hours, nil)})
	}
	r.news.reply(ctx, p, p.t.T("remind_show", map[string]any{"Page": page.Title, "Waiting": waiting}))
	return nil
}

// parseRemindHours reads "6", "0", "off" or «выкл»/«нет».
func parseRemindHours(s string) (int, bool) {
	switch strings.ToLower(s) {
	case "off", "выкл", "выключить", "нет", "0":
		return 0, true
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.ToLower(s), "ч"))
	if err != nil || n < 1 || n > reminders.MaxAfter {
		return 0, false
	}
	return n, true
}
