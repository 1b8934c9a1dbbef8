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

// A chat takes its burst, then its next message is refused with the time
// to ask again (nothing booked meanwhile, so the bot's slot is not held);
// a hold after a 429 keeps the chat's sends back and no other chat's.
func TestChatSlotsKeepTheChatLimit(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := redaktor.Pace{Interval: 10 * time.Millisecond, MaxAhead: time.Minute, ChatGap: time.Second, ChatBurst: time.Second}
	before := time.Now()
	for i := range 2 {
		if wait, ok, err := s.Acquire(ctx, 5, p); err != nil || !ok || wait > 100*time.Millisecond {
			t.Fatalf("message %d of the burst: wait %s, booked %v, %v", i, wait, ok, err)
		}
	}
	wait, ok, err := s.Acquire(ctx, 5, p)
	if err != nil || ok {
		t.Fatalf("the third message at once: booked %v, %v; want to ask again later", ok, err)
	}
	if least := time.Second - time.Since(before) - 30*time.Millisecond; wait < least || wait > time.Second {
		t.Errorf("ask again after %s, want about 1s", wait)
	}
	if err := s.HoldChat(ctx, 6, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if wait, ok, err := s.Acquire(ctx, 6, p); err != nil || ok || wait < 28*time.Second {
		t.Errorf("a held chat: wait %s, booked %v, %v; want about 29s", wait, ok, err)
	}
	if _, ok, err := s.Acquire(ctx, 7, p); err != nil || !ok {
		t.Errorf("another chat after a hold: booked %v, %v", ok, err)
	}
}
