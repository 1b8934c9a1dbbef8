package pace_test

import (
	"context"
	"testing"
	"time"

	"github.com/redaktor/redaktor/pace"
)

func TestWaitsReachTheObserverOfTheirContext(t *testing.T) {
	t.Parallel()
	var total time.Duration
	ctx := pace.WithWaitObserver(context.Background(), func(d time.Duration) { total += d })
	pace.Waited(ctx, 2*time.Second)
	pace.Waited(ctx, 0)
	pace.Waited(context.Background(), time.Hour) // nobody observes: nothing happens
	if total != 2*time.Second {
		t.Fatalf("observed %s of waiting, want 2s", total)
	}
}
