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
	// ChatGap between two messages to one private chat (1.1 s: Telegram
	// allows one a second).
	ChatGap time.Duration
	// PrivateBurst: messages of the desk a private chat takes at once
	// before ChatGap applies (2: Telegram tolerates a short burst, and a
	// reply with its card should arrive together; one less than Telegram
	// takes, so that arrival jitter of a second cannot provoke a 429).
	// A broadcast's messages get no burst.
	PrivateBurst int
	// GroupGap between two messages to one group or channel (3.1 s:
	// Telegram allows 20 a minute there); an album costs one per item.
	GroupGap time.Duration
	// DeskChatsUnpaced: the desk's messages keep only the bot's rate, not
	// each chat's limit (tests whose clock stands still, where every
	// message of a scenario would fall within one chat's second).
	DeskChatsUnpaced bool
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
	if s.PrivateBurst <= 0 {
		s.PrivateBurst = 2
	}
	if s.GroupGap <= 0 {
		s.GroupGap = 3100 * time.Millisecond
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
	// HoldChat sets the next free slot of one chat to d from now.
	HoldChat(ctx context.Context, chatID int64, d time.Duration) error
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

// Wait returns when messages (1, or the items of an album) of the desk's
// own (a reply, a card, a channel post, an edit) may go to chatID: the
// bot's pace and the chat's limit apply (a private chat takes a short
// burst, then one a second; a group or channel 20 a minute). If the
// booker fails, the message goes unpaced rather than not at all.
func (p *Pacer) Wait(ctx context.Context, chatID int64, messages int) error {
	pc := p.chatPace(chatID, messages)
	switch {
	case p.settings.DeskChatsUnpaced:
		pc.ChatGap = 0
	case chatID > 0:
		pc.ChatBurst = time.Duration(p.settings.PrivateBurst-1) * p.settings.ChatGap
	}
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
// gap kept and no burst (the second message of an announcement). Unlike
// Wait it returns the booker's error: a broadcast tries the person again
// later.
func (p *Pacer) WaitChat(ctx context.Context, chatID int64) error {
	return p.wait(ctx, chatID, p.chatPace(chatID, 1))
}

// chatPace is the booking of messages to one chat: private chats (positive
// ids, Telegram's convention) have the chat gap, groups and channels the
// group gap for each message.
func (p *Pacer) chatPace(chatID int64, messages int) redaktor.Pace {
	pc := p.pace
	if chatID < 0 {
		pc.ChatGap = time.Duration(max(1, messages)) * p.settings.GroupGap
	}
	return pc
}

// HoldChat holds back every send to one chat for d: Telegram answered 429
// to a send there. Sends to other chats go on (a 429 of a chief editor's
// chat must not stop a broadcast); the one refused waits d itself.
func (p *Pacer) HoldChat(ctx context.Context, chatID int64, d time.Duration) error {
	if err := p.book.HoldChat(ctx, chatID, d); err != nil {
		return fmt.Errorf("hold sends to a chat: %w", err)
	}
	return nil
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
