package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/storage"
)

// The runner carries an edit or a removal of a published post to the
// channel and then to every subscriber who got the post, streaming over
// them in batches (memory does not grow with their number), each send
// paced by the bot's client. Progress is recorded in Redis step by step,
// so a job cut off (a crash, Telegram away) is taken up again where it
// stopped and nothing is done twice: the channel's outcome is recorded
// once, each subscriber once. A forward (the page shows which channel a
// post comes from) cannot be edited: it is deleted and the edited channel
// post forwarded again, without a notification.

// afterpubTelegram is what the runner needs of the Bot API (bot.Client).
type afterpubTelegram interface {
	EditBody(ctx context.Context, chatID int64, messageID int, caption bool, text string, entities []redaktor.Entity, kb bot.Keyboard) error
	ForwardSilently(ctx context.Context, chatID, fromChat int64, messageIDs ...int) ([]int, error)
	DeleteGone(ctx context.Context, chatID int64, messageID int) error
}

// afterpubJobs is the jobs' record (storage/afterpub.go).
type afterpubJobs interface {
	ClaimAfterPub(ctx context.Context, now time.Time, lease time.Duration) (string, redaktor.AfterPubJob, bool, error)
	RenewAfterPub(ctx context.Context, postID string, until time.Time) error
	AfterPubProgress(ctx context.Context, postID string) (redaktor.AfterPubProgress, error)
	SetAfterPubChannel(ctx context.Context, postID string, rev int64, ok bool) error
	StartAfterPubSubscribers(ctx context.Context, postID string, rev int64) (uint64, error)
	SetAfterPubCursor(ctx context.Context, postID string, rev int64, cursor uint64) error
	SubscriberCopies(ctx context.Context, postID, pageID string, cursor uint64, count int64) ([]redaktor.SubscriberCopy, uint64, error)
	RecordAfterPub(ctx context.Context, postID string, rev int64, userID int64, ok bool, newIDs []int, gone bool) error
	FinishAfterPub(ctx context.Context, postID string, rev int64) error
	Broadcast(ctx context.Context, postID string) (redaktor.Broadcast, error)
}

// errBroadcastRunning: the post is still being sent to subscribers.
var errBroadcastRunning = errors.New("the broadcast of the post is still running")

const (
	afterpubLease = time.Minute // a job whose runner died is taken up after this
	afterpubBatch = 64          // subscribers read at once
)

// Run carries out the jobs until ctx ends: at once when kicked, and every
// interval for jobs left by a process that died or put off.
func (a *AfterPub) Run(ctx context.Context, interval time.Duration) {
	if a.tg == nil {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for a.runOne(ctx) {
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.kick:
		}
	}
}

// runOne runs the next job; it reports whether there was one.
func (a *AfterPub) runOne(ctx context.Context) bool {
	postID, job, ok, err := a.store.ClaimAfterPub(ctx, a.now(), afterpubLease)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("claim an after-publication job", "err", err)
		}
		return false
	}
	if !ok {
		return false
	}
	err = a.runJob(ctx, postID, job)
	switch {
	case err == nil, errors.Is(err, storage.ErrSuperseded):
	case ctx.Err() != nil:
		return false
	case errors.Is(err, errBroadcastRunning):
		// Looked at again on the next round.
		if err := a.store.RenewAfterPub(context.WithoutCancel(ctx), postID, a.now()); err != nil {
			a.log.Warn("put a job off", "post", postID, "err", err)
		}
		return false
	default:
		// Telegram or Redis away: the job is tried again on the next round.
		a.log.Warn("after-publication job put off", "post", postID, "op", job.Op, "err", err)
		if err := a.store.RenewAfterPub(context.WithoutCancel(ctx), postID, a.now()); err != nil {
			a.log.Warn("put a job off", "post", postID, "err", err)
		}
		return false
	}
	return true
}

func (a *AfterPub) runJob(ctx context.Context, postID string, job redaktor.AfterPubJob) error {
	post, err := a.store.Post(ctx, postID)
	if err != nil {
		return err
	}
	page, err := a.base.store.Page(ctx, post.PageID)
	if err != nil {
		return err
	}
	prog, err := a.store.AfterPubProgress(ctx, postID)
	if err != nil {
		return err
	}
	if prog.Job.Rev != job.Rev {
		return storage.ErrSuperseded
	}
	rec, err := a.store.Broadcast(ctx, postID)
	if err != nil && !isNotFound(err) {
		return err
	}
	// Only the channel the post went to, never the page's channel now: a
	// page that changed its channel must not lose message N of the new one.
	from := post.ChannelID
	if from == 0 {
		from = rec.From // a post published before its channel was kept
	}
	if prog.Channel == "" {
		err := a.onChannel(ctx, job.Op, post, from)
		if err != nil && bot.Transient(err) {
			return err
		}
		if err != nil {
			a.log.Warn("change the channel post", "post", postID, "op", job.Op, "err", err)
		}
		if err := a.store.SetAfterPubChannel(ctx, postID, job.Rev, err == nil); err != nil {
			return err
		}
		if rec.Running {
			a.refreshCards(ctx, post, page) // the channel's outcome, while the subscribers wait
		}
	}
	if rec.Running {
		// Those the broadcast reaches from now get the channel post as it
		// is now; those it reached are changed once it is over, so that
		// nobody is missed.
		return errBroadcastRunning
	}
	if rec.PostID != "" {
		if err := a.onSubscribers(ctx, job, post, rec); err != nil {
			return err
		}
	}
	if err := a.store.FinishAfterPub(ctx, postID, job.Rev); err != nil {
		return err
	}
	a.tellDone(context.WithoutCancel(ctx), job, post, page)
	return nil
}

