// Package scheduler publishes approved posts at their time. robfig/cron is
// only the alarm clock that ticks every second; the truth is the due set in
// Redis, so a tick publishes whatever is overdue, including posts that fell
// due while the bot was down.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/journal"
)

// Queue is what the scheduler needs of storage.
type Queue interface {
	ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]string, error)
	Unlease(ctx context.Context, postID string) error
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	SavePost(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error
	Page(ctx context.Context, pageID string) (redaktor.Page, error)
	Delivery(ctx context.Context, postID string, chatID int64) (redaktor.Delivery, error)
	BeginPart(ctx context.Context, postID string, chatID int64, part int, now time.Time, grace time.Duration) (redaktor.PartStart, error)
	AbortPart(ctx context.Context, postID string, chatID int64, part int, mark string) error
	EndPart(ctx context.Context, postID string, chatID int64, part int, messageIDs []int) error
	OwnsChannel(ctx context.Context, pageID string, channelID int64) (bool, error)
	Requeue(ctx context.Context, postID string, at time.Time) error
}

// Sender sends one rendered part of a post.
type Sender interface {
	SendPart(ctx context.Context, p bot.Part) ([]int, error)
}

// Notifier tells people what happened to their posts.
type Notifier interface {
	Published(ctx context.Context, post redaktor.Post, page redaktor.Page)
	Failed(ctx context.Context, post redaktor.Post, page redaktor.Page)
}

// Announcer sends a post just published to the channel to the page's
// subscribers (broadcast.Broadcaster implements it).
type Announcer interface {
	Announce(ctx context.Context, post redaktor.Post, page redaktor.Page, messageIDs []int) error
}

// Config tunes the scheduler.
type Config struct {
	// Lease is how long a claimed post is held before another replica may
	// take it over (its holder is presumed dead).
	Lease time.Duration
	// LateAfter: a post published later than this after its time is
	// reported as late.
	LateAfter time.Duration
	// MaxAttempts of temporary failures before the post is marked failed.
	MaxAttempts int
	// Batch is how many due posts one claim takes.
	Batch int
	// Workers is how many channels are published to at once (16); posts
	// of one channel go one after another, in due order.
	Workers int
	// TickBudget bounds one tick, and so how long a stop waits for it.
	TickBudget time.Duration
	// Grace: a part whose sender never recorded the outcome is sent again
	// only this long after another claimer first met it (1 min), so a
	// holder alive but cut off from Redis can land its record first.
	Grace time.Duration
	// Flush bounds the last try, at stop, to record sends whose records
	// wait for Redis (10 s).
	Flush time.Duration
}

// Scheduler publishes due posts.
type Scheduler struct {
	q      Queue
	send   Sender
	notify Notifier
	now    func() time.Time
	log    *slog.Logger
	cfg    Config
	// announce starts the broadcast to subscribers; nil: channel only.
	announce Announcer
	// journal holds the records of sends Redis did not take yet.
	journal *journal.Journal
}

