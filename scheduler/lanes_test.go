package scheduler_test

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/scheduler"
)

const otherChannel int64 = -1001234567890

// heldSender holds the first send to one chat until the test opens it;
// every other send goes through at once.
type heldSender struct {
	scheduler.Sender
	chat string
	held chan struct{} // closed when the first send to chat is held
	open chan struct{}

	mu       sync.Mutex
	holding  bool
	openOnce sync.Once
}

func holdFirstSendTo(t *testing.T, s scheduler.Sender, chat int64) *heldSender {
	h := &heldSender{Sender: s, chat: strconv.FormatInt(chat, 10), held: make(chan struct{}), open: make(chan struct{})}
	t.Cleanup(h.release) // a failed test does not leave a tick blocked
	return h
}

func (h *heldSender) SendPart(ctx context.Context, p bot.Part) ([]int, error) {
	h.mu.Lock()
	first := !h.holding && p.Params["chat_id"] == h.chat
	h.holding = h.holding || first
	h.mu.Unlock()
	if first {
		close(h.held)
		<-h.open
	}
	return h.Sender.SendPart(ctx, p)
}

func (h *heldSender) release() { h.openOnce.Do(func() { close(h.open) }) }

// waitHeld waits for the held send; the timeout only ends a broken run.
func (h *heldSender) waitHeld(t *testing.T) {
	t.Helper()
	select {
	case <-h.held:
	case <-time.After(10 * time.Second):
		t.Fatal("the scheduler never sent to the held chat")
	}
}

// addPage adds page id with its own channel, linked to it.
func (w *world) addPage(t *testing.T, id string, ch int64) {
	t.Helper()
	ctx := context.Background()
	w.tg.AddChannel(ch, "Школа", "")
	if err := w.store.SavePage(ctx, redaktor.Page{ID: id, Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.LinkChannel(ctx, id, redaktor.Channel{ID: ch, Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
}

// scheduleOn stores an approved text post of page pageID due at at.
func (w *world) scheduleOn(t *testing.T, pageID, text string, at time.Time) redaktor.Post {
	t.Helper()
	return w.scheduleContent(t, pageID, redaktor.Content{Text: text}, at)
}

func texts(w *world, ch int64) []string {
	var out []string
	for _, m := range w.tg.Messages(ch) {
		out = append(out, m.Text)
	}
	return out
}

// A channel whose send hangs (Telegram slow for it, a big upload) does not
// hold up the posts of another page due at the same time.
func TestSlowChannelHoldsUpNoOther(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.addPage(t, "2", otherChannel)
	w.scheduleOn(t, "1", "Библиотека: первая", t0.Add(-time.Minute)) // due first
	w.scheduleOn(t, "2", "Школа: родительское собрание", t0)
	w.scheduleOn(t, "2", "Школа: каникулы", t0)
	send := holdFirstSendTo(t, w.api, channel)
	s := scheduler.New(w.store, send, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{})

	done := make(chan error, 1)
	go func() { done <- s.Tick(context.Background()) }()
	send.waitHeld(t)
	w.tg.WaitFor(t, 10*time.Second, func() bool { return len(w.tg.Messages(otherChannel)) == 2 })
	if n := len(w.tg.Messages(channel)); n != 0 {
		t.Fatalf("the held channel has %d messages while its send hangs", n)
	}
	send.release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := texts(w, channel); len(got) != 1 {
		t.Fatalf("the slow channel got %q, want its post once", got)
	}
	if len(w.notes.published) != 3 {
		t.Fatalf("%d publication notices, want 3", len(w.notes.published))
	}
}

// Posts of one channel go out in their due order, one after another, even
// while other channels' posts are published beside them.
func TestOneChannelPostsGoInDueOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.addPage(t, "2", otherChannel)
	// Created out of order: the due time decides, not the id.
	w.scheduleOn(t, "1", "третий", t0.Add(-time.Minute))
	w.scheduleOn(t, "1", "первый", t0.Add(-3*time.Minute))
	w.scheduleOn(t, "2", "школа 1", t0.Add(-2*time.Minute))
	w.scheduleOn(t, "1", "второй", t0.Add(-2*time.Minute))
	w.scheduleOn(t, "2", "школа 2", t0)
	send := holdFirstSendTo(t, w.api, channel)
	s := scheduler.New(w.store, send, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{})

	done := make(chan error, 1)
	go func() { done <- s.Tick(context.Background()) }()
	send.waitHeld(t)
	w.tg.WaitFor(t, 10*time.Second, func() bool { return len(w.tg.Messages(otherChannel)) == 2 })
	if got := texts(w, channel); len(got) != 0 {
		t.Fatalf("while the first post hangs the channel got %q: a later post overtook it", got)
	}
	send.release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := []string{"первый", "второй", "третий"}
	if got := texts(w, channel); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("the channel got %q, want %q", got, want)
	}
	if got := texts(w, otherChannel); len(got) != 2 || got[0] != "школа 1" || got[1] != "школа 2" {
		t.Fatalf("the other channel got %q, want both in due order", got)
	}
}

// Told to stop during a tick, the scheduler finishes the post it is
// sending and begins no other; the posts it claimed but did not begin are
// due again at once (not after the lease), for the next process.
func TestStopFinishesThePostUnderWayAndPutsBackTheRest(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.scheduleOn(t, "1", "первый", t0.Add(-2*time.Minute))
	w.scheduleOn(t, "1", "второй", t0.Add(-time.Minute))
	w.scheduleOn(t, "1", "третий", t0)
	send := holdFirstSendTo(t, w.api, channel)
	s := scheduler.New(w.store, send, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{})

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	send.waitHeld(t)
	stop()
	send.release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := texts(w, channel); len(got) != 1 || got[0] != "первый" {
		t.Fatalf("after the stop the channel has %q, want only the post under way", got)
	}

	// The next process, at the same moment: nothing waits for a lease.
	if err := w.scheduler().Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"первый", "второй", "третий"}
	if got := texts(w, channel); len(got) != 3 || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("the next process published %q, want %q", got, want)
	}
	if len(w.notes.published) != 3 {
		t.Fatalf("%d publication notices, want 3", len(w.notes.published))
	}
}

