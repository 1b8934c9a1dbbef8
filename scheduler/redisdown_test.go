package scheduler_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/scheduler"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// killingSender kills Redis right after Telegram accepted a part, before
// the scheduler can record it.
type killingSender struct {
	scheduler.Sender
	kill   func()
	killed chan struct{}
	once   sync.Once
}

func (k *killingSender) SendPart(ctx context.Context, p bot.Part) ([]int, error) {
	ids, err := k.Sender.SendPart(ctx, p)
	if err == nil {
		k.once.Do(func() { k.kill(); close(k.killed) })
	}
	return ids, err
}

// Redis dies between the channel send and its record, and comes back: the
// channel has the post once, the publication is recorded as done and the
// authors are told once, however long Redis was away and whoever ticks.
func TestChannelPostIsRecordedWhenRedisComesBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// away is what happens while Redis is down and after it is back;
		// tick is the scheduler whose send was cut off.
		away func(t *testing.T, w *world, srv *storagetest.Server, tick func(context.Context) error, killed <-chan struct{}, postID string)
	}{
		{name: "back within the tick", away: func(t *testing.T, w *world, srv *storagetest.Server, tick func(context.Context) error, killed <-chan struct{}, postID string) {
			done := make(chan error, 1)
			go func() { done <- tick(context.Background()) }()
			<-killed
			srv.Start()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}},
		{name: "back after the tick, the lease ran out", away: func(t *testing.T, w *world, srv *storagetest.Server, tick func(context.Context) error, killed <-chan struct{}, postID string) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tick(ctx) }()
			<-killed
			cancel() // the tick's budget is over: the record waits in the journal
			<-done
			srv.Start()
			w.clock.Advance(10 * time.Minute)
			if err := tick(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "another process claims it before the record lands", away: func(t *testing.T, w *world, srv *storagetest.Server, tick func(context.Context) error, killed <-chan struct{}, postID string) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tick(ctx) }()
			<-killed
			cancel()
			<-done
			srv.Start()
			w.clock.Advance(10 * time.Minute)
			other := w.scheduler()
			if err := other.Tick(context.Background()); err != nil {
				t.Fatal(err)
			}
			if n := len(w.tg.Messages(channel)); n != 1 {
				t.Fatalf("the other process sent the post again (%d in the channel) although its sender was alive", n)
			}
			// The journal drains: the record lands, and the post the other
			// process put back for a minute is due at once and finished.
			if err := tick(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got, _ := w.store.Post(context.Background(), postID); got.Status != redaktor.StatusPublished {
				t.Fatalf("after the record landed the post is %s, want published at once", got.Status)
			}
			w.clock.Advance(time.Minute)
			if err := other.Tick(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := storagetest.StartServer(t)
			w := newWorldOn(t, srv.Open(t))
			post := w.schedule(t, redaktor.Content{Text: "Библиотека закрыта на учёт"}, t0)
			send := &killingSender{Sender: w.api, kill: srv.Kill, killed: make(chan struct{})}
			s := scheduler.New(w.store, send, w.notes, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{})

			tc.away(t, w, srv, s.Tick, send.killed, post.ID)

			if msgs := w.tg.Messages(channel); len(msgs) != 1 {
				t.Fatalf("the channel has %d messages, want the post once", len(msgs))
			}
			got, err := w.store.Post(context.Background(), post.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != redaktor.StatusPublished || len(got.MessageIDs) != 1 {
				t.Fatalf("post %s with messages %v, want published as the one message", got.Status, got.MessageIDs)
			}
			w.notes.mu.Lock()
			defer w.notes.mu.Unlock()
			if len(w.notes.published) != 1 || len(w.notes.failed) != 0 {
				t.Fatalf("authors told %d times published, %d failed; want once published", len(w.notes.published), len(w.notes.failed))
			}
		})
	}
}

// killingCourier kills Redis right after the after-th send Telegram
// accepted; the sends in flight then meet a Redis that is gone.
type killingCourier struct {
	scheduler.Courier
	after  int64
	sends  atomic.Int64
	kill   func()
	killed chan struct{}
}

func (k *killingCourier) CallOnce(ctx context.Context, method string, params tgbotapi.Params) error {
	err := k.Courier.CallOnce(ctx, method, params)
	if err == nil && k.sends.Add(1) == k.after {
		k.kill()
		close(k.killed)
	}
	return err
}

