package storage_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The combined reads of the hot path (one round trip each) answer exactly
// what the single reads they replace would.

// joinTeam puts a person on a page's team, as an invite does.
func joinTeam(t *testing.T, s *storage.Store, pageID string, role redaktor.Role, user int64) {
	t.Helper()
	ctx := context.Background()
	code := fmt.Sprintf("%s-%d", pageID, user)
	inv := redaktor.Invite{Code: code, PageID: pageID, Role: role, ExpiresAt: t0.Add(time.Hour)}
	if err := s.SaveInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RedeemInvite(ctx, code, user, t0); err != nil {
		t.Fatal(err)
	}
}

// publishAt takes a new draft of page 1 through to published at at.
func publishAt(t *testing.T, s *storage.Store, at time.Time) redaktor.Post {
	t.Helper()
	p := newDraft(t, s)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, at)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActPublishNow, Actor: chiefA}, at)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActClaim, Actor: redaktor.System}, at)
	return apply(t, s, p, redaktor.Change{Action: redaktor.ActPublished, Actor: redaktor.System, MessageIDs: []int{1}}, at)
}

func TestUserSessionReadsBothOrSaysUnknown(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if _, _, _, err := s.UserSession(ctx, 11); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("unknown person: %v, want not found", err)
	}
	ira := redaktor.User{ID: 11, Name: "Ирина", Lang: "ru", CurrentPage: "1"}
	if err := s.SaveUser(ctx, ira); err != nil {
		t.Fatal(err)
	}
	u, _, waiting, err := s.UserSession(ctx, 11)
	if err != nil || u != ira || waiting {
		t.Fatalf("known person, no session: %+v waiting=%v err=%v", u, waiting, err)
	}
	se := redaktor.Session{Kind: redaktor.SessionRequestChanges, PostID: "7", Rev: 3}
	if err := s.SetSession(ctx, 11, se); err != nil {
		t.Fatal(err)
	}
	u, got, waiting, err := s.UserSession(ctx, 11)
	if err != nil || u != ira || !waiting || got != se {
		t.Fatalf("with a session: %+v %+v waiting=%v err=%v", u, got, waiting, err)
	}
	if err := s.ClearSession(ctx, 11); err != nil {
		t.Fatal(err)
	}
	if _, _, waiting, _ := s.UserSession(ctx, 11); waiting {
		t.Fatal("cleared session still read")
	}
}

func TestMembershipReadsPageAndRole(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if _, _, err := s.Membership(ctx, "1", 11); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("missing page: %v, want not found", err)
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа №4"}); err != nil {
		t.Fatal(err)
	}
	joinTeam(t, s, "1", redaktor.RoleChief, 21)
	tests := []struct {
		name string
		user int64
		want redaktor.Role
	}{
		{"chief editor", 21, redaktor.RoleChief},
		{"not on the team", 11, ""},
	}
	for _, tc := range tests {
		page, role, err := s.Membership(ctx, "1", tc.user)
		if err != nil || page.Title != "Школа №4" || role != tc.want {
			t.Errorf("%s: page %q role %q err %v, want role %q", tc.name, page.Title, role, err, tc.want)
		}
	}
}

func TestPageActivityListsRecentAndCountsTheWeek(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	old := publishAt(t, s, monday.Add(-20*24*time.Hour))
	lastWeek := publishAt(t, s, monday.Add(-time.Hour))
	thisWeek := publishAt(t, s, monday.Add(time.Hour))
	newDraft(t, s) // not published: in neither

	act, err := s.PageActivity(ctx, "1", monday.Add(-7*24*time.Hour), monday, 200)
	if err != nil {
		t.Fatal(err)
	}
	if act.Week != 1 {
		t.Errorf("published this week = %d, want 1", act.Week)
	}
	ids := act.Recent
	if len(ids) != 2 || ids[0] != lastWeek.ID || ids[1] != thisWeek.ID {
		t.Errorf("recent = %v, want [%s %s] (not %s, published before)", ids, lastWeek.ID, thisWeek.ID, old.ID)
	}
	posts, err := s.Posts(ctx, []string{thisWeek.ID, "404", lastWeek.ID})
	if err != nil || len(posts) != 2 || posts[0].ID != thisWeek.ID || posts[1].ID != lastWeek.ID || posts[0].Status != redaktor.StatusPublished {
		t.Errorf("Posts: %d posts, %v (a missing id is left out, the order kept)", len(posts), err)
	}
	empty, err := s.PageActivity(ctx, "2", monday, monday, 200)
	if err != nil || empty.Week != 0 || len(empty.Recent) != 0 {
		t.Errorf("a page with nothing published: %+v %v", empty, err)
	}
}

