// Package broadcast sends published posts to the pages' subscribers, every
// process together within the shared pacer.
package broadcast

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/journal"
)

// Store is what broadcasting needs of storage.
type Store interface {
	Audience(ctx context.Context, pageID string) (redaktor.Audience, error)
	StartBroadcast(ctx context.Context, b redaktor.Broadcast, now time.Time) (bool, error)
	Broadcast(ctx context.Context, postID string) (redaktor.Broadcast, error)
	ActiveBroadcasts(ctx context.Context) ([]redaktor.ActiveBroadcast, error)
	Take(ctx context.Context, postID, pageID string, now time.Time, lease, grace time.Duration, p redaktor.Pace) (redaktor.Grant, error)
	// Record keeps msgIDs (what the subscriber got, when known), so that an
	// edit or a removal of the post reaches their copy.
	Record(ctx context.Context, postID, pageID string, userID int64, o redaktor.SendOutcome, now, at time.Time, r redaktor.Retries, msgIDs ...int) error
	ClaimProgressTick(ctx context.Context, postID string, every time.Duration) (bool, error)
	DeactivateSubscriber(ctx context.Context, userID int64) ([]string, error)
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	Page(ctx context.Context, pageID string) (redaktor.Page, error)
}

// Courier makes one attempt of a Bot API send, without retries of its own.
type Courier interface {
	CallOnce(ctx context.Context, method string, params tgbotapi.Params) error
}

// IDCourier is a Courier that also tells the ids of the messages a send
// made (bot.Client); with a Courier that does not, copies are not
// recorded and later edits of the post do not reach them.
type IDCourier interface {
	CallOnceIDs(ctx context.Context, method string, params tgbotapi.Params) ([]int, error)
}

// Pacer is the limit every send of every process keeps (pace.Pacer).
type Pacer interface {
	// Rate is Telegram's limit for the bot, in messages per second.
	Rate() int
	// Pace is the booking a Take makes along with the subscriber.
	Pace() redaktor.Pace
	// WaitChat books one more message to a chat (a post's second part).
	WaitChat(ctx context.Context, chatID int64) error
	// Pause holds back every sender of every process after a 429.
	Pause(ctx context.Context, d time.Duration) error
	// Paused is how long this process's senders are still held back.
	Paused() time.Duration
}

// Reporter shows the post's people how a broadcast goes.
type Reporter interface {
	// BroadcastProgress brings the publication's one message (per person)
	// up to date with the broadcast; final: the broadcast just ended.
	BroadcastProgress(ctx context.Context, b redaktor.Broadcast, page redaktor.Page, final bool)
	// StopButton is the button under an announcement copy that unsubscribes.
	StopButton(pageID, lang string) bot.Keyboard
}

// Config tunes broadcasting; zero values are the defaults. The rate and
// the pacer's settings are the pacer's.
type Config struct {
	// Workers are the concurrent senders of this process (max(16, rate/4)).
	// Only their sends can be in flight at a crash: the duplicate window.
	Workers int
	// Lease: a subscriber taken by a sender that died is sent to again
	// after this (60 s) and the Grace.
	Lease time.Duration
	// Grace: after a lease runs out, how long its holder (alive, maybe,
	// and cut off from Redis) has to land its record before anybody sends
	// to the person again (60 s), counted from when a sender first sees it.
	Grace time.Duration
	// Flush bounds the last try, at stop, to record outcomes that wait for
	// Redis (10 s).
	Flush time.Duration
	// ProgressEvery: the publication's message is edited with the progress
	// at most this often (5 s), all processes together.
	ProgressEvery time.Duration
	// Refresh: how often the list of running broadcasts is read (250 ms);
	// a broadcast started in this process is seen at once.
	Refresh time.Duration
	// Retries of 5xx answers and timeouts (20 attempts, 2 s doubling to 5 min).
	Retries redaktor.Retries
	// Observer counts every recorded send by its outcome (the metrics);
	// optional.
	Observer Observer
}

// Observer counts the messages of broadcasts by outcome.
type Observer interface {
	Broadcast(outcome string)
}

func (c Config) withDefaults(rate int) Config {
	if c.Workers <= 0 {
		c.Workers = max(16, rate/4)
	}
	if c.Lease <= 0 {
		c.Lease = time.Minute
	}
	if c.Grace <= 0 {
		c.Grace = time.Minute
	}
	if c.Flush <= 0 {
		c.Flush = 10 * time.Second
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = 5 * time.Second
	}
	if c.Refresh <= 0 {
		c.Refresh = 250 * time.Millisecond
	}
	if c.Retries.Max <= 0 {
		c.Retries.Max = 20
	}
	if c.Retries.Base <= 0 {
		c.Retries.Base = 2 * time.Second
	}
	if c.Retries.Cap <= 0 {
		c.Retries.Cap = 5 * time.Minute
	}
	return c
}

