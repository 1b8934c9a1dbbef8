package scheduler_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/scheduler"
)

// announcements records what the scheduler hands on to the subscribers,
// and can refuse (the broadcasts' Redis fails).
type announcements struct {
	mu     sync.Mutex
	got    []redaktor.Post
	ids    [][]int
	refuse error
}

func (a *announcements) Announce(_ context.Context, post redaktor.Post, _ redaktor.Page, messageIDs []int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.refuse != nil {
		return a.refuse
	}
	a.got = append(a.got, post)
	a.ids = append(a.ids, slices.Clone(messageIDs))
	return nil
}

// A publication goes to the subscribers as the messages the channel got,
// and is recorded only once it did: when the announcement fails, the post
// is tried again (sending nothing twice to the channel) instead of being
// published without its subscribers.
func TestPublicationIsAnnouncedBeforeItIsRecorded(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	post := w.schedule(t, redaktor.Content{Text: "Отключение воды в четверг"}, t0)
	ann := &announcements{refuse: errors.New("redis: connection refused")}
	s := scheduler.New(w.store, w.api, w.notes, ann, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{})

	_ = s.Tick(ctx) // the announcement fails: the post is deferred
	if got, _ := w.store.Post(ctx, post.ID); got.Status == redaktor.StatusPublished {
		t.Fatal("recorded as published although its announcement failed")
	}
	ann.mu.Lock()
	ann.refuse = nil
	ann.mu.Unlock()
	for i := 0; i < 5; i++ {
		if got, _ := w.store.Post(ctx, post.ID); got.Status == redaktor.StatusPublished {
			break
		}
		w.clock.Advance(time.Minute)
		_ = s.Tick(ctx)
	}

	msgs := w.tg.Messages(channel)
	if len(msgs) != 1 {
		t.Fatalf("the channel has %d messages, want the post once", len(msgs))
	}
	got, err := w.store.Post(ctx, post.ID)
	if err != nil || got.Status != redaktor.StatusPublished {
		t.Fatalf("post %s (%v), want published", got.Status, err)
	}
	ann.mu.Lock()
	defer ann.mu.Unlock()
	if len(ann.got) != 1 || ann.got[0].ID != post.ID || !slices.Equal(ann.ids[0], []int{msgs[0].MessageID}) {
		t.Fatalf("announced %d times with messages %v, want post %s once as channel message %d", len(ann.got), ann.ids, post.ID, msgs[0].MessageID)
	}
}
