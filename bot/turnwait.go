package bot

import (
	"context"
	"sync"
	"time"
)

// A handling's deadline counts the handler's own work, not the time it
// waits for a turn under Telegram's limit: when 600 people open the
// subscribe link at once and the bot may send 30 messages a second, the
// last replies wait about 20 s for their turn, and they must not be taken
// for failed and handled again. The client pauses the deadline while it
// waits for the pacer or a 429's retry_after; the pauses together may add
// at most a bound (TurnWaitMax) to it.

// handlingClock cancels a handling's context once its own time is spent.
type handlingClock struct {
	mu      sync.Mutex
	timer   *time.Timer
	left    time.Duration // own time left, as of since
	since   time.Time     // when left was taken (while running: it runs down from here)
	waiting int           // turn waits in progress (a handler may send concurrently)
	spare   time.Duration // what turn waits may still add
	expired bool
	cancel  context.CancelCauseFunc
}

type clockKey struct{}

// withHandlingClock returns a context cancelled (cause
// context.DeadlineExceeded) once own time, not counting turn waits up to
// maxWait in all, has passed; expired reports whether that happened.
func withHandlingClock(parent context.Context, own, maxWait time.Duration) (ctx context.Context, expired func() bool, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	c := &handlingClock{left: own, since: time.Now(), spare: maxWait, cancel: cancel}
	c.timer = time.AfterFunc(own, c.expire)
	ctx = context.WithValue(ctx, clockKey{}, c)
	expired = func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.expired
	}
	stop = func() {
		c.timer.Stop()
		cancel(context.Canceled)
	}
	return ctx, expired, stop
}

func (c *handlingClock) expire() {
	c.mu.Lock()
	c.expired = true
	c.mu.Unlock()
	c.cancel(context.DeadlineExceeded)
}

// waitingForTurn pauses the handling's deadline (if ctx has one) until the
// returned function is called: the caller waits for Telegram's limit.
func waitingForTurn(ctx context.Context) (resume func()) {
	c, ok := ctx.Value(clockKey{}).(*handlingClock)
	if !ok {
		return func() {}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expired {
		return func() {}
	}
	if c.waiting++; c.waiting == 1 {
		now := time.Now()
		c.left -= now.Sub(c.since)
		c.since = now
		c.timer.Reset(c.spare) // while waiting, only the bound runs
	}
	var once sync.Once
	return func() { once.Do(c.resume) }
}

func (c *handlingClock) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expired {
		return
	}
	if c.waiting--; c.waiting == 0 {
		now := time.Now()
		c.spare -= now.Sub(c.since)
		c.since = now
		c.timer.Reset(max(c.left, 0))
	}
}
