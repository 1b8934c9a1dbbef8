package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/pace"
)

// Intake is durable: the poller and the webhook write every update to a
// Redis stream (Persister) before Telegram learns it arrived, and an Intake
// in every process hands the stream's entries to the handler, acknowledges
// them after handling, tries again with backoff those whose handling failed
// for a passing reason, tells the sender of one that failed for good or too
// often (setting the latter aside), and takes over the entries of a
// process that died (liveness.go). The entries of a live process are its
// own: no other takes them over, however slow it is.

// Persister keeps updates before they are confirmed (storage.Store).
type Persister interface {
	AddUpdates(ctx context.Context, ids []int64, payloads [][]byte) (int, error)
}

// Inbox is the stream the handlers consume (storage.Store).
type Inbox interface {
	EnsureStream(ctx context.Context) error
	ReadUpdates(ctx context.Context, consumer string, count int64, block time.Duration) ([]redaktor.QueuedUpdate, error)
	// AckOwnUpdates records the updates as handled and acknowledges the
	// entries consumer still holds; it returns the ids of those another
	// consumer took over meanwhile.
	AckOwnUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) ([]string, error)
	// DeadLetter sets aside an entry consumer holds; false when it no
	// longer does (another took it over, or it was finished).
	DeadLetter(ctx context.Context, consumer string, e redaktor.QueuedUpdate, reason string) (bool, error)
	WasHandled(ctx context.Context, updateID int64) (bool, error)
	// BeatConsumer keeps consumer alive for ttl.
	BeatConsumer(ctx context.Context, consumer string, ttl time.Duration) error
	// TakeOverUpdates claims for consumer the entries of consumers not
	// alive: of one whose liveness lapsed once idle for lapsedIdle, of one
	// that never beat (an older version) once idle for oldIdle.
	TakeOverUpdates(ctx context.Context, consumer string, lapsedIdle, oldIdle time.Duration, count int64) ([]redaktor.QueuedUpdate, error)
	// ClaimOwnUpdates claims the entries again, those consumer still holds,
	// keeping their delivery counts.
	ClaimOwnUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) ([]redaktor.QueuedUpdate, error)
	// TouchOwnUpdates resets the idle time of the entries consumer still
	// holds and returns the ids of those it no longer holds.
	TouchOwnUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) ([]string, error)
	// HandBackUpdates ends consumer's liveness and lets the others take
	// over at once what it leaves pending; only the entries named begun
	// (their handling began here) count as handed out to it.
	HandBackUpdates(ctx context.Context, consumer string, begun ...string) (int, error)
}

// Notices tells people about trouble with their update. Both are called
// at most once per update in a process.
type Notices interface {
	// Unavailable: the update could not be stored yet (Redis is down); it
	// will be handled when Redis is back.
	Unavailable(ctx context.Context, u tgbotapi.Update)
	// Failed: handling failed for good, or MaxAttempts times for a passing
	// reason and the update was set aside.
	Failed(ctx context.Context, u tgbotapi.Update)
}

// Observer counts what the intake does, for the metrics; nil counts nothing.
type Observer interface {
	// Persisted: n updates arrived from source ("poll", "webhook"), added
	// of them were new.
	Persisted(source string, n, added int)
	// Handled: an update's handling ended with outcome ("ok", "retry",
	// "failed", "dead", "duplicate", "dropped") after d.
	Handled(outcome string, d time.Duration)
}

