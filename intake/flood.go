package intake

import (
	"context"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// FloodLimit is how much one person may send before the intake stops
// handling their updates for a while. Zero Updates turns the limit off.
type FloodLimit struct {
	// Updates a person may send within Window (30 in 10 s): a burst of
	// that many passes, then one more every Window/Updates. The items of
	// one album count as one update.
	Updates int
	Window  time.Duration
	// CoolDown: past the limit the person is told once and their updates
	// are acknowledged unhandled for this long (60 s).
	CoolDown time.Duration
}

// DefaultFloodLimit is 30 updates in 10 s, then a minute's pause.
var DefaultFloodLimit = FloodLimit{Updates: 30, Window: 10 * time.Second, CoolDown: time.Minute}

// FloodNotice tells a person that their updates are ignored for the
// pause. The intake calls it once per cool-down in a process, in the
// person's turn (after their updates handled before).
type FloodNotice interface {
	Flooding(ctx context.Context, u tgbotapi.Update, pause time.Duration)
}

// floodVerdict is what the gate decides for one update.
type floodVerdict int

const (
	floodPass   floodVerdict = iota
	floodNotice              // past the limit: tell the person, handle nothing
	floodDrop                // in the cool-down: handle nothing
)

// floodGate counts each person's updates in this process (see the README
// for why not in Redis) with GCRA, which keeps one time per person: the
// theoretical arrival time of their next update if they sent at exactly
// the allowed rate. It counts an update at the time it was sent (sentAt),
// not when it is read: a backlog delivered in one burst after the bot,
// its intake or Redis was down is what its senders spread over minutes,
// and a live flood is read as it is sent.
type floodGate struct {
	limit     FloodLimit
	interval  time.Duration // Window / Updates
	people    map[int64]*floodState
	lastSweep time.Time
}

type floodState struct {
	tat   time.Time // theoretical arrival time (of sending)
	until time.Time // end of the cool-down (in sending time); zero when none
	album string    // media group of the last counted update
	seen  time.Time // when their last update was read
}

func newFloodGate(l FloodLimit) *floodGate {
	if l.Updates <= 0 || l.Window <= 0 {
		return nil
	}
	return &floodGate{limit: l, interval: l.Window / time.Duration(l.Updates), people: map[int64]*floodState{}}
}

// admit counts one update of person (0: no person, always passes), sent
// at sent and read at now; album is its media group id, "" for none.
func (g *floodGate) admit(person int64, album string, sent, now time.Time) floodVerdict {
	if g == nil || person == 0 {
		return floodPass
	}
	g.sweep(now)
	st := g.people[person]
	if st == nil {
		st = &floodState{tat: sent}
		g.people[person] = st
	}
	st.seen = now
	now = sent // from here on the person's own time line
	if !st.until.IsZero() {
		if now.Before(st.until) {
			return floodDrop
		}
		*st = floodState{tat: now, seen: st.seen} // served their pause: a fresh start
	}
	if album != "" && album == st.album {
		return floodPass // the rest of an album counted by its first item
	}
	st.album = album
	tat := st.tat
	if tat.Before(now) {
		tat = now
	}
	if tat.Sub(now) > g.limit.Window-g.interval {
		st.until = now.Add(g.limit.CoolDown)
		return floodNotice
	}
	st.tat = tat.Add(g.interval)
	return floodPass
}

// sweep forgets, once a window, the people none of whose updates was read
// in the last window and whose pause ran out: memory follows the people
// active in the last window, not all ever seen. Their count ran out too:
// an update is never counted later than it is read, so a person's tat is
// at most a window past their last read.
func (g *floodGate) sweep(now time.Time) {
	if now.Sub(g.lastSweep) < g.limit.Window {
		return
	}
	g.lastSweep = now
	for id, st := range g.people {
		if now.Sub(st.seen) >= g.limit.Window && st.until.Before(now) {
			delete(g.people, id)
		}
	}
}

// sentAt is when an update was sent, for the flood limit: the date
// Telegram gave a message or an edit (whole seconds), else when the stream
// stored it (its entry id starts with those milliseconds; a callback query
// carries no date); never later than now, the time it is read, so a clock
// ahead of ours cannot stretch anyone's count.
func sentAt(u tgbotapi.Update, entryID string, now time.Time) time.Time {
	var unix int
	switch {
	case u.Message != nil:
		unix = u.Message.Date
	case u.EditedMessage != nil:
		unix = max(u.EditedMessage.EditDate, u.EditedMessage.Date)
	case u.MyChatMember != nil:
		unix = u.MyChatMember.Date
	}
	sent := now
	if unix > 0 {
		sent = time.Unix(int64(unix), 0)
	} else if ms, _, _ := strings.Cut(entryID, "-"); ms != "" {
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
			sent = time.UnixMilli(n)
		}
	}
	if sent.After(now) {
		return now
	}
	return sent
}

// personOf is the person who sent an update, 0 for none (a channel post).
func personOf(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.From != nil:
		return u.Message.From.ID
	case u.EditedMessage != nil && u.EditedMessage.From != nil:
		return u.EditedMessage.From.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.From.ID
	case u.InlineQuery != nil && u.InlineQuery.From != nil:
		return u.InlineQuery.From.ID
	}
	return 0
}

// albumOf is an update's media group id, "" for none.
func albumOf(u tgbotapi.Update) string {
	if u.Message != nil {
		return u.Message.MediaGroupID
	}
	return ""
}