// StartDraft answers in one round trip what Membership, NewPostID and
// PageActivity answer in three, and finds the post an update made before.
func TestStartDraftReadsWhatADraftNeedsInOneTrip(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	if _, err := s.StartDraft(ctx, "1", 11, 0, t0, 200); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("missing page: %v, want not found", err)
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа №4"}); err != nil {
		t.Fatal(err)
	}
	joinTeam(t, s, "1", redaktor.RoleModerator, 11)
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, at := range []time.Duration{-20 * 24 * time.Hour, -time.Hour, time.Hour, 2 * time.Hour} {
		publishAt(t, s, monday.Add(at))
	}

	var trips int
	storage.Observe(r.Client, func(string, error) { trips++ })
	st, err := s.StartDraft(ctx, "1", 11, 77, monday.Add(-7*24*time.Hour), 200)
	if err != nil || trips != 1 {
		t.Fatalf("StartDraft: %v in %d round trips", err, trips)
	}
	want, err := s.PageActivity(ctx, "1", monday.Add(-7*24*time.Hour), monday, 200)
	if err != nil {
		t.Fatal(err)
	}
	got := st.Activity(monday)
	if st.Page.Title != "Школа №4" || st.Role != redaktor.RoleModerator || st.Made != "" || got.Week != 2 ||
		!slices.Equal(got.Recent, want.Recent) || len(got.Recent) != 3 {
		t.Fatalf("got %+v, activity %+v; PageActivity says %+v", st, got, want)
	}
	if latest, _ := s.StartDraft(ctx, "1", 11, 0, monday.Add(-7*24*time.Hour), 2); !slices.Equal(latest.Activity(monday).Recent, want.Recent[1:]) {
		t.Errorf("limited to 2: %v, want the latest two of %v", latest.Activity(monday).Recent, want.Recent)
	}

	p, err := redaktor.NewPost(st.PostID, "1", moderator, redaktor.Content{Text: "Субботник"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePost(ctx, p, redaktor.Origin{Update: 77}); err != nil {
		t.Fatal(err)
	}
	again, err := s.StartDraft(ctx, "1", 11, 77, t0, 200)
	if err != nil || again.Made != p.ID || again.PostID == p.ID {
		t.Fatalf("the update handled again: made %q (want %q), new id %q, %v", again.Made, p.ID, again.PostID, err)
	}
	stranger, err := s.StartDraft(ctx, "1", 99, 78, t0, 200)
	if err != nil || stranger.Role != "" {
		t.Fatalf("not on the team: role %q, %v", stranger.Role, err)
	}
}

// ReadPress reads the presser and the pressed post with its page, the
// person's role and its history in one round trip, and a button naming
// another page than the post's own (forged) cannot borrow a role from that
// page.
func TestPostViewReadsThePressedPostOnItsOwnPage(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	for _, pg := range []redaktor.Page{{ID: "1", Title: "Школа №4"}, {ID: "2", Title: "Библиотека"}} {
		if err := s.SavePage(ctx, pg); err != nil {
			t.Fatal(err)
		}
	}
	joinTeam(t, s, "1", redaktor.RoleModerator, 11)
	joinTeam(t, s, "2", redaktor.RoleChief, 31) // chief editor of the library only
	p := newDraft(t, s)                         // on page 1
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)

	if err := s.SaveUser(ctx, redaktor.User{ID: 11, Name: "Ирина", Lang: "ru", CurrentPage: "1"}); err != nil {
		t.Fatal(err)
	}
	var trips int
	storage.Observe(r.Client, func(string, error) { trips++ })
	read, err := s.ReadPress(ctx, 11, p.ID, "1", true)
	if err != nil || read.UserErr != nil || read.ViewErr != nil || trips != 1 {
		t.Fatalf("ReadPress: %v %v %v in %d round trips", err, read.UserErr, read.ViewErr, trips)
	}
	v := read.View
	if read.User.Name != "Ирина" || read.Waiting {
		t.Errorf("the person: %+v waiting=%v", read.User, read.Waiting)
	}
	if v.Post.ID != p.ID || v.Post.Rev != p.Rev || v.Page.Title != "Школа №4" || v.Role != redaktor.RoleModerator || len(v.History) != 2 {
		t.Fatalf("got post %s rev %d, page %q, role %q, %d events", v.Post.ID, v.Post.Rev, v.Page.Title, v.Role, len(v.History))
	}
	r2, err := s.ReadPress(ctx, 31, p.ID, "2", false)
	forged := r2.View
	if err != nil || r2.ViewErr != nil || !errors.Is(r2.UserErr, redaktor.ErrNotFound) || forged.Page.ID != "1" || forged.Role != "" {
		t.Fatalf("a button naming the library for the school's post: page %q role %q, %v; want the school and no role", forged.Page.ID, forged.Role, err)
	}
	if r, err := s.ReadPress(ctx, 11, "404", "1", false); err != nil || !errors.Is(r.ViewErr, redaktor.ErrNotFound) || r.User.Name != "Ирина" {
		t.Fatalf("a missing post: %v %v, want not found and the person read", err, r.ViewErr)
	}
}

