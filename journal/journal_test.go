package journal_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/redaktor/redaktor/journal"
)

// redis stands in for the records' store: away or answering.
type redis struct {
	mu     sync.Mutex
	away   bool
	landed []string
}

var errAway = errors.New("redis: connection refused")

func (r *redis) record(what string) func(context.Context) error {
	return func(context.Context) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.away {
			return errAway
		}
		r.landed = append(r.landed, what)
		return nil
	}
}

func (r *redis) setAway(away bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.away = away
}

// An outcome kept while Redis is away is never dropped: draining reports
// it waits until Redis takes it, a later outcome of the same send replaces
// it, and once recorded it is gone from the journal and recorded once.
func TestOutcomesWaitUntilRedisTakesThem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := &redis{away: true}
	j := journal.New(slog.New(slog.DiscardHandler))
	j.Keep("bc:1:100", "post 1 to 100: later", r.record("1→100 later"), errAway)
	j.Keep("bc:1:100", "post 1 to 100: ok", r.record("1→100 ok"), errAway)
	j.Keep("bc:1:200", "post 1 to 200: ok", r.record("1→200 ok"), errAway)
	if j.Len() != 2 {
		t.Fatalf("%d outcomes wait, want 2 (the same send's kept once)", j.Len())
	}
	if err := j.Drain(ctx); !errors.Is(err, journal.ErrUnrecorded) {
		t.Fatalf("drain while Redis is away: %v, want ErrUnrecorded", err)
	}
	if j.Len() != 2 {
		t.Fatalf("%d outcomes wait after a failed drain, want 2", j.Len())
	}
	r.setAway(false)
	if err := j.Drain(ctx); err != nil || j.Len() != 0 {
		t.Fatalf("drain with Redis back: %v, %d still waiting", err, j.Len())
	}
	if err := j.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, w := range r.landed {
		got[w]++
	}
	if len(r.landed) != 2 || got["1→100 ok"] != 1 || got["1→200 ok"] != 1 {
		t.Fatalf("recorded %v, want the latest outcome of each send once", r.landed)
	}
}

// Retry lands a record once Redis answers, and gives up with the last
// error when its context ends first.
func TestRetryUntilTheRecordLandsOrTimeIsUp(t *testing.T) {
	t.Parallel()
	j := journal.New(slog.New(slog.DiscardHandler))
	r := &redis{}
	if err := j.Retry(context.Background(), r.record("part 0")); err != nil || len(r.landed) != 1 {
		t.Fatalf("retry with Redis up: %v, recorded %v", err, r.landed)
	}
	r.setAway(true)
	ctx, cancel := context.WithCancel(context.Background())
	tries := 0
	err := j.Retry(ctx, func(ctx context.Context) error {
		if tries++; tries == 3 {
			cancel() // the tick's budget ends while Redis is still away
		}
		return r.record("part 1")(ctx)
	})
	if !errors.Is(err, errAway) || tries != 3 {
		t.Fatalf("retry until the budget ends: %v after %d tries, want the store's error after 3", err, tries)
	}
}
