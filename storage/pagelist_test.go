package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The admins' list reads every page by its number, skipping numbers a
// failed creation spent, and sums each up: chief editors with names, the
// last publication, posts waiting.
func TestAllPagesAndSummaries(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if pages, err := s.AllPages(ctx); err != nil || len(pages) != 0 {
		t.Fatalf("no pages yet: %v, %v", pages, err)
	}
	for _, title := range []string{"Школа", "", "Библиотека"} {
		pid, err := s.NextID(ctx, "page")
		if err != nil {
			t.Fatal(err)
		}
		if title == "" {
			continue // a creation that failed after taking its number
		}
		if err := s.SavePage(ctx, redaktor.Page{ID: pid, Title: title}); err != nil {
			t.Fatal(err)
		}
	}
	pages, err := s.AllPages(ctx)
	if err != nil || len(pages) != 2 || pages[0].Title != "Школа" || pages[1].ID != "3" {
		t.Fatalf("all pages = %+v, %v", pages, err)
	}
	if err := s.SaveUser(ctx, redaktor.User{ID: chiefA.UserID, Name: "Анна"}); err != nil {
		t.Fatal(err)
	}
	joinTeam(t, s, "1", redaktor.RoleChief, chiefA.UserID)
	joinTeam(t, s, "1", redaktor.RoleModerator, moderator.UserID)
	publishAt(t, s, t0.Add(time.Hour))
	pending := newDraft(t, s)
	apply(t, s, pending, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0.Add(2*time.Hour))

	sums, err := s.PageSummaries(ctx, pages)
	if err != nil {
		t.Fatal(err)
	}
	school, library := sums[0], sums[1]
	if len(school.Chiefs) != 1 || school.Chiefs[0].Name != "Анна" || !school.LastPublished.Equal(t0.Add(time.Hour)) ||
		school.Pending != 1 || school.Queued != 0 {
		t.Fatalf("school = %+v", school)
	}
	if len(library.Chiefs) != 0 || !library.LastPublished.IsZero() || library.Pending != 0 {
		t.Fatalf("library = %+v", library)
	}
}

// A page saved from a copy read before its archive (a channel linked at
// the same moment) stays archived; only UpdatePage archives and restores.
func TestArchiveSurvivesAStaleSave(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	stale, _ := s.Page(ctx, "1")
	archive := func(p *redaktor.Page) bool { p.Archived, p.ArchivedAt = true, t0; return true }
	got, err := s.UpdatePage(ctx, "1", redaktor.AuditEntry{At: t0, ActorID: 1, Action: redaktor.AuditArchived}, archive)
	if err != nil || !got.Archived {
		t.Fatalf("archive: %+v, %v", got, err)
	}
	stale.ChannelID, stale.ChannelTitle = -100123, "Канал школы"
	if err := s.SavePage(ctx, stale); err != nil {
		t.Fatal(err)
	}
	page, err := s.Page(ctx, "1")
	if err != nil || !page.Archived || !page.ArchivedAt.Equal(t0) || page.ChannelID != -100123 {
		t.Fatalf("after a stale save: %+v, %v; want archived with the channel", page, err)
	}
	restore := func(p *redaktor.Page) bool { p.Archived, p.ArchivedAt = false, time.Time{}; return true }
	if _, err := s.UpdatePage(ctx, "1", redaktor.AuditEntry{At: t0, ActorID: 1, Action: redaktor.AuditRestored}, restore); err != nil {
		t.Fatal(err)
	}
	if page, _ := s.Page(ctx, "1"); page.Archived || page.ChannelID != -100123 {
		t.Fatalf("after the restore: %+v", page)
	}
	if _, err := s.UpdatePage(ctx, "9", redaktor.AuditEntry{}, archive); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("updating a missing page: %v", err)
	}
}

// A setting changed where the page stands (slots, the weekly goal) keeps
// what others changed meanwhile — a rename, a channel — and writes no line
// in the team's log.
func TestEditPageKeepsWhatChangedMeanwhile(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа", ChannelID: -100, ChannelTitle: "Канал"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdatePage(ctx, "1", redaktor.AuditEntry{At: time.Now(), Action: redaktor.AuditRenamed, Note: "Школа №4"},
		func(p *redaktor.Page) bool { p.Title = "Школа №4"; return true }); err != nil {
		t.Fatal(err)
	}
	got, err := s.EditPage(ctx, "1", func(p *redaktor.Page) bool { p.WeeklyGoal = 5; return true })
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Page(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []redaktor.Page{got, stored} {
		if p.Title != "Школа №4" || p.ChannelID != -100 || p.WeeklyGoal != 5 {
			t.Fatalf("page after the goal was set: %+v", p)
		}
	}
	if log, err := s.AuditLog(ctx, "1"); err != nil || len(log) != 1 || log[0].Action != redaktor.AuditRenamed {
		t.Fatalf("the log holds %+v (%v); want the rename only", log, err)
	}
	if _, err := s.EditPage(ctx, "404", func(*redaktor.Page) bool { return true }); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("editing a page that does not exist: %v", err)
	}
}
