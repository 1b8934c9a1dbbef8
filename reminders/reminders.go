// Package reminders writes to a page's people when nobody asked: chief
// editors are reminded of posts waiting too long for approval, every
// morning at 08:30 the team gets a digest of the day, and an author is
// told when the time they proposed passed without an approval. All of it
// in the page's time zone, and never at night (see hours.go).
//
// It runs in the scheduler's tick (scheduler.Config.Reminders), so it
// shares its clock and its alarm. Several processes may run it at once:
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
	"slices"
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
// time (the scheduler's tick skips while one runs).
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
		} else {
			r.log.Debug("reminders: pages gone through", "minute", minute.UTC().Format(time.RFC3339))
		}
	}
	if err := r.proposals(ctx, now); err != nil {
		errs = append(errs, err)
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

// threshold is the page's choice of working hours, 0 for off.
func (r *Reminders) threshold(ctx context.Context, pageID string) (int, error) {
	hours, set, err := r.store.RemindAfter(ctx, pageID)
	if err != nil || !set {
		return DefaultAfter, err
	}
	return hours, nil
}

// waitingPosts reads the page's posts waiting for approval, with the time
// each began waiting. all is false when there were more than were read.
func (r *Reminders) waitingPosts(ctx context.Context, page redaktor.Page, now time.Time) (ws []Waiting, all bool, err error) {
	pending, err := r.store.PendingPosts(ctx, page.ID, pendingRead)
	if err != nil {
		return nil, false, err
	}
	for _, p := range pending {
		if p.Status != redaktor.StatusPending {
			continue
		}
		since, err := r.since(ctx, p)
		if err != nil {
			return nil, false, err
		}
		ws = append(ws, Waiting{Post: p, Since: since, Passed: !p.ProposedAt.IsZero() && !p.ProposedAt.After(now)})
	}
	slices.SortStableFunc(ws, func(a, b Waiting) int { return a.Since.Compare(b.Since) })
	return ws, len(pending) < pendingRead, nil
}

// since is when a post last went to approval: its last version sent or
// its submission. The post's last change is almost always that; otherwise
// (a reminder of its proposed time came after) the history tells.
func (r *Reminders) since(ctx context.Context, p redaktor.Post) (time.Time, error) {
	if entered(p.Last.Action) {
		return p.Last.At, nil
	}
	hist, err := r.store.History(ctx, p.ID)
	if err != nil {
		return time.Time{}, err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if entered(hist[i].Action) {
			return hist[i].At, nil
		}
	}
	return p.UpdatedAt, nil
}

func entered(a redaktor.Action) bool { return a == redaktor.ActSubmit || a == redaktor.ActNewVersion }

// waiting reminds the chief editors of posts that waited past the page's
// threshold since the last reminder; the message lists every post waiting
// that long, so one look shows the whole backlog.
func (r *Reminders) waiting(ctx context.Context, page redaktor.Page, now time.Time, hours int) error {
	if hours <= 0 {
		return nil
	}
	ws, all, err := r.waitingPosts(ctx, page, now)
	if err != nil || len(ws) == 0 {
		return err
	}
	loc := r.loc(page)
	over := map[string]time.Time{}
	var long []Waiting
	ids := make([]string, 0, len(ws))
	for _, w := range ws {
		ids = append(ids, w.Post.ID)
		if !now.Before(dueAfter(w.Since, hours, loc)) {
			over[w.Post.ID] = w.Since
			long = append(long, w)
		}
	}
	if len(over) == 0 {
		return nil
	}
	claimed, err := r.store.ClaimWaiting(ctx, page.ID, ids, all, over)
	if err != nil || len(claimed) == 0 {
		return err
	}
	r.notify.Waiting(ctx, page, hours, long)
	return nil
}

// digest sends the page's morning digest, once across processes. Taking
// it marks, in the same step, the posts it lists as waiting long as
// reminded and the proposed times that passed overnight as told: the
// morning brings one message, and no reminder or notice of the same
// posts follows it.
func (r *Reminders) digest(ctx context.Context, page redaktor.Page, now, local time.Time, hours int) error {
	ws, _, err := r.waitingPosts(ctx, page, now)
	if err != nil {
		return err
	}
	day := at(local, 0, 0)
	queued, published, err := r.store.DayPosts(ctx, page.ID, day, at(local, 1, 0), dayRead)
	if err != nil {
		return err
	}
	today := slices.Clone(published)
	for _, p := range queued {
		if p.Status == redaktor.StatusScheduled || p.Status == redaktor.StatusPublishing {
			today = append(today, p)
		}
	}
	slices.SortStableFunc(today, func(a, b redaktor.Post) int { return dayTime(a).Compare(dayTime(b)) })
	covered, passed := map[string]time.Time{}, map[string]time.Time{}
	for _, w := range ws {
		if hours > 0 && !now.Before(dueAfter(w.Since, hours, r.loc(page))) {
			covered[w.Post.ID] = w.Since
		}
		if w.Passed && !w.Post.Reminded {
			passed[w.Post.ID] = w.Post.ProposedAt
		}
	}
	ok, told, err := r.store.ClaimDigest(ctx, page.ID, local.Format(time.DateOnly), digestKeep, covered, passed)
	if err != nil || !ok {
		return err
	}
	// The post records what was told, as a notice of its own would.
	for _, id := range told {
		for i, w := range ws {
			if w.Post.ID == id {
				if next, ok, err := r.transition(ctx, w.Post, now); err != nil {
					r.log.Warn("record a passed proposed time told in the digest", "post", id, "err", err)
				} else if ok {
					ws[i].Post = next
				}
			}
		}
	}
	if len(today) == 0 && len(ws) == 0 {
		return nil
	}
	r.notify.Digest(ctx, page, Digest{Day: day, Today: today, Waiting: ws})
	return nil
}

// dayTime is when a post of the day goes out or went out.
func dayTime(p redaktor.Post) time.Time {
	if p.Status == redaktor.StatusPublished {
		return p.PublishedAt
	}
	return p.PublishAt
}

// transition records on the post that its passed proposed time was told
// (ActRemind, which takes it out of the index of proposed times). ok is
// false when the post changed meanwhile (approved, or recorded by
// another process).
func (r *Reminders) transition(ctx context.Context, p redaktor.Post, now time.Time) (redaktor.Post, bool, error) {
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActRemind, Actor: redaktor.System}, now)
	if err != nil {
		return p, false, nil // no longer waiting: nothing to record
	}
	if err := r.store.SavePost(ctx, p, next, ev); err != nil {
		if errors.Is(err, redaktor.ErrConflict) || errors.Is(err, redaktor.ErrNotFound) {
			return p, false, nil
		}
		return p, false, err
	}
	return next, true, nil
}

