package intake

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/redaktor/redaktor"
)

// Liveness and takeover. Every intake renews a liveness key of its own
// (AliveTTL, every quarter of it) and is recorded as one that beats. An
// intake takes over the entries of another consumer only when that
// consumer is not alive: its key lapsed and the entries were idle for at
// least AliveTTL, or it never beat (an older version, which writes no key)
// and they were idle for ReclaimIdle, that version's own rule. The check
// and the claim are one step in Redis. So:
//
//   - a process killed has its updates taken over within AliveTTL and a
//     tick (4.5 s by default);
//   - a process stopping cleanly hands its updates back, and they are taken
//     over at the next tick;
//   - a live process keeps its updates however long it takes (a handler
//     waiting for the pacer, a chat's long queue), and a process stalled for
//     less than about AliveTTL less a tenth (CPU starvation, a VM pause, a
//     Redis blip) keeps them too;
//   - a process whose own liveness lapsed (it could not renew it in time)
//     cancels its handlers as the key's time runs out, before another can
//     take their updates, handles nothing it claimed before until it has
//     claimed it again (which fails for what another took), and
//     acknowledges only what it still holds; back, it takes over nobody
//     else's updates for AliveTTL (a Redis failover may have lapsed every
//     process at once, and the others are about to renew their keys).
//
// Residual risk: a process frozen as a whole for longer than AliveTTL (a VM
// paused, SIGSTOP) cannot cancel anything while frozen. When it resumes,
// its timers and its handlers run again at the same moment; a handler can
// finish the step it was in (one Telegram call or one Redis script) before
// it sees its context cancelled, while another process may already be
// handling the same update. That update may then be handled twice; its
// acknowledgement here records it as handled, so a taker that had not
// begun skips it, and a warning is logged. Handlers are idempotent for
// the commonest updates (a draft, a new version: see desk_crash_test.go).
// Clocks run at the same rate everywhere is assumed (not the same time).

// errLapsed: this process could not renew its liveness in time; another
// process may take its updates over.
var errLapsed = errors.New("this process's liveness lapsed: another process may take its updates over")

// liveness is this process's view of its own liveness key: an epoch, a
// context that ends as soon as the key may have lapsed.
type liveness struct {
	ttl time.Duration
	log *slog.Logger

	mu    sync.Mutex
	epoch context.Context
	end   context.CancelCauseFunc
	until time.Time     // the key surely lives until then
	timer *time.Timer   // ends the epoch at until
	back  chan struct{} // closed when a lapsed liveness is renewed
	lived bool          // an epoch began before (the first is no comeback)
	// calmUntil: after a comeback from a lapse, others are not taken over
	// before then. A Redis failover may lapse every process at once; the
	// first back would take everyone's updates while the others are about
	// to renew their keys.
	calmUntil time.Time
}

func newLiveness(ttl time.Duration, log *slog.Logger) *liveness {
	epoch, end := context.WithCancelCause(context.Background())
	end(errLapsed) // not alive before the first beat
	return &liveness{ttl: ttl, log: log, epoch: epoch, end: end, back: make(chan struct{})}
}

// margin is how much earlier than the key this process takes its liveness
// for lapsed: it cancels its handlers before another can take over.
func (l *liveness) margin() time.Duration { return l.ttl / 10 }

// renewed records a beat sent at sent that Redis confirmed: the key lives
// until sent + ttl at least. A confirmation that came after the time the
// key was sure to live until proves nothing about the time between: the
// key may have lapsed, and another process taken updates over, while this
// one was stalled (its timers late, a VM paused). That ends the epoch too.
func (l *liveness) renewed(sent time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.epoch.Err() == nil && !now.Before(l.until) {
		l.lapse()
	}
	until := sent.Add(l.ttl - l.margin())
	if !until.After(now) {
		return // confirmed too late to count
	}
	if l.epoch.Err() == nil && !until.After(l.until) {
		return // an older beat confirmed after a newer one (beats overlap)
	}
	l.until = until
	if l.epoch.Err() != nil {
		l.epoch, l.end = context.WithCancelCause(context.Background())
		close(l.back)
		l.back = make(chan struct{})
		if l.lived {
			l.calmUntil = now.Add(l.ttl)
		}
		l.lived = true
	}
	if l.timer == nil {
		l.timer = time.AfterFunc(until.Sub(now), l.expire)
	} else {
		l.timer.Reset(until.Sub(now))
	}
}

