package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// journal keeps, in the process, the outcomes of sends that happened but
// whose record did not reach Redis (Redis down, a Cluster failing over).
// Telegram has no idempotency key, so the record is the only thing that
// keeps a send from being made again: an outcome is never dropped. Every
// worker drains the journal before it claims new work, so this process
// never takes again what it sent; other processes are kept off by the
// grace the claim scripts give an unrecorded lease (storage.Take,
// storage.BeginPart).
type journal struct {
	log *slog.Logger
	// min and max bound the backoff between two drains that found Redis
	// still away.
	min, max time.Duration
	// attempt bounds one record's round trip.
	attempt time.Duration

	mu      sync.Mutex
	pending map[string]*outcome
	// backoff is how long a worker waits after a drain that failed.
	backoff time.Duration
	// draining serialises drains, so an outcome is recorded by one worker.
	draining sync.Mutex
}

// outcome is one record waiting for Redis.
type outcome struct {
	what   string // for the log: ids only, never content or names
	since  time.Time
	record func(ctx context.Context) error
}

func newJournal(log *slog.Logger) *journal {
	return &journal{log: log, min: 20 * time.Millisecond, max: time.Second, attempt: 2 * time.Second,
		pending: map[string]*outcome{}}
}

// errUnrecorded: outcomes still wait for Redis.
var errUnrecorded = errors.New("outcomes of sends wait for Redis to be recorded")

// keep adds an outcome whose record failed; a later outcome of the same
// key (the same send) replaces it.
func (j *journal) keep(key, what string, record func(ctx context.Context) error, cause error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	since := time.Now()
	if o, ok := j.pending[key]; ok {
		since = o.since
	}
	j.pending[key] = &outcome{what: what, since: since, record: record}
	j.log.Warn("record of a send kept in memory until Redis answers", "send", what, "waiting", len(j.pending), "err", cause)
}

// len is the number of outcomes waiting.
func (j *journal) len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.pending)
}

// drain tries to record the waiting outcomes, and stops at the first that
// fails (Redis is still away); it returns errUnrecorded while some wait.
func (j *journal) drain(ctx context.Context) error {
	if j.len() == 0 {
		return nil
	}
	j.draining.Lock()
	defer j.draining.Unlock()
	j.mu.Lock()
	batch := make(map[string]*outcome, len(j.pending))
	for k, o := range j.pending {
		batch[k] = o
	}
	j.mu.Unlock()
	var last error
	for key, o := range batch {
		if ctx.Err() != nil {
			break
		}
		actx, cancel := context.WithTimeout(ctx, j.attempt)
		err := o.record(actx)
		cancel()
		if err != nil {
			last = err
			break
		}
		j.mu.Lock()
		if j.pending[key] == o {
			delete(j.pending, key)
		}
		j.mu.Unlock()
		j.log.Info("record of a send landed", "send", o.what, "late", time.Since(o.since).Round(time.Millisecond))
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if n := len(j.pending); n > 0 {
		j.backoff = min(max(2*j.backoff, j.min), j.max)
		return fmt.Errorf("%w: %d (%v)", errUnrecorded, n, last)
	}
	j.backoff = 0
	return nil
}

// wait is how long to wait before the next drain: doubling from min to
// max while Redis stays away.
func (j *journal) wait() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return max(j.backoff, j.min)
}

// settle drains until nothing waits, with a capped backoff, or until ctx
// ends; it reports whether nothing waits.
func (j *journal) settle(ctx context.Context) bool {
	for {
		if j.drain(ctx) == nil {
			return true
		}
		if !sleep(ctx, j.wait()) {
			return false
		}
	}
}

// flush is the last drain when the process stops: it tries for at most
// d, then names loudly every send that stays unrecorded (this process's
// memory is the only place that knows it happened: another process may
// send it again after the grace).
func (j *journal) flush(d time.Duration) {
	if j.len() == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if j.settle(ctx) {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, o := range j.pending {
		j.log.Error("STOPPING WITH A SEND NOT RECORDED: it may be sent again after the restart",
			"send", o.what, "since", o.since.UTC().Format(time.RFC3339))
	}
}
