package scheduler

import (
	"context"
	"sync"
	"time"
)

// lanes publishes the posts one tick claims: each channel has a lane that
// publishes its posts one after another in the order they were claimed
// (their due order), and up to workers lanes run at once. A channel
// belongs to one page (OwnsChannel), so a page's lane is its channel's.
// Every send still takes its turn in the shared pacer (bot.Client), so
// running lanes side by side fills Telegram's rate instead of waiting for
// each call's round trip in turn.
type lanes struct {
	// work bounds the publications (the tick's budget); stop ends the
	// starting of new ones (the bot is told to stop). A publication begun
	// runs on work: it is never cut between a send and its record.
	work    context.Context
	stop    <-chan struct{}
	publish func(ctx context.Context, id string)
	release func(id string, due time.Time)
	slots   chan struct{} // a token per running lane

	mu      sync.Mutex
	turn    chan struct{} // closed when the newest lane took its token or gave up
	byKey   map[string]*lane
	waiting int           // lanes waiting for a token
	queued  int           // posts claimed and not begun
	changed chan struct{} // a lane got a token or a post begun or ended
	wg      sync.WaitGroup
}

// lane is the claimed posts of one channel not begun yet, in due order.
type lane struct {
	key   string
	posts []claimed
	// after is closed when the lane made before this one has its token
	// (or gave up): lanes take tokens in the order they were made, which
	// is their first post's due order, whatever the goroutines' timing.
	after, mine chan struct{}
}

// claimed is a post this tick holds the lease of.
type claimed struct {
	id  string
	due time.Time // its due time, to put it back in its place
}

func newLanes(work context.Context, stop <-chan struct{}, workers int,
	publish func(ctx context.Context, id string), release func(id string, due time.Time)) *lanes {
	first := make(chan struct{})
	close(first)
	return &lanes{work: work, stop: stop, publish: publish, release: release, turn: first,
		slots: make(chan struct{}, workers), byKey: map[string]*lane{}, changed: make(chan struct{}, 1)}
}

// stopping reports whether no new publication may begin.
func (l *lanes) stopping() bool {
	select {
	case <-l.stop:
		return true
	case <-l.work.Done():
		return true
	default:
		return false
	}
}

// add queues a claimed post behind the posts of its channel.
func (l *lanes) add(key string, p claimed) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queued++
	if ln, ok := l.byKey[key]; ok {
		ln.posts = append(ln.posts, p)
		return
	}
	ln := &lane{key: key, posts: []claimed{p}, after: l.turn, mine: make(chan struct{})}
	l.turn = ln.mine
	l.byKey[key] = ln
	l.waiting++
	l.wg.Go(func() { l.run(ln) })
}

// run publishes a lane's posts once it holds a token, until the lane is
// empty or no publication may begin any more; posts not begun then are
// released to the due set.
func (l *lanes) run(ln *lane) {
	got := false
	select {
	case <-ln.after:
		select {
		case l.slots <- struct{}{}:
			got = true
		case <-l.stop:
		case <-l.work.Done():
		}
	case <-l.stop:
	case <-l.work.Done():
	}
	close(ln.mine)
	l.mu.Lock()
	l.waiting--
	l.mu.Unlock()
	l.signal()
	if got {
		defer func() { <-l.slots; l.signal() }()
	}
	for {
		l.mu.Lock()
		if len(ln.posts) == 0 || !got || l.stopping() {
			left := ln.posts
			ln.posts = nil
			delete(l.byKey, ln.key)
			l.queued -= len(left)
			l.mu.Unlock()
			for _, p := range left {
				l.release(p.id, p.due)
			}
			return
		}
		p := ln.posts[0]
		ln.posts = ln.posts[1:]
		l.queued--
		l.mu.Unlock()
		l.signal()
		l.publish(l.work, p.id)
	}
}

// signal wakes the claimer.
func (l *lanes) signal() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// ready waits until every lane holding posts has a token (so a claim now
// feeds idle workers) and fewer than limit posts wait; it reports false if
// no publication may begin any more.
func (l *lanes) ready(limit int) bool {
	for {
		l.mu.Lock()
		ok := l.waiting == 0 && l.queued < limit
		l.mu.Unlock()
		if ok {
			return !l.stopping()
		}
		select {
		case <-l.changed:
		case <-l.stop:
			return false
		case <-l.work.Done():
			return false
		}
	}
}

// wait returns when every lane is done.
func (l *lanes) wait() { l.wg.Wait() }
