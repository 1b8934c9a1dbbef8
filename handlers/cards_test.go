package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/quality"
)

// A card is drawn from what was read before it: the buttons follow the
// viewer's role and the post's state, and the advice shows only when read.
func TestRenderCard(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ru := texts.For("ru")
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	page := redaktor.Page{ID: "1", Title: "МБОУ СОШ №4"}
	post := func(st redaktor.Status) redaktor.Post {
		return redaktor.Post{ID: "7", PageID: "1", Rev: 3, AuthorID: modID, AuthorName: "Ирина", Version: 1,
			Status: st, Comment: "Добавьте время", Content: redaktor.Content{Text: "Субботник"}}
	}
	tests := []struct {
		name        string
		status      redaktor.Status
		viewer      int64
		role        redaktor.Role
		want, never []string // button texts
	}{
		{"the author's draft", redaktor.StatusDraft, modID, redaktor.RoleModerator,
			[]string{ru.T("btn_submit"), ru.T("btn_delete"), ru.T("btn_history")}, []string{ru.T("btn_approve_slot")}},
		{"a chief editor's review", redaktor.StatusPending, chiefID, redaktor.RoleChief,
			[]string{ru.T("btn_approve_slot"), ru.T("btn_reject"), ru.T("btn_changes")}, []string{ru.T("btn_submit")}},
		{"a moderator sees no review", redaktor.StatusPending, modID, redaktor.RoleModerator,
			[]string{ru.T("btn_history")}, []string{ru.T("btn_approve_slot"), ru.T("btn_reject")}},
		{"returned to its author", redaktor.StatusChangesRequested, modID, redaktor.RoleModerator,
			[]string{ru.T("btn_new_version")}, []string{ru.T("btn_approve_slot")}},
		{"one who left the team", redaktor.StatusPending, modID, "",
			nil, []string{ru.T("btn_history"), ru.T("btn_submit")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text, kb := renderCard(ru, cardView{post: post(tc.status), page: page, viewer: tc.viewer, role: tc.role, loc: time.UTC, now: now})
			if !strings.Contains(text, "#7") || !strings.Contains(text, page.Title) || !strings.Contains(text, "Добавьте время") {
				t.Errorf("card %q lacks the post, its page or the comment", text)
			}
			labels := buttonLabels(sent{kb: kb})
			for _, w := range tc.want {
				if !strings.Contains(labels, w) {
					t.Errorf("buttons %q lack %q", labels, w)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(labels, n) {
					t.Errorf("buttons %q have %q", labels, n)
				}
			}
		})
	}

	t.Run("advice shown as read", func(t *testing.T) {
		t.Parallel()
		v := cardView{post: post(redaktor.StatusDraft), page: page, viewer: modID, role: redaktor.RoleModerator, loc: time.UTC, now: now}
		plain, _ := renderCard(ru, v)
		v.advice = &cardAdvice{report: quality.Report{Score: 42}}
		advised, _ := renderCard(ru, v)
		score := ru.T("q_score", map[string]any{"Score": 42})
		if strings.Contains(plain, score) || !strings.Contains(advised, score) {
			t.Errorf("without advice %q, with it %q: want the score only with it", plain, advised)
		}
	})
}
