package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// Intake is durable: the poller and the webhook write every update to a
// Redis stream (Persister) before Telegram learns it arrived, and an Intake
// in every process hands the stream's entries to the handler, acknowledges
// them after handling, takes over entries whose handler crashed, timed out
// or died with its process, and sets aside an entry that failed too often.

// Persister keeps updates before they are confirmed (storage.Store).
type Persister interface {
	AddUpdates(ctx context.Context, ids []int64, payloads [][]byte) (int, error)
}

// Inbox is the stream the handlers consume (storage.Store).
type Inbox interface {
	EnsureStream(ctx context.Context) error
	ReadUpdates(ctx context.Context, consumer string, count int64, block time.Duration) ([]redaktor.QueuedUpdate, error)
	AckUpdates(ctx context.Context, entries []redaktor.QueuedUpdate) error
	ReclaimUpdates(ctx context.Context, consumer string, minIdle time.Duration, count int64) ([]redaktor.QueuedUpdate, error)
	DeadLetter(ctx context.Context, e redaktor.QueuedUpdate, reason string) (bool, error)
	WasHandled(ctx context.Context, updateID int64) (bool, error)
	ForgetConsumer(ctx context.Context, consumer string) error
	// TouchUpdates claims entries again for consumer, so that entries
	// waiting here for their chat's turn do not look stuck to others.
	TouchUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) error
}

// Notices tells people about trouble with their update. Both are called
// at most once per update in a process.
type Notices interface {
	// Unavailable: the update could not be stored yet (Redis is down); it
	// will be handled when Redis is back.
	Unavailable(ctx context.Context, u tgbotapi.Update)
	// Failed: handling failed MaxAttempts times and the update was set aside.
	Failed(ctx context.Context, u tgbotapi.Update)
}

// Observer counts what the intake does, for the metrics; nil counts nothing.
type Observer interface {
	// Persisted: n updates arrived from source ("poll", "webhook"), added
	// of them were new.
	Persisted(source string, n, added int)
	// Handled: an update's handling ended with outcome ("ok", "retry",
	// "dead", "duplicate") after d.
	Handled(outcome string, d time.Duration)
}

// Outcomes of handling an update.
const (
	OutcomeOK        = "ok"
	OutcomeRetry     = "retry"     // panicked or timed out: handled again later
	OutcomeDead      = "dead"      // set aside after MaxAttempts
	OutcomeDuplicate = "duplicate" // handled before: skipped
	OutcomeDropped   = "dropped"   // its sender was past the flood limit
)

// Config tunes an Intake; zero values are defaults.
type Config struct {
	// Consumer is this process's unique name in the consumer group.
	Consumer string
	// Batch is how many entries one read takes (default 128).
	Batch int64
	// MaxInFlight bounds the updates read and not yet handled, and the
	// handlers running at once (default 256); one chat holds at most
	// perChatHeld of the read bound, its further updates wait without
	// holding anyone else back. A
	// handler mostly waits for Telegram (tens of milliseconds a call to
	// api.telegram.org), so this bounds the throughput: with 50 ms calls,
	// 64 handled about 600 drafts a second and 256 about 1,700. Against an
	// instant Telegram more only queue for the CPU; the updates are safe in
	// the stream either way.
	MaxInFlight int
	// HandleTimeout bounds one handling (default 20 s); a handler still
	// running then counts as failed and the update is handled again.
	HandleTimeout time.Duration
	// ReclaimIdle: an entry handed out this long ago and not acknowledged
	// is taken over (default HandleTimeout + 10 s; never less than
	// HandleTimeout, so a slow but live handler is not doubled).
	ReclaimIdle time.Duration
	// MaxAttempts: an update whose handling failed this many times is set
	// aside and its sender told (default 3).
	MaxAttempts int64
	// ShutdownTimeout: after the context ends, handlers in flight get this
	// long to finish (default 10 s); then they are cancelled and their
	// updates stay in the stream for another process.
	ShutdownTimeout time.Duration
	// Block is how long one read waits for new entries (default 1 s); it
	// bounds how long a stop waits for the read in flight.
	Block time.Duration
	// Flood is the per-person limit (the zero value turns it off);
	// Flooding tells a person past it, nil tells nobody.
	Flood    FloodLimit
	Flooding FloodNotice
	// Now is the clock of the flood limit (default time.Now).
	Now func() time.Time
}

// perChatHeld is how many of one chat's updates count against
// MaxInFlight (at most a quarter of it): a chat sending a burst holds
// this many and no more of the read bound, so everybody else's updates
// are still read and handled. What waits beyond it is bounded by the
// flood limit.
const perChatHeld = 8

