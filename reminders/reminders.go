// Package reminders writes to a page's people when nobody asked: chief
// editors are reminded of posts waiting too long for approval, every
// working morning at 08:30 the team gets a digest of the day (at the
// weekend only if something is published that day), and an author is
// told when the time they proposed passed without an approval. All of it
// in the page's time zone, and never at night (see hours.go).
//
// It runs in a loop of its own (Run), on the scheduler's clock but not in
// its tick: a slow pass over many pages at 08:30 never holds up the posts
// due then, nor shares their time limit. Several processes may run it at once:
// each message is claimed in Redis before it is sent (the digest of a page
// and day, a post's reminder per time it began waiting, a post's passed
// proposed time), so exactly one process sends it. A process that dies
// between the claim and the send loses that one message; it is never sent
// twice.
package reminders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redaktor/redaktor"
)

// DefaultAfter is how many working hours a post may wait for approval
// before the chief editors are reminded, until the page chooses.
const DefaultAfter = 4

// MaxAfter is the most a page may choose: a working week.
const MaxAfter = 50

// Store is what the reminders read and claim in Redis (storage.Store).
type Store interface {
	PagesAfter(ctx context.Context, after int64, limit int) ([]redaktor.Page, int64, error)
	RemindAfter(ctx context.Context, pageID string) (hours int, set bool, err error)
	DigestDone(ctx context.Context, pageID, day string) (bool, error)
	PassDone(ctx context.Context, minute time.Time) error
	ClaimDigest(ctx context.Context, pageID, day string, keep time.Duration, covered, passed map[string]time.Time) (ok bool, told []string, err error)
	ClaimWaiting(ctx context.Context, pageID string, waiting []string, all bool, over map[string]time.Time) ([]string, error)
	PendingPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error)
	DayPosts(ctx context.Context, pageID string, from, to time.Time, limit int64) (queued, published []redaktor.Post, err error)
	History(ctx context.Context, postID string) ([]redaktor.Event, error)
	DueProposals(ctx context.Context, now time.Time, limit int64) ([]string, []time.Time, error)
	HoldProposal(ctx context.Context, postID string, was, until time.Time) error
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	Page(ctx context.Context, pageID string) (redaktor.Page, error)
	SavePost(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error
	ClaimTold(ctx context.Context, postID string, proposed time.Time) (bool, error)
}

// Waiting is a post waiting for approval.
type Waiting struct {
	Post  redaktor.Post
	Since time.Time // when it was sent for approval (its last version)
	// Passed: its proposed time has passed.
	Passed bool
}

// Digest is what a page's morning digest tells.
type Digest struct {
	Day time.Time // the page's midnight
	// Today are the posts published today or to be, in time order.
	Today []redaktor.Post
	// Waiting are the posts waiting for approval, longest first.
	Waiting []Waiting
}

// Notifier writes the messages (handlers.Reminders).
type Notifier interface {
	// Waiting reminds the chief editors of posts waiting longer than
	// hours working hours.
	Waiting(ctx context.Context, page redaktor.Page, hours int, posts []Waiting)
	// ProposalPassed tells the chief editors and the author that the
	// post's proposed time passed without an approval.
	ProposalPassed(ctx context.Context, page redaktor.Page, post redaktor.Post)
	// Digest sends the morning digest: the chief editors all of it, the
	// moderators their own posts; nobody is sent an empty one.
	Digest(ctx context.Context, page redaktor.Page, d Digest)
}

// Config tunes the reminders; zero values are the defaults.
type Config struct {
	// Location is the time zone of a page that names none (or one this
	// machine does not know).
	Location *time.Location
	// Batch is how many pages are read at once (200).
	Batch int
}

const (
	// pendingRead is how many waiting posts of a page are looked at; a
	// page with more has bigger trouble than a reminder can mend.
	pendingRead = 50
	// dayRead bounds the posts of one day a digest lists.
	dayRead = 50
	// digestKeep is how long the mark of a day's digest is kept.
	digestKeep = 48 * time.Hour
)

