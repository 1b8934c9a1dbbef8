package scheduler_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
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
			s := scheduler.New(w.store, send, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{})

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
