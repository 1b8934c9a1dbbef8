package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The end of a dialogue is noted for a person with a record only (of a
// stranger nothing outlives their update), read back at the desk's time,
// and forgotten with the person.
func TestDialogueEndNotedForPeopleWithARecordOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	if err := s.SaveUser(ctx, redaktor.User{ID: 1, Name: "Анна"}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)
	for _, user := range []int64{1, 2} {
		if err := s.MarkDialogueEnded(ctx, user, at, 10*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := s.DialogueEnded(ctx, 1)
	if err != nil || !ok || !got.Equal(at) {
		t.Fatalf("member: %v %v %v, want %v", got, ok, err, at)
	}
	if _, ok, err := s.DialogueEnded(ctx, 2); err != nil || ok {
		t.Fatalf("a stranger's dialogue end was kept (%v, %v)", ok, err)
	}
	if err := s.ForgetUser(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.DialogueEnded(ctx, 1); err != nil || ok {
		t.Fatalf("a forgotten person's dialogue end was kept (%v, %v)", ok, err)
	}
}

// The team's menus of a version are claimed by one process at a time and
// set once; a claim given up midway (or lapsed) is taken again.
func TestClaimMenusOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	for i, want := range []bool{true, false} {
		ok, err := s.ClaimMenus(ctx, "v1", time.Minute)
		if err != nil || ok != want {
			t.Fatalf("claim %d: %v, %v; want %v", i, ok, err, want)
		}
	}
	if err := s.ReleaseMenus(ctx, "v1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimMenus(ctx, "v1", time.Minute); err != nil || !ok {
		t.Fatalf("after a stop midway the menus are not claimed again: %v, %v", ok, err)
	}
	if err := s.MenusSet(ctx, "v1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.ClaimMenus(ctx, "v1", time.Minute); err != nil || ok {
		t.Fatalf("menus set are claimed again: %v, %v", ok, err)
	}
	if ok, err := s.ClaimMenus(ctx, "v2", time.Minute); err != nil || !ok {
		t.Fatalf("a new version: %v, %v", ok, err)
	}
}