// Reminders is the loop's state. Tick is called from one goroutine at a
// time (Run's).
type Reminders struct {
	store  Store
	notify Notifier
	now    func() time.Time
	log    *slog.Logger
	cfg    Config

	mu    sync.Mutex
	last  time.Time // the minute the pages were last gone through
	zones map[string]*time.Location
}

// New builds the reminders.
func New(store Store, notify Notifier, now func() time.Time, log *slog.Logger, cfg Config) *Reminders {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 200
	}
	return &Reminders{store: store, notify: notify, now: now, log: log, cfg: cfg, zones: map[string]*time.Location{}}
}

// Run goes through the reminders every interval until ctx ends. A pass
// under way when ctx ends finishes (cutting it between a claim and its
// send would lose that message), bounded by budget like every pass; a
// panic on one odd page is logged and the next pass goes on.
func (r *Reminders) Run(ctx context.Context, interval, budget time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.pass(ctx, budget); err != nil {
			r.log.Warn("reminders", "err", err)
		}
	}
}

func (r *Reminders) pass(ctx context.Context, budget time.Duration) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reminders panicked: %v", p)
		}
	}()
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	return r.Tick(work)
}

// Tick goes through the pages once a minute (digests, waiting posts) and
// through the passed proposed times on every call: that read starts at
// the low end of a sorted set, and costs one command when nothing is due.
func (r *Reminders) Tick(ctx context.Context) error {
	now := r.now()
	var errs []error
	minute := now.Truncate(time.Minute)
	r.mu.Lock()
	fresh := !minute.Equal(r.last)
	r.mu.Unlock()
	if fresh {
		// A page that failed is tried again next minute, not every second:
		// its failure is logged, and what was sent is marked in Redis.
		r.mu.Lock()
		r.last = minute
		r.mu.Unlock()
		if err := r.pages(ctx, now); err != nil {
			errs = append(errs, err)
			fresh = false
		}
	}
	if err := r.proposals(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if fresh {
		// Counted after the passed proposed times too: once it is, all the
		// reminders of this minute have been handed to Telegram.
		if err := r.store.PassDone(ctx, minute); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (r *Reminders) loc(page redaktor.Page) *time.Location {
	r.mu.Lock()
	defer r.mu.Unlock()
	if loc, ok := r.zones[page.TimeZone]; ok {
		return loc
	}
	loc := page.Location(r.cfg.Location)
	r.zones[page.TimeZone] = loc
	return loc
}

// pages walks every page in batches; one page's failure is logged and the
// others go on.
func (r *Reminders) pages(ctx context.Context, now time.Time) error {
	var after int64
	failed := 0
	for {
		pages, next, err := r.store.PagesAfter(ctx, after, r.cfg.Batch)
		if err != nil {
			return err
		}
		for _, page := range pages {
			if err := r.page(ctx, page, now); err != nil {
				failed++
				r.log.Warn("reminders of a page", "page", page.ID, "err", err)
			}
		}
		if next == 0 || ctx.Err() != nil {
			break
		}
		after = next
	}
	if failed > 0 {
		return fmt.Errorf("reminders of %d pages failed", failed)
	}
	return ctx.Err()
}

// page does a page's minute: its morning digest, or its reminders.
func (r *Reminders) page(ctx context.Context, page redaktor.Page, now time.Time) error {
	if page.Archived {
		return nil
	}
	local := now.In(r.loc(page))
	if !awake(local) {
		return nil
	}
	day := local.Format(time.DateOnly)
	done, err := r.store.DigestDone(ctx, page.ID, day)
	if err != nil {
		return err
	}
	hours, err := r.threshold(ctx, page.ID)
	if err != nil {
		return err
	}
	if !done && clock(local) < digestUntil {
		return r.digest(ctx, page, now, local, hours)
	}
	return r.waiting(ctx, page, now, hours)
}
