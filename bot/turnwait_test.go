package bot

import (
	"context"
	"errors"
	"testing"
	"time"
)

// Overlapping waits of one handling (two sends at once) keep its clock
// paused until the last ends; then its own time runs out as before.
func TestHandlingClockPausesForOverlappingWaits(t *testing.T) {
	const own = 100 * time.Millisecond
	ctx, expired, stop := withHandlingClock(context.Background(), own, time.Hour)
	defer stop()
	resumeA := waitingForTurn(ctx)
	resumeB := waitingForTurn(ctx)
	time.Sleep(3 * own) // both wait for their turns: three deadlines
	resumeA()
	time.Sleep(2 * own) // B still waits
	if expired() || ctx.Err() != nil {
		t.Fatal("the deadline ran while a send waited for its turn")
	}
	resumeB()
	resumeB() // a second call changes nothing
	<-ctx.Done()
	if !expired() || !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		t.Fatalf("expired %v, cause %v; want the deadline", expired(), context.Cause(ctx))
	}
}

// Waiting for turns adds at most maxWait to the handling's time.
func TestHandlingClockBoundsTheWaits(t *testing.T) {
	ctx, expired, stop := withHandlingClock(context.Background(), time.Hour, 50*time.Millisecond)
	defer stop()
	resume := waitingForTurn(ctx)
	<-ctx.Done() // the turn never comes
	resume()
	if !expired() {
		t.Fatal("a wait past the bound did not count as the deadline")
	}
}
