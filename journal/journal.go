// Package journal keeps, in the process, the outcomes of sends whose
// records Redis did not take yet: the scheduler's channel posts and the
// broadcasts' messages share it.
package journal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Journal keeps, in the process, the outcomes of sends that happened but
// whose record did not reach Redis (Redis down, a Cluster failing over).
// Telegram has no idempotency key, so the record is the only thing that
// keeps a send from being made again: an outcome is never dropped. Every
// worker drains the journal before it claims new work, so this process
// never takes again what it sent; other processes are kept off by the
// grace the claim scripts give an unrecorded lease (storage.Take,
// storage.BeginPart).
type Journal struct {
	log *slog.Logger
	// min and max bound the backoff between two drains that found Redis
	// still away.
	min, max time.Duration

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

// Attempt bounds one record's round trip.
const Attempt = 2 * time.Second

// New makes an empty journal.
func New(log *slog.Logger) *Journal {
	return &Journal{log: log, min: 20 * time.Millisecond, max: time.Second, pending: map[string]*outcome{}}
}

// ErrUnrecorded: outcomes still wait for Redis.
var ErrUnrecorded = errors.New("outcomes of sends wait for Redis to be recorded")

// Keep adds an outcome whose record failed; a later outcome of the same
// key (the same send) replaces it.
func (j *Journal) Keep(key, what string, record func(ctx context.Context) error, cause error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	since := time.Now()
	if o, ok := j.pending[key]; ok {
		since = o.since
	}
	j.pending[key] = &outcome{what: what, since: since, record: record}
	j.log.Warn("record of a send kept in memory until Redis answers", "send", what, "waiting", len(j.pending), "err", cause)
}

// Len is the number of outcomes waiting.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.pending)
}

// Drain tries to record the waiting outcomes, and stops at the first that
// fails (Redis is still away); it returns ErrUnrecorded while some wait.
func (j *Journal) Drain(ctx context.Context) error {
	if j.Len() == 0 {
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
		actx, cancel := context.WithTimeout(ctx, Attempt)
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
		return fmt.Errorf("%w: %d (%v)", ErrUnrecorded, n, last)
	}
	j.backoff = 0
	return nil
}

// Wait is how long to wait before the next drain: doubling from min to
// max while Redis stays away.
func (j *Journal) Wait() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	return max(j.backoff, j.min)
}

// settle drains until nothing waits, with a capped backoff, or until ctx
// ends; it reports whether nothing waits.
func (j *Journal) settle(ctx context.Context) bool {
	for {
		if j.Drain(ctx) == nil {
			return true
		}
		if !sleep(ctx, j.Wait()) {
			return false
		}
	}
}

// Flush is the last drain when the process stops: it tries for at most
// d, then names loudly every send that stays unrecorded (this process's
// memory is the only place that knows it happened: another process may
// send it again after the grace).
func (j *Journal) Flush(d time.Duration) {
	if j.Len() == 0 {
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

// Retry tries record again with the journal's capped backoff until it
// lands or ctx ends, and returns the last try's error: for a record the
// caller may still wait for (it holds what the record protects) before
// it keeps it in the journal.
func (j *Journal) Retry(ctx context.Context, record func(ctx context.Context) error) error {
	err := ctx.Err()
	for wait := j.min; sleep(ctx, wait); wait = min(2*wait, j.max) {
		actx, cancel := context.WithTimeout(ctx, Attempt)
		err = record(actx)
		cancel()
		if err == nil {
			return nil
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// sleep waits d or until ctx ends; it reports whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
