package intake

import (
	"context"
	"log/slog"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redaktor/redaktor/bot"
)

// Handler handles one update. An error means the update was not handled:
// one that may pass (Config.Transient) has it handled again after a while
// (and set aside after MaxAttempts); of any other its sender is told.
type Handler interface {
	Handle(ctx context.Context, u tgbotapi.Update) error
}

// Updates is the Bot API's getUpdates (bot.Client).
type Updates interface {
	GetUpdates(offset int64) ([]int64, [][]byte, error)
}

// Lease is a lock with a time to live in Redis (storage.Store): of several
// replicas only the holder of the "poller" lease calls getUpdates.
type Lease interface {
	HoldLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error
}

// PollerLease is the name of the poller's lease.
const PollerLease = "poller"

// PollConfig tunes Poll; zero values are defaults.
type PollConfig struct {
	// Owner names this process in the lease; unique per process.
	Owner string
	// LeaseTTL: a poller that died is replaced this long after its last
	// renewal at most (default 10 s). It is renewed every third of it.
	LeaseTTL time.Duration
	// Notices tells senders when their update cannot be stored (optional).
	Notices Notices
	// Observer counts persisted updates (optional).
	Observer Observer
	// Logger (optional).
	Logger *slog.Logger
}

// Poll fetches updates while this process holds the poller lease and
// persists each batch to the stream before the next getUpdates confirms it
// to Telegram (by its offset): a crash at any point loses nothing, and an
// update fetched twice (a poller died between persisting and confirming)
// is dropped by the stream. Processes without the lease wait and try to
// take it over. When ctx ends the lease is released.
func Poll(ctx context.Context, src Updates, q Persister, lease Lease, cfg PollConfig) error {
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = 10 * time.Second
	}
	if cfg.Owner == "" {
		cfg.Owner = "redaktor"
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	p := &poller{src: src, log: cfg.Logger, q: q, lease: lease, cfg: cfg, told: map[int64]bool{}}
	defer p.release(ctx)
	holding := false
	for ctx.Err() == nil {
		ok, err := lease.HoldLease(ctx, PollerLease, cfg.Owner, cfg.LeaseTTL)
		switch {
		case err != nil && ctx.Err() == nil:
			cfg.Logger.Warn("poller lease: cannot reach Redis", "err", err)
		case ok:
			if !holding {
				cfg.Logger.Info("this process is the poller now", "owner", cfg.Owner)
			}
			holding = true
			p.pollWhileHeld(ctx)
			continue
		default:
			if holding {
				cfg.Logger.Info("another process took over polling")
			}
			holding = false
		}
		if sleepCtx(ctx, cfg.LeaseTTL/3) != nil {
			break
		}
	}
	return nil
}

type poller struct {
	src   Updates
	log   *slog.Logger
	q     Persister
	lease Lease
	cfg   PollConfig
	told  map[int64]bool // updates whose sender was told Redis is down
}

func (p *poller) release(ctx context.Context) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := p.lease.ReleaseLease(rctx, PollerLease, p.cfg.Owner); err != nil {
		p.log.Warn("release poller lease", "err", err)
	}
}

// pollWhileHeld polls until ctx ends or the lease is lost. It starts at
// offset 0, that is with every update Telegram holds unconfirmed: those a
// previous poller persisted and did not confirm are dropped as duplicates.
func (p *poller) pollWhileHeld(ctx context.Context) {
	held, lost := context.WithCancel(ctx)
	defer lost()
	go p.keepLease(held, lost)
	offset := int64(0)
	backoff := time.Second
	for held.Err() == nil {
		ids, payloads, err := p.src.GetUpdates(offset)
		if err != nil {
			if held.Err() != nil {
				return
			}
			p.log.Warn("getUpdates failed", "err", err, "retry_in", backoff.String())
			if sleepCtx(held, backoff) != nil {
				return
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		if !p.persist(held, ids, payloads) {
			return // not confirmed: the next poller fetches them again
		}
		for _, id := range ids {
			offset = max(offset, id+1)
		}
	}
}

// keepLease renews the lease every third of its time to live and ends
// held when another process has it. While Redis is unreachable the poller
// goes on: it cannot persist, so it confirms nothing, but it tells the
// senders that the bot is temporarily unavailable. (Correctness never rests
// on the lease: an update is confirmed only after it is stored, and stored
// once. The lease only keeps replicas from fighting over getUpdates.)
func (p *poller) keepLease(held context.Context, lost context.CancelFunc) {
	t := time.NewTicker(p.cfg.LeaseTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-held.Done():
			return
		case <-t.C:
		}
		ok, err := p.lease.HoldLease(held, PollerLease, p.cfg.Owner, p.cfg.LeaseTTL)
		if err == nil && !ok {
			lost()
			return
		}
		if err != nil && held.Err() == nil {
			p.log.Warn("poller lease: cannot reach Redis", "err", err)
		}
	}
}

// persist stores a batch, retrying while Redis is down; the senders are
// told once that the bot is temporarily unavailable. It returns false when
// ctx ended first.
func (p *poller) persist(ctx context.Context, ids []int64, payloads [][]byte) bool {
	backoff := 200 * time.Millisecond
	for {
		added, err := p.q.AddUpdates(ctx, ids, payloads)
		if err == nil {
			p.cfg.Observer.Persisted("poll", len(ids), added)
			clear(p.told)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		p.log.Warn("cannot store updates; they stay unconfirmed at Telegram", "n", len(ids), "err", err, "retry_in", backoff.String())
		p.tellUnavailable(ctx, ids, payloads)
		if sleepCtx(ctx, backoff) != nil {
			return false
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

func (p *poller) tellUnavailable(ctx context.Context, ids []int64, payloads [][]byte) {
	if p.cfg.Notices == nil {
		return
	}
	for i, id := range ids {
		if p.told[id] {
			continue
		}
		p.told[id] = true
		if u, err := bot.DecodeUpdate(payloads[i]); err == nil {
			p.cfg.Notices.Unavailable(ctx, u)
		}
	}
}
