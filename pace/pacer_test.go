package pace_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor/pace"
)

func newPacer(b pace.Booker, c pace.Clock, s pace.Settings) *pace.Pacer {
	return pace.New(b, s, c, slog.New(slog.DiscardHandler))
}

// Many senders at once, in one process or several sharing the booker,
// never go faster than the rate together, and none waits longer than its
// turn: 90 sends at 30/s end at 3 s of virtual time. What each waited
// reaches the observer of its context.
func TestSendsKeepTheRateInVirtualTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                      string
		processes, senders, sends int
	}{
		{"fewer senders than a second's slots", 1, 10, 90},
		{"more senders than MaxAhead lets book", 1, 45, 90},
		{"three processes share one rate", 3, 30, 90},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const rate = 30
			interval := time.Second / rate
			clock := newVirtualClock()
			book := newMemoryBooker(clock)
			pacers := make([]*pace.Pacer, tc.processes)
			for i := range pacers {
				pacers[i] = newPacer(book, clock, pace.Settings{Rate: rate, Headroom: 1})
			}
			start := clock.Now()

			var mu sync.Mutex
			var sent []time.Time
			var wg sync.WaitGroup
			clock.join(tc.senders)
			for s := range tc.senders {
				p := pacers[s%tc.processes]
				wg.Go(func() {
					defer clock.leave()
					var observed, inWait time.Duration
					ctx := pace.WithWaitObserver(context.Background(), func(d time.Duration) { observed += d })
					for i := s; i < tc.sends; i += tc.senders {
						before := clock.Now()
						if err := p.Wait(ctx, int64(1000+i)); err != nil {
							t.Error(err)
							return
						}
						at := clock.Now()
						inWait += at.Sub(before)
						mu.Lock()
						sent = append(sent, at)
						mu.Unlock()
					}
					if observed != inWait {
						t.Errorf("sender %d waited %s in the pacer, its observer was told %s", s, inWait, observed)
					}
				})
			}
			wg.Wait()

			if len(sent) != tc.sends {
				t.Fatalf("%d sends made, want %d", len(sent), tc.sends)
			}
			slices.SortFunc(sent, func(a, b time.Time) int { return a.Compare(b) })
			for i := 1; i < len(sent); i++ {
				if gap := sent[i].Sub(sent[i-1]); gap < interval {
					t.Fatalf("sends %d and %d went %s apart, faster than the rate (%s)", i-1, i, gap, interval)
				}
			}
			if took := sent[len(sent)-1].Sub(start); took > 3*time.Second {
				t.Errorf("the last of %d sends at %d/s went at %s, want within 3s", tc.sends, rate, took)
			}
		})
	}
}

