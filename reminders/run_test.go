package reminders_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/reminders"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// stuckStore never answers the read of the pages until its caller gives
// up: a Redis that hangs.
type stuckStore struct {
	racingStore
	calls chan struct{}
}

func (s stuckStore) PagesAfter(ctx context.Context, _ int64, _ int) ([]redaktor.Page, int64, error) {
	s.calls <- struct{}{}
	<-ctx.Done()
	return nil, 0, ctx.Err()
}

// Run's passes are each cut by their own time limit, and a stuck pass
// does not stop the next; Run returns when its context ends.
func TestRunBoundsEachPass(t *testing.T) {
	s, _ := storagetest.Store(t)
	st := stuckStore{racingStore: racingStore{Store: s}, calls: make(chan struct{})}
	c := &clock{now: at(27, 8, 30)}
	r := reminders.New(st, &told{}, c.Now, slog.New(slog.DiscardHandler), reminders.Config{Location: msk})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx, time.Millisecond, 20*time.Millisecond); close(done) }()
	for minute := range 2 {
		select {
		case <-st.calls:
		case <-time.After(30 * time.Second):
			t.Fatalf("pass %d never began: the one before it was not cut by its limit", minute+1)
		}
		c.Set(at(27, 8, 31+minute)) // the next minute: the pages are read again
	}
	cancel()
	go func() {
		for range st.calls { // a pass that began meanwhile
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
	close(st.calls)
}
