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
// once, each subscriber once. A job is held under a lease renewed per
// subscriber; a runner that outlasted it (Telegram slow) finds its token
// replaced and writes nothing more. A forward (the page shows which
// channel a post comes from) cannot be edited: the edited channel post is
// forwarded again, without a notification, and then the old one deleted.

// afterpubTelegram is what the runner needs of the Bot API (bot.Client).
type afterpubTelegram interface {
	EditBody(ctx context.Context, chatID int64, messageID int, caption bool, text string, entities []redaktor.Entity, kb bot.Keyboard) error
	ForwardSilently(ctx context.Context, chatID, fromChat int64, messageIDs ...int) ([]int, error)
	DeleteGone(ctx context.Context, chatID int64, messageID int) error
}

// afterpubJobs is the jobs' record (storage/afterpub.go). Every step is
// written with the job's lease token.
type afterpubJobs interface {
	ClaimAfterPub(ctx context.Context, now time.Time, lease time.Duration) (string, redaktor.AfterPubJob, bool, error)
	RenewAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob, until time.Time) error
	AfterPubProgress(ctx context.Context, postID string) (redaktor.AfterPubProgress, error)
	SetAfterPubChannel(ctx context.Context, postID string, job redaktor.AfterPubJob, ok bool) error
	StartAfterPubSubscribers(ctx context.Context, postID string, job redaktor.AfterPubJob) (uint64, error)
	SetAfterPubCursor(ctx context.Context, postID string, job redaktor.AfterPubJob, cursor uint64) error
	SubscriberCopies(ctx context.Context, postID, pageID string, cursor uint64, count int64) ([]redaktor.SubscriberCopy, uint64, error)
	BeginAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob, userID int64, forward bool) (storage.SubscriberStart, error)
	ForwardRefused(ctx context.Context, postID string, job redaktor.AfterPubJob, userID int64) error
	RecordAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob, userID int64, ok bool, newIDs []int, gone bool) error
	FinishAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob) (bool, error)
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
	case err == nil, errors.Is(err, storage.ErrSuperseded), errors.Is(err, storage.ErrLeaseLost):
	case ctx.Err() != nil:
		return false
	case errors.Is(err, errBroadcastRunning):
		// Looked at again on the next round.
		a.putOff(ctx, postID, job)
		return false
	default:
		// Telegram or Redis away: the job is tried again on the next round.
		a.log.Warn("after-publication job put off", "post", postID, "op", job.Op, "err", err)
		a.putOff(ctx, postID, job)
		return false
	}
	return true
}