// onChannel edits or deletes the channel post.
func (a *AfterPub) onChannel(ctx context.Context, op redaktor.AfterPubOp, post redaktor.Post, channel int64) error {
	if channel == 0 || len(post.MessageIDs) == 0 {
		return fmt.Errorf("%w: no channel post", redaktor.ErrNotFound)
	}
	if op == redaktor.OpRemove {
		for _, id := range post.MessageIDs {
			if err := a.tg.DeleteGone(ctx, channel, id); err != nil {
				return err
			}
		}
		return nil
	}
	id, caption := bodyMessage(post)
	return a.tg.EditBody(ctx, channel, id, caption, post.Content.Text, post.Content.Entities, nil)
}

// onSubscribers walks the subscribers who got the post, a batch at a
// time, from where the job stands.
func (a *AfterPub) onSubscribers(ctx context.Context, job redaktor.AfterPubJob, post redaktor.Post, rec redaktor.Broadcast) error {
	cursor, err := a.store.StartAfterPubSubscribers(ctx, post.ID, job.Rev)
	if err != nil {
		return err
	}
	channelIDs := slices.Sorted(slices.Values(rec.MessageIDs))
	for {
		copies, next, err := a.store.SubscriberCopies(ctx, post.ID, post.PageID, cursor, afterpubBatch)
		if err != nil {
			return err
		}
		for _, c := range copies {
			newIDs, gone, err := a.onSubscriber(ctx, job.Op, post, rec, channelIDs, c)
			if err != nil && bot.Transient(err) {
				return err
			}
			if err != nil {
				a.log.Debug("change a subscriber's copy", "post", post.ID, "user", c.UserID, "err", err)
			}
			if err := a.store.RecordAfterPub(ctx, post.ID, job.Rev, c.UserID, err == nil, newIDs, gone); err != nil {
				return err
			}
		}
		if err := a.store.SetAfterPubCursor(ctx, post.ID, job.Rev, next); err != nil {
			return err
		}
		if err := a.store.RenewAfterPub(ctx, post.ID, a.now().Add(afterpubLease)); err != nil {
			return err
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// onSubscriber changes one subscriber's copy: a copy is edited (with its
// Unsubscribe button, as it was sent), a forward replaced, a removal
// deletes either. It returns the ids of a replacing forward, or gone when
// the copy was deleted.
func (a *AfterPub) onSubscriber(ctx context.Context, op redaktor.AfterPubOp, post redaktor.Post, rec redaktor.Broadcast,
	channelIDs []int, c redaktor.SubscriberCopy) (newIDs []int, gone bool, err error) {
	forward := !rec.Copy && rec.From != 0 && len(channelIDs) > 0
	if op == redaktor.OpRemove || forward {
		for _, id := range c.MessageIDs {
			if err := a.tg.DeleteGone(ctx, c.UserID, id); err != nil {
				return nil, false, err
			}
		}
		if op == redaktor.OpRemove {
			return nil, true, nil
		}
		ids, err := a.tg.ForwardSilently(ctx, c.UserID, rec.From, channelIDs...)
		if err != nil {
			return nil, true, err
		}
		return ids, false, nil
	}
	id, caption := bodyOf(post.Content, c.MessageIDs)
	var kb bot.Keyboard
	if !(caption && post.Content.IsAlbum()) { // an album carries no buttons
		lang := "ru"
		if c.English {
			lang = "en"
		}
		kb = stopButton(a.texts, post.PageID, lang)
	}
	return nil, false, a.tg.EditBody(ctx, c.UserID, id, caption, post.Content.Text, post.Content.Entities, kb)
}

// tellDone shows the outcome on the post's cards and tells who did it.
func (a *AfterPub) tellDone(ctx context.Context, job redaktor.AfterPubJob, post redaktor.Post, page redaktor.Page) {
	cur, err := a.store.Post(ctx, post.ID)
	if err == nil {
		post = cur
	}
	a.refreshCards(ctx, post, page)
	prog, err := a.store.AfterPubProgress(ctx, post.ID)
	if err != nil {
		a.log.Warn("read the outcome of a job", "post", post.ID, "err", err)
		return
	}
	if u, ok := a.userToTell(ctx, job.By); ok {
		t := a.texts.For(u.Lang)
		a.send(ctx, u.ID, t.T("ap_done", map[string]any{"ID": post.ID, "Reach": reachLine(t, prog)}), nil)
	}
	if post.AuthorID != job.By {
		key := "ap_notify_author_edited"
		if job.Op == redaktor.OpRemove {
			key = "ap_notify_author_removed"
		}
		a.notifyAuthor(ctx, post, key, map[string]any{"Name": post.Last.ActorName, "Reason": post.Last.Note})
	}
}
