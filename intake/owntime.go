package intake

import (
	"sync"
	"time"
)

// ownTime bounds a handling's own time: the time since it began less what
// it waited for a turn under Telegram's limit (reported by the pacer
// through pace.Waited). When 600 people open the subscribe link at once
// and the bot may send 30 messages a second, the last replies wait about
// 20 s for their turn: that is not the handler being stuck, and must not
// make the update be handled again.
//
// A wait counts once it is reported: the pacer reports a wait as it
// begins it (it knows how long it will be), so a long wait does not run
// the handling out of time while it lasts.
type ownTime struct {
	limit time.Duration
	out   func()

	mu      sync.Mutex
	start   time.Time
	waits   time.Duration
	timer   *time.Timer
	spent   bool
	stopped bool
}

// startOwnTime calls out once limit of own time has passed, unless stopped.
func startOwnTime(limit time.Duration, out func()) *ownTime {
	c := &ownTime{limit: limit, out: out, start: time.Now()}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timer = time.AfterFunc(limit, c.check)
	return c
}

// waited is the pace.WithWaitObserver callback.
func (c *ownTime) waited(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits += d
}

func (c *ownTime) check() {
	c.mu.Lock()
	if c.stopped || c.spent {
		c.mu.Unlock()
		return
	}
	own := time.Since(c.start) - c.waits
	if own < c.limit {
		c.timer.Reset(c.limit - own)
		c.mu.Unlock()
		return
	}
	c.spent = true
	c.mu.Unlock()
	c.out()
}

// expired reports whether the own time ran out.
func (c *ownTime) expired() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spent
}

func (c *ownTime) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	c.timer.Stop()
}