// putOff frees a job for the next round (unless another runner holds it).
func (a *AfterPub) putOff(ctx context.Context, postID string, job redaktor.AfterPubJob) {
	err := a.store.RenewAfterPub(context.WithoutCancel(ctx), postID, job, a.now())
	if err != nil && !errors.Is(err, storage.ErrLeaseLost) && !errors.Is(err, storage.ErrSuperseded) {
		a.log.Warn("put a job off", "post", postID, "err", err)
	}
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
	channelOK := prog.Channel == "ok"
	if prog.Channel == "" {
		err := a.onChannel(ctx, job.Op, post, from)
		if err != nil && bot.Transient(err) {
			return err
		}
		if err != nil {
			a.log.Warn("change the channel post", "post", postID, "op", job.Op, "err", err)
		}
		channelOK = err == nil
		if err := a.store.SetAfterPubChannel(ctx, postID, job, channelOK); err != nil {
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
		if err := a.onSubscribers(ctx, job, post, rec, channelOK); err != nil {
			return err
		}
	}
	first, err := a.store.FinishAfterPub(ctx, postID, job)
	if err != nil {
		return err
	}
	if first { // told once, whichever run finished it
		a.tellDone(context.WithoutCancel(ctx), job, post, page)
	}
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
// time, from where the job stands. channelOK: the channel post was
// changed; a forward shows the channel post, so after a failed channel
// edit the forwards are left alone (forwarded again they would show the
// old text) and counted as not reached.
func (a *AfterPub) onSubscribers(ctx context.Context, job redaktor.AfterPubJob, post redaktor.Post, rec redaktor.Broadcast, channelOK bool) error {
	cursor, err := a.store.StartAfterPubSubscribers(ctx, post.ID, job)
	if err != nil {
		return err
	}
	channelIDs := slices.Sorted(slices.Values(rec.MessageIDs))
	forward := !rec.Copy && rec.From != 0 && len(channelIDs) > 0
	for {
		copies, next, err := a.store.SubscriberCopies(ctx, post.ID, post.PageID, cursor, afterpubBatch)
		if err != nil {
			return err
		}
		for _, c := range copies {
			// Renewed per subscriber: one slow send must not outlast the lease.
			if err := a.store.RenewAfterPub(ctx, post.ID, job, a.now().Add(afterpubLease)); err != nil {
				return err
			}
			if err := a.onCopy(ctx, job, post, rec, channelIDs, forward, channelOK, c); err != nil {
				return err
			}
		}
		if err := a.store.SetAfterPubCursor(ctx, post.ID, job, next); err != nil {
			return err
		}
		if next == 0 {
			return nil
		}
		cursor = next
	}
}

// onCopy changes one subscriber's copy and records the outcome once.
func (a *AfterPub) onCopy(ctx context.Context, job redaktor.AfterPubJob, post redaktor.Post, rec redaktor.Broadcast,
	channelIDs []int, forward, channelOK bool, c redaktor.SubscriberCopy) error {
	reforward := forward && job.Op == redaktor.OpEdit
	if reforward && !channelOK {
		return a.store.RecordAfterPub(ctx, post.ID, job, c.UserID, false, nil, false)
	}
	start, err := a.store.BeginAfterPub(ctx, post.ID, job, c.UserID, reforward)
	if err != nil {
		return err
	}
	switch start {
	case storage.SubscriberDone, storage.SubscriberGone:
		return nil // recorded by an earlier run; or they used /forgetme: nothing to send or write
	case storage.SubscriberMaybeSent:
		// An earlier run marked a forward and never recorded it: it may have
		// reached them. Forwarding again could give them the post twice;
		// we prefer that they may miss the replacement (and keep the old
		// message), and count them as not reached.
		return a.store.RecordAfterPub(ctx, post.ID, job, c.UserID, false, nil, false)
	}
	newIDs, gone, err := a.onSubscriber(ctx, job.Op, post, rec, channelIDs, forward, c)
	if reforward && newIDs == nil && bot.Refused(err) {
		// Telegram refused the forward: it was not sent, a later run may.
		if err := a.store.ForwardRefused(ctx, post.ID, job, c.UserID); err != nil {
			return err
		}
	}
	if err != nil && bot.Transient(err) {
		return err
	}
	if err != nil {
		a.log.Debug("change a subscriber's copy", "post", post.ID, "user", c.UserID, "err", err)
	}
	return a.store.RecordAfterPub(ctx, post.ID, job, c.UserID, err == nil, newIDs, gone)
}

// onSubscriber changes one subscriber's copy: a copy is edited (with its
// Unsubscribe button, as it was sent), a forward replaced, a removal
// deletes either. It returns the ids of a replacing forward, or gone when
// the copy was deleted.
func (a *AfterPub) onSubscriber(ctx context.Context, op redaktor.AfterPubOp, post redaktor.Post, rec redaktor.Broadcast,
	channelIDs []int, forward bool, c redaktor.SubscriberCopy) (newIDs []int, gone bool, err error) {
	if op == redaktor.OpRemove {
		for _, id := range c.MessageIDs {
			if err := a.tg.DeleteGone(ctx, c.UserID, id); err != nil {
				return nil, false, err
			}
		}
		return nil, true, nil
	}
	if forward {
		// The new forward first: a forward that fails leaves them the old
		// one rather than nothing.
		ids, err := a.tg.ForwardSilently(ctx, c.UserID, rec.From, channelIDs...)
		if err != nil {
			return nil, false, err
		}
		for _, id := range c.MessageIDs {
			if err := a.tg.DeleteGone(ctx, c.UserID, id); err != nil {
				// The new one is there and is what is recorded; the old one stays.
				a.log.Debug("delete a replaced forward", "post", post.ID, "user", c.UserID, "err", err)
				break
			}
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
