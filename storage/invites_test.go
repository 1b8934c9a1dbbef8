package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
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
		{"someone else is refused", 12, t0.Add(2 * time.Hour), storage.ErrInviteUsed, ""},
	}
	for _, tc := range tests {
		_, role, err := s.RedeemInvite(ctx, "abc", tc.user, tc.at)
		if !errors.Is(err, tc.want) || role != tc.role {
			t.Fatalf("%s: role %q err %v, want %q %v", tc.name, role, err, tc.role, tc.want)
		}
	}
	late := redaktor.Invite{Code: "late", PageID: "1", Role: redaktor.RoleChief, ExpiresAt: t0}
	_ = s.SaveInvite(ctx, late)
	if _, _, err := s.RedeemInvite(ctx, "late", 13, t0.Add(time.Minute)); !errors.Is(err, storage.ErrInviteExpired) {
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
	if err := s.SetRole(ctx, "1", 21, redaktor.RoleModerator); !errors.Is(err, storage.ErrLastChief) {
		t.Fatalf("demoting the only chief: %v, want ErrLastChief", err)
	}
	if err := s.RemoveMember(ctx, "1", 21); !errors.Is(err, storage.ErrLastChief) {
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