// Outcomes of handling an update.
const (
	OutcomeOK        = "ok"
	OutcomeRetry     = "retry"     // failed for a passing reason, or abandoned: handled again
	OutcomeFailed    = "failed"    // failed for good: its sender told, acknowledged
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
	// HandleTimeout bounds one handling's own time (default 20 s): time
	// spent waiting for a turn under Telegram's limit (reported through
	// pace.Waited) does not count. A handler still running then is
	// cancelled, and the update handled again.
	HandleTimeout time.Duration
	// Transient tells an error that may pass (Redis or Telegram briefly
	// unavailable) from one that will not: the update of the first is
	// handled again after RetryBackoff, twice as long each time, up to
	// MaxAttempts; the sender of the second is told at once, and the update
	// acknowledged. nil counts every error as transient. A handler that
	// panicked or ran out of time is tried again.
	Transient func(error) bool
	// RetryBackoff is the wait before the second attempt (default 500 ms).
	RetryBackoff time.Duration
	// MaxAttempts: an update whose handling failed this many times in a
	// row for a passing reason, or that was handed out this many times
	// (its processes died), is set aside and its sender told (default 3).
	MaxAttempts int64
	// AliveTTL is the time to live of this process's liveness key, renewed
	// every quarter of it (default 4 s). Once it lapses the others take
	// over what this process held, within AliveTTL and an eighth; a
	// process that could not renew it in time cancels its handlers first.
	AliveTTL time.Duration
	// ReclaimIdle: the entries of a consumer that never wrote a liveness
	// key (a replica of an older version) are taken over once idle this
	// long (default HandleTimeout + 10 s; never less than HandleTimeout),
	// as that version does.
	ReclaimIdle time.Duration
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

	live        *liveness
	beatFailing atomic.Bool // the last beat did not reach Redis

	mu       sync.Mutex
	turns    turns              // the chats' queues, served in turn
	held     map[int64]int      // per chat, its updates holding a slot
	workers  int                // goroutines serving turns
	starting int                // of them, not yet at their first turn
	active   map[string]*flight // entries in hand here, until acknowledged or given up
	// abandoned: entries pending here that nothing here handles any more
	// (their handling was cut off); claimed again while still this
	// process's.
	abandoned map[string]redaktor.QueuedUpdate
	// begun: entries whose handling began here and was cut off; handed
	// back at stop, they keep their delivery count (the others lose the
	// one this process's read or claim added: a clean stop is no death).
	begun   map[string]bool
	gate    *floodGate    // nil: no limit
	perChat int           // slots one chat may hold
	slots   chan struct{} // updates read and not handled (MaxInFlight)
	acks    chan redaktor.QueuedUpdate
	wg      sync.WaitGroup
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
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = 500 * time.Millisecond
	}
	if cfg.AliveTTL == 0 {
		cfg.AliveTTL = 4 * time.Second
	}
	if cfg.Transient == nil {
		cfg.Transient = func(error) bool { return true }
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
		live:  newLiveness(cfg.AliveTTL, log),
		turns: newTurns(), held: map[int64]int{}, active: map[string]*flight{}, abandoned: map[string]redaktor.QueuedUpdate{}, begun: map[string]bool{},
		perChat: max(1, min(perChatHeld, cfg.MaxInFlight/4)), gate: newFloodGate(cfg.Flood),
		slots: make(chan struct{}, cfg.MaxInFlight), acks: make(chan redaktor.QueuedUpdate, cfg.MaxInFlight)}
}

