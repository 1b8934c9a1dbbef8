package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The team's actions land in the page's log with the change itself:
// invite, join, role change, removal with the invites it revokes,
// publication, deletion, rename. Entries hold ids, newest first.
func TestAuditLogRecordsTeamActions(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	joinTeam(t, s, "1", redaktor.RoleChief, chiefA.UserID)
	joinTeam(t, s, "1", redaktor.RoleChief, chiefB.UserID)
	open := redaktor.Invite{Code: "open-by-b", PageID: "1", Role: redaktor.RoleModerator,
		CreatedBy: chiefB.UserID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := s.SaveInvite(ctx, open); err != nil {
		t.Fatal(err)
	}
	revoked, err := s.ChangeMember(ctx, redaktor.MemberChange{PageID: "1", UserID: chiefB.UserID,
		By: chiefA.UserID, At: t0.Add(time.Minute)})
	if err != nil || revoked != 1 {
		t.Fatalf("remove chief B: revoked %d, %v; want 1 invite revoked", revoked, err)
	}
	joinTeam(t, s, "1", redaktor.RoleModerator, moderator.UserID)
	publishAt(t, s, t0.Add(2*time.Minute))
	draft := newDraft(t, s)
	apply(t, s, draft, redaktor.Change{Action: redaktor.ActDelete, Actor: moderator}, t0.Add(3*time.Minute))
	rename := func(p *redaktor.Page) bool {
		if p.Title == "Школа №1" {
			return false
		}
		p.Title = "Школа №1"
		return true
	}
	// Twice, as a second press would: one line only.
	for range 2 {
		if _, err := s.UpdatePage(ctx, "1", redaktor.AuditEntry{At: t0.Add(4 * time.Minute), ActorID: 1,
			Action: redaktor.AuditRenamed, Note: "Школа → Школа №1"}, rename); err != nil {
			t.Fatal(err)
		}
	}
	log, err := s.AuditLog(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		got = append(got, fmt.Sprintf("%s by %d user %d %s %s", e.Action, e.ActorID, e.UserID, e.Role, e.Note))
	}
	want := []string{
		"renamed by 1 user 0  Школа → Школа №1",
		"deleted by 11 user 0  ",
		"published by 0 user 0  ",
		"joined by 11 user 11 moderator ",
		"invite_made by 0 user 0 moderator ",
		"invite_revoked by 21 user 22 moderator ",
		"removed by 21 user 22 chief ",
		"invite_made by 22 user 0 moderator ",
		"joined by 22 user 22 chief ",
		"invite_made by 0 user 0 chief ",
		"joined by 21 user 21 chief ",
		"invite_made by 0 user 0 chief ",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("log:\n%q\nwant\n%q", got, want)
	}
	if log[6].At != t0.Add(time.Minute) {
		t.Fatalf("removal recorded at %v, want %v", log[6].At, t0.Add(time.Minute))
	}
}

// The log keeps the latest AuditKeep entries only.
func TestAuditLogIsCapped(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	for i := range redaktor.AuditKeep + 7 {
		if err := s.RecordAudit(ctx, "1", redaktor.AuditEntry{At: t0.Add(time.Duration(i) * time.Second),
			ActorID: 5, Action: redaktor.AuditChannelLinked, Note: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	log, err := s.AuditLog(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != redaktor.AuditKeep || log[0].Note != fmt.Sprint(redaktor.AuditKeep+6) || log[len(log)-1].Note != "7" {
		t.Fatalf("log has %d entries from %q to %q; want the latest %d", len(log), log[0].Note, log[len(log)-1].Note, redaktor.AuditKeep)
	}
}

// After /forgetme the log keeps the person's actions but not their id.
func TestForgetInAuditKeepsTheActionsNotThePerson(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	pid, _ := s.NextID(ctx, "page")
	if err := s.SavePage(ctx, redaktor.Page{ID: pid, Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	joinTeam(t, s, pid, redaktor.RoleModerator, 4242)
	if err := s.SetCard(ctx, pid, "7", redaktor.Card{ChatID: 4242, MessageID: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChangeMember(ctx, redaktor.MemberChange{PageID: pid, UserID: 4242, By: 21, At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetInAudit(ctx, 4242); err != nil {
		t.Fatal(err)
	}
	log, err := s.AuditLog(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 || log[0].Action != redaktor.AuditRemoved || log[0].ActorID != 21 || log[0].UserID != storage.FormerMember ||
		log[1].Action != redaktor.AuditJoined || log[1].ActorID != storage.FormerMember {
		t.Fatalf("log after forgetting = %+v", log)
	}
	raw, err := r.Client.LRange(ctx, "{"+r.Prefix+"}:page:"+pid+":audit", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range raw {
		if strings.Contains(e, "4242") {
			t.Fatalf("the log still holds the id: %s", e)
		}
	}
	if n, _ := r.Client.Exists(ctx, "{"+r.Prefix+"}:page:"+pid+":cards:4242").Result(); n != 0 {
		t.Fatal("the person's card index is still there")
	}
}