// Intake hands the stream's updates to a Handler: in parallel across
// chats, in order within a chat (in one process; see README).
type Consumer struct {
	in      Inbox
	h       Handler
	notices Notices
	obs     Observer
	log     *slog.Logger
	cfg     Config

	mu       sync.Mutex
	turns    turns           // the chats' queues, served in turn
	held     map[int64]int   // per chat, its updates holding a slot
	workers  int             // goroutines serving turns
	starting int             // of them, not yet at their first turn
	active   map[string]bool // entry ids in flight here
	gate     *floodGate      // nil: no limit
	perChat  int             // slots one chat may hold
	slots    chan struct{}   // updates read and not handled (MaxInFlight)
	acks     chan redaktor.QueuedUpdate
	wg       sync.WaitGroup
}

// New builds an Intake; notices and obs may be nil.
func New(in Inbox, h Handler, notices Notices, obs Observer, log *slog.Logger, cfg Config) *Consumer {
	if cfg.Batch == 0 {
		cfg.Batch = 128
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 256
	}
	if cfg.HandleTimeout == 0 {
		cfg.HandleTimeout = 20 * time.Second
	}
	if cfg.ReclaimIdle == 0 {
		cfg.ReclaimIdle = cfg.HandleTimeout + 10*time.Second
	}
	cfg.ReclaimIdle = max(cfg.ReclaimIdle, cfg.HandleTimeout)
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.Block == 0 {
		cfg.Block = time.Second
	}
	if cfg.Consumer == "" {
		cfg.Consumer = "redaktor"
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if obs == nil {
		obs = nopObserver{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Consumer{in: in, h: h, notices: notices, obs: obs, log: log, cfg: cfg,
		turns: newTurns(), held: map[int64]int{}, active: map[string]bool{},
		perChat: max(1, min(perChatHeld, cfg.MaxInFlight/4)), gate: newFloodGate(cfg.Flood),
		slots: make(chan struct{}, cfg.MaxInFlight), acks: make(chan redaktor.QueuedUpdate, cfg.MaxInFlight)}
}

// Run consumes the stream until ctx ends, then stops reading, gives the
// handlers in flight ShutdownTimeout to finish, acknowledges what they
// finished and returns. Handlers run on a context that is not cancelled
// with ctx, so a send in flight at a stop completes and is recorded.
func (in *Consumer) Run(ctx context.Context) error {
	for {
		err := in.in.EnsureStream(ctx)
		if err == nil {
			break
		}
		in.log.Warn("intake stream not ready, retrying", "err", err)
		if sleepCtx(ctx, time.Second) != nil {
			return nil
		}
	}
	// work lives until the handlers finished or the shutdown deadline.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	ackDone := make(chan struct{})
	go func() { defer close(ackDone); in.acker(work) }()

	var loops sync.WaitGroup
	loops.Go(func() { in.readLoop(ctx, work) })
	loops.Go(func() { in.reclaimLoop(ctx, work) })
	loops.Wait()

	// Stop: no more reads; wait for the handlers in flight.
	finished := make(chan struct{})
	go func() { in.wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(in.cfg.ShutdownTimeout):
		in.log.Warn("handlers still running at the shutdown deadline; their updates stay in the stream")
		stopWork()
		<-finished
	}
	close(in.acks)
	<-ackDone
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := in.in.ForgetConsumer(fctx, in.cfg.Consumer); err != nil {
		in.log.Debug("forget consumer", "err", err)
	}
	return nil
}

func (in *Consumer) readLoop(ctx, work context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		// Take a slot before reading so no more is read than can be handled.
		select {
		case in.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		free := int64(1 + in.cfg.MaxInFlight - len(in.slots))
		entries, err := in.in.ReadUpdates(ctx, in.cfg.Consumer, min(in.cfg.Batch, free), in.cfg.Block)
		if err != nil {
			<-in.slots
			if ctx.Err() != nil {
				return
			}
			in.log.Warn("read updates failed", "err", err, "retry_in", backoff.String())
			if sleepCtx(ctx, backoff) != nil {
				return
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if len(entries) == 0 {
			<-in.slots
			continue
		}
		for i, e := range entries {
			if i > 0 {
				in.slots <- struct{}{} // cannot block: the read asked for no more than free
			}
			in.dispatch(ctx, work, e)
		}
	}
}

func (in *Consumer) reclaimLoop(ctx, work context.Context) {
	t := time.NewTicker(in.cfg.ReclaimIdle / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		in.touchWaiting(ctx)
		entries, err := in.in.ReclaimUpdates(ctx, in.cfg.Consumer, in.cfg.ReclaimIdle, in.cfg.Batch)
		if err != nil {
			if ctx.Err() == nil {
				in.log.Warn("reclaim updates failed", "err", err)
			}
			continue
		}
		for _, e := range entries {
			in.mu.Lock()
			mine := in.active[e.ID]
			in.mu.Unlock()
			if mine {
				continue // still being handled here
			}
			if e.Deliveries > in.cfg.MaxAttempts {
				in.setAside(work, e)
				continue
			}
			select {
			case in.slots <- struct{}{}:
			case <-ctx.Done():
				return // stays pending; reclaimed again later
			}
			in.dispatch(ctx, work, e)
		}
	}
}

// touchWaiting claims again the entries waiting here for their chat's
// turn: a chat's updates are handled one at a time, so its last ones may
// wait longer than ReclaimIdle, and another process must not take them
// over as stuck. Entries being handled are not touched: a handler that
// hangs is taken over as before.
func (in *Consumer) touchWaiting(ctx context.Context) {
	var waiting []redaktor.QueuedUpdate
	in.mu.Lock()
	in.turns.each(func(q queued) { waiting = append(waiting, q.e) })
	in.mu.Unlock()
	if len(waiting) == 0 {
		return
	}
	if err := in.in.TouchUpdates(ctx, in.cfg.Consumer, waiting); err != nil && ctx.Err() == nil {
		in.log.Warn("touch waiting updates failed", "n", len(waiting), "err", err)
	}
}

// dispatch queues an entry behind its chat's earlier ones and sees that
// a worker will serve it; the caller has taken a slot for it. An update of
// a person past the flood limit is acknowledged unhandled (the first one
// past it is queued to tell them so).
func (in *Consumer) dispatch(ctx, work context.Context, e redaktor.QueuedUpdate) {
	u, err := bot.DecodeUpdate(e.Payload)
	if err != nil {
		in.log.Error("unreadable update set aside", "update_id", e.UpdateID, "err", err)
		in.deadLetter(work, e, err.Error())
		<-in.slots
		return
	}
	chat := bot.ChatOf(u)
	q := queued{e: e, u: u}
	in.mu.Lock()
	if e.Deliveries <= 1 { // a redelivered update was counted the first time
		now := in.cfg.Now()
		switch in.gate.admit(personOf(u), albumOf(u), sentAt(u, e.ID, now), now) {
		case floodDrop:
			in.mu.Unlock()
			<-in.slots
			in.ack(e)
			in.obs.Handled(OutcomeDropped, 0)
			return
		case floodNotice:
			q.notice = true
		}
	}
	in.active[e.ID] = true
	q.held = in.held[chat] < in.perChat
	if q.held {
		in.held[chat]++
	}
	in.turns.add(chat, q)
	// A new worker only when more chats wait than workers are on their
	// way to them; busy workers come back to the ring when done.
	spawn := in.turns.waiting() > in.starting && in.workers < in.cfg.MaxInFlight
	if spawn {
		in.workers++
		in.starting++
	}
	in.mu.Unlock()
	if !q.held {
		<-in.slots // waits in its chat's queue without holding others back
	}
	if spawn {
		in.wg.Go(func() { in.serve(ctx, work) })
	}
}

// serve gives chats their turns, one update each, until none waits. Once
// ctx ends no new turn starts: what waits stays pending in the stream for
// another process (or the next start).
func (in *Consumer) serve(ctx, work context.Context) {
	for first := true; ; first = false {
		in.mu.Lock()
		if first {
			in.starting--
		}
		chat, q, ok := in.turns.next()
		if !ok {
			in.workers--
			in.mu.Unlock()
			return
		}
		in.mu.Unlock()

		switch {
		case ctx.Err() != nil:
		case q.notice:
			in.tellFlooding(work, q)
		default:
			in.handle(work, q.e, q.u)
		}
		in.finish(chat, q)
	}
}

// finish ends a chat's turn and frees what its update held.
func (in *Consumer) finish(chat int64, q queued) {
	in.mu.Lock()
	in.turns.done(chat)
	delete(in.active, q.e.ID)
	if q.held {
		if in.held[chat]--; in.held[chat] == 0 {
			delete(in.held, chat)
		}
	}
	in.mu.Unlock()
	if q.held {
		<-in.slots
	}
}

// tellFlooding tells the person past the limit once, in their turn, and
// acknowledges the update unhandled.
func (in *Consumer) tellFlooding(work context.Context, q queued) {
	in.log.Info("sender past the flood limit; their updates are dropped for a while",
		"update_id", q.e.UpdateID, "pause", in.cfg.Flood.CoolDown.String())
	if in.cfg.Flooding != nil {
		nctx, cancel := context.WithTimeout(work, in.cfg.HandleTimeout)
		in.cfg.Flooding.Flooding(nctx, q.u, in.cfg.Flood.CoolDown)
		cancel()
	}
	in.ack(q.e)
	in.obs.Handled(OutcomeDropped, 0)
}

func (in *Consumer) handle(work context.Context, e redaktor.QueuedUpdate, u tgbotapi.Update) {
	start := time.Now()
	if e.Deliveries > 1 {
		done, err := in.in.WasHandled(work, e.UpdateID)
		if err != nil {
			in.log.Warn("check redelivered update", "update_id", e.UpdateID, "err", err)
			in.obs.Handled(OutcomeRetry, time.Since(start))
			return // stays pending
		}
		if done {
			in.ack(e)
			in.obs.Handled(OutcomeDuplicate, time.Since(start))
			return
		}
	}
	hctx, cancel := context.WithTimeout(work, in.cfg.HandleTimeout)
	err := safe(hctx, in.h, u)
	failed := err != nil || errors.Is(hctx.Err(), context.DeadlineExceeded) || work.Err() != nil
	cancel()
	d := time.Since(start)
	if failed {
		in.log.Warn("update handling failed; it will be handled again", "update_id", e.UpdateID,
			"attempt", e.Deliveries, "err", err, "took", d)
		in.obs.Handled(OutcomeRetry, d)
		return // stays pending: reclaimed after ReclaimIdle
	}
	in.ack(e)
	in.obs.Handled(OutcomeOK, d)
	in.log.Debug("update handled", "update_id", e.UpdateID, "took", d)
}

func (in *Consumer) ack(e redaktor.QueuedUpdate) { in.acks <- e }

// acker acknowledges finished entries in batches: whatever finished while
// the previous batch was on its way goes in the next one round trip.
func (in *Consumer) acker(work context.Context) {
	batch := make([]redaktor.QueuedUpdate, 0, 256)
	for e := range in.acks {
		batch = append(batch[:0], e)
	more:
		for len(batch) < cap(batch) {
			select {
			case e, ok := <-in.acks:
				if !ok {
					break more
				}
				batch = append(batch, e)
			default:
				break more
			}
		}
		backoff := 50 * time.Millisecond
		for {
			err := in.in.AckUpdates(work, batch)
			if err == nil {
				break
			}
			if work.Err() != nil {
				in.log.Warn("acknowledgements lost at stop; the updates will be handled again", "n", len(batch), "err", err)
				break
			}
			in.log.Warn("acknowledge updates failed, retrying", "n", len(batch), "err", err, "retry_in", backoff.String())
			if sleepCtx(work, backoff) != nil {
				break
			}
			backoff = min(backoff*2, 5*time.Second)
		}
	}
}

func (in *Consumer) setAside(work context.Context, e redaktor.QueuedUpdate) {
	if !in.deadLetter(work, e, fmt.Sprintf("failed %d times", e.Deliveries-1)) {
		return
	}
	in.obs.Handled(OutcomeDead, 0)
	in.log.Error("update set aside after failed attempts", "update_id", e.UpdateID, "attempts", e.Deliveries-1)
	if in.notices == nil {
		return
	}
	if u, err := bot.DecodeUpdate(e.Payload); err == nil {
		nctx, cancel := context.WithTimeout(work, in.cfg.HandleTimeout)
		defer cancel()
		in.notices.Failed(nctx, u)
	}
}

func (in *Consumer) deadLetter(work context.Context, e redaktor.QueuedUpdate, reason string) bool {
	ok, err := in.in.DeadLetter(work, e, reason)
	if err != nil {
		in.log.Warn("set update aside failed; it stays in the stream", "update_id", e.UpdateID, "err", err)
		return false
	}
	return ok
}

// safe handles an update; a panic is returned as an error, with its stack.
func safe(ctx context.Context, h Handler, u tgbotapi.Update) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("handler panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return h.Handle(ctx, u)
}

type queued struct {
	e      redaktor.QueuedUpdate
	u      tgbotapi.Update
	held   bool // holds a slot (one of its chat's first perChatHeld)
	notice bool // the first update past the flood limit: tell, not handle
}

type nopObserver struct{}

func (nopObserver) Persisted(string, int, int)    {}
func (nopObserver) Handled(string, time.Duration) {}

// sleepCtx waits d or until ctx ends (then it returns ctx's error).
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