// New builds a scheduler that publishes through send, tells people through
// notify, and hands every publication to announce for the page's
// subscribers (nil: to the channel only).
func New(q Queue, send Sender, notify Notifier, announce Announcer, now func() time.Time, log *slog.Logger, cfg Config) *Scheduler {
	if cfg.Lease == 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.LateAfter == 0 {
		cfg.LateAfter = time.Minute
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Batch == 0 {
		cfg.Batch = 20
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 16
	}
	if cfg.TickBudget == 0 {
		cfg.TickBudget = 20 * time.Second
	}
	if cfg.Grace == 0 {
		cfg.Grace = time.Minute
	}
	if cfg.Flush == 0 {
		cfg.Flush = 10 * time.Second
	}
	return &Scheduler{q: q, send: send, notify: notify, announce: announce, now: now, log: log, cfg: cfg, journal: journal.New(log)}
}

// Run ticks every second until ctx ends, then waits for a tick in progress.
// cron.Recover turns a panic into a log line; SkipIfStillRunning (inside
// Recover, so a panic still releases it) keeps ticks from piling up.
func (s *Scheduler) Run(ctx context.Context) error {
	logger := cronLogger{s.log}
	c := cron.New(cron.WithSeconds(), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	if _, err := c.AddFunc("* * * * * *", func() {
		if ctx.Err() != nil {
			return
		}
		// A tick under way when the bot is told to stop finishes its work:
		// cutting it between a send and its delivery record would make the
		// next start send that part again. It is bounded by TickBudget.
		// Stopping only ends the starting of new publications.
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.TickBudget)
		defer cancel()
		if err := s.tick(work, ctx.Done()); err != nil {
			s.log.Warn("scheduler tick", "err", err)
		}
	}); err != nil {
		return fmt.Errorf("schedule tick: %w", err)
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	s.journal.Flush(s.cfg.Flush)
	return nil
}

// Tick does one round of due posts (the reminders have their own loop). Tests call it with a fixed
// clock instead of waiting for cron. Albums are assembled elsewhere
// (handlers.Desk.RunAlbums), so they never delay a publication.
func (s *Scheduler) Tick(ctx context.Context) error { return s.tick(ctx, nil) }

// tick is Tick that begins no new publication once stop is closed.
func (s *Scheduler) tick(ctx context.Context, stop <-chan struct{}) error {
	if err := s.publishDue(ctx, stop); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// publishSafely publishes one claimed post in a lane's goroutine, where
// cron's Recover does not reach: a panic on one odd post is logged and the
// post stays leased, to be tried again when its lease runs out, instead of
// ending the process and every page with it.
func (s *Scheduler) publishSafely(ctx context.Context, id string) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("publish panicked", "post", id, "panic", fmt.Sprint(r))
		}
	}()
	if err := s.publish(ctx, id); err != nil {
		s.log.Error("publish", "post", id, "err", err)
	}
}

// publishDue claims due posts in batches and publishes them in lanes, one
// per channel, up to Workers at once. It claims again as soon as every lane
// holding posts runs (so a worker would otherwise idle) and few claimed
// posts wait, so the leases it holds stay close to what it can publish.
// Posts still waiting when the budget ends or the bot stops are put back.
func (s *Scheduler) publishDue(ctx context.Context, stop <-chan struct{}) error {
	ls := newLanes(ctx, stop, s.cfg.Workers, s.publishSafely, s.release)
	err := s.claimInto(ctx, ls)
	ls.wait()
	if err == nil && ls.stopping() {
		err = ctx.Err()
	}
	return err
}

// claimInto feeds the lanes until nothing more is due, or no publication
// may begin any more.
func (s *Scheduler) claimInto(ctx context.Context, ls *lanes) error {
	for ls.ready(s.cfg.Batch + s.cfg.Workers) {
		// Records that wait for Redis go first: until they land, a claim
		// could hand this process a post it has sent part of.
		if err := s.journal.Drain(ctx); err != nil {
			return err
		}
		ids, err := s.q.ClaimDue(ctx, s.now(), s.cfg.Lease, s.cfg.Batch)
		if err != nil {
			return err
		}
		for _, id := range ids {
			ls.add(s.laneOf(ctx, id))
		}
		if len(ids) < s.cfg.Batch {
			return nil
		}
	}
	return nil
}

// laneOf reads which lane a claimed post goes to: its page's, which is its
// channel's. A post that cannot be read gets a lane of its own; publish
// reads it again and decides.
func (s *Scheduler) laneOf(ctx context.Context, id string) (string, claimed) {
	post, err := s.q.Post(ctx, id)
	if err != nil {
		return "post:" + id, claimed{id: id, due: s.now()}
	}
	return "page:" + post.PageID, claimed{id: id, due: post.DueAt()}
}

// release puts a claimed post not begun back in the due set at its due
// time, so the next claim (here or in another replica) takes it in its
// place instead of waiting for the lease to run out. Should Redis not
// answer, the lease running out does the same later.
func (s *Scheduler) release(id string, due time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), journal.Attempt)
	defer cancel()
	if err := s.q.Requeue(ctx, id, due); err != nil {
		s.log.Warn("put back a claimed post", "post", id, "err", err)
	}
}

