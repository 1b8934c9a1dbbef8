package intake_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/intake"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// While one person's burst waits behind their first update, everybody
// else's updates are read and handled; the burst is handled later, one at
// a time and in order, and nothing of it is lost.
func TestBurstOfOnePersonHoldsUpNobodyElse(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	const flooder int64 = 999
	srv.AddUser(flooder, "Flood", "flood", "ru")
	addUsers(srv, 5)

	release := make(chan struct{})
	var mu sync.Mutex
	running, most := 0, 0
	var order []int
	rec := newRecorder()
	rec.before = func(ctx context.Context, u tgbotapi.Update, _ int) {
		if u.Message.From.ID != flooder {
			return
		}
		mu.Lock()
		running++
		most = max(most, running)
		order = append(order, u.UpdateID)
		mu.Unlock()
		select {
		case <-release:
		case <-ctx.Done():
		}
		mu.Lock()
		running--
		mu.Unlock()
	}
	// Few slots, no flood limit: only the fair queue keeps the others going.
	startReplica(t, srv, store, rec.handler("a"), replicaOpts{
		poll: intake.PollConfig{Owner: "a"}, intake: intake.Config{MaxInFlight: 4}})

	var burst []int
	for range 200 {
		burst = append(burst, srv.SendText(flooder, "спам").UpdateID)
	}
	var others []int
	for i := range 5 {
		others = append(others, srv.SendText(int64(1000+i), "/help").UpdateID)
	}
	waitFor(t, "the others handled while the burst waits", func() bool {
		for _, id := range others {
			if rec.count(id) != 1 {
				return false
			}
		}
		return true
	})
	if n := rec.count(burst[0]); n != 0 {
		t.Fatalf("the burst's first update finished before it was released")
	}
	close(release)
	waitFor(t, "the burst handled", func() bool { return rec.handled() == len(burst)+len(others) })
	waitFor(t, "the stream drained", drained(t, store))
	mu.Lock()
	defer mu.Unlock()
	if most != 1 {
		t.Errorf("%d of the person's updates were handled at once, want 1", most)
	}
	if !slices.Equal(order, burst) {
		t.Errorf("the burst was handled out of order")
	}
}

// flooding records the notices of the flood limit.
type flooding struct {
	mu  sync.Mutex
	got []int64
}

func (f *flooding) Flooding(_ context.Context, u tgbotapi.Update, _ time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, u.Message.From.ID)
}

func (f *flooding) told() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// Past the limit a person is told once and the rest of their burst is
// acknowledged unhandled; another person is not affected; after the
// cool-down (the clock moved, no sleep) the person is handled again.
func TestFloodLimitTellsOnceAndDropsTheRest(t *testing.T) {
	// Telegram dates the messages by the same clock the intake reads.
	clock := bottest.NewFakeClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	srv := bottest.New(t, bottest.WithClock(clock))
	store, _ := storagetest.Store(t)
	const flooder int64 = 999
	srv.AddUser(flooder, "Flood", "flood", "ru")
	addUsers(srv, 1)
	notes := &flooding{}
	rec := newRecorder()
	startReplica(t, srv, store, rec.handler("a"), replicaOpts{poll: intake.PollConfig{Owner: "a"},
		intake: intake.Config{Flood: intake.DefaultFloodLimit, Flooding: notes, Now: clock.Now}})

	var burst []int
	for range 100 {
		burst = append(burst, srv.SendText(flooder, "спам").UpdateID)
	}
	other := srv.SendText(1000, "/help").UpdateID
	waitFor(t, "the other person handled", func() bool { return rec.count(other) == 1 })
	waitFor(t, "the burst acknowledged", drained(t, store))
	for i, id := range burst {
		want := 0
		if i < intake.DefaultFloodLimit.Updates {
			want = 1
		}
		if got := rec.count(id); got != want {
			t.Errorf("update %d of the burst handled %d times, want %d", i+1, got, want)
		}
	}
	if got := notes.told(); !slices.Equal(got, []int64{flooder}) {
		t.Errorf("told %v, want the flooder once", got)
	}

	clock.Advance(intake.DefaultFloodLimit.CoolDown + time.Second)
	after := srv.SendText(flooder, "снова").UpdateID
	waitFor(t, "handled after the cool-down", func() bool { return rec.count(after) == 1 })
}

// After downtime Telegram delivers what a moderator sent over 5 minutes in
// one burst: it is all handled and nobody is told they send too much, for
// the limit counts each update when it was sent. A live burst of 100 right
// after is still cut at the limit with one notice.
func TestBacklogAfterDowntimeIsNoFlood(t *testing.T) {
	clock := bottest.NewFakeClock(time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC))
	srv := bottest.New(t, bottest.WithClock(clock))
	store, _ := storagetest.Store(t)
	const moderator int64 = 999
	srv.AddUser(moderator, "Ирина", "irina", "ru")

	// The bot is down: 100 updates over 5 minutes wait at Telegram.
	var backlog []int
	for range 100 {
		backlog = append(backlog, srv.SendText(moderator, "черновик").UpdateID)
		clock.Advance(3 * time.Second)
	}
	notes := &flooding{}
	rec := newRecorder()
	startReplica(t, srv, store, rec.handler("a"), replicaOpts{poll: intake.PollConfig{Owner: "a"},
		intake: intake.Config{Flood: intake.DefaultFloodLimit, Flooding: notes, Now: clock.Now}})
	waitFor(t, "the backlog stored", func() bool { return srv.Confirmed() > backlog[len(backlog)-1] })
	waitFor(t, "the backlog acknowledged", drained(t, store))
	for i, id := range backlog {
		if got := rec.count(id); got != 1 {
			t.Errorf("update %d of the backlog handled %d times, want once", i+1, got)
		}
	}
	if got := notes.told(); len(got) != 0 {
		t.Errorf("told %v that they send too much after downtime, want nobody", got)
	}

	var burst []int
	for range 100 {
		burst = append(burst, srv.SendText(moderator, "спам").UpdateID)
	}
	waitFor(t, "the burst stored", func() bool { return srv.Confirmed() > burst[len(burst)-1] })
	waitFor(t, "the burst acknowledged", drained(t, store))
	handled := 0
	for _, id := range burst {
		handled += rec.count(id)
	}
	if handled != intake.DefaultFloodLimit.Updates {
		t.Errorf("%d of a live burst of 100 handled, want %d", handled, intake.DefaultFloodLimit.Updates)
	}
	if got := notes.told(); !slices.Equal(got, []int64{moderator}) {
		t.Errorf("told %v, want the moderator once", got)
	}
}