// Redis dies in the middle of a broadcast, between sends and their
// records, and stays away longer than the leases; two processes share the
// broadcast. When it is back, every subscriber has exactly one message.
func TestBroadcastSurvivesRedisGoingAway(t *testing.T) {
	t.Parallel()
	const subs, workers = 300, 8
	srv := storagetest.StartServer(t)
	w := newBCWorldOn(t, srv.Open(t), bottest.WithRateLimits(bottest.Limits{Global: 1000}))
	w.page(t, "1", 1, subs)
	cfg := scheduler.BroadcastConfig{Rate: 400, Workers: workers}
	courier := &killingCourier{Courier: w.api, after: 100, kill: srv.Kill, killed: make(chan struct{})}
	a, b := w.broadcaster(cfg, nil, courier), w.broadcaster(cfg, nil, courier)
	run(t, a)
	run(t, b)
	w.publish(t, a, "70", "1", false)
	b.Kick()

	<-courier.killed
	// Sends in flight meet the dead Redis; once their records wait in a
	// journal, the outage has outlasted the client's own retries.
	w.tg.WaitFor(t, 30*time.Second, func() bool { return a.Stats().Unrecorded+b.Stats().Unrecorded > 0 })
	w.advance(2 * time.Minute) // every lease taken before the outage ran out
	srv.Start()
	// A take that Redis ran just before it died, whose answer was lost,
	// leaves a lease nobody holds: like a dead holder's, it is sent to only
	// after the grace. Everybody else is done first.
	ctx := context.Background()
	w.tg.WaitFor(t, 60*time.Second, func() bool {
		bc, err := w.store.Broadcast(ctx, "70")
		held := w.redis.Client.ZCard(ctx, "{"+w.redis.Prefix+"}:bc:70:sending").Val()
		return err == nil && (!bc.Running || bc.Delivered+held == subs && a.Stats().Unrecorded+b.Stats().Unrecorded == 0)
	})
	w.advance(time.Minute)
	rec := w.waitFinished(t, "70")

	got := w.received(w.pages["1"], 1, subs)
	for u := int64(1); u <= subs; u++ {
		if got[u] != 1 {
			t.Errorf("subscriber %d got the post %d times, want once", u, got[u])
		}
	}
	if rec.Delivered != subs || rec.Failed != 0 {
		t.Errorf("report %+v, want %d delivered, none failed", rec, subs)
	}
	if sa, sb := a.Stats().Sent, b.Stats().Sent; sa+sb != subs {
		t.Errorf("the processes sent %d and %d, want %d together", sa, sb, subs)
	}
	t.Logf("resent after the grace (takes whose answer was lost): %d", rec.Resent)
}

// lockedBuffer is a log the test reads after the process stopped.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Told to stop while Redis is away, the senders wait a bounded time for
// it to record what they sent; what stays unrecorded is named in the log.
func TestStopWhileRedisIsAway(t *testing.T) {
	t.Parallel()
	for _, back := range []bool{true, false} {
		name := map[bool]string{true: "Redis back within the bound", false: "Redis stays away"}[back]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := storagetest.StartServer(t)
			w := newBCWorldOn(t, srv.Open(t), bottest.WithRateLimits(bottest.Limits{Global: 1000}))
			w.page(t, "1", 1, 100)
			flush := 30 * time.Second
			if !back {
				flush = 100 * time.Millisecond
			}
			courier := &killingCourier{Courier: w.api, after: 30, kill: srv.Kill, killed: make(chan struct{})}
			logs := &lockedBuffer{}
			b := scheduler.NewBroadcaster(w.store, courier, w.rep, w.clock, slog.New(slog.NewTextHandler(logs, nil)),
				scheduler.BroadcastConfig{Rate: 400, Workers: 8, Flush: flush})
			stop := run(t, b)
			w.publish(t, b, "80", "1", false)
			<-courier.killed
			w.tg.WaitFor(t, 30*time.Second, func() bool { return b.Stats().Unrecorded > 0 })

			stopped := make(chan struct{})
			go func() { stop(); close(stopped) }()
			if !back {
				<-stopped
				waiting := b.Stats().Unrecorded
				if n := strings.Count(logs.String(), "STOPPING WITH A SEND NOT RECORDED"); waiting == 0 || n != waiting {
					t.Fatalf("%d unrecorded sends named in the log, want the %d waiting", n, waiting)
				}
				return
			}
			srv.Start()
			<-stopped
			sent := 0
			for _, c := range w.tg.Calls("forwardMessage") {
				if c.OK() {
					sent++
				}
			}
			rec, err := w.store.Broadcast(context.Background(), "80")
			if err != nil {
				t.Fatal(err)
			}
			if rec.Delivered != int64(sent) || b.Stats().Unrecorded != 0 {
				t.Fatalf("%d sent, %d recorded as delivered (%d still waiting), want every send recorded", sent, rec.Delivered, b.Stats().Unrecorded)
			}
		})
	}
}
