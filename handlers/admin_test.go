package handlers

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
)

// pagesStore is memStore with the pages an admin makes.
type pagesStore struct {
	*memStore
	pages []redaktor.Page
}

func (s *pagesStore) AllPages(context.Context) ([]redaktor.Page, error) {
	return s.pages, s.call("AllPages")
}
func (s *pagesStore) NextID(context.Context, string) (string, error) { return "9", s.call("NextID") }
func (s *pagesStore) SavePage(_ context.Context, p redaktor.Page) error {
	if err := s.call("SavePage"); err != nil {
		return err
	}
	s.pages = append(s.pages, p)
	return nil
}
func (s *pagesStore) RecordAudit(context.Context, string, redaktor.AuditEntry) error {
	return s.call("RecordAudit")
}
func (s *pagesStore) SaveInvite(context.Context, redaktor.Invite) error {
	return s.call("SaveInvite")
}
func (s *pagesStore) PageSummaries(_ context.Context, ps []redaktor.Page) ([]redaktor.PageSummary, error) {
	out := make([]redaktor.PageSummary, len(ps))
	for i, p := range ps {
		out[i] = redaktor.PageSummary{Page: p}
	}
	return out, s.call("PageSummaries")
}

// A /newpage whose chief editor's link fails to store after the page is
// made is not handled again (the retry would warn the admin of their own
// new page and offer a second one): the admin is shown the new page, whose
// card makes the link again.
func TestNewPageMadeIsNotHandledAgain(t *testing.T) {
	t.Parallel()
	m := newMemStore()
	s := &pagesStore{memStore: m}
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	tg := &fakeTG{}
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	d := New(tg, s, texts, now, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{AdminIDs: []int64{chiefID}})
	m.fail["SaveInvite"] = errors.New("redis: i/o timeout")
	if err := d.Handle(context.Background(), message(m, chiefID, "/newpage Школа №7")); err != nil {
		t.Fatalf("Handle: %v, want the update handled (the page is made)", err)
	}
	if len(s.pages) != 1 {
		t.Fatalf("%d pages made, want one", len(s.pages))
	}
	ru := texts.For("ru")
	warn := ru.T("newpage_exists", map[string]any{"Page": "Школа №7"})
	card := ru.T("admin_card_title", map[string]any{"ID": "9"})
	var shown bool
	for _, x := range tg.texts {
		if x.text == warn {
			t.Errorf("the admin was warned of their own new page: %q", x.text)
		}
		if x.chat == chiefID && strings.HasPrefix(x.text, card) && strings.Contains(buttonLabels(x), ru.T("admin_btn_link")) {
			shown = true
		}
	}
	if !shown {
		t.Errorf("sent %+v, want the new page's card with its link button", tg.texts)
	}
}
