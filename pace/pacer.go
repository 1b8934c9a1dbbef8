package pace

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redaktor/redaktor"
)

// Settings are the limits the bot's sends keep, all processes together.
// Zero values are the defaults.
type Settings struct {
	// Rate is Telegram's limit for the bot: messages per second
	// (BROADCAST_RATE: 30, up to 1000 for paid broadcasts).
	Rate int
	// Headroom is the fraction of Rate the pacer books (0.98): arrival
	// jitter fits in the rest, so Telegram never has reason to answer 429.
	Headroom float64
	// MaxAhead: how far ahead a slot may be booked (1 s); beyond it the
	// caller waits and asks again, so many senders never book far ahead.
	MaxAhead time.Duration
	// ChatGap between two messages of a broadcast to one chat (1.1 s:
	// Telegram allows one a second).
	ChatGap time.Duration
}

func (s Settings) withDefaults() Settings {
	if s.Rate <= 0 {
		s.Rate = 30
	}
	if s.Headroom <= 0 || s.Headroom > 1 {
		s.Headroom = 0.98
	}
	if s.MaxAhead <= 0 {
		s.MaxAhead = time.Second
	}
	if s.ChatGap <= 0 {
		s.ChatGap = 1100 * time.Millisecond
	}
	return s
}

// Booker books slots of the pacer shared by every process (storage keeps
// it in Redis, on Redis's clock).
type Booker interface {
	// Acquire books a slot for one message to chatID: the caller sends
	// after wait. ok is false when the pacer is booked beyond MaxAhead:
	// wait, then ask again.
	Acquire(ctx context.Context, chatID int64, p redaktor.Pace) (wait time.Duration, ok bool, err error)
	// Pause pushes the next free slot of every process to d from now.
	Pause(ctx context.Context, d time.Duration) error
}

// Clock is the time the pacer waits in.
type Clock interface {
	Now() time.Time
	// Sleep waits d, or returns ctx's error when ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the machine's clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx ends.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Pacer keeps every send of the bot, from every process, under Telegram's
// limits: the desk's own messages (through the Bot API client) and the
// broadcasts' take their turns in the same booking.
type Pacer struct {
	book     Booker
	clock    Clock
	log      *slog.Logger
	settings Settings
	pace     redaktor.Pace

	// pausedUntil (unix nanos of clock): after a 429, the sends already
	// booked in this process are held back too, instead of meeting the
	// same 429.
	pausedUntil atomic.Int64
	// unpaced is set while the booker fails and sends go unpaced: the
	// outage is logged when it begins and when it ends, not at every send.
	unpaced atomic.Bool
}

// New builds the pacer on a booker; nothing is booked until a send asks.
func New(b Booker, s Settings, clock Clock, log *slog.Logger) *Pacer {
	s = s.withDefaults()
	return &Pacer{book: b, clock: clock, log: log, settings: s, pace: redaktor.Pace{
		Interval: time.Duration(float64(time.Second) / (float64(s.Rate) * s.Headroom)),
		MaxAhead: s.MaxAhead,
		ChatGap:  s.ChatGap,
	}}
}

// Rate is Telegram's limit the pacer keeps, in messages per second.
func (p *Pacer) Rate() int { return p.settings.Rate }

// Pace is the booking every send makes: a broadcast's Take books it along
// with the subscriber it hands out.
func (p *Pacer) Pace() redaktor.Pace { return p.pace }

// Wait returns when one message of the desk's own (a reply, a card, a
// channel post) may go to chatID. Only the bot's pace applies, not the
// chat gap (a person may get a reply and a card at once), but a chat an
// announcement just went to is respected. If the booker fails, the
// message goes unpaced rather than not at all.
func (p *Pacer) Wait(ctx context.Context, chatID int64) error {
	pc := p.pace
	pc.ChatGap = 0
	err := p.wait(ctx, chatID, pc)
	if err == nil || ctx.Err() != nil {
		return err
	}
	if !p.unpaced.Swap(true) {
		p.log.Warn("pacer unavailable, sending unpaced", "err", err)
	}
	return nil
}

// WaitChat returns when one more message may go to chatID with the chat
// gap kept (the second message of an announcement). Unlike Wait it
// returns the booker's error: a broadcast tries the person again later.
func (p *Pacer) WaitChat(ctx context.Context, chatID int64) error {
	return p.wait(ctx, chatID, p.pace)
}

// wait books a slot, asking again while the pacer is booked too far ahead.
// Each sleep is told to ctx's observer as it begins, not after: the
// intake's handling deadline must move before a long wait would pass it.
func (p *Pacer) wait(ctx context.Context, chatID int64, pc redaktor.Pace) error {
	for {
		wait, ok, err := p.book.Acquire(ctx, chatID, pc)
		if err != nil {
			return fmt.Errorf("book a send slot: %w", err)
		}
		if p.unpaced.Swap(false) {
			p.log.Info("pacer available again")
		}
		if wait > 0 {
			Waited(ctx, wait)
			if err := p.clock.Sleep(ctx, wait); err != nil {
				return err
			}
		}
		if ok {
			return nil
		}
	}
}

// Pause holds back every send for d: Telegram answered 429. This process's
// sends already booked are held at once; the other processes' through the
// booker.
func (p *Pacer) Pause(ctx context.Context, d time.Duration) error {
	until := p.clock.Now().Add(d).UnixNano()
	for {
		old := p.pausedUntil.Load()
		if old >= until || p.pausedUntil.CompareAndSwap(old, until) {
			break
		}
	}
	if err := p.book.Pause(ctx, d); err != nil {
		return fmt.Errorf("pause every process's sends: %w", err)
	}
	return nil
}

// Paused is how long this process's sends are still held back after a
// 429; zero when they are not.
func (p *Pacer) Paused() time.Duration {
	return max(0, time.Duration(p.pausedUntil.Load()-p.clock.Now().UnixNano()))
}

// String shows the settings in logs.
func (p *Pacer) String() string {
	return fmt.Sprintf("rate %d/s (paced at %.1f/s)", p.settings.Rate, float64(time.Second)/float64(p.pace.Interval))
}