// publish sends one claimed post to its channel. Each part is recorded
// before and after its send, so after a crash the publication resumes with
// the parts not yet recorded as sent.
func (s *Scheduler) publish(ctx context.Context, id string) error {
	post, err := s.q.Post(ctx, id)
	if err != nil {
		if errors.Is(err, redaktor.ErrNotFound) {
			return s.q.Unlease(ctx, id)
		}
		return err
	}
	if post.Status != redaktor.StatusScheduled && post.Status != redaktor.StatusPublishing {
		return s.q.Unlease(ctx, id) // cancelled or done meanwhile
	}
	page, err := s.q.Page(ctx, post.PageID)
	if err != nil {
		return err
	}
	post, ok, err := s.transition(ctx, post, redaktor.Change{Action: redaktor.ActClaim, Actor: redaktor.System})
	if err != nil || !ok {
		if !ok && err == nil {
			return s.q.Unlease(ctx, id)
		}
		return err
	}
	if page.Archived {
		// Nothing of an archived page is published; the chief editors see
		// why and retry the post after the page is restored.
		return s.fail(ctx, post, page, redaktor.Failed(redaktor.FailureArchived, ""))
	}
	if !page.HasChannel() {
		return s.fail(ctx, post, page, redaktor.Failed(redaktor.FailureNoChannel, ""))
	}
	// Defence in depth: a page posts only to a channel linked to it.
	if owns, err := s.q.OwnsChannel(ctx, page.ID, page.ChannelID); err != nil {
		return s.retryLater(ctx, post, err)
	} else if !owns {
		return s.fail(ctx, post, page, redaktor.Failed(redaktor.FailureChannelNotLinked, ""))
	}
	parts, err := bot.Parts(page.ChannelID, post.Content)
	if err != nil {
		return s.fail(ctx, post, page, redaktor.Failed(redaktor.FailureContent, err.Error()))
	}
	done, err := s.q.Delivery(ctx, post.ID, page.ChannelID)
	if err != nil {
		return err
	}
	var msgIDs []int
	for i, part := range parts {
		if ids, ok := done.Sent[i]; ok {
			msgIDs = append(msgIDs, ids...)
			continue
		}
		start, err := s.q.BeginPart(ctx, post.ID, page.ChannelID, i, s.now(), s.cfg.Grace)
		if err != nil {
			return s.retryLater(ctx, post, err)
		}
		switch {
		case start.Wait > 0:
			// Another holder's send of this part is unaccounted for: come
			// back when its grace is over (not an attempt of ours).
			s.log.Warn("part of a post in flight elsewhere, waiting for its record", "post", post.ID, "part", i, "wait", start.Wait)
			return s.q.Requeue(ctx, post.ID, s.now().Add(start.Wait))
		case !start.Send:
			msgIDs = append(msgIDs, start.Sent...)
			continue
		case start.Resend:
			s.log.Warn("part of a post sent again: its sender never recorded it (possible duplicate)", "post", post.ID, "part", i)
		}
		ids, err := s.send.SendPart(ctx, part)
		if err != nil {
			// Cleared even when the tick's time is up: this sender knows the
			// part was not delivered (or knows no more than anybody).
			actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journal.Attempt)
			if err := s.q.AbortPart(actx, post.ID, page.ChannelID, i, start.Mark); err != nil {
				s.log.Warn("clear part mark", "post", post.ID, "part", i, "err", err)
			}
			cancel()
			if bot.Permanent(err) {
				return s.fail(ctx, post, page, redaktor.Failed(redaktor.FailureRefused, bot.Description(err)))
			}
			return s.retryLater(ctx, post, err)
		}
		if err := s.recordPart(ctx, post.ID, page.ChannelID, i, ids); err != nil {
			return err
		}
		msgIDs = append(msgIDs, ids...)
	}
	if s.announce != nil {
		// Before the publication is recorded: a crash in between repeats the
		// announcement, which is idempotent, rather than losing it.
		if err := s.announce.Announce(ctx, post, page, msgIDs); err != nil {
			return s.retryLater(ctx, post, fmt.Errorf("start broadcast: %w", err))
		}
	}
	late := s.now().Sub(post.PublishAt) > s.cfg.LateAfter
	post, ok, err = s.transition(ctx, post, redaktor.Change{Action: redaktor.ActPublished, Actor: redaktor.System, MessageIDs: msgIDs, Channel: page.ChannelID, Late: late})
	if err != nil {
		// Every part is recorded: the next claim finishes the publication
		// without sending. Make it due now rather than at the lease's end.
		s.journal.Keep("requeue:"+post.ID, "post "+post.ID+" to finish", func(ctx context.Context) error {
			return s.q.Requeue(ctx, post.ID, s.now())
		}, err)
		return err
	}
	if !ok {
		return nil
	}
	s.notify.Published(ctx, post, page)
	return nil
}

