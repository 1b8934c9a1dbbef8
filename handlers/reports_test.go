package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// The report's records, as memStore keeps none: no broadcast (the page
// sends to its channel only), the claim always free.
func (s *memStore) Broadcast(_ context.Context, postID string) (redaktor.Broadcast, error) {
	return redaktor.Broadcast{}, fmt.Errorf("broadcast %s: %w", postID, redaktor.ErrNotFound)
}
func (s *memStore) ClaimReport(context.Context, string, string, time.Duration) (bool, error) {
	return true, nil
}
func (s *memStore) ReleaseReport(context.Context, string, string, time.Duration) (bool, error) {
	return false, nil
}
func (s *memStore) ReportMessages(context.Context, string) (map[int64]int, map[int64]bool, error) {
	return nil, nil, nil
}
func (s *memStore) SetReportMessage(context.Context, string, int64, int) error { return nil }
func (s *memStore) ExplainInReport(context.Context, string, int64) error       { return nil }
func (s *memStore) FirstTold(context.Context, int64, string) (bool, error)     { return true, nil }
func (s *memStore) RetryReport(context.Context, string, time.Time, time.Duration, int64) (int64, bool, error) {
	return 1, true, nil
}
func (s *memStore) ReportWritten(context.Context, string) error { return nil }
func (s *memStore) DueReports(context.Context, time.Time, int64) ([]string, error) {
	return nil, nil
}

// reportWorld keeps a broadcast and the report's records in memory.
type reportWorld struct {
	*memStore
	rmu       sync.Mutex
	bc        redaktor.Broadcast
	msgs      map[int64]int
	explained map[int64]bool
	told      map[int64]bool
}

func (w *reportWorld) Broadcast(context.Context, string) (redaktor.Broadcast, error) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	return w.bc, nil
}
func (w *reportWorld) ReportMessages(context.Context, string) (map[int64]int, map[int64]bool, error) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	m, e := map[int64]int{}, map[int64]bool{}
	for k, v := range w.msgs {
		m[k] = v
	}
	for k, v := range w.explained {
		e[k] = v
	}
	return m, e, nil
}
func (w *reportWorld) SetReportMessage(_ context.Context, _ string, chat int64, id int) error {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	w.msgs[chat] = id
	return nil
}
func (w *reportWorld) ExplainInReport(_ context.Context, _ string, chat int64) error {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	w.explained[chat] = true
	return nil
}
func (w *reportWorld) FirstTold(_ context.Context, chat int64, _ string) (bool, error) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	first := !w.told[chat]
	w.told[chat] = true
	return first, nil
}

// messagesTo lists the texts sent to a chat (edits are not among them).
func (f *fakeTG) messagesTo(chat int64) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.texts {
		if s.chat == chat {
			out = append(out, s.text)
		}
	}
	return out
}

