package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

var (
	moderator = redaktor.Actor{UserID: 11, Name: "Ирина", Role: redaktor.RoleModerator}
	chiefA    = redaktor.Actor{UserID: 21, Name: "Анна", Role: redaktor.RoleChief}
	chiefB    = redaktor.Actor{UserID: 22, Name: "Борис", Role: redaktor.RoleChief}
)

func newDraft(t *testing.T, s *storage.Store) redaktor.Post {
	t.Helper()
	ctx := context.Background()
	pid, err := s.NextID(ctx, "post")
	if err != nil {
		t.Fatal(err)
	}
	p, err := redaktor.NewPost(pid, "1", moderator, redaktor.Content{Text: "Завтра субботник"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
		t.Fatal(err)
	}
	return p
}

func apply(t *testing.T, s *storage.Store, p redaktor.Post, c redaktor.Change, now time.Time) redaktor.Post {
	t.Helper()
	next, ev, err := redaktor.Apply(p, c, now)
	if err != nil {
		t.Fatalf("%s: %v", c.Action, err)
	}
	if err := s.SavePost(context.Background(), p, next, ev); err != nil {
		t.Fatalf("save %s: %v", c.Action, err)
	}
	return next
}

func TestPostMovesBetweenLists(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := newDraft(t, s)

	drafts, _ := s.UserPosts(ctx, moderator.UserID, 10)
	if len(drafts) != 1 || drafts[0].ID != p.ID || drafts[0].Status != redaktor.StatusDraft {
		t.Fatalf("author's list = %+v, want the draft", drafts)
	}
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0.Add(time.Minute))
	pending, _ := s.PendingPosts(ctx, "1", 10)
	if len(pending) != 1 || pending[0].ID != p.ID {
		t.Fatalf("pending = %+v, want the post", pending)
	}
	at := t0.Add(time.Hour)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActApprove, Actor: chiefA, At: at}, t0.Add(2*time.Minute))
	if pending, _ := s.PendingPosts(ctx, "1", 10); len(pending) != 0 {
		t.Fatalf("approved post still pending: %+v", pending)
	}
	queue, _ := s.QueuedPosts(ctx, "1", 10)
	if len(queue) != 1 || !queue[0].PublishAt.Equal(at) {
		t.Fatalf("queue = %+v, want the post at %v", queue, at)
	}
	taken, _ := s.ScheduledTimes(ctx, "1", t0, t0.Add(24*time.Hour))
	if !taken[at.Unix()] {
		t.Fatalf("slot %v not taken: %v", at, taken)
	}
	hist, _ := s.History(ctx, p.ID)
	var actions []redaktor.Action
	for _, e := range hist {
		actions = append(actions, e.Action)
	}
	want := []redaktor.Action{redaktor.ActCreate, redaktor.ActSubmit, redaktor.ActApprove}
	if len(actions) != len(want) {
		t.Fatalf("history %v, want %v", actions, want)
	}
	for i := range want {
		if actions[i] != want[i] {
			t.Fatalf("history %v, want %v", actions, want)
		}
	}
}

