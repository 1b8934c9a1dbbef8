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
						if err := p.Wait(ctx, int64(1000+i), 1); err != nil {
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
			if err := p.Wait(ctx, int64(i), 1); err != nil {
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
		if err := p.Wait(ctx, 1, 1); err != nil {
			t.Fatalf("send %d while the booker is away: %v, want it let through", i, err)
		}
	}
	if err := p.WaitChat(ctx, 1); !errors.Is(err, errRedisAway) {
		t.Errorf("chat slot while the booker is away: %v, want its error", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.Wait(cancelled, 1, 1); err == nil {
		t.Error("a send whose context ended was let through")
	}
	if took := clock.Now().Sub(start); took != 0 || observed != 0 {
		t.Errorf("unpaced sends waited %s (observed %s), want no wait", took, observed)
	}

	book.setFail(nil)
	for range 3 {
		if err := p.Wait(ctx, 1, 1); err != nil {
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
	return func(p *pace.Pacer, ctx context.Context) error { return p.Wait(ctx, chat, 1) }
}

// A broadcast's second message to a chat keeps the chat gap; the desk's
// may make a burst of two with the message before it (a reply and its
// card); other chats are not held up.
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
		{"the desk's reply after an announcement (a burst of two)", waitChat(7), waitDesk(7), 0},
		{"a reply and its card", waitDesk(7), waitDesk(7), 0},
		{"announcements to two chats", waitChat(7), waitChat(8), 0},
		{"the desk to two chats", waitDesk(7), waitDesk(8), 0},
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

// Every message of the desk to one chat keeps Telegram's limit for that
// chat, however many senders (several processes among them) send there at
// once: a private chat gets a burst of two, then one message per chat gap;
// a group or channel one per group gap, an album counting one per item.
// Messages to other chats meanwhile keep only the bot's rate.
func TestDeskMessagesToOneChatAreSpaced(t *testing.T) {
	t.Parallel()
	const gap, groupGap = 1100 * time.Millisecond, 3100 * time.Millisecond
	for _, tc := range []struct {
		name      string
		chat      int64
		messages  []int // per send: 1, or an album's items
		burst     int
		spacing   func(prev int) time.Duration
		processes int
	}{
		{"ten notices to a chief editor", 200, ones(10), 2, func(int) time.Duration { return gap }, 1},
		{"ten notices from three processes", 200, ones(10), 2, func(int) time.Duration { return gap }, 3},
		{"posts and an album to a channel", -100, []int{1, 10, 1, 1}, 1, func(prev int) time.Duration { return time.Duration(prev) * groupGap }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := newVirtualClock()
			book := newMemoryBooker(clock)
			pacers := make([]*pace.Pacer, tc.processes)
			for i := range pacers {
				pacers[i] = newPacer(book, clock, pace.Settings{Rate: 30, ChatGap: gap, GroupGap: groupGap})
			}
			start := clock.Now()
			type send struct {
				at time.Time
				n  int
			}
			var mu sync.Mutex
			var sent []send
			var others []time.Time
			var wg sync.WaitGroup
			clock.join(len(tc.messages) + 1)
			for i, n := range tc.messages {
				p := pacers[i%tc.processes]
				wg.Go(func() {
					defer clock.leave()
					if err := p.Wait(context.Background(), tc.chat, n); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					sent = append(sent, send{clock.Now(), n})
					mu.Unlock()
				})
			}
			// Meanwhile a broadcast-sized stream to other chats.
			wg.Go(func() {
				defer clock.leave()
				for i := range 60 {
					if err := pacers[0].Wait(context.Background(), int64(5000+i), 1); err != nil {
						t.Error(err)
						return
					}
					others = append(others, clock.Now())
				}
			})
			wg.Wait()
			if len(sent) != len(tc.messages) {
				t.Fatalf("%d sends to the chat made, want %d", len(sent), len(tc.messages))
			}
			slices.SortFunc(sent, func(a, b send) int { return a.at.Compare(b.at) })
			// Telegram's model of a chat: from any message to a later one,
			// at least the spacing of the messages between them must pass,
			// less the burst the chat takes.
			tolerance := tc.spacing(tc.burst - 1)
			for i := range sent {
				var need time.Duration
				for j := i + 1; j < len(sent); j++ {
					need += tc.spacing(sent[j-1].n)
					if apart := sent[j].at.Sub(sent[i].at); apart < need-tolerance {
						t.Errorf("messages %d and %d to chat %d went %s apart, want at least %s", i, j, tc.chat, apart, need-tolerance)
					}
				}
			}
			for i := 1; i < tc.burst && i < len(sent); i++ {
				if at := sent[i].at.Sub(start); at > 200*time.Millisecond {
					t.Errorf("message %d of the burst went at %s, want at once", i, at)
				}
			}
			// The other chats keep the bot's rate only: their sends and the
			// chat's together, one interval each.
			interval := pacers[0].Pace().Interval
			if took, most := others[len(others)-1].Sub(start), time.Duration(60+len(tc.messages))*interval; took > most {
				t.Errorf("60 sends to other chats took %s while one chat was paced, want at most %s", took, most)
			}
		})
	}
}

func ones(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// After a 429 in one chat, every sender to that chat, of every process,
// waits it out; other chats go on.
func TestHoldChatAfterA429(t *testing.T) {
	t.Parallel()
	clock := newVirtualClock()
	book := newMemoryBooker(clock)
	here, there := newPacer(book, clock, pace.Settings{Rate: 30}), newPacer(book, clock, pace.Settings{Rate: 30})
	clock.join(1)
	defer clock.leave()
	ctx := context.Background()
	start := clock.Now()
	if err := here.HoldChat(ctx, 200, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := there.Wait(ctx, 300, 1); err != nil {
		t.Fatal(err)
	}
	if took := clock.Now().Sub(start); took >= time.Second {
		t.Errorf("a send to another chat waited %s", took)
	}
	if err := there.Wait(ctx, 200, 1); err != nil {
		t.Fatal(err)
	}
	if took := clock.Now().Sub(start); took < 5*time.Second-1100*time.Millisecond {
		t.Errorf("a send to the held chat went %s after a hold of 5s", took)
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
		if err := p.Wait(ctx, 42, 1); err != nil {
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
