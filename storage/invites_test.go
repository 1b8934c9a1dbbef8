package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

func TestInviteIsOneTimeAndExpires(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа №4"}); err != nil {
		t.Fatal(err)
	}
	inv := redaktor.Invite{Code: "abc", PageID: "1", Role: redaktor.RoleModerator, CreatedBy: 21, ExpiresAt: t0.Add(redaktor.InviteTTL)}
	if err := s.SaveInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user int64
		at   time.Time
		want error
		role redaktor.Role
	}{
		{"first opener joins", 11, t0.Add(time.Hour), nil, redaktor.RoleModerator},
		{"same person again is fine", 11, t0.Add(2 * time.Hour), nil, redaktor.RoleModerator},
		{"someone else is refused", 12, t0.Add(2 * time.Hour), redaktor.ErrInviteUsed, ""},
	}
	for _, tc := range tests {
		_, role, err := s.RedeemInvite(ctx, "abc", tc.user, tc.at)
		if !errors.Is(err, tc.want) || role != tc.role {
			t.Fatalf("%s: role %q err %v, want %q %v", tc.name, role, err, tc.role, tc.want)
		}
	}
	late := redaktor.Invite{Code: "late", PageID: "1", Role: redaktor.RoleChief, ExpiresAt: t0}
	_ = s.SaveInvite(ctx, late)
	if _, _, err := s.RedeemInvite(ctx, "late", 13, t0.Add(time.Minute)); !errors.Is(err, redaktor.ErrInviteExpired) {
		t.Fatalf("late invite: %v, want expired", err)
	}
	if _, _, err := s.RedeemInvite(ctx, "nope", 13, t0); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("unknown invite: %v, want not found", err)
	}
	if r, _ := s.Role(ctx, "1", 13); r != "" {
		t.Fatalf("expired invite gave role %q", r)
	}
}

func TestPageKeepsAChiefEditor(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	_ = s.SavePage(ctx, redaktor.Page{ID: "1"})
	for _, inv := range []redaktor.Invite{
		{Code: "c", PageID: "1", Role: redaktor.RoleChief, ExpiresAt: t0.Add(time.Hour)},
		{Code: "m", PageID: "1", Role: redaktor.RoleModerator, ExpiresAt: t0.Add(time.Hour)},
	} {
		_ = s.SaveInvite(ctx, inv)
	}
	_, _, _ = s.RedeemInvite(ctx, "c", 21, t0)
	_, _, _ = s.RedeemInvite(ctx, "m", 11, t0)
	if err := s.SetRole(ctx, "1", 21, redaktor.RoleModerator); !errors.Is(err, redaktor.ErrLastChief) {
		t.Fatalf("demoting the only chief: %v, want ErrLastChief", err)
	}
	if err := s.RemoveMember(ctx, "1", 21); !errors.Is(err, redaktor.ErrLastChief) {
		t.Fatalf("removing the only chief: %v, want ErrLastChief", err)
	}
	if err := s.SetRole(ctx, "1", 11, redaktor.RoleChief); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(ctx, "1", 21); err != nil {
		t.Fatalf("removing one of two chiefs: %v", err)
	}
	pages, _, _ := s.UserPages(ctx, 21)
	if len(pages) != 0 {
		t.Fatalf("removed member still sees pages %+v", pages)
	}
	members, _ := s.Members(ctx, "1")
	if len(members) != 1 || members[0].UserID != 11 || members[0].Role != redaktor.RoleChief {
		t.Fatalf("members = %+v", members)
	}
}

