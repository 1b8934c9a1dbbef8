package scheduler_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot/bottest"
)

// The author confirms /forgetme while their post is being sent to the
// channel. The scheduler's copy of the post, read at its claim, still
// names them: its "published" is refused as a conflict rather than
// writing them back. The post is finished when the lease runs out, from
// its delivery record: in the channel once, published once, and the
// author stays a former member.
func TestForgetDuringPublicationPublishesOnceWithoutTheAuthor(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	post := w.schedule(t, redaktor.Content{Text: "Субботник в субботу"}, t0)
	var once sync.Once
	remove := w.tg.Intercept(func(method string, _ map[string]string) *bottest.APIError {
		if method == "sendMessage" {
			once.Do(func() {
				if err := w.store.ForgetUser(context.Background(), post.AuthorID); err != nil {
					t.Error(err)
				}
			})
		}
		return nil
	})
	defer remove()
	sched := w.scheduler()
	if err := sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := w.store.Post(context.Background(), post.ID)
	if err != nil || got.AuthorID != 0 || got.AuthorName != "" || got.Status != redaktor.StatusPublishing {
		t.Fatalf("after the send: %+v %v, want still publishing, with a former member as author", got, err)
	}
	w.clock.Advance(2 * time.Minute) // the lease runs out
	if err := sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if msgs := w.tg.Messages(channel); len(msgs) != 1 {
		t.Fatalf("the channel has %d messages, want the post once", len(msgs))
	}
	got, err = w.store.Post(context.Background(), post.ID)
	if err != nil || got.AuthorID != 0 || got.AuthorName != "" || got.Status != redaktor.StatusPublished {
		t.Fatalf("after the lease: %+v %v, want published with a former member as author", got, err)
	}
	w.notes.mu.Lock()
	defer w.notes.mu.Unlock()
	if len(w.notes.published) != 1 {
		t.Fatalf("told of the publication %d times, want once", len(w.notes.published))
	}
}
