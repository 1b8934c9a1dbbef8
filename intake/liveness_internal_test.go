package intake

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// A beat confirmed after the time the key was sure to live until proves
// nothing about the time between (the process may have been frozen, its
// timers late): the epoch ends as if the timer had fired, and a new one
// begins.
func TestLateConfirmationEndsTheEpoch(t *testing.T) {
	t.Parallel()
	l := newLiveness(time.Hour, slog.New(slog.DiscardHandler))
	defer l.stop()
	if _, _, ok := l.current(); ok {
		t.Fatal("alive before the first beat")
	}
	l.renewed(time.Now())
	first, _, ok := l.current()
	if !ok {
		t.Fatal("not alive after a beat")
	}
	l.renewed(time.Now()) // in time: the same epoch goes on
	if again, _, _ := l.current(); again != first || first.Err() != nil {
		t.Fatal("a beat in time ended the epoch")
	}
	l.mu.Lock()
	l.until = time.Now().Add(-time.Millisecond) // frozen past it, the timer not yet run
	l.mu.Unlock()
	l.renewed(time.Now())
	if !errors.Is(context.Cause(first), errLapsed) {
		t.Fatalf("the epoch frozen past its key's time ended with %v, want errLapsed", context.Cause(first))
	}
	if next, _, ok := l.current(); !ok || next == first {
		t.Fatal("no new epoch after the late beat")
	}
}

// Back from a lapse, a process takes over nobody's updates for a TTL: a
// Redis failover may have lapsed every process at once, and the others
// are about to renew their keys. Its first epoch is no comeback.
func TestComebackFromALapseWaitsBeforeTakingOver(t *testing.T) {
	t.Parallel()
	l := newLiveness(time.Hour, slog.New(slog.DiscardHandler))
	defer l.stop()
	l.renewed(time.Now())
	if !l.mayTakeOver() {
		t.Fatal("a process just started may not take over a dead one's updates")
	}
	l.mu.Lock()
	l.lapse()
	l.mu.Unlock()
	l.renewed(time.Now())
	if l.mayTakeOver() {
		t.Fatal("a process back from a lapse takes over others at once")
	}
}

// stuckBeats is an inbox whose second beat hangs on a dead connection
// until its own deadline, as one does in a Redis failover.
type stuckBeats struct {
	Inbox
	mu    sync.Mutex
	beats int
	done  chan struct{} // closed after the sixth beat
}

func (s *stuckBeats) BeatConsumer(ctx context.Context, _ string, _ time.Duration) error {
	s.mu.Lock()
	s.beats++
	n := s.beats
	s.mu.Unlock()
	if n == 6 {
		close(s.done)
	}
	if n == 2 {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// One beat stuck does not hold the next back: the liveness does not lapse.
func TestStuckBeatDoesNotLapseTheLiveness(t *testing.T) {
	t.Parallel()
	inbox := &stuckBeats{done: make(chan struct{})}
	in := New(inbox, nil, nil, nil, nil, Config{AliveTTL: 1200 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if !in.firstBeat(ctx) {
		t.Fatal("first beat failed")
	}
	defer in.live.stop()
	epoch, _, _ := in.live.current()
	stopped := make(chan struct{})
	go func() { defer close(stopped); in.beatLoop(ctx) }()
	<-inbox.done
	cancel()
	<-stopped
	if err := context.Cause(epoch); err != nil {
		t.Fatalf("the liveness lapsed behind a stuck beat: %v", err)
	}
}
