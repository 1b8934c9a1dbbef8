package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// A chief editor presses Approve on a card read before the author's
// /forgetme: the press gets a conflict (the desk reads the post again),
// and neither the author's id and name nor their list of open posts come
// back. Pressed again on the post as it is now, it works.
func TestSaveFromACopyReadBeforeForgetConflicts(t *testing.T) {
	ctx := context.Background()
	s, r := storagetest.Store(t)
	p := newDraft(t, s)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	card, err := s.Post(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetUser(ctx, moderator.UserID); err != nil {
		t.Fatal(err)
	}
	approve := redaktor.Change{Action: redaktor.ActApprove, Actor: chiefA, At: t0.Add(time.Hour)}
	next, ev, err := redaktor.Apply(card, approve, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SavePost(ctx, card, next, ev); !errors.Is(err, redaktor.ErrConflict) {
		t.Fatalf("approve from a copy read before /forgetme: %v, want a conflict", err)
	}
	openPosts := "{" + r.Prefix + "}:user:11:posts"
	now, err := s.Post(ctx, p.ID)
	if err != nil || now.AuthorID != 0 || now.AuthorName != "" || now.Status != redaktor.StatusPending {
		t.Fatalf("after the refused approve: %+v %v, want pending with a former member as author", now, err)
	}
	if n := r.Client.Exists(ctx, openPosts).Val(); n != 0 {
		t.Fatalf("the forgotten author's list of open posts is back")
	}
	approved := apply(t, s, now, approve, t0.Add(time.Minute))
	got, err := s.Post(ctx, p.ID)
	if err != nil || got.AuthorID != 0 || got.AuthorName != "" || got.Status != redaktor.StatusScheduled || got.Rev != approved.Rev {
		t.Fatalf("approved as read again: %+v %v", got, err)
	}
	if n := r.Client.Exists(ctx, openPosts).Val(); n != 0 {
		t.Fatalf("the forgotten author's list of open posts is back")
	}
}

// The scheduler claimed a due post and read it; the author's /forgetme
// lands before its claim is saved. The claim conflicts and the scheduler
// gives its lease up (as for any post changed meanwhile); the post must
// neither get its author back nor be lost: it is due again when the lease
// would have ended, and then published as it is now.
func TestClaimFromACopyReadBeforeForgetIsTakenAgainLater(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	p := newDraft(t, s)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActApprove, Actor: chiefA, At: t0.Add(time.Hour)}, t0)
	now, lease := t0.Add(time.Hour), 2*time.Minute
	if ids, err := s.ClaimDue(ctx, now, lease, 10); err != nil || len(ids) != 1 || ids[0] != p.ID {
		t.Fatalf("claimed %v %v, want the post", ids, err)
	}
	read, err := s.Post(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetUser(ctx, moderator.UserID); err != nil {
		t.Fatal(err)
	}
	claim := redaktor.Change{Action: redaktor.ActClaim, Actor: redaktor.System}
	next, ev, err := redaktor.Apply(read, claim, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SavePost(ctx, read, next, ev); !errors.Is(err, redaktor.ErrConflict) {
		t.Fatalf("claim from a copy read before /forgetme: %v, want a conflict", err)
	}
	if err := s.Unlease(ctx, p.ID); err != nil { // what the scheduler does on that conflict
		t.Fatal(err)
	}
	if ids, _ := s.ClaimDue(ctx, now.Add(lease-time.Second), lease, 10); len(ids) != 0 {
		t.Fatalf("claimed %v within the lease given up", ids)
	}
	ids, err := s.ClaimDue(ctx, now.Add(lease), lease, 10)
	if err != nil || len(ids) != 1 || ids[0] != p.ID {
		t.Fatalf("claimed %v %v when the lease would have ended, want the post", ids, err)
	}
	read, err = s.Post(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	claimed := apply(t, s, read, claim, now.Add(lease))
	published := apply(t, s, claimed, redaktor.Change{Action: redaktor.ActPublished, Actor: redaktor.System, MessageIDs: []int{5}}, now.Add(lease))
	got, err := s.Post(ctx, p.ID)
	if err != nil || got.Status != redaktor.StatusPublished || got.AuthorID != 0 || got.AuthorName != "" || got.Rev != published.Rev {
		t.Fatalf("published: %+v %v, want published with a former member as author", got, err)
	}
	if ids, _ := s.ClaimDue(ctx, now.Add(time.Hour), lease, 10); len(ids) != 0 {
		t.Fatalf("claimed %v after the publication", ids)
	}
}
