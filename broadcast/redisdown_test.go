package broadcast_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/broadcast"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// killingCourier kills Redis right after the after-th send Telegram
// accepted; the sends in flight then meet a Redis that is gone.
type killingCourier struct {
	broadcast.Courier
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
	cfg := setup{rate: 400, Config: broadcast.Config{Workers: workers}}
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
			log := slog.New(slog.NewTextHandler(logs, nil))
			b := broadcast.New(w.store, courier, w.rep, w.pacer(400, log), w.clock, log, broadcast.Config{Workers: 8, Flush: flush})
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
