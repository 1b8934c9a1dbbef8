package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// Updates set aside as failed hold the sender's name: they go after
// DeadKeep, trimmed by the age in their stream ids whenever an update is
// handled or set aside, and at the intake's periodic reclaim.
func TestDeadUpdatesExpireAfterSevenDays(t *testing.T) {
	for _, trigger := range []string{"handled", "set aside", "reclaimed"} {
		t.Run(trigger, func(t *testing.T) {
			ctx := context.Background()
			s, r := storagetest.Store(t)
			if err := s.EnsureStream(ctx); err != nil {
				t.Fatal(err)
			}
			dead := "{" + r.Prefix + "}:updates:dead"
			now := time.Now()
			for i, age := range []time.Duration{8 * 24 * time.Hour, storage.DeadKeep + time.Minute, storage.DeadKeep - time.Hour} {
				streamID := strconv.FormatInt(now.Add(-age).UnixMilli(), 10) + "-0"
				if err := r.Client.XAdd(ctx, &redis.XAddArgs{Stream: dead, ID: streamID,
					Values: []any{"id", i + 1, "u", string(payload(int64(i + 1)))}}).Err(); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.AddUpdates(ctx, []int64{10}, [][]byte{payload(10)}); err != nil {
				t.Fatal(err)
			}
			got, err := s.ReadUpdates(ctx, "c1", 10, 0)
			if err != nil || len(got) != 1 {
				t.Fatalf("read %v %v", got, err)
			}
			want := "[3]"
			switch trigger {
			case "handled":
				err = s.AckUpdates(ctx, got)
			case "set aside":
				_, err = s.DeadLetter(ctx, "c1", got[0], "test")
				want = "[3 10]"
			case "reclaimed": // nothing to reclaim: the periodic step alone
				_, err = s.ReclaimUpdates(ctx, "c2", time.Hour, 10)
			}
			if err != nil {
				t.Fatal(err)
			}
			if ids, _ := s.DeadUpdates(ctx, 10); fmt.Sprint(ids) != want {
				t.Fatalf("set aside after an update was %s: %v, want %s (those younger than 7 days)", trigger, ids, want)
			}
		})
	}
}

// A session of a person the bot keeps no record of (a subscriber, a
// stranger) lasts minutes; a team member's an hour.
func TestStrangerSessionExpiresSoon(t *testing.T) {
	ctx := context.Background()
	s, r := storagetest.Store(t)
	if err := s.SaveUser(ctx, redaktor.User{ID: 1, Name: "Анна"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user int64
		want time.Duration
	}{{1, redaktor.SessionTTL}, {2, redaktor.StrangerSessionTTL}} {
		if err := s.SetSession(ctx, tc.user, redaktor.Session{Kind: redaktor.SessionCheck}); err != nil {
			t.Fatal(err)
		}
		ttl, err := r.Client.PTTL(ctx, "{"+r.Prefix+"}:user:"+strconv.FormatInt(tc.user, 10)+":session").Result()
		if err != nil || ttl <= tc.want-time.Minute || ttl > tc.want {
			t.Errorf("user %d: session lives %v (%v), want %v", tc.user, ttl, err, tc.want)
		}
	}
}

// The only chief editor of a page cannot be forgotten before handing the
// page over; nothing is deleted then. With a second chief editor it works,
// and running it again finds nothing more to do.
func TestForgetUserNeedsAnotherChief(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	pageID, err := s.NextID(ctx, "page")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: pageID, Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	join := func(user int64, role redaktor.Role) {
		t.Helper()
		code := "c" + strconv.FormatInt(user, 10)
		if err := s.SaveInvite(ctx, redaktor.Invite{Code: code, PageID: pageID, Role: role, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.RedeemInvite(ctx, code, user, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	join(7, redaktor.RoleChief)
	if _, err := s.Subscribe(ctx, pageID, 7, true); err != nil {
		t.Fatal(err)
	}
	var last *redaktor.LastChiefError
	if err := s.ForgetUser(ctx, 7); !errors.As(err, &last) || last.Page.Title != "Школа" {
		t.Fatalf("forget the only chief editor: %v, want a LastChiefError naming the page", err)
	}
	if ok, _ := s.Subscribed(ctx, pageID, 7); !ok {
		t.Fatal("a refused forget deleted the subscription")
	}
	join(8, redaktor.RoleChief)
	for range 2 {
		if err := s.ForgetUser(ctx, 7); err != nil {
			t.Fatalf("forget with another chief editor: %v", err)
		}
	}
	if role, _ := s.Role(ctx, pageID, 7); role != "" {
		t.Fatalf("still %q on the page", role)
	}
	if ok, _ := s.Subscribed(ctx, pageID, 7); ok {
		t.Fatal("still subscribed")
	}
	if role, _ := s.Role(ctx, pageID, 8); role != redaktor.RoleChief {
		t.Fatalf("the other chief editor is %q", role)
	}
}

// Forgetting the moderator: their submitted post stays with the page with
// a former member as author and actor, the chief editor's lines keep her
// name, their unsubmitted draft is gone, and so are their updates set
// aside as failed (another person's stay).
func TestForgetUserInPostsAndSetAsideUpdates(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	submitted := newDraft(t, s)
	submitted = apply(t, s, submitted, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	submitted = apply(t, s, submitted, redaktor.Change{Action: redaktor.ActApprove, Actor: chiefA, At: t0.Add(time.Hour)}, t0)
	kept := newDraft(t, s)
	if err := s.EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}
	from := func(update, user int64) []byte {
		return fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"x"},"text":"/help"}}`, update, user, user)
	}
	if _, err := s.AddUpdates(ctx, []int64{1, 2}, [][]byte{from(1, moderator.UserID), from(2, chiefA.UserID)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadUpdates(ctx, "c1", 10, 0)
	if err != nil || len(got) != 2 {
		t.Fatalf("read %v %v", got, err)
	}
	for _, e := range got {
		if _, err := s.DeadLetter(ctx, "c1", e, "test"); err != nil {
			t.Fatal(err)
		}
	}

	if err := s.ForgetUser(ctx, moderator.UserID); err != nil {
		t.Fatal(err)
	}
	post, err := s.Post(ctx, submitted.ID)
	if err != nil || post.AuthorID != 0 || post.AuthorName != "" || post.Status != redaktor.StatusScheduled || post.Rev != submitted.Rev+1 {
		t.Fatalf("the submitted post after forgetting its author: %+v %v", post, err)
	}
	hist, err := s.History(ctx, submitted.ID)
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %+v %v", hist, err)
	}
	for _, ev := range hist {
		former := ev.ActorID == 0 && ev.ActorName == ""
		if (ev.Action == redaktor.ActApprove) == former || (ev.Action == redaktor.ActApprove && ev.ActorName != "Анна") {
			t.Errorf("history line %+v", ev)
		}
	}
	if _, err := s.Post(ctx, kept.ID); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("the unsubmitted draft: %v, want it gone", err)
	}
	if ids, _ := s.DeadUpdates(ctx, 10); fmt.Sprint(ids) != "[2]" {
		t.Fatalf("set aside after forgetting: %v, want only the chief editor's [2]", ids)
	}
}

// A person removed from their last team keeps their record (name,
// username) for a day, long enough to be told; a refresh of their name
// keeps that expiry, and joining again keeps the record for good. A
// refresh never makes a record (a person forgotten meanwhile stays so).
func TestFormerMemberRecordExpires(t *testing.T) {
	ctx := context.Background()
	s, r := storagetest.Store(t)
	pageID, err := s.NextID(ctx, "page")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: pageID, Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	join := func(code string) {
		t.Helper()
		if err := s.SaveInvite(ctx, redaktor.Invite{Code: code, PageID: pageID, Role: redaktor.RoleModerator, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.RedeemInvite(ctx, code, 7, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveUser(ctx, redaktor.User{ID: 7, Name: "Ирина"}); err != nil {
			t.Fatal(err)
		}
	}
	ttl := func() time.Duration {
		t.Helper()
		return r.Client.PTTL(ctx, "{"+r.Prefix+"}:user:7").Val()
	}
	join("a")
	if d := ttl(); d >= 0 {
		t.Fatalf("a member's record expires in %v", d)
	}
	if err := s.RemoveMember(ctx, pageID, 7); err != nil {
		t.Fatal(err)
	}
	if d := ttl(); d <= storage.FormerMemberKeep-time.Minute || d > storage.FormerMemberKeep {
		t.Fatalf("a former member's record expires in %v, want %v", d, storage.FormerMemberKeep)
	}
	if err := s.RefreshUser(ctx, redaktor.User{ID: 7, Name: "Ирина Петровна"}); err != nil {
		t.Fatal(err)
	}
	if u, _ := s.User(ctx, 7); u.Name != "Ирина Петровна" || ttl() <= 0 {
		t.Fatalf("after a refresh: %+v expiring in %v", u, ttl())
	}
	join("b")
	if d := ttl(); d >= 0 {
		t.Fatalf("a member again, the record expires in %v", d)
	}
	if err := s.RefreshUser(ctx, redaktor.User{ID: 99, Name: "Пётр"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, 99); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("a refresh made a record: %v", err)
	}
}

// A removal repeated (its reply was lost, or /forgetme's leaveTeams runs
// again) still sets the record of a person on no team to expire; it does
// not put the expiry off.
func TestRepeatedRemovalExpiresTheRecord(t *testing.T) {
	ctx := context.Background()
	s, r := storagetest.Store(t)
	pageID, err := s.NextID(ctx, "page")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: pageID, Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveInvite(ctx, redaktor.Invite{Code: "a", PageID: pageID, Role: redaktor.RoleModerator, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RedeemInvite(ctx, "a", 7, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveUser(ctx, redaktor.User{ID: 7, Name: "Ирина"}); err != nil {
		t.Fatal(err)
	}
	user := "{" + r.Prefix + "}:user:7"
	// The removal ran in Redis and its reply was lost: the person is on
	// no team, and the step after it (the expiry) never ran.
	if err := r.Client.HDel(ctx, "{"+r.Prefix+"}:page:"+pageID+":members", "7").Err(); err != nil {
		t.Fatal(err)
	}
	if err := r.Client.SRem(ctx, user+":pages", pageID).Err(); err != nil {
		t.Fatal(err)
	}
	if d := r.Client.PTTL(ctx, user).Val(); d >= 0 {
		t.Fatalf("set up: the record expires in %v, want no expiry", d)
	}
	if err := s.RemoveMember(ctx, pageID, 7); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("repeated removal: %v, want not found", err)
	}
	d := r.Client.PTTL(ctx, user).Val()
	if d <= storage.FormerMemberKeep-time.Minute || d > storage.FormerMemberKeep {
		t.Fatalf("after a repeated removal the record expires in %v, want %v", d, storage.FormerMemberKeep)
	}
	if err := r.Client.PExpire(ctx, user, time.Hour).Err(); err != nil { // a day went by, nearly
		t.Fatal(err)
	}
	if err := s.RemoveMember(ctx, pageID, 7); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatal(err)
	}
	if d := r.Client.PTTL(ctx, user).Val(); d > time.Hour {
		t.Fatalf("a removal repeated put the expiry off to %v", d)
	}
}