// When the tick's budget ends, a post claimed but not begun (its channel
// waited for a worker) is due again at once, not after its lease.
func TestBudgetEndPutsBackPostsNotBegun(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.addPage(t, "2", otherChannel)
	w.scheduleOn(t, "1", "Библиотека", t0.Add(-time.Minute))
	w.scheduleOn(t, "2", "Школа", t0)
	send := holdFirstSendTo(t, w.api, channel)
	s := scheduler.New(w.store, send, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{Workers: 1})

	budget, over := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Tick(budget) }()
	send.waitHeld(t)
	over()
	send.release()
	if err := <-done; err == nil {
		t.Fatal("a tick cut by its budget reported no error")
	}
	if n := len(w.tg.Messages(otherChannel)); n != 0 {
		t.Fatalf("the school's channel got %d messages from a tick whose budget was over", n)
	}

	if err := w.scheduler().Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := texts(w, otherChannel); len(got) != 1 || got[0] != "Школа" {
		t.Fatalf("the next tick published %q to the school's channel, want its post once", got)
	}
}

// panickingSender panics on every send to one chat, as a bug on one odd
// post would.
type panickingSender struct {
	scheduler.Sender
	chat string
}

func (p panickingSender) SendPart(ctx context.Context, part bot.Part) ([]int, error) {
	if part.Params["chat_id"] == p.chat {
		panic("a bug met an odd post")
	}
	return p.Sender.SendPart(ctx, part)
}

// A panic while publishing one post (in a lane's goroutine, where cron's
// Recover does not reach) neither ends the process nor keeps the other
// page's post from its channel.
func TestPanicInOneLaneSparesTheOthers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.addPage(t, "2", otherChannel)
	w.scheduleOn(t, "1", "Библиотека", t0.Add(-time.Minute))
	w.scheduleOn(t, "2", "Школа", t0)
	send := panickingSender{Sender: w.api, chat: strconv.FormatInt(channel, 10)}
	s := scheduler.New(w.store, send, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{Workers: 2})
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := texts(w, otherChannel); len(got) != 1 || got[0] != "Школа" {
		t.Fatalf("the other page's channel has %q, want its post", got)
	}
	if n := len(w.tg.Messages(channel)); n != 0 {
		t.Fatalf("the channel whose send panicked has %d messages", n)
	}
}