// A page's open invites are listed until used, revoked or expired; a
// revoked one cannot be opened; opening one's own used invite again
// changes nothing and says so.
func TestOpenInvitesRevokeAndReopen(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	_ = s.SavePage(ctx, redaktor.Page{ID: "1"})
	for _, inv := range []redaktor.Invite{
		{Code: "soon", PageID: "1", Role: redaktor.RoleModerator, CreatedBy: 21, ExpiresAt: t0.Add(time.Hour)},
		{Code: "later", PageID: "1", Role: redaktor.RoleChief, CreatedBy: 21, ExpiresAt: t0.Add(2 * time.Hour)},
		{Code: "used", PageID: "1", Role: redaktor.RoleModerator, CreatedBy: 21, ExpiresAt: t0.Add(3 * time.Hour)},
		{Code: "other", PageID: "2", Role: redaktor.RoleModerator, CreatedBy: 21, ExpiresAt: t0.Add(3 * time.Hour)},
	} {
		if err := s.SaveInvite(ctx, inv); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.Redeem(ctx, "used", 11, t0)
	if err != nil || r.Again || r.Role != redaktor.RoleModerator {
		t.Fatalf("first opening = %+v, %v", r, err)
	}
	codes := func(at time.Time) []string {
		t.Helper()
		open, err := s.OpenInvites(ctx, "1", at)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, inv := range open {
			out = append(out, inv.Code)
		}
		return out
	}
	if got := codes(t0); len(got) != 2 || got[0] != "soon" || got[1] != "later" {
		t.Fatalf("open invites = %v, want [soon later]", got)
	}
	if err := s.RevokeInvite(ctx, "2", "later", 21, t0); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("revoking through another page: %v, want not found", err)
	}
	if err := s.RevokeInvite(ctx, "1", "used", 21, t0); !errors.Is(err, redaktor.ErrInviteUsed) {
		t.Fatalf("revoking a used invite: %v, want used", err)
	}
	for range 2 { // a retry is fine
		if err := s.RevokeInvite(ctx, "1", "later", 21, t0); err != nil {
			t.Fatal(err)
		}
	}
	if got := codes(t0); len(got) != 1 || got[0] != "soon" {
		t.Fatalf("open invites after the revocation = %v, want [soon]", got)
	}
	if got := codes(t0.Add(90 * time.Minute)); len(got) != 0 {
		t.Fatalf("open invites after the last expired = %v, want none", got)
	}
	if _, err := s.Redeem(ctx, "later", 12, t0); !errors.Is(err, redaktor.ErrInviteRevoked) {
		t.Fatalf("opening a revoked invite: %v", err)
	}
	if role, _ := s.Role(ctx, "1", 12); role != "" {
		t.Fatalf("the revoked invite gave role %q", role)
	}
	r, err = s.Redeem(ctx, "used", 11, t0)
	if err != nil || !r.Again || r.Role != redaktor.RoleModerator {
		t.Fatalf("opening one's own used invite again = %+v, %v", r, err)
	}
	if err := s.RemoveMember(ctx, "1", 11); err != nil {
		t.Fatal(err)
	}
	r, err = s.Redeem(ctx, "used", 11, t0)
	if err != nil || !r.Again || r.Role != "" {
		t.Fatalf("reopening after leaving = %+v, %v; want again, no role", r, err)
	}
	if role, _ := s.Role(ctx, "1", 11); role != "" {
		t.Fatalf("reopening brought the person back as %q", role)
	}
}

// Demoting a chief editor revokes the open invites they made, and only
// theirs; an admin may take the last chief editor off a page.
func TestDemotionRevokesInvitesAndAdminMayOrphan(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	_ = s.SavePage(ctx, redaktor.Page{ID: "1"})
	joinTeam(t, s, "1", redaktor.RoleChief, 21)
	joinTeam(t, s, "1", redaktor.RoleChief, 22)
	for _, inv := range []redaktor.Invite{
		{Code: "by21a", PageID: "1", Role: redaktor.RoleModerator, CreatedBy: 21, ExpiresAt: t0.Add(time.Hour)},
		{Code: "by21b", PageID: "1", Role: redaktor.RoleChief, CreatedBy: 21, ExpiresAt: t0.Add(time.Hour)},
		{Code: "by22", PageID: "1", Role: redaktor.RoleModerator, CreatedBy: 22, ExpiresAt: t0.Add(time.Hour)},
	} {
		_ = s.SaveInvite(ctx, inv)
	}
	demote := redaktor.MemberChange{PageID: "1", UserID: 21, Role: redaktor.RoleModerator, By: 22, At: t0}
	if n, err := s.ChangeMember(ctx, demote); err != nil || n != 2 {
		t.Fatalf("demotion revoked %d, %v; want 2", n, err)
	}
	if n, err := s.ChangeMember(ctx, demote); err != nil || n != 0 { // a retry
		t.Fatalf("demotion again: %d, %v", n, err)
	}
	for _, code := range []string{"by21a", "by21b"} {
		if _, err := s.Redeem(ctx, code, 30, t0); !errors.Is(err, redaktor.ErrInviteRevoked) {
			t.Fatalf("%s after the demotion: %v, want revoked", code, err)
		}
	}
	if _, err := s.Redeem(ctx, "by22", 31, t0); err != nil {
		t.Fatalf("the other chief editor's invite: %v", err)
	}
	last := redaktor.MemberChange{PageID: "1", UserID: 22, By: 100, At: t0}
	if _, err := s.ChangeMember(ctx, last); !errors.Is(err, redaktor.ErrLastChief) {
		t.Fatalf("removing the last chief editor: %v, want refused", err)
	}
	last.MayLeaveNoChief = true
	if _, err := s.ChangeMember(ctx, last); err != nil {
		t.Fatalf("an admin removing the last chief editor: %v", err)
	}
	if role, _ := s.Role(ctx, "1", 22); role != "" {
		t.Fatalf("still %q", role)
	}
}
