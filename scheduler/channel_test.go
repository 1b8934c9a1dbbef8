package scheduler_test

import (
	"context"
	"testing"

	"github.com/redaktor/redaktor"
)

// A page whose stored channel is linked to another page (a stale write, a
// bug elsewhere) does not post there: the post fails with the reason, and
// the channel receives nothing.
func TestPublishesOnlyToTheLinkedChannel(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	if err := w.store.SavePage(ctx, redaktor.Page{ID: "2", Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.LinkChannel(ctx, "2", redaktor.Channel{ID: channel, Title: "Библиотека"}); err != nil {
		t.Fatal(err)
	}
	post := w.schedule(t, redaktor.Content{Text: "Чужой пост"}, t0)
	if err := w.scheduler().Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if msgs := w.tg.Messages(channel); len(msgs) != 0 {
		t.Fatalf("the channel of page 2 got page 1's post: %q", msgs[0].Text)
	}
	got, err := w.store.Post(ctx, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != redaktor.StatusFailed || got.FailReason.Code != redaktor.FailureChannelNotLinked {
		t.Fatalf("post %s: %s (%q), want failed for the channel", got.ID, got.Status, got.FailReason.String())
	}
}
