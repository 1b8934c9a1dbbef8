package bottest

import (
	"math"
	"time"
)

// Limits are Telegram's flood limits. Telegram does not publish exact
// algorithms; these follow its FAQ: about 30 messages per second overall,
// about one per second in a chat (private chats tolerate short bursts) and
// 20 per minute in a group or channel. Every send counts, whatever its
// encoding (a multipart upload too); a refused one does not. Over a limit
// the answer is 429 with retry_after, the seconds until the send would
// pass. Edits, answers and reads are not limited: Telegram publishes no
// limit for them. Zero fields take those defaults.
type Limits struct {
	Global       int // send requests per second across all chats (30)
	PerChat      int // send requests per second in one chat (1)
	PrivateBurst int // send requests a private chat absorbs at once before PerChat applies (3)
	PerGroup     int // messages per minute in one group or channel (20); an album counts each item
}

func (l Limits) withDefaults() Limits {
	if l.Global <= 0 {
		l.Global = 30
	}
	if l.PerChat <= 0 {
		l.PerChat = 1
	}
	if l.PrivateBurst <= 0 {
		l.PrivateBurst = 3
	}
	if l.PerGroup <= 0 {
		l.PerGroup = 20
	}
	return l
}

// limiter enforces [Limits]. Its state is guarded by Server.mu.
type limiter struct {
	cfg    Limits
	global window
	chats  map[int64]*bucket
	groups map[int64]*window
}

func newLimiter(l Limits) *limiter {
	return &limiter{cfg: l, global: window{span: time.Second}, chats: map[int64]*bucket{}, groups: map[int64]*window{}}
}

// take books one send request of n messages in c, or returns how many
// seconds the caller must wait (nothing is booked then, as a refused
// request does not count against the bot).
func (l *limiter) take(now time.Time, c *chat, n int) int {
	b := l.chats[c.info.ID]
	if b == nil {
		burst := 1
		if c.isPrivate() {
			burst = l.cfg.PrivateBurst
		}
		b = &bucket{capacity: float64(burst), tokens: float64(burst), rate: float64(l.cfg.PerChat), last: now}
		l.chats[c.info.ID] = b
	}
	g := l.groups[c.info.ID]
	if g == nil && !c.isPrivate() {
		g = &window{span: time.Minute}
		l.groups[c.info.ID] = g
	}

	wait := max(l.global.wait(now, 1, l.cfg.Global), b.wait(now))
	if g != nil {
		wait = max(wait, g.wait(now, n, l.cfg.PerGroup))
	}
	if wait > 0 {
		return int(math.Ceil(wait.Seconds()))
	}
	l.global.add(now, 1)
	b.tokens--
	if g != nil {
		g.add(now, n)
	}
	return 0
}

// window is a sliding-window counter.
type window struct {
	span  time.Duration
	times []time.Time // one entry per message, ascending
}

func (w *window) prune(now time.Time) {
	i := 0
	for i < len(w.times) && !w.times[i].After(now.Add(-w.span)) {
		i++
	}
	w.times = w.times[i:]
}

// wait is how long until n more fit under limit.
func (w *window) wait(now time.Time, n, limit int) time.Duration {
	w.prune(now)
	over := len(w.times) + n - limit
	if over <= 0 {
		return 0
	}
	if over > len(w.times) { // n alone exceeds the limit: one full window
		return w.span
	}
	return w.times[over-1].Add(w.span).Sub(now)
}

func (w *window) add(now time.Time, n int) {
	for range n {
		w.times = append(w.times, now)
	}
}

// bucket is a token bucket: bursts up to capacity, refilled at rate/s.
type bucket struct {
	capacity, tokens, rate float64
	last                   time.Time
}

func (b *bucket) wait(now time.Time) time.Duration {
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(b.capacity, b.tokens+elapsed*b.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}