// Stats counts what this process's senders saw.
type Stats struct {
	Sent, FloodWaits, Retries, Inactive, Failed, Resent int64
	// Unrecorded: outcomes of sends waiting in this process for Redis.
	Unrecorded int
}

// Broadcaster sends published posts to the pages' subscribers. Its senders
// take one subscriber at a time from the broadcast whose turn it is (urgent
// broadcasts first, the others in turn), each with a slot of a pacer shared
// by every process (pace), so the bot keeps Telegram's limit in total and
// never bursts. Everything a sender needs to continue is in
// Redis; the process keeps only the list of running broadcasts.
type Broadcaster struct {
	st    Store
	tg    Courier
	rep   Reporter
	pacer Pacer
	now   func() time.Time
	log   *slog.Logger
	cfg   Config

	kick   chan struct{}
	turn   atomic.Uint64
	active atomic.Pointer[[]*running]

	mu    sync.Mutex
	ready chan struct{} // closed while there is work
	known map[string]*running

	// journal holds outcomes of sends that Redis did not take yet.
	journal *journal.Journal

	sent, flood, retries, inactive, failed, resent atomic.Int64
}

// running is a broadcast as this process's senders use it.
type running struct {
	postID, pageID string
	urgent         bool
	parts          func(chatID int64, english bool) ([]bot.Part, error)
}

// New builds the senders, which book their turns in pacer; Run starts
// them.
func New(st Store, tg Courier, rep Reporter, pacer Pacer, now func() time.Time, log *slog.Logger, cfg Config) *Broadcaster {
	cfg = cfg.withDefaults(pacer.Rate())
	b := &Broadcaster{st: st, tg: tg, rep: rep, pacer: pacer, now: now, log: log, cfg: cfg,
		kick: make(chan struct{}, 1), ready: make(chan struct{}), known: map[string]*running{}, journal: journal.New(log)}
	b.active.Store(&[]*running{})
	return b
}

// Stats returns this process's counters.
func (b *Broadcaster) Stats() Stats {
	return Stats{Sent: b.sent.Load(), FloodWaits: b.flood.Load(), Retries: b.retries.Load(),
		Inactive: b.inactive.Load(), Failed: b.failed.Load(), Resent: b.resent.Load(), Unrecorded: b.journal.Len()}
}

// Announce starts the broadcast of a post just published to the channel
// as messageIDs, unless the page sends to its channel only. Calling it
// again for the same post changes nothing, so the scheduler calls it
// before it records the publication: a crash between the two repeats it.
func (b *Broadcaster) Announce(ctx context.Context, post redaktor.Post, page redaktor.Page, messageIDs []int) error {
	aud, err := b.st.Audience(ctx, page.ID)
	if err != nil {
		return err
	}
	if aud.Off {
		return nil
	}
	created, err := b.st.StartBroadcast(ctx, redaktor.Broadcast{PostID: post.ID, PageID: page.ID, Urgent: post.Urgent,
		Copy: aud.Copy, From: page.ChannelID, MessageIDs: messageIDs}, b.now())
	if err != nil {
		return err
	}
	if created {
		b.log.Info("broadcast started", "post", post.ID, "page", page.ID, "urgent", post.Urgent)
		b.Kick()
	}
	return nil
}

// Kick makes the senders look for new broadcasts now.
func (b *Broadcaster) Kick() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends, then lets the sends in flight finish and
// records them, waiting for Redis at most Flush.
func (b *Broadcaster) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Go(func() { b.watch(ctx) })
	for range b.cfg.Workers {
		wg.Go(func() { b.worker(ctx) })
	}
	wg.Wait()
	b.journal.Flush(b.cfg.Flush)
	return nil
}

// watch keeps the list of running broadcasts fresh and updates their
// progress messages.
func (b *Broadcaster) watch(ctx context.Context) {
	t := time.NewTicker(b.cfg.Refresh)
	defer t.Stop()
	for {
		b.refresh(ctx)
		b.progress(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.kick:
		}
	}
}

func (b *Broadcaster) refresh(ctx context.Context) {
	list, err := b.st.ActiveBroadcasts(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("list broadcasts", "err", err)
		}
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	next := make([]*running, 0, len(list))
	seen := make(map[string]bool, len(list))
	for _, a := range list {
		seen[a.PostID] = true
		r := b.known[a.PostID]
		if r == nil {
			var err error
			if r, err = b.load(ctx, a); err != nil {
				b.log.Warn("load broadcast", "post", a.PostID, "err", err)
				continue
			}
			b.known[a.PostID] = r
		}
		next = append(next, r)
	}
	for id := range b.known {
		if !seen[id] {
			delete(b.known, id)
		}
	}
	b.active.Store(&next)
	select {
	case <-b.ready:
		if len(next) == 0 {
			b.ready = make(chan struct{})
		}
	default:
		if len(next) > 0 {
			close(b.ready)
		}
	}
}

