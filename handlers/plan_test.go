package handlers

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/planpic"
)

// weekStore answers WeekPosts with fixed posts and counts the calls.
type weekStore struct {
	queued, pending []redaktor.Post
	calls           int
	from, to        time.Time
}

func (s *weekStore) WeekPosts(_ context.Context, _ string, from, to time.Time, _ int64) ([]redaktor.Post, []redaktor.Post, error) {
	s.calls++
	s.from, s.to = from, to
	return s.queued, s.pending, nil
}

func planPost(id, page string, author int64, status redaktor.Status, text string) redaktor.Post {
	return redaktor.Post{ID: id, PageID: page, AuthorID: author, Status: status, Content: redaktor.Content{Text: text}}
}

// TestPlanShowsTheWeekDayByDay: from today (Thursday 26.11, 12:00 in
// Moscow) for seven days, each post on its day at its time, the free
// posting times around them, what waits without a time at the end; a post
// of another page never; a button opens each post the person may read,
// and a moderator is told they change nothing.
func TestPlanShowsTheWeekDayByDay(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	moscow, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, moscow) }
	const moderatorID, otherAuthor = 11, 12
	scheduled := planPost("1", "7", otherAuthor, redaktor.StatusScheduled, "Субботник в пятницу")
	scheduled.PublishAt = at(26, 14)
	failed := planPost("2", "7", otherAuthor, redaktor.StatusFailed, "Олимпиада по математике")
	failed.PublishAt = at(28, 10)
	proposed := planPost("3", "7", moderatorID, redaktor.StatusPending, "Родительское собрание")
	proposed.ProposedAt = at(27, 18)
	undated := planPost("4", "7", otherAuthor, redaktor.StatusPending, "Новогодний концерт")
	foreign := planPost("9", "8", otherAuthor, redaktor.StatusScheduled, "Чужая библиотека")
	foreign.PublishAt = at(26, 18)
	store := &weekStore{queued: []redaktor.Post{scheduled, foreign, failed}, pending: []redaktor.Post{proposed, undated}}
	pl := &Plan{store: store, base: &base{texts: texts, log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		now: func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }, zones: &sync.Map{},
		cfg: Config{Location: moscow}}}
	page := redaktor.Page{ID: "7", Title: "Школа №4", TimeZone: "Europe/Moscow"}

	w, err := pl.read(context.Background(), page)
	if err != nil {
		t.Fatal(err)
	}
	if store.calls != 1 || !store.from.Equal(at(26, 0)) || !store.to.Equal(at(26, 0).AddDate(0, 0, 7)) {
		t.Errorf("read %d times, %v–%v; want once, the seven days from today's midnight", store.calls, store.from, store.to)
	}
	ru := texts.For("ru")
	chiefText, chiefKB := planText(ru, w, redaktor.Actor{UserID: 21, Role: redaktor.RoleChief})
	for _, want := range []string{
		"План «Школа №4» на неделю, 26.11–02.12",
		"Чт, 26.11 — сегодня\n• 14:00 #1 «Субботник в пятницу»\nСвободное время: 18:00\n",
		"Пт, 27.11\n• 18:00 #3 «Родительское собрание» — на согласовании\nСвободное время: 10:00, 14:00, 18:00\n",
		"Сб, 28.11\n• 10:00 #2 «Олимпиада по математике» — не удалось опубликовать\nСвободное время: 14:00, 18:00\n",
		"Ср, 02.12\nПубликаций нет.\nСвободное время: 10:00, 14:00, 18:00",
		"Ждут согласования, время не предложено:\n• #4 «Новогодний концерт»",
	} {
		if !strings.Contains(chiefText, want) {
			t.Errorf("the chief editor's plan lacks %q:\n%s", want, chiefText)
		}
	}
	for _, never := range []string{"Чужая библиотека", "#9", "03.12", "Менять план"} {
		if strings.Contains(chiefText, never) {
			t.Errorf("the chief editor's plan shows %q:\n%s", never, chiefText)
		}
	}
	if got := buttonData(chiefKB); !slices.Equal(got, []string{"op:1", "op:3", "op:2", "op:4"}) {
		t.Errorf("the chief editor's buttons %v, want one Open per post", got)
	}

	modText, modKB := planText(ru, w, redaktor.Actor{UserID: moderatorID, Role: redaktor.RoleModerator})
	if !strings.Contains(modText, "• 14:00 #1 «Субботник в пятницу»") || !strings.Contains(modText, "Менять план может шеф-редактор") {
		t.Errorf("the moderator's plan:\n%s", modText)
	}
	if got := buttonData(modKB); !slices.Equal(got, []string{"op:3"}) {
		t.Errorf("the moderator's buttons %v, want only their own post's Open", got)
	}

	pic := planPicture(ru, w)
	kinds := map[planpic.Kind]int{}
	for _, it := range pic.Items {
		kinds[it.Kind]++
	}
	// Free: 18:00 today, 3 on Friday, 2 on Saturday, 3 on each of 4 days.
	if kinds[planpic.Scheduled] != 1 || kinds[planpic.Pending] != 1 || kinds[planpic.Failed] != 1 || kinds[planpic.Free] != 18 {
		t.Errorf("picture blocks by kind %v", kinds)
	}
	if pic.Days[0] != "Чт 26.11" || pic.Days[6] != "Ср 02.12" {
		t.Errorf("picture columns %q", pic.Days)
	}
}

func buttonData(kb bot.Keyboard) []string {
	var out []string
	if kb == nil {
		return nil
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			out = append(out, *b.CallbackData)
		}
	}
	return out
}

// TestFitMessage: a plan longer than a message is cut at a line and says
// so; a short one is left as it is.
func TestFitMessage(t *testing.T) {
	t.Parallel()
	if got := fitMessage("короткий", "ещё"); got != "короткий" {
		t.Errorf("short text changed: %q", got)
	}
	long := strings.Repeat("строка плана\n", 400)
	got := fitMessage(long, "не всё поместилось")
	if n := len([]rune(got)); n > messageLimit || !strings.HasSuffix(got, "строка плана\n\nне всё поместилось") {
		t.Errorf("cut to %d runes, ending %q", n, got[len(got)-60:])
	}
}
