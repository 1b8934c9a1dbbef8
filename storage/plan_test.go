package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// TestWeekPostsReadsTheWeekOfOnePage: queued posts of the week in time
// order (not those after it), every pending post, and no other page's.
func TestWeekPostsReadsTheWeekOfOnePage(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	schedule := func(at time.Time) redaktor.Post {
		p := newDraft(t, s)
		p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
		return apply(t, s, p, redaktor.Change{Action: redaktor.ActApprove, Actor: chiefA, At: at}, t0)
	}
	later := schedule(t0.Add(48 * time.Hour))
	sooner := schedule(t0.Add(2 * time.Hour))
	schedule(t0.Add(8 * 24 * time.Hour)) // after the week
	waiting := apply(t, s, newDraft(t, s), redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	newDraft(t, s) // a draft is in no plan

	queued, pending, err := s.WeekPosts(ctx, "1", t0, t0.Add(7*24*time.Hour), 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != 2 || queued[0].ID != sooner.ID || queued[1].ID != later.ID {
		t.Errorf("queued %v, want %s then %s", ids(queued), sooner.ID, later.ID)
	}
	if len(pending) != 1 || pending[0].ID != waiting.ID {
		t.Errorf("pending %v, want %s", ids(pending), waiting.ID)
	}
	if q, p, err := s.WeekPosts(ctx, "2", t0, t0.Add(7*24*time.Hour), 50); err != nil || len(q)+len(p) != 0 {
		t.Errorf("page 2 has no posts; got %v %v %v", ids(q), ids(p), err)
	}
	if q, p, err := s.WeekPosts(ctx, "1", t0, t0.Add(7*24*time.Hour), 1); err != nil || len(q) != 1 || len(p) != 1 {
		t.Errorf("limit 1: %v %v %v", ids(q), ids(p), err)
	}
}

func ids(posts []redaktor.Post) []string {
	var out []string
	for _, p := range posts {
		out = append(out, p.ID)
	}
	return out
}