// load prepares how a broadcast's post is sent to one chat: a forward of
// the channel post (all its messages in one request, so an album stays
// one); a copy with the stop button of a one-message channel post; the
// content itself when a post of several messages is to be copied
// (copyMessages takes no buttons) or there is no channel post, with the
// button under its last message if that message can carry one (an album
// cannot).
func (b *Broadcaster) load(ctx context.Context, a redaktor.ActiveBroadcast) (*running, error) {
	rec, err := b.st.Broadcast(ctx, a.PostID)
	if err != nil {
		return nil, err
	}
	r := &running{postID: a.PostID, pageID: rec.PageID, urgent: a.Urgent}
	kbRu, kbEn := b.rep.StopButton(rec.PageID, "ru"), b.rep.StopButton(rec.PageID, "en")
	button := func(english bool) bot.Keyboard {
		if english {
			return kbEn
		}
		return kbRu
	}
	from, ids := rec.From, slices.Sorted(slices.Values(rec.MessageIDs))
	switch {
	case from != 0 && len(ids) > 0 && !rec.Copy:
		r.parts = func(chat int64, _ bool) ([]bot.Part, error) {
			return []bot.Part{bot.ForwardPart(chat, from, ids...)}, nil
		}
		return r, nil
	case from != 0 && len(ids) == 1:
		r.parts = func(chat int64, english bool) ([]bot.Part, error) {
			p, err := bot.CopyPart(chat, from, ids[0], button(english))
			return []bot.Part{p}, err
		}
		return r, nil
	}
	post, err := b.st.Post(ctx, a.PostID)
	if err != nil {
		return nil, err
	}
	content := post.Content
	r.parts = func(chat int64, english bool) ([]bot.Part, error) {
		parts, err := bot.Parts(chat, content)
		if err != nil || len(parts) == 0 {
			return parts, err
		}
		last, _, err := bot.WithKeyboard(parts[len(parts)-1], button(english))
		parts[len(parts)-1] = last
		return parts, err
	}
	return r, nil
}

func (b *Broadcaster) readyChan() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ready
}

// progress updates the progress messages, at most once per ProgressEvery
// across all processes.
func (b *Broadcaster) progress(ctx context.Context) {
	for _, r := range *b.active.Load() {
		ok, err := b.st.ClaimProgressTick(ctx, r.postID, b.cfg.ProgressEvery)
		if err != nil || !ok {
			continue
		}
		b.report(ctx, r.postID, false)
	}
}

func (b *Broadcaster) report(ctx context.Context, postID string, final bool) {
	rec, err := b.st.Broadcast(ctx, postID)
	if err != nil {
		b.log.Warn("read broadcast", "post", postID, "err", err)
		return
	}
	page, err := b.st.Page(ctx, rec.PageID)
	if err != nil {
		b.log.Warn("read page", "page", rec.PageID, "err", err)
		return
	}
	if final {
		b.log.Info("broadcast finished", "post", postID, "delivered", rec.Delivered, "inactive", rec.Inactive,
			"failed", rec.Failed, "resent", rec.Resent, "took", rec.FinishedAt.Sub(rec.StartedAt))
	}
	b.rep.BroadcastProgress(ctx, rec, page, final)
}

// worker is one sender.
func (b *Broadcaster) worker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.readyChan():
		}
		if !b.step(ctx) {
			return
		}
	}
}

// step makes one send, or waits a little when there is nothing to send.
// It returns false when ctx ended.
func (b *Broadcaster) step(ctx context.Context) bool {
	// Outcomes waiting for Redis are recorded before anything is taken:
	// once Redis is back, a take could otherwise hand out again a person
	// this process has sent to.
	if err := b.journal.Drain(ctx); err != nil {
		return sleep(ctx, b.journal.Wait())
	}
	idle := b.cfg.Refresh
	for _, r := range b.order() {
		g, err := b.st.Take(ctx, r.postID, r.pageID, b.now(), b.cfg.Lease, b.cfg.Grace, b.pacer.Pace())
		if err != nil {
			if ctx.Err() != nil {
				return false
			}
			b.log.Warn("take subscriber", "post", r.postID, "err", err)
			return sleep(ctx, time.Second)
		}
		switch g.Kind {
		case redaktor.GrantSend:
			b.deliver(ctx, r, g)
			return ctx.Err() == nil
		case redaktor.GrantWait:
			return sleep(ctx, g.Wait)
		case redaktor.GrantDone:
			b.report(context.WithoutCancel(ctx), r.postID, true)
			b.Kick()
		case redaktor.GrantGone:
			b.Kick()
		case redaktor.GrantIdle:
			idle = min(idle, max(g.Wait, 10*time.Millisecond))
		}
	}
	return sleep(ctx, idle)
}