// An update handled twice at once (a handler that ran past the reclaim
// time) makes one draft: the second store finds the first's mark and is
// refused with that post's id, storing nothing.
func TestAnUpdateMakesOneDraftEvenHandledTwiceAtOnce(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	var made []redaktor.Post
	for range 2 {
		id, prior, err := s.NewPostID(ctx, 501)
		if err != nil || prior != "" {
			t.Fatalf("NewPostID: %q %q %v (both handlings read before either stored)", id, prior, err)
		}
		p, err := redaktor.NewPost(id, "1", moderator, redaktor.Content{Text: "Субботник"}, t0)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, p)
	}
	if err := s.CreatePost(ctx, made[0], redaktor.Origin{Update: 501}); err != nil {
		t.Fatal(err)
	}
	err := s.CreatePost(ctx, made[1], redaktor.Origin{Update: 501})
	if e, ok := errors.AsType[*redaktor.MadeError](err); !ok || e.PostID != made[0].ID {
		t.Fatalf("the second store: %v, want the post %s made already", err, made[0].ID)
	}
	if _, err := s.Post(ctx, made[1].ID); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("the second draft was stored: %v", err)
	}
	posts, err := s.UserPosts(ctx, moderator.UserID, 10)
	if err != nil || len(posts) != 1 {
		t.Fatalf("the moderator has %d drafts, want 1 (%v)", len(posts), err)
	}
}

// A new version ends the person's session and marks its update in the
// same step, and is refused, changing nothing, when the update made a post
// already.
func TestSaveNewVersionEndsTheSessionAndMarksTheUpdate(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := newDraft(t, s)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActRequestChanges, Actor: chiefA, Comment: "Время?"}, t0)
	newVersion := func(p redaktor.Post, update int64) (redaktor.Post, error) {
		t.Helper()
		if err := s.SetSession(ctx, moderator.UserID, redaktor.Session{Kind: redaktor.SessionNewVersion, PostID: p.ID, Rev: p.Rev}); err != nil {
			t.Fatal(err)
		}
		next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActNewVersion, Actor: moderator,
			Content: &redaktor.Content{Text: "Субботник в 10:00"}}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return next, s.SaveNewVersion(ctx, p, next, ev, moderator.UserID, update)
	}
	v2, err := newVersion(p, 601)
	if err != nil {
		t.Fatal(err)
	}
	if _, waiting, _ := s.Session(ctx, moderator.UserID); waiting {
		t.Error("the session still waits")
	}
	if _, made, err := s.NewPostID(ctx, 601); err != nil || made != p.ID {
		t.Errorf("the update's mark: %q, %v; want %s", made, err, p.ID)
	}
	v2 = apply(t, s, v2, redaktor.Change{Action: redaktor.ActRequestChanges, Actor: chiefA, Comment: "Ещё"}, t0)
	if _, err := newVersion(v2, 601); !errors.As(err, new(*redaktor.MadeError)) {
		t.Fatalf("the same update again: %v, want the post it made", err)
	}
	if cur, _ := s.Post(ctx, p.ID); cur.Version != 2 || cur.Status != redaktor.StatusChangesRequested {
		t.Errorf("after the refusal: version %d, %s; want 2, changes requested", cur.Version, cur.Status)
	}
	if _, waiting, _ := s.Session(ctx, moderator.UserID); !waiting {
		t.Error("a refused version ended the session")
	}
}