// Run consumes the stream until ctx ends, then stops reading, gives the
// handlers in flight ShutdownTimeout to finish, acknowledges what they
// finished, hands back what is left and returns. Handlers run on a context
// that is not cancelled with ctx, so a send in flight at a stop completes
// and is recorded.
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
	// Alive before the first read: what this process reads is its own.
	if !in.firstBeat(ctx) {
		return nil
	}
	defer in.live.stop()
	// work lives until the handlers finished or the shutdown deadline.
	work, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	// The acknowledgements outlive work: a handling that finished at the
	// shutdown deadline is acknowledged, not handed to another process to
	// be handled again. They get their own ShutdownTimeout from the moment
	// the last one is queued.
	acking, stopAcking := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAcking()
	ackDone := make(chan struct{})
	go func() { defer close(ackDone); in.acker(acking) }()
	// The process stays alive while its handlers finish: their updates are
	// not taken over under them.
	beating, stopBeating := context.WithCancel(work)
	beatDone := make(chan struct{})
	go func() { defer close(beatDone); in.beatLoop(beating) }()

	var loops sync.WaitGroup
	loops.Go(func() { in.readLoop(ctx, work) })
	loops.Go(func() { in.keeperLoop(ctx, work) })
	loops.Wait()

	// Stop: no more reads; wait for the handlers in flight.
	finished := make(chan struct{})
	go func() { in.wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(in.cfg.ShutdownTimeout):
		in.log.Warn("handlers still running at the shutdown deadline; their updates are handed to another process")
		stopWork()
		<-finished
	}
	close(in.acks)
	select {
	case <-ackDone:
	case <-time.After(in.cfg.ShutdownTimeout):
		in.log.Warn("acknowledgements still failing at the shutdown deadline; their updates will be handled again")
		stopAcking()
		<-ackDone
	}
	stopBeating()
	<-beatDone
	// Nothing runs here any more: what is left pending is handed back.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	in.mu.Lock()
	begun := make([]string, 0, len(in.begun))
	for id := range in.begun {
		begun = append(begun, id)
	}
	in.mu.Unlock()
	n, err := in.in.HandBackUpdates(hctx, in.cfg.Consumer, begun...)
	switch {
	case err != nil:
		in.log.Warn("updates not handed back at stop; others take them over once this process's liveness lapses", "err", err)
	case n > 0:
		in.log.Info("updates handed back to the other processes at stop", "n", n)
	}
	return nil
}