// lapse ends the epoch; l.mu is held.
func (l *liveness) lapse() {
	l.log.Warn("intake liveness not renewed in time: handlers in flight are cancelled, and updates claimed before are claimed again before they are handled",
		"ttl", l.ttl.String())
	l.end(errLapsed)
}

// expire ends the epoch when no beat renewed the key in time.
func (l *liveness) expire() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch.Err() != nil {
		return
	}
	if left := time.Until(l.until); left > 0 {
		l.timer.Reset(left)
		return
	}
	l.lapse()
}

// current is the live epoch, or ok false with a channel closed once the
// liveness is renewed.
func (l *liveness) current() (epoch context.Context, back <-chan struct{}, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch.Err() != nil {
		return nil, l.back, false
	}
	return l.epoch, nil, true
}

// await returns the live epoch, waiting for a lapsed liveness to be
// renewed; ok is false when ctx ended first.
func (l *liveness) await(ctx context.Context) (context.Context, bool) {
	for {
		epoch, back, ok := l.current()
		if ok {
			return epoch, true
		}
		select {
		case <-back:
		case <-ctx.Done():
			return nil, false
		}
	}
}

// mayTakeOver reports whether this process may take over others' updates:
// not within a TTL of its comeback from a lapse.
func (l *liveness) mayTakeOver() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !time.Now().Before(l.calmUntil)
}

// left is how long the key surely lives yet (0 when lapsed).
func (l *liveness) left() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.epoch.Err() != nil {
		return 0
	}
	return max(time.Until(l.until), 0)
}

func (l *liveness) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
	}
	l.end(errLapsed)
}

// beat renews the liveness key once, waiting at most timeout.
func (in *Consumer) beat(ctx context.Context, timeout time.Duration) error {
	sent := time.Now()
	bctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := in.in.BeatConsumer(bctx, in.cfg.Consumer, in.cfg.AliveTTL); err != nil {
		in.beatFailing.Store(true)
		return err
	}
	in.beatFailing.Store(false)
	in.live.renewed(sent)
	return nil
}

// firstBeat beats until it succeeds; false when ctx ended first.
func (in *Consumer) firstBeat(ctx context.Context) bool {
	for {
		err := in.beat(ctx, in.cfg.AliveTTL)
		if err == nil {
			return true
		}
		in.log.Warn("intake liveness not written, retrying", "err", err)
		if sleepCtx(ctx, time.Second) != nil {
			return false
		}
	}
}

// beatLoop renews the liveness every quarter of AliveTTL until ctx ends.
// A beat starts at every tick, even while an earlier one is in flight: one
// stuck on a dead connection (a Redis failover; go-redis waits out its read
// timeout) must not keep the next from reaching the new server before the
// key lapses. Each waits at most the time the key surely lives yet (a
// quarter of AliveTTL once lapsed): later it proves nothing.
func (in *Consumer) beatLoop(ctx context.Context) {
	t := time.NewTicker(in.cfg.AliveTTL / 4)
	defer t.Stop()
	var beats sync.WaitGroup
	defer beats.Wait()
	results := make(chan error, 4)
	failing := 0 // renewals failed in a row: warned once
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			timeout := in.live.left()
			if timeout <= 0 {
				timeout = in.cfg.AliveTTL / 4
			}
			beats.Go(func() {
				err := in.beat(ctx, timeout)
				select {
				case results <- err:
				case <-ctx.Done():
				}
			})
			continue
		case err := <-results:
			failing = in.beaten(ctx, err, failing)
		}
	}
}

// beaten logs a beat's result: the first failure in a row, and the first
// success after failures. It returns the failures in a row.
func (in *Consumer) beaten(ctx context.Context, err error, failing int) int {
	switch {
	case err != nil && failing == 0 && ctx.Err() == nil:
		in.log.Warn("intake liveness not renewed; others take this process's updates over once it lapses",
			"err", err, "ttl", in.cfg.AliveTTL.String())
	case err == nil && failing > 0:
		in.log.Info("intake liveness renewed again", "failed_times", failing)
	}
	if err != nil {
		return failing + 1
	}
	return 0
}