// The publication is one message per person (the chief editor, and the
// moderator who wrote the post): the delivery is edited into it, and it
// ends as the report, with numbers as people write them. «Заблокировали
// бота» is explained in the first report that has it, and kept there as
// it is edited, but not in the next publication's.
func TestPublicationReportIsOneMessageEdited(t *testing.T) {
	t.Parallel()
	m := newMemStore()
	m.page.ChannelID, m.page.ChannelUsername = -100123, "school4"
	post := redaktor.Post{ID: "7", PageID: "1", AuthorID: modID, Status: redaktor.StatusPublished, MessageIDs: []int{42},
		PublishAt: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC), PublishedAt: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)}
	m.posts["7"] = post
	start := time.Date(2026, 11, 26, 7, 0, 1, 0, time.UTC)
	w := &reportWorld{memStore: m, msgs: map[int64]int{}, explained: map[int64]bool{}, told: map[int64]bool{},
		bc: redaktor.Broadcast{PostID: "7", PageID: "1", Total: 5000, StartedAt: start}}
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	tg := &editsTG{}
	now := func() time.Time { return start.Add(time.Minute) }
	d := New(tg, w, texts, now, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	ctx := context.Background()

	d.Notifier.Published(ctx, post, m.page)
	w.bc.Delivered, w.bc.Inactive = 1180, 20
	d.Reports.BroadcastProgress(ctx, w.bc, m.page, false)
	w.bc.Delivered, w.bc.Inactive, w.bc.FinishedAt = 4980, 20, start.Add(2*time.Minute+50*time.Second)
	d.Reports.BroadcastProgress(ctx, w.bc, m.page, true)

	for _, chat := range []int64{chiefID, modID} {
		if got := tg.messagesTo(chat); len(got) != 1 {
			t.Fatalf("chat %d got %d messages, want one: %q", chat, len(got), got)
		}
		edits := tg.editsOf(chat)
		if len(edits) != 2 {
			t.Fatalf("chat %d: %d edits, want the progress and the report: %q", chat, len(edits), edits)
		}
		if !strings.Contains(edits[0], "Подписчикам: 1\u00a0200 из 5\u00a0000…") {
			t.Errorf("progress %q", edits[0])
		}
		final := edits[1]
		for _, want := range []string{"Пост #7 опубликован в канале «МБОУ СОШ №4» 26.11 10:00", "https://t.me/school4/42",
			"Подписчикам доставлено 4\u00a0980 из 5\u00a0000 за 2:50; 20 подписчиков заблокировали бота.", "«Заблокировали бота» значит"} {
			if !strings.Contains(final, want) {
				t.Errorf("chat %d: the report %q lacks %q", chat, final, want)
			}
		}
	}

	// The next publication's report does not explain it again.
	post2 := post
	post2.ID = "8"
	m.posts["8"] = post2
	w.msgs = map[int64]int{}
	w.explained = map[int64]bool{}
	d.Notifier.Published(ctx, post2, m.page)
	got := tg.messagesTo(chiefID)
	if last := got[len(got)-1]; !strings.Contains(last, "20 подписчиков заблокировали бота") || strings.Contains(last, "значит") {
		t.Errorf("the second report %q: want the count without the explanation", last)
	}
}

// editsTG is fakeTG recording each edit's text by chat.
type editsTG struct {
	fakeTG
	emu   sync.Mutex
	edits map[int64][]string
}

func (f *editsTG) EditText(ctx context.Context, chat int64, id int, text string, kb bot.Keyboard) error {
	f.emu.Lock()
	if f.edits == nil {
		f.edits = map[int64][]string{}
	}
	f.edits[chat] = append(f.edits[chat], text)
	f.emu.Unlock()
	return f.fakeTG.EditText(ctx, chat, id, text, kb)
}

func (f *editsTG) editsOf(chat int64) []string {
	f.emu.Lock()
	defer f.emu.Unlock()
	return f.edits[chat]
}

// number writes counts as people read them in each language.
func TestNumbersAsPeopleWriteThem(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ru, en := texts.For("ru"), texts.For("en")
	for n, want := range map[int64][2]string{0: {"0", "0"}, 999: {"999", "999"}, 1000: {"1\u00a0000", "1,000"},
		120100: {"120\u00a0100", "120,100"}, 1234567: {"1\u00a0234\u00a0567", "1,234,567"}} {
		if got := number(ru, n); got != want[0] {
			t.Errorf("ru %d: %q, want %q", n, got, want[0])
		}
		if got := number(en, n); got != want[1] {
			t.Errorf("en %d: %q, want %q", n, got, want[1])
		}
	}
}

// The card's reach line counts subscribers as the report does: «4 980».
func TestReachLineWritesNumbersAsTheReport(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	p := redaktor.AfterPubProgress{Channel: "ok", Done: 4980, Total: 5000}
	if got, want := reachLine(texts.For("ru"), p), "подписчики 4\u00a0980 из 5\u00a0000"; !strings.Contains(got, want) {
		t.Errorf("ru: %q, want %q in it", got, want)
	}
	if got, want := reachLine(texts.For("en"), p), "4,980 of 5,000"; !strings.Contains(got, want) {
		t.Errorf("en: %q, want %q in it", got, want)
	}
}