// markReminded records on the post that its passed proposed time is
// told, then takes the telling. The claim is needed besides the post's
// compare-and-set: two processes making the same change at the same
// moment both see that succeed (a repeat of an applied change is taken as
// applied); and a morning digest that told it holds the claim already.
// A crash between the two loses the message; it is never sent twice.
func (r *Reminders) markReminded(ctx context.Context, p redaktor.Post, now time.Time) (redaktor.Post, bool, error) {
	next, ok, err := r.transition(ctx, p, now)
	if err != nil || !ok {
		return p, false, err
	}
	mine, err := r.store.ClaimTold(ctx, p.ID, p.ProposedAt)
	if err != nil || !mine {
		return p, false, err
	}
	return next, true, nil
}

// proposals tells of posts whose proposed time passed while they wait for
// approval. One that passed at night is put off to the page's morning;
// one that passed before the morning digest waits a minute for it.
func (r *Reminders) proposals(ctx context.Context, now time.Time) error {
	ids, due, err := r.store.DueProposals(ctx, now, 100)
	if err != nil {
		return err
	}
	pages := map[string]redaktor.Page{}
	var errs []error
	for i, id := range ids {
		if err := r.proposal(ctx, id, due[i], now, pages); err != nil {
			errs = append(errs, fmt.Errorf("post %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

func (r *Reminders) proposal(ctx context.Context, id string, due, now time.Time, pages map[string]redaktor.Page) error {
	post, err := r.store.Post(ctx, id)
	if err != nil {
		return err
	}
	page, ok := pages[post.PageID]
	if !ok {
		if page, err = r.store.Page(ctx, post.PageID); err != nil {
			return err
		}
		pages[post.PageID] = page
	}
	if page.Archived {
		_, _, err := r.markReminded(ctx, post, now) // nobody is told on an archived page
		return err
	}
	local := now.In(r.loc(page))
	if !awake(local) {
		return r.store.HoldProposal(ctx, id, due, nextWake(local))
	}
	if clock(local) < digestUntil {
		done, err := r.store.DigestDone(ctx, page.ID, local.Format(time.DateOnly))
		if err != nil {
			return err
		}
		if !done {
			return r.store.HoldProposal(ctx, id, due, now.Add(time.Minute))
		}
	}
	next, ok, err := r.markReminded(ctx, post, now)
	if err != nil || !ok {
		return err
	}
	r.notify.ProposalPassed(ctx, page, next)
	return nil
}
