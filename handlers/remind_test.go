package handlers

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/reminders"
)

// The reminder and the digest read as words in both languages, with
// plural forms that fit, and a moderator's digest holds only their posts.
func TestRemindTextsReadAsWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, msk)
	post := func(id string, author int64, name string, status redaktor.Status, at time.Time) redaktor.Post {
		return redaktor.Post{ID: id, PageID: "1", AuthorID: author, AuthorName: name, Status: status,
			Content: redaktor.Content{Text: "Субботник в пятницу у школы, приходите все"}, PublishAt: at, PublishedAt: at,
			ProposedAt: at}
	}
	digest := reminders.Digest{Day: day,
		Today: []redaktor.Post{
			post("5", modID, "Ирина", redaktor.StatusPublished, day.Add(7*time.Hour)),
			post("6", chiefID, "Анна", redaktor.StatusScheduled, day.Add(15*time.Hour)),
		},
		Waiting: []reminders.Waiting{
			{Post: post("7", modID, "Ирина", redaktor.StatusPending, day.Add(-2*time.Hour)), Since: day.Add(-30 * time.Hour), Passed: true},
			{Post: post("8", 999, "", redaktor.StatusPending, time.Time{}), Since: day.Add(-3 * time.Hour)},
		}}
	for _, lang := range []string{"ru", "en"} {
		s := newMemStore()
		for _, id := range []int64{chiefID, modID} {
			u := s.users[id]
			u.Lang = lang
			s.users[id] = u
		}
		d, tg := newTestDesk(t, s)
		d.Reminders.Digest(ctx, s.page, digest)
		for _, n := range []int{1, 2, 5, 21} {
			d.Reminders.Waiting(ctx, s.page, n, digest.Waiting)
		}
		if len(tg.texts) != 6 {
			t.Fatalf("%s: %d messages, want two digests and four reminders", lang, len(tg.texts))
		}
		for _, m := range tg.texts {
			for _, p := range textProblems(lang, m.text) {
				t.Errorf("%s: %s in %q", lang, p, m.text)
			}
			if m.kb == nil {
				t.Errorf("%s: no buttons to open the posts on %q", lang, m.text)
			}
		}
		mine := tg.texts[1]
		if mine.chat != modID || strings.Contains(mine.text, "#6") || strings.Contains(mine.text, "#8") ||
			!strings.Contains(mine.text, "#5") || !strings.Contains(mine.text, "#7") {
			t.Errorf("%s: the moderator's digest:\n%s", lang, mine.text)
		}
	}
}

// /remind takes a number of working hours or "0"/"off"; anything else is
// explained, never stored.
func TestParseRemindHours(t *testing.T) {
	for in, want := range map[string]int{"6": 6, "1": 1, "50": 50, "0": 0, "off": 0, "выкл": 0, "4ч": 4} {
		if got, ok := parseRemindHours(in); !ok || got != want {
			t.Errorf("%q → %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "51", "-1", "пять", "6.5", "999999999999999999999"} {
		if _, ok := parseRemindHours(in); ok {
			t.Errorf("%q accepted", in)
		}
	}
}
