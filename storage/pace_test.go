package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// After a 429 the next slot of every process is the end of the pause, on
// Redis's clock: nobody waits it out here, each booking's wait is checked
// against the real time its calls took.
func TestPauseMovesEveryNextSlot(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := redaktor.Pace{Interval: 10 * time.Millisecond, MaxAhead: time.Minute}
	const pause = 30 * time.Second
	before := time.Now()
	if err := s.Pause(ctx, pause); err != nil {
		t.Fatal(err)
	}
	for chat := range int64(3) {
		wait, ok, err := s.Acquire(ctx, chat, p)
		if err != nil || !ok {
			t.Fatalf("booking for chat %d: %v, %v", chat, ok, err)
		}
		// The slot is the pause's end plus the bookings before it; the calls
		// took between zero and the time passed since the pause began.
		slot := pause + time.Duration(chat)*p.Interval
		if most, least := slot, slot-time.Since(before)-time.Millisecond; wait > most || wait < least {
			t.Errorf("chat %d waits %s, want %s after the pause began (within %s)", chat, wait, slot, time.Since(before))
		}
	}
}