// keeperLoop, every eighth of AliveTTL, claims again the entries this
// process abandoned and takes over the updates of processes that are not
// alive; every other time it also touches the entries in hand here.
func (in *Consumer) keeperLoop(ctx, work context.Context) {
	t := time.NewTicker(in.cfg.AliveTTL / 8)
	defer t.Stop()
	// After a failure it pauses, longer each time (Redis is likely out of
	// reach: calls that fail only delay the client's reconnection).
	var quietUntil time.Time
	pause := time.Second
	for tick := 0; ; tick++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		epoch, _, ok := in.live.current()
		if !ok {
			continue // what is claimed now might not be this process's
		}
		if in.beatFailing.Load() || time.Now().Before(quietUntil) {
			continue
		}
		ok = tick%2 == 0 || in.touch(ctx)
		// A dead process may leave more than one claim takes: claim again
		// at once while claims come back full.
		more := true
		for ok && more && ctx.Err() == nil {
			more, ok = in.take(ctx, work, epoch)
		}
		if ok {
			pause = time.Second
		} else {
			quietUntil, pause = time.Now().Add(pause), min(2*pause, 5*time.Second)
		}
	}
}

// touch resets the idle time of the entries in hand here, so that a
// replica of an older version, which takes over by idle time alone, leaves
// them alone, and marks those another process took over: they are not
// handled here, or their handling is cancelled. It reports whether Redis
// answered.
func (in *Consumer) touch(ctx context.Context) bool {
	in.mu.Lock()
	held := make([]redaktor.QueuedUpdate, 0, len(in.active))
	for _, f := range in.active {
		held = append(held, f.e)
	}
	in.mu.Unlock()
	if len(held) == 0 {
		return true
	}
	lost, err := in.in.TouchOwnUpdates(ctx, in.cfg.Consumer, held)
	if err != nil {
		if ctx.Err() == nil {
			in.log.Warn("touch held updates failed", "n", len(held), "err", err)
		}
		return false
	}
	if len(lost) == 0 {
		return true
	}
	in.mu.Lock()
	cancelled := 0
	for _, id := range lost {
		f := in.active[id]
		if f == nil {
			continue // acknowledged meanwhile
		}
		f.lost = true
		if f.cancel != nil {
			f.cancel(errTakenOver)
			cancelled++
		}
	}
	in.mu.Unlock()
	in.log.Warn("updates in hand here were taken over by another process; they are not handled here",
		"n", len(lost), "cancelled", cancelled)
	return true
}

// take claims what this process can handle now, never more: the slots
// are taken first, so no entry claimed waits unowned by a handler here.
// First come the entries it abandoned (those another process took
// meanwhile are not claimed), then those of processes not alive. It
// reports whether it claimed as many as it had slots for (more may wait),
// and whether Redis answered.
func (in *Consumer) take(ctx, work, epoch context.Context) (more, ok bool) {
	n := in.freeSlots(ctx, in.cfg.AliveTTL/8)
	if n == 0 {
		return false, true
	}
	ok = true
	var entries []redaktor.QueuedUpdate
	if again := in.takeAbandoned(n); len(again) > 0 {
		mine, err := in.in.ClaimOwnUpdates(ctx, in.cfg.Consumer, again)
		if err != nil {
			ok = false
			if ctx.Err() == nil {
				in.log.Warn("claim abandoned updates again failed", "err", err)
			}
			in.mu.Lock()
			for _, e := range again {
				in.abandoned[e.ID] = e
			}
			in.mu.Unlock()
		}
		entries = append(entries, mine...)
	}
	if left := n - len(entries); left > 0 && in.live.mayTakeOver() {
		taken, err := in.in.TakeOverUpdates(ctx, in.cfg.Consumer, in.cfg.AliveTTL, in.cfg.ReclaimIdle, int64(left))
		if err != nil {
			ok = false
			if ctx.Err() == nil {
				in.log.Warn("take over updates failed", "err", err)
			}
		}
		if len(taken) > 0 {
			in.log.Info("took over the updates of a process that is gone", "n", len(taken))
		}
		entries = append(entries, taken...)
	}
	for range n - len(entries) {
		<-in.slots
	}
	for _, e := range entries {
		in.dispatch(ctx, work, epoch, e)
	}
	return len(entries) == n, ok
}

// takeAbandoned takes up to n of the abandoned entries out of their set.
func (in *Consumer) takeAbandoned(n int) []redaktor.QueuedUpdate {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []redaktor.QueuedUpdate
	for id, e := range in.abandoned {
		if len(out) == n {
			break
		}
		out = append(out, e)
		delete(in.abandoned, id)
	}
	return out
}

// freeSlots takes up to Batch free slots: the first waiting up to wait,
// the others only if free now.
func (in *Consumer) freeSlots(ctx context.Context, wait time.Duration) int {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case in.slots <- struct{}{}:
	case <-t.C:
		return 0
	case <-ctx.Done():
		return 0
	}
	n := 1
	for int64(n) < in.cfg.Batch {
		select {
		case in.slots <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}
