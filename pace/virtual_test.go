package pace_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"github.com/redaktor/redaktor"
)

// virtualClock is time that moves only when every goroutine taking part
// sleeps: then it jumps to the earliest wake-up. A test runs its senders
// on it and no real time passes.
type virtualClock struct {
	mu       sync.Mutex
	now      time.Time
	live     int // goroutines taking part that have not left
	sleepers []*sleeper
}

type sleeper struct {
	at   time.Time
	wake chan struct{}
}

func newVirtualClock() *virtualClock {
	return &virtualClock{now: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)}
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// join counts n goroutines that take part; each calls leave when done.
func (c *virtualClock) join(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live += n
}

func (c *virtualClock) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.live--
	c.advance()
}

func (c *virtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.mu.Lock()
	s := &sleeper{at: c.now.Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.advance()
	c.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, o := range c.sleepers {
			if o == s {
				c.sleepers = append(c.sleepers[:i], c.sleepers[i+1:]...)
				c.advance()
				return ctx.Err()
			}
		}
		return nil // woken meanwhile: the sleep is over
	}
}

// advance, with mu held: when everybody sleeps, move to the earliest
// wake-up and wake whoever is due then.
func (c *virtualClock) advance() {
	if len(c.sleepers) == 0 || len(c.sleepers) < c.live {
		return
	}
	sort.Slice(c.sleepers, func(i, j int) bool { return c.sleepers[i].at.Before(c.sleepers[j].at) })
	c.now = c.sleepers[0].at
	n := 0
	for n < len(c.sleepers) && !c.sleepers[n].at.After(c.now) {
		close(c.sleepers[n].wake)
		n++
	}
	c.sleepers = c.sleepers[n:]
}

// memoryBooker is the pacer storage keeps in Redis, the same arithmetic
// on the virtual clock.
type memoryBooker struct {
	clock *virtualClock
	mu    sync.Mutex
	next  time.Time           // the next free slot of the bot
	chats map[int64]time.Time // the next free slot of each chat
	fail  error               // the answer while "Redis" is away
	calls int
}

func newMemoryBooker(c *virtualClock) *memoryBooker {
	return &memoryBooker{clock: c, chats: map[int64]time.Time{}}
}

var errRedisAway = errors.New("dial tcp 127.0.0.1:6379: connection refused")

func (b *memoryBooker) Acquire(_ context.Context, chatID int64, p redaktor.Pace) (time.Duration, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	if b.fail != nil {
		return 0, false, b.fail
	}
	now := b.clock.Now()
	slot := later(now, b.next)
	if ahead := slot.Sub(now); ahead > p.MaxAhead {
		return ahead - p.MaxAhead + p.Interval, false, nil
	}
	chat := b.chats[chatID]
	if chat.Sub(slot) > p.ChatBurst {
		return chat.Add(-p.ChatBurst).Sub(now), false, nil
	}
	b.next = slot.Add(p.Interval)
	b.chats[chatID] = later(chat, slot).Add(p.ChatGap)
	return slot.Sub(now), true, nil
}

func (b *memoryBooker) HoldChat(_ context.Context, chatID int64, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.chats[chatID] = b.clock.Now().Add(d)
	return nil
}

func (b *memoryBooker) Pause(_ context.Context, d time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail != nil {
		return b.fail
	}
	b.next = later(b.next, b.clock.Now().Add(d))
	return nil
}

func (b *memoryBooker) setFail(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fail = err
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