func TestTwoEditorsPressAtOnceOneWins(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := newDraft(t, s)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)

	changes := []redaktor.Change{
		{Action: redaktor.ActApprove, Actor: chiefA, At: t0.Add(time.Hour)},
		{Action: redaktor.ActReject, Actor: chiefB, Comment: "не по теме"},
	}
	errs := make([]error, len(changes))
	var wg sync.WaitGroup
	for i, c := range changes {
		wg.Go(func() {
			next, ev, err := redaktor.Apply(p, c, t0.Add(time.Minute))
			if err == nil {
				err = s.SavePost(ctx, p, next, ev)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, redaktor.ErrConflict):
		default:
			t.Fatalf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d presses took effect, want exactly 1 (errors %v)", wins, errs)
	}
	cur, _ := s.Post(ctx, p.ID)
	if cur.Rev != p.Rev+1 {
		t.Fatalf("rev %d, want %d", cur.Rev, p.Rev+1)
	}
	if hist, _ := s.History(ctx, p.ID); len(hist) != 3 {
		t.Fatalf("history has %d lines, want 3 (create, submit, one verdict)", len(hist))
	}
}

func TestSaveIsSafeToRunTwice(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := newDraft(t, s)
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ { // a retried call after a read timeout
		if err := s.SavePost(ctx, p, next, ev); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	if hist, _ := s.History(ctx, p.ID); len(hist) != 2 {
		t.Fatalf("history has %d lines after a repeated save, want 2", len(hist))
	}
	if err := s.CreatePost(ctx, p, redaktor.Origin{}); !errors.Is(err, redaktor.ErrConflict) {
		t.Fatalf("creating over an existing post: %v, want conflict", err)
	}
}

func TestTwoSchedulersClaimEachPostOnce(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	const n = 200
	for i := 0; i < n; i++ {
		p := newDraft(t, s)
		p.Status, p.PublishAt = redaktor.StatusScheduled, t0
		if err := s.SavePost(ctx, p, p, redaktor.Event{}); err != nil {
			t.Fatal(err)
		}
	}
	later := newDraft(t, s)
	later.Status, later.PublishAt = redaktor.StatusScheduled, t0.Add(time.Hour)
	if err := s.SavePost(ctx, later, later, redaktor.Event{}); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for {
				ids, err := s.ClaimDue(ctx, t0, time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					seen[id]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("claimed %d distinct posts, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("post %s claimed %d times", id, c)
		}
	}
	if seen[later.ID] != 0 {
		t.Fatalf("a post due later was claimed")
	}
	// The lease runs out: the posts come back once, to whoever claims next.
	ids, err := s.ClaimDue(ctx, t0.Add(2*time.Minute), time.Minute, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != n {
		t.Fatalf("after the lease ran out %d posts came back, want %d", len(ids), n)
	}
}

func TestAlbumBecomesOneDraftOnlyWhenComplete(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	quiet := 2 * time.Second
	add := func(msgID int, at time.Time) {
		it := redaktor.AlbumItem{UserID: 11, MessageID: msgID, Media: redaktor.Media{Kind: redaktor.MediaPhoto, FileID: "f"}}
		if err := s.AddAlbumItem(ctx, 11, "g1", it, at, quiet); err != nil {
			t.Fatal(err)
		}
	}
	add(1, t0)
	add(2, t0)
	add(2, t0) // delivered twice
	if ready, _ := s.ReadyAlbums(ctx, t0.Add(time.Second), redaktor.AlbumPick{Limit: 10}); len(ready) != 0 {
		t.Fatalf("album ready before the quiet moment: %+v", ready)
	}
	ready, err := s.ReadyAlbums(ctx, t0.Add(quiet), redaktor.AlbumPick{Limit: 10})
	if err != nil || len(ready) != 1 || len(ready[0].Items) != 2 || ready[0].UserID != 11 {
		t.Fatalf("ready = %+v, %v; want one album of 2 items from user 11", ready, err)
	}
	// A late item arrives after the album was read: the draft must not be
	// made from the incomplete read.
	add(3, t0.Add(quiet))
	p, _ := redaktor.NewPost("a1", "1", moderator, redaktor.Content{Media: []redaktor.Media{{Kind: redaktor.MediaPhoto, FileID: "f"}}}, t0)
	if err := s.CreatePost(ctx, p, redaktor.Origin{Album: &ready[0].Ref}); !errors.Is(err, redaktor.ErrConflict) {
		t.Fatalf("create from a stale album read: %v, want conflict", err)
	}
	ready, _ = s.ReadyAlbums(ctx, t0.Add(2*quiet), redaktor.AlbumPick{Limit: 10})
	if len(ready) != 1 || len(ready[0].Items) != 3 {
		t.Fatalf("ready = %+v, want the album of 3", ready)
	}
	if err := s.CreatePost(ctx, p, redaktor.Origin{Album: &ready[0].Ref}); err != nil {
		t.Fatal(err)
	}
	if ready, _ := s.ReadyAlbums(ctx, t0.Add(time.Hour), redaktor.AlbumPick{Limit: 10}); len(ready) != 0 {
		t.Fatalf("album still buffered after its draft was made: %+v", ready)
	}
}

// A withdrawn post leaves the reminder queue, and submitted again without
// a time it does not come back: the time went with the withdrawal.
func TestWithdrawnPostLeavesTheReminders(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := newDraft(t, s)
	at := t0.Add(time.Hour)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator, At: at}, t0)
	if due, _, _ := s.DueProposals(ctx, at.Add(time.Minute), 10); len(due) != 1 {
		t.Fatalf("due reminders after submitting with a time = %v, want the post", due)
	}
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActWithdraw, Actor: moderator}, t0.Add(time.Minute))
	if due, _, _ := s.DueProposals(ctx, at.Add(time.Minute), 10); len(due) != 0 {
		t.Fatalf("due reminders after the withdrawal = %v, want none", due)
	}
	apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0.Add(2*time.Minute))
	if due, _, _ := s.DueProposals(ctx, at.Add(time.Minute), 10); len(due) != 0 {
		t.Fatalf("due reminders after submitting again without a time = %v, want none", due)
	}
}
