package intake

import (
	"context"
	"errors"
	"log/slog"
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
