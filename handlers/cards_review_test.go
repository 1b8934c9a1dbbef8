package handlers

import (
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
)

// The review parts of a card (issue 13), drawn from what was read.
func TestRenderCardOnTheWayToApproval(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ru := texts.For("ru")
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	linked := redaktor.Page{ID: "1", Title: "МБОУ СОШ №4", ChannelID: -100123}
	bare := redaktor.Page{ID: "1", Title: "МБОУ СОШ №4"}
	post := func(st redaktor.Status, proposed time.Time) redaktor.Post {
		return redaktor.Post{ID: "7", PageID: "1", Rev: 3, AuthorID: modID, AuthorName: "Ирина", Version: 1,
			Status: st, ProposedAt: proposed, Content: redaktor.Content{Text: "Субботник"}}
	}
	withdrawn := post(redaktor.StatusDraft, time.Time{})
	withdrawn.Last = redaktor.Event{Action: redaktor.ActWithdraw, ActorID: modID, ActorName: "Ирина", At: now}
	approveAt := ru.T("btn_approve_proposed", map[string]any{"When": "26.11 12:00"})
	tests := []struct {
		name        string
		post        redaktor.Post
		page        redaktor.Page
		viewer      int64
		role        redaktor.Role
		said, never []string // in the text or on the buttons
	}{
		{"a proposed time ahead is one tap", post(redaktor.StatusPending, now.Add(3*time.Hour)), linked, chiefID, redaktor.RoleChief,
			[]string{approveAt, ru.T("btn_approve_slot")}, []string{ru.T("card_no_channel")}},
		{"a proposed time passed is said, and not offered",
			post(redaktor.StatusPending, now.Add(-time.Minute)), linked, chiefID, redaktor.RoleChief,
			[]string{ru.T("card_proposed_passed", map[string]any{"When": "26.11 08:59"}), ru.T("btn_approve_slot")},
			[]string{"✅ Одобрить на 26.11"}},
		{"the author cannot approve the proposed time", post(redaktor.StatusPending, now.Add(3*time.Hour)), linked, modID, redaktor.RoleModerator,
			[]string{ru.T("btn_withdraw")}, []string{approveAt}},
		{"a draft of a page without a channel says so", post(redaktor.StatusDraft, time.Time{}), bare, modID, redaktor.RoleModerator,
			[]string{ru.T("card_no_channel")}, nil},
		{"a review card of a page without a channel says so", post(redaktor.StatusPending, time.Time{}), bare, chiefID, redaktor.RoleChief,
			[]string{ru.T("card_no_channel")}, nil},
		{"an unread page is not taken for one without a channel", post(redaktor.StatusDraft, time.Time{}), redaktor.Page{}, modID, redaktor.RoleModerator,
			nil, []string{ru.T("card_no_channel")}},
		{"a rejection is final", post(redaktor.StatusRejected, time.Time{}), linked, modID, redaktor.RoleModerator,
			[]string{ru.T("card_rejected_final"), ru.T("btn_delete")}, []string{ru.T("btn_new_version"), ru.T("btn_propose")}},
		{"the chief editor sees the withdrawal", withdrawn, linked, chiefID, redaktor.RoleChief,
			[]string{ru.T("card_withdrawn", map[string]any{"Name": "Ирина"})},
			[]string{ru.T("btn_approve_slot"), ru.T("btn_publish_now"), ru.T("btn_reject")}},
		{"the author gets the draft's buttons back", withdrawn, linked, modID, redaktor.RoleModerator,
			[]string{ru.T("btn_submit"), ru.T("btn_propose")}, []string{ru.T("card_withdrawn", map[string]any{"Name": "Ирина"})}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			text, kb := renderCard(ru, cardView{post: tc.post, page: tc.page, viewer: tc.viewer, role: tc.role, loc: time.UTC, now: now})
			all := text + "\n" + buttonLabels(sent{kb: kb})
			for _, s := range tc.said {
				if !strings.Contains(all, s) {
					t.Errorf("card lacks %q:\n%s", s, all)
				}
			}
			for _, s := range tc.never {
				if strings.Contains(all, s) {
					t.Errorf("card has %q:\n%s", s, all)
				}
			}
		})
	}
}