// recordPart records a part sent to the channel. A send known to have
// happened must not be made again, so a failed record is retried with a
// capped backoff while the tick lasts (the tick holds the post's lease,
// and this lane begins nothing else meanwhile); after that it waits in the
// journal, which every claim is preceded by draining, and once it lands the post is
// made due again to finish the publication.
func (s *Scheduler) recordPart(ctx context.Context, postID string, chatID int64, part int, ids []int) error {
	record := func(ctx context.Context) error { return s.q.EndPart(ctx, postID, chatID, part, ids) }
	err := record(ctx)
	if err == nil {
		return nil
	}
	s.log.Warn("record of a channel post failed, retrying", "post", postID, "part", part, "err", err)
	if err = s.journal.Retry(ctx, record); err == nil {
		s.log.Info("record of a channel post landed", "post", postID, "part", part)
		return nil
	}
	what := fmt.Sprintf("post %s part %d in chat %d", postID, part, chatID)
	s.journal.Keep(fmt.Sprintf("part:%s:%d:%d", postID, chatID, part), what, func(ctx context.Context) error {
		if err := record(ctx); err != nil {
			return err
		}
		return s.q.Requeue(ctx, postID, s.now())
	}, err)
	return fmt.Errorf("record part %d of post %s: %w", part, postID, err)
}

// fail marks the post failed for reason (a code the desk shows in the
// reader's language) and tells the page's chief editors.
func (s *Scheduler) fail(ctx context.Context, post redaktor.Post, page redaktor.Page, reason redaktor.FailureReason) error {
	post, ok, err := s.transition(ctx, post, redaktor.Change{Action: redaktor.ActFail, Actor: redaktor.System, Failure: reason})
	if err != nil || !ok {
		return err
	}
	s.notify.Failed(ctx, post, page)
	return nil
}

// retryLater puts the post back in the queue with exponential backoff, or
// marks it failed when the attempts are used up.
func (s *Scheduler) retryLater(ctx context.Context, post redaktor.Post, cause error) error {
	if post.Attempts+1 >= s.cfg.MaxAttempts {
		page, err := s.q.Page(ctx, post.PageID)
		if err != nil {
			return err
		}
		return s.fail(ctx, post, page, redaktor.Failed(redaktor.FailureTemporary, bot.Description(cause)))
	}
	wait := time.Duration(1<<post.Attempts) * 5 * time.Second
	_, _, err := s.transition(ctx, post, redaktor.Change{Action: redaktor.ActDefer, Actor: redaktor.System,
		At: s.now().Add(wait), Failure: redaktor.Failed(redaktor.FailureTemporary, bot.Description(cause))})
	if err != nil {
		return err
	}
	return fmt.Errorf("post %s deferred %s: %w", post.ID, wait, cause)
}

// transition applies a system change; ok is false when the post moved on
// meanwhile (a chief editor cancelled it, another replica finished it).
func (s *Scheduler) transition(ctx context.Context, post redaktor.Post, c redaktor.Change) (redaktor.Post, bool, error) {
	next, ev, err := redaktor.Apply(post, c, s.now())
	if err != nil {
		if errors.Is(err, redaktor.ErrConflict) {
			return post, false, nil
		}
		return post, false, err
	}
	if err := s.q.SavePost(ctx, post, next, ev); err != nil {
		if errors.Is(err, redaktor.ErrConflict) {
			return post, false, nil
		}
		return post, false, err
	}
	return next, true, nil
}

// cronLogger sends cron's messages to slog.
type cronLogger struct{ l *slog.Logger }

// Info is dropped: cron reports every wake-up, once a second.
func (c cronLogger) Info(string, ...any) {}
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