// After a 429 every sender waits: this process's, which Paused tells to
// hold back what they booked already, and another process's sharing the
// booker.
func TestPauseHoldsBackEverySend(t *testing.T) {
	t.Parallel()
	clock := newVirtualClock()
	book := newMemoryBooker(clock)
	settings := pace.Settings{Rate: 30}
	here, there := newPacer(book, clock, settings), newPacer(book, clock, settings)
	ctx := context.Background()
	start := clock.Now()
	if err := here.Pause(ctx, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := here.Paused(); got != 3*time.Second {
		t.Errorf("this process is held back %s, want 3s", got)
	}
	if got := there.Paused(); got != 0 {
		t.Errorf("another process holds back its booked sends for %s; it learns of the pause from the booker", got)
	}

	var wg sync.WaitGroup
	clock.join(6)
	for i := range 6 {
		p := map[bool]*pace.Pacer{true: here, false: there}[i%2 == 0]
		wg.Go(func() {
			defer clock.leave()
			if err := p.Wait(ctx, int64(i)); err != nil {
				t.Error(err)
				return
			}
			if at := clock.Now().Sub(start); at < 3*time.Second {
				t.Errorf("send %d went %s after a pause of 3s", i, at)
			}
		})
	}
	wg.Wait()
	if got := here.Paused(); got != 0 {
		t.Errorf("still held back %s after the pause", got)
	}
}

// While the booker (Redis) is away the desk's messages go unpaced rather
// than not at all, and pacing resumes when it is back. A broadcast's chat
// slot reports the failure (the person is tried later), and a send whose
// context ended is never let through.
func TestBookerAwayLetsTheDeskSendUnpaced(t *testing.T) {
	t.Parallel()
	clock := newVirtualClock()
	book := newMemoryBooker(clock)
	p := newPacer(book, clock, pace.Settings{Rate: 30})
	clock.join(1)
	defer clock.leave()
	var observed time.Duration
	ctx := pace.WithWaitObserver(context.Background(), func(d time.Duration) { observed += d })
	start := clock.Now()

	book.setFail(errRedisAway)
	for i := range 5 {
		if err := p.Wait(ctx, 1); err != nil {
			t.Fatalf("send %d while the booker is away: %v, want it let through", i, err)
		}
	}
	if err := p.WaitChat(ctx, 1); !errors.Is(err, errRedisAway) {
		t.Errorf("chat slot while the booker is away: %v, want its error", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Wait(cancelled, 1); err == nil {
		t.Error("a send whose context ended was let through")
	}
	if took := clock.Now().Sub(start); took != 0 || observed != 0 {
		t.Errorf("unpaced sends waited %s (observed %s), want no wait", took, observed)
	}

	book.setFail(nil)
	for range 3 {
		if err := p.Wait(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	if took := clock.Now().Sub(start); took < 2*p.Pace().Interval {
		t.Errorf("three sends after the booker came back took %s, want paced (%s apart)", took, p.Pace().Interval)
	}
	if observed != clock.Now().Sub(start) {
		t.Errorf("observed %s of waiting, the sends waited %s", observed, clock.Now().Sub(start))
	}
}

func waitChat(chat int64) func(*pace.Pacer, context.Context) error {
	return func(p *pace.Pacer, ctx context.Context) error { return p.WaitChat(ctx, chat) }
}

func waitDesk(chat int64) func(*pace.Pacer, context.Context) error {
	return func(p *pace.Pacer, ctx context.Context) error { return p.Wait(ctx, chat) }
}

// A broadcast's second message to a chat keeps the chat gap; the desk's
// messages keep only the bot's pace, except right after an announcement
// to that chat.
func TestChatGap(t *testing.T) {
	t.Parallel()
	gap := 1100 * time.Millisecond
	for _, tc := range []struct {
		name   string
		first  func(p *pace.Pacer, ctx context.Context) error
		second func(p *pace.Pacer, ctx context.Context) error
		least  time.Duration
	}{
		{"two messages of an announcement", waitChat(7), waitChat(7), gap},
		{"the desk's reply after an announcement", waitChat(7), waitDesk(7), gap},
		{"two messages of the desk", waitDesk(7), waitDesk(7), 0},
		{"announcements to two chats", waitChat(7), waitChat(8), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newVirtualClock()
			p := newPacer(newMemoryBooker(clock), clock, pace.Settings{Rate: 30, ChatGap: gap})
			clock.join(1)
			defer clock.leave()
			ctx := context.Background()
			if err := tc.first(p, ctx); err != nil {
				t.Fatal(err)
			}
			first := clock.Now()
			if err := tc.second(p, ctx); err != nil {
				t.Fatal(err)
			}
			apart := clock.Now().Sub(first)
			if least := max(tc.least, p.Pace().Interval); apart < least {
				t.Errorf("the second message went %s after the first, want at least %s", apart, least)
			}
			if tc.least == 0 && apart >= gap {
				t.Errorf("the second message waited %s, the chat gap: only the bot's pace applies here", apart)
			}
		})
	}
}

// A wait is told to the observer as it begins: the intake moves an
// update's handling deadline by it, and a wait longer than the time left
// would otherwise be cut off before the observer heard of it.
func TestObserverHearsOfAWaitAsItBegins(t *testing.T) {
	t.Parallel()
	clock := newVirtualClock()
	book := newMemoryBooker(clock)
	p := newPacer(book, clock, pace.Settings{Rate: 1, Headroom: 1, MaxAhead: time.Minute})
	type heard struct {
		at   time.Time
		wait time.Duration
	}
	var told []heard
	ctx := pace.WithWaitObserver(context.Background(), func(d time.Duration) { told = append(told, heard{clock.Now(), d}) })
	clock.join(1)
	defer clock.leave()
	start := clock.Now()
	for range 3 { // at 1/s the third send waits 2 s for its turn
		if err := p.Wait(ctx, 42); err != nil {
			t.Fatal(err)
		}
	}
	if len(told) == 0 {
		t.Fatal("the observer heard of no wait")
	}
	last := told[len(told)-1]
	if !last.at.Before(clock.Now()) || !last.at.Add(last.wait).Equal(clock.Now()) {
		t.Fatalf("told of a %s wait at %s after the start, the send went at %s: want told as the wait began",
			last.wait, last.at.Sub(start), clock.Now().Sub(start))
	}
}