// order is the running broadcasts in the order this sender tries them:
// urgent ones first, each group rotated by a turn shared by the senders,
// so running broadcasts share the rate evenly.
func (b *Broadcaster) order() []*running {
	all := *b.active.Load()
	turn := b.turn.Add(1)
	var urgent, normal []*running
	for _, r := range all {
		if r.urgent {
			urgent = append(urgent, r)
		} else {
			normal = append(normal, r)
		}
	}
	out := make([]*running, 0, len(all))
	for _, g := range [][]*running{urgent, normal} {
		for i := range g {
			out = append(out, g[(int(turn)+i)%len(g)])
		}
	}
	return out
}

// deliver waits for the granted slot, sends, and records the outcome.
func (b *Broadcaster) deliver(ctx context.Context, r *running, g redaktor.Grant) {
	if g.Resend {
		b.resent.Add(1)
	}
	if !sleep(ctx, g.Wait) {
		b.record(ctx, r, g.UserID, redaktor.SendLater, b.now())
		return
	}
	if held := b.pacer.Paused(); held > 0 {
		b.record(ctx, r, g.UserID, redaktor.SendLater, b.now().Add(held))
		return
	}
	parts, err := r.parts(g.UserID, g.English)
	if err != nil {
		b.log.Error("render announcement", "post", r.postID, "err", err)
		b.record(ctx, r, g.UserID, redaktor.SendFailed, b.now())
		return
	}
	var ids []int
	for i, p := range parts {
		if i > 0 {
			if err = b.pacer.WaitChat(ctx, g.UserID); err != nil {
				break
			}
		}
		if ic, ok := b.tg.(IDCourier); ok {
			var got []int
			got, err = ic.CallOnceIDs(ctx, p.Method, p.Params)
			ids = append(ids, got...)
		} else {
			err = b.tg.CallOnce(ctx, p.Method, p.Params)
		}
		if err != nil {
			break
		}
	}
	now := b.now()
	switch wait, flood := bot.FloodWait(err); {
	case err == nil:
		b.sent.Add(1)
		b.record(ctx, r, g.UserID, redaktor.SendDelivered, now, ids...)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		b.record(ctx, r, g.UserID, redaktor.SendLater, now)
	case flood:
		// Telegram does not say whether the limit hit is the bot's or the
		// chat's: every sender of every process waits, and this person is
		// tried again after the wait.
		b.flood.Add(1)
		d := time.Duration(wait) * time.Second
		if err := b.pacer.Pause(context.WithoutCancel(ctx), d); err != nil {
			b.log.Warn("pause senders", "err", err)
		}
		b.record(ctx, r, g.UserID, redaktor.SendLater, now.Add(d))
	case bot.Gone(err):
		b.inactive.Add(1)
		b.record(ctx, r, g.UserID, redaktor.SendInactive, now)
		if _, err := b.st.DeactivateSubscriber(context.WithoutCancel(ctx), g.UserID); err != nil {
			b.log.Warn("deactivate subscriber", "user", g.UserID, "err", err)
		}
	case bot.Permanent(err):
		b.failed.Add(1)
		b.log.Warn("announcement refused", "post", r.postID, "user", g.UserID, "err", err)
		b.record(ctx, r, g.UserID, redaktor.SendFailed, now)
	default:
		b.retries.Add(1)
		b.log.Debug("announcement retried", "post", r.postID, "user", g.UserID, "err", err)
		b.record(ctx, r, g.UserID, redaktor.SendRetry, now)
	}
}

// record stores an outcome even while the process stops: the send
// happened, and the record is what keeps it from happening again. When
// Redis does not take it, it waits in the journal, which the senders drain
// before they take anybody else.
func (b *Broadcaster) record(ctx context.Context, r *running, userID int64, o redaktor.SendOutcome, at time.Time, msgIDs ...int) {
	now := b.now()
	rec := func(ctx context.Context) error {
		if err := b.st.Record(ctx, r.postID, r.pageID, userID, o, now, at, b.cfg.Retries, msgIDs...); err != nil {
			return err
		}
		if b.cfg.Observer != nil {
			b.cfg.Observer.Broadcast(string(o))
		}
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), journal.Attempt)
	defer cancel()
	if err := rec(rctx); err != nil {
		b.journal.Keep(fmt.Sprintf("bc:%s:%d", r.postID, userID),
			fmt.Sprintf("post %s to subscriber %d: %s", r.postID, userID, o), rec, err)
	}
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

// String shows the senders in logs.
func (b *Broadcaster) String() string {
	return fmt.Sprintf("%d senders, %v", b.cfg.Workers, b.pacer)
}