func (in *Consumer) readLoop(ctx, work context.Context) {
	backoff := 100 * time.Millisecond
	idle := true // the last read found nothing new
	for ctx.Err() == nil {
		epoch, ok := in.live.await(ctx)
		if !ok {
			return
		}
		// Take the slots before reading so no more is read than can be
		// handled: the keeper takes slots too. After an empty read one
		// slot only: the next read may wait for new entries (Block), and
		// the slots it held would be kept from the keeper's takeovers.
		select {
		case in.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		reserved := 1
	reserve:
		for !idle && int64(reserved) < in.cfg.Batch {
			select {
			case in.slots <- struct{}{}:
				reserved++
			default:
				break reserve
			}
		}
		entries, err := in.in.ReadUpdates(ctx, in.cfg.Consumer, int64(reserved), in.cfg.Block)
		for range reserved - len(entries) {
			<-in.slots
		}
		if err != nil {
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
		idle = len(entries) == 0
		for _, e := range entries {
			in.dispatch(ctx, work, epoch, e)
		}
	}
}

// dispatch queues an entry behind its chat's earlier ones and sees that
// a worker will serve it; the caller has taken a slot for it. An update of
// a person past the flood limit is acknowledged unhandled (the first one
// past it is queued to tell them so). An entry already in hand here is
// not queued twice. epoch is this process's liveness when the entry was
// claimed: should it lapse, the entry is no longer surely this process's.
func (in *Consumer) dispatch(ctx, work, epoch context.Context, e redaktor.QueuedUpdate) {
	u, err := bot.DecodeUpdate(e.Payload)
	if err != nil {
		in.log.Error("unreadable update set aside", "update_id", e.UpdateID, "err", err)
		if !in.deadLetter(work, e, err.Error()) {
			in.mu.Lock()
			in.abandoned[e.ID] = e // set aside at its next claim
			in.mu.Unlock()
		}
		<-in.slots
		return
	}
	chat := bot.ChatOf(u)
	q := queued{e: e, u: u, epoch: epoch}
	in.mu.Lock()
	if _, here := in.active[e.ID]; here {
		in.mu.Unlock()
		<-in.slots
		return
	}
	if e.Deliveries > in.cfg.MaxAttempts { // its processes died handling it
		in.mu.Unlock()
		if !in.setAside(work, e, e.Deliveries-1, errors.New("handed out too often")) {
			in.mu.Lock()
			in.abandoned[e.ID] = e
			in.mu.Unlock()
		}
		<-in.slots
		return
	}
	if e.Deliveries <= 1 { // a redelivered update was counted the first time
		now := in.cfg.Now()
		switch in.gate.admit(personOf(u), albumOf(u), sentAt(u, e.ID, now), now) {
		case floodDrop:
			in.active[e.ID] = &flight{e: e}
			in.mu.Unlock()
			<-in.slots
			in.ack(e)
			in.obs.Handled(OutcomeDropped, 0)
			return
		case floodNotice:
			q.notice = true
		}
	}
	in.active[e.ID] = &flight{e: e}
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
// another process (or the next start). An update claimed before this
// process's liveness lapsed, or found taken over by another, is not
// handled here: if it is still this process's, it is claimed again.
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
		f := in.active[q.e.ID]
		lost := f != nil && f.lost
		in.mu.Unlock()

		var end fate
		switch {
		case lost:
			end = settled
		case ctx.Err() != nil, q.epoch.Err() != nil:
			end = abandoned
		case q.notice:
			end = in.tellFlooding(work, q)
		default:
			end = in.handle(work, q)
		}
		in.finish(chat, q, end)
	}
}

// fate is how an update's turn here ended.
type fate int

const (
	acking    fate = iota // on its way to its acknowledgement: still in hand
	settled               // set aside, or taken over by another process: nothing left to do here
	abandoned             // still pending here and not handled: to be claimed again (keeperLoop)
)

// finish ends a chat's turn and frees what its update held.
func (in *Consumer) finish(chat int64, q queued, end fate) {
	in.mu.Lock()
	in.turns.done(chat)
	switch end {
	case settled:
		delete(in.active, q.e.ID)
	case abandoned:
		if f := in.active[q.e.ID]; f != nil && f.begun {
			in.begun[q.e.ID] = true
		}
		delete(in.active, q.e.ID)
		in.abandoned[q.e.ID] = q.e
	}
	if end == settled {
		delete(in.begun, q.e.ID)
	}
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
func (in *Consumer) tellFlooding(work context.Context, q queued) fate {
	in.log.Info("sender past the flood limit; their updates are dropped for a while",
		"update_id", q.e.UpdateID, "pause", in.cfg.Flood.CoolDown.String())
	if in.cfg.Flooding != nil {
		nctx, cancel := context.WithTimeout(work, in.cfg.HandleTimeout)
		in.cfg.Flooding.Flooding(nctx, q.u, in.cfg.Flood.CoolDown)
		cancel()
	}
	in.ack(q.e)
	in.obs.Handled(OutcomeDropped, 0)
	return acking
}

// handle handles an update, again after a passing failure. The update
// stays pending, to be handled again, when the process stops or its
// liveness lapses meanwhile.
func (in *Consumer) handle(work context.Context, q queued) fate {
	e, start := q.e, time.Now()
	if e.Deliveries > 1 {
		done, err := in.in.WasHandled(work, e.UpdateID)
		if err != nil {
			in.log.Warn("check redelivered update", "update_id", e.UpdateID, "err", err)
			in.obs.Handled(OutcomeRetry, time.Since(start))
			return abandoned
		}
		if done {
			in.ack(e)
			in.obs.Handled(OutcomeDuplicate, time.Since(start))
			return acking
		}
	}
	for attempt := int64(1); ; attempt++ {
		res := in.attempt(work, q)
		d := time.Since(start)
		switch {
		case res.abandoned != nil:
			in.log.Warn("update handling abandoned; it stays in the stream", "update_id", e.UpdateID,
				"why", res.abandoned, "took", d)
			in.obs.Handled(OutcomeRetry, d)
			if res.lost {
				return settled
			}
			return abandoned
		case res.err == nil:
			in.ack(e)
			in.obs.Handled(OutcomeOK, d)
			in.log.Debug("update handled", "update_id", e.UpdateID, "took", d)
			return acking
		case !res.transient:
			in.log.Warn("update handling failed for good; its sender is told", "update_id", e.UpdateID,
				"err", res.err, "took", d)
			in.tell(work, q.u)
			in.ack(e)
			in.obs.Handled(OutcomeFailed, d)
			return acking
		case attempt >= in.cfg.MaxAttempts:
			in.obs.Handled(OutcomeRetry, d)
			if !in.setAside(work, e, attempt, res.err) {
				return abandoned
			}
			return settled
		}
		wait := min(in.cfg.RetryBackoff<<(attempt-1), 30*time.Second)
		in.log.Warn("update handling failed; it will be handled again", "update_id", e.UpdateID,
			"attempt", attempt, "err", res.err, "took", d, "retry_in", wait.String())
		in.obs.Handled(OutcomeRetry, d)
		if in.lost(e.ID) {
			return settled
		}
		if sleepCtx(work, wait) != nil || q.epoch.Err() != nil {
			return abandoned
		}
		start = time.Now()
	}
}

// outcome is how one attempt at handling went.
type outcome struct {
	err       error // nil: handled
	transient bool  // err may pass: try again
	abandoned error // not this process's to finish (it stops, or its liveness lapsed)
	lost      bool  // another process took the update over
}

// attempt runs the handler once, on a context cancelled when the process
// stops, when its liveness lapses, or when the handling's own time (not
// counting waits for the pacer) runs out.
func (in *Consumer) attempt(work context.Context, q queued) outcome {
	hctx, cancel := context.WithCancelCause(work)
	defer cancel(nil)
	stopFence := context.AfterFunc(q.epoch, func() { cancel(context.Cause(q.epoch)) })
	defer stopFence()
	in.mu.Lock()
	if f := in.active[q.e.ID]; f != nil {
		f.cancel = cancel
		f.begun = true
	}
	in.mu.Unlock()
	defer func() {
		in.mu.Lock()
		if f := in.active[q.e.ID]; f != nil {
			f.cancel = nil
		}
		in.mu.Unlock()
	}()
	clock := startOwnTime(in.cfg.HandleTimeout, func() { cancel(errOwnTimeOut) })
	defer clock.stop()
	rctx, refused := bot.WithRefusals(pace.WithWaitObserver(hctx, clock.waited))
	err := safe(rctx, in.h, q.u)
	cut := err == nil && refused()
	switch {
	case err == nil && !cut:
		// Handled, however late: a Telegram call cannot be cancelled, so a
		// handler may finish after its deadline, a lapse or the stop. Tried
		// again it would be handled twice; the acknowledgement records it
		// done even when another process took the entry over meanwhile.
		return outcome{}
	case cut:
		// Cut off midway: a send was refused (nothing went), though the
		// handler, having only logged it, returned nil. Not done: it is
		// handled again like any cut-off handling.
		err = errors.New("cut off midway: a send was refused")
	}
	switch {
	case work.Err() != nil:
		return outcome{abandoned: errors.New("the process stops")}
	case q.epoch.Err() != nil:
		return outcome{abandoned: context.Cause(q.epoch)}
	case lostHere(hctx):
		return outcome{abandoned: context.Cause(hctx), lost: true}
	case clock.expired():
		return outcome{err: fmt.Errorf("%w (last error: %v)", errOwnTimeOut, err), transient: true}
	}
	_, panicked := errors.AsType[*panicError](err)
	return outcome{err: err, transient: panicked || cut || in.cfg.Transient(err)}
}

// errOwnTimeOut: a handling used its own time up (HandleTimeout, not
// counting waits for the pacer).
var errOwnTimeOut = errors.New("update handling ran out of time")

// errTakenOver: another process took the update over while it was being
// handled here.
var errTakenOver = errors.New("update taken over by another process")

// lost reports whether another process took the entry over.
func (in *Consumer) lost(id string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	f := in.active[id]
	return f != nil && f.lost
}

func lostHere(ctx context.Context) bool { return errors.Is(context.Cause(ctx), errTakenOver) }

func (in *Consumer) ack(e redaktor.QueuedUpdate) { in.acks <- e }

// acker acknowledges finished entries in batches: whatever finished while
// the previous batch was on its way goes in the next one round trip. An
// entry stays in hand here until acknowledged, so it is not claimed again
// meanwhile.
func (in *Consumer) acker(ctx context.Context) {
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
			taken, err := in.in.AckOwnUpdates(ctx, in.cfg.Consumer, batch)
			if err == nil {
				if len(taken) > 0 {
					in.log.Warn("updates handled here after another process took them over (this process's liveness had lapsed): they may be handled twice",
						"n", len(taken), "entries", taken)
				}
				break
			}
			if ctx.Err() != nil {
				in.log.Warn("acknowledgements lost at stop; the updates will be handled again", "n", len(batch), "err", err)
				break
			}
			in.log.Warn("acknowledge updates failed, retrying", "n", len(batch), "err", err, "retry_in", backoff.String())
			if sleepCtx(ctx, backoff) != nil {
				break
			}
			backoff = min(backoff*2, 5*time.Second)
		}
		in.mu.Lock()
		for _, e := range batch {
			delete(in.active, e.ID)
			delete(in.begun, e.ID)
		}
		in.mu.Unlock()
	}
}

