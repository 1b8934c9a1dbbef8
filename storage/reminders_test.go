package storage_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// A morning digest is taken by one of many callers at once, and the posts
// it tells of count as reminded with it.
func TestDigestTakenOnceAndCoversItsPosts(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	since := t0.Add(-6 * time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	var tells []string
	for range 8 {
		wg.Go(func() {
			ok, told, err := s.ClaimDigest(ctx, "1", "2026-11-27", time.Hour, map[string]time.Time{"7": since},
				map[string]time.Time{"9": since, "10": since})
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				won++
				tells = told
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d callers took the digest, want one", won)
	}
	slices.Sort(tells)
	if !slices.Equal(tells, []string{"10", "9"}) {
		t.Fatalf("the digest took the telling of %v, want both passed times", tells)
	}
	// Told in the digest: a notice of its own finds it taken; another
	// proposed time of the same post is a new one.
	if ok, err := s.ClaimTold(ctx, "9", since); err != nil || ok {
		t.Fatalf("claim told after the digest = %v, %v", ok, err)
	}
	if ok, err := s.ClaimTold(ctx, "9", since.Add(time.Hour)); err != nil || !ok {
		t.Fatalf("claim of another proposed time = %v, %v", ok, err)
	}
	if done, err := s.DigestDone(ctx, "1", "2026-11-27"); err != nil || !done {
		t.Fatalf("digest done = %v, %v", done, err)
	}
	if done, _ := s.DigestDone(ctx, "1", "2026-11-28"); done {
		t.Fatal("the next day's digest counts as done")
	}
	got, err := s.ClaimWaiting(ctx, "1", []string{"7", "8"}, true, map[string]time.Time{"7": since, "8": since})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"8"}) {
		t.Fatalf("claimed %v after the digest, want only [8]", got)
	}
}

// A waiting post is reminded of once per time it began waiting; once it
// waits no more its mark goes, and a new wait is reminded of again.
func TestWaitingReminderClaimedOncePerWait(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	first := t0
	claim := func(waiting []string, all bool, over map[string]time.Time) []string {
		t.Helper()
		got, err := s.ClaimWaiting(ctx, "1", waiting, all, over)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := claim([]string{"5"}, true, map[string]time.Time{"5": first}); !slices.Equal(got, []string{"5"}) {
		t.Fatalf("first claim %v", got)
	}
	if got := claim([]string{"5"}, true, map[string]time.Time{"5": first}); len(got) != 0 {
		t.Fatalf("claimed again: %v", got)
	}
	// Sent back and submitted again: a new wait.
	again := first.Add(24 * time.Hour)
	if got := claim([]string{"5"}, true, map[string]time.Time{"5": again}); !slices.Equal(got, []string{"5"}) {
		t.Fatalf("a new wait was not claimed: %v", got)
	}
	// No longer waiting (approved): the mark goes only when the list is whole.
	claim(nil, false, nil)
	if got := claim([]string{"5"}, true, map[string]time.Time{"5": again}); len(got) != 0 {
		t.Fatalf("a partial list dropped the mark: %v", got)
	}
	claim([]string{"6"}, true, nil)
	if got := claim([]string{"5"}, true, map[string]time.Time{"5": again}); !slices.Equal(got, []string{"5"}) {
		t.Fatalf("the mark of a post no longer waiting stayed: %v", got)
	}
}

// A passed proposed time put off to the morning moves only while the post
// is as read: a post changed meanwhile keeps the index its state gives.
func TestHoldProposalOnlyWhileUnchanged(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := newDraft(t, s)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActPropose, Actor: moderator, At: t0.Add(time.Hour)}, t0)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	late := t0.Add(2 * time.Hour)
	ids, at, err := s.DueProposals(ctx, late, 10)
	if err != nil || !slices.Equal(ids, []string{p.ID}) || !at[0].Equal(p.ProposedAt) {
		t.Fatalf("due proposals %v %v %v", ids, at, err)
	}
	morning := t0.Add(20 * time.Hour)
	if err := s.HoldProposal(ctx, p.ID, at[0], morning); err != nil {
		t.Fatal(err)
	}
	if ids, _, _ := s.DueProposals(ctx, late, 10); len(ids) != 0 {
		t.Fatalf("held proposal still due: %v", ids)
	}
	if ids, _, _ := s.DueProposals(ctx, morning, 10); !slices.Equal(ids, []string{p.ID}) {
		t.Fatalf("held proposal not due in the morning: %v", ids)
	}
	// Held with a stale read: nothing moves.
	if err := s.HoldProposal(ctx, p.ID, at[0], morning.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ids, _, _ := s.DueProposals(ctx, morning, 10); !slices.Equal(ids, []string{p.ID}) {
		t.Fatalf("a stale hold moved the reminder: %v", ids)
	}
	// Telling it once is claimed once.
	for i, want := range []bool{true, false} {
		ok, err := s.ClaimTold(ctx, p.ID, p.ProposedAt)
		if err != nil || ok != want {
			t.Fatalf("claim %d = %v, %v", i, ok, err)
		}
	}
}

// PagesAfter walks every page in batches.
func TestPagesAfterWalksEveryPage(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	for i := range 5 {
		id, err := s.NextID(ctx, "page")
		if err != nil {
			t.Fatal(err)
		}
		if i == 2 {
			continue // an id spent by a creation that failed
		}
		if err := s.SavePage(ctx, redaktor.Page{ID: id, Title: "Страница " + id}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []string
	var after int64
	for {
		pages, next, err := s.PagesAfter(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			seen = append(seen, p.ID)
		}
		if next == 0 {
			break
		}
		after = next
	}
	if !slices.Equal(seen, []string{"1", "2", "4", "5"}) {
		t.Fatalf("walked %v", seen)
	}
}