// setAside sets an entry aside after attempts failed ones and tells its
// sender; it reports whether it did (else the entry stays pending), or
// another process had finished it.
func (in *Consumer) setAside(work context.Context, e redaktor.QueuedUpdate, attempts int64, last error) bool {
	ok, err := in.in.DeadLetter(work, in.cfg.Consumer, e, fmt.Sprintf("failed %d times: %v", attempts, last))
	if err != nil {
		in.log.Warn("set update aside failed; it stays in the stream", "update_id", e.UpdateID, "err", err)
		return false
	}
	if !ok {
		return true // no longer pending: finished elsewhere
	}
	in.obs.Handled(OutcomeDead, 0)
	in.log.Error("update set aside after failed attempts", "update_id", e.UpdateID, "attempts", attempts, "err", last)
	if u, err := bot.DecodeUpdate(e.Payload); err == nil {
		in.tell(work, u)
	}
	return true
}

// tell tells the sender that their update failed.
func (in *Consumer) tell(work context.Context, u tgbotapi.Update) {
	if in.notices == nil {
		return
	}
	nctx, cancel := context.WithTimeout(work, in.cfg.HandleTimeout)
	defer cancel()
	in.notices.Failed(nctx, u)
}

// deadLetter sets an entry aside; false when it could not (it stays
// pending here), true also when it was no longer this process's.
func (in *Consumer) deadLetter(work context.Context, e redaktor.QueuedUpdate, reason string) bool {
	if _, err := in.in.DeadLetter(work, in.cfg.Consumer, e, reason); err != nil {
		in.log.Warn("set update aside failed; it stays in the stream", "update_id", e.UpdateID, "err", err)
		return false
	}
	return true
}

// panicError is a handler's panic, with its stack.
type panicError struct{ msg string }

func (e *panicError) Error() string { return e.msg }

// safe handles an update; a panic is returned as a *panicError.
func safe(ctx context.Context, h Handler, u tgbotapi.Update) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{msg: fmt.Sprintf("handler panicked: %v\n%s", r, debug.Stack())}
		}
	}()
	return h.Handle(ctx, u)
}

type queued struct {
	e      redaktor.QueuedUpdate
	u      tgbotapi.Update
	epoch  context.Context // this process's liveness when the entry was claimed
	held   bool            // holds a slot (one of its chat's first perChatHeld)
	notice bool            // the first update past the flood limit: tell, not handle
}

// flight is an entry in hand here: waiting for its turn, being handled,
// or on its way to its acknowledgement.
type flight struct {
	e      redaktor.QueuedUpdate
	cancel context.CancelCauseFunc // while being handled
	lost   bool                    // another process took it over
	begun  bool                    // its handling began here
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
