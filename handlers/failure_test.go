package handlers

import (
	"strings"
	"testing"

	"github.com/redaktor/redaktor"
)

// Chief editors read why a post failed in their language; Telegram's words
// come as Telegram wrote them; reasons stored before codes read the same.
func TestReasonText(t *testing.T) {
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ru, en := texts.For("ru"), texts.For("en")
	tests := []struct {
		name   string
		reason redaktor.FailureReason
		ru, en string // a part of the text shown
	}{
		{"no channel", redaktor.Failed(redaktor.FailureNoChannel, ""), "/channel", "no channel is linked"},
		{"channel of another page", redaktor.Failed(redaktor.FailureChannelNotLinked, ""), "/channel", "linked to another page"},
		{"archived", redaktor.Failed(redaktor.FailureArchived, ""), "", "archived"},
		{"Telegram refused", redaktor.Failed(redaktor.FailureRefused, "Forbidden: bot is not a member"),
			"Forbidden: bot is not a member", "Forbidden: bot is not a member"},
		{"temporary", redaktor.Failed(redaktor.FailureTemporary, "Bad Gateway"), "Bad Gateway", "Bad Gateway"},
		{"stored before codes: a key", redaktor.LegacyFailure("fail_no_channel"), "/channel", "no channel is linked"},
		{"stored before codes: Telegram", redaktor.LegacyFailure("Bad Request: chat not found"),
			"Bad Request: chat not found", "Bad Request: chat not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotRU, gotEN := reasonText(ru, tc.reason), reasonText(en, tc.reason)
			if gotRU == "" || !strings.Contains(gotRU, tc.ru) || !strings.Contains(gotEN, tc.en) {
				t.Fatalf("ru %q, en %q; want them to hold %q and %q", gotRU, gotEN, tc.ru, tc.en)
			}
			for _, s := range []string{gotRU, gotEN} {
				if strings.HasPrefix(s, "fail_") {
					t.Fatalf("a locale key shown to the reader: %q", s)
				}
			}
			if tc.reason.Detail == "" && gotRU == gotEN {
				t.Fatalf("the scheduler's own reason is not translated: %q", gotRU)
			}
		})
	}
}

func TestEventNote(t *testing.T) {
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	en := texts.For("en")
	tests := []struct {
		name string
		ev   redaktor.Event
		want string
	}{
		{"failure with a code", redaktor.Event{Action: redaktor.ActFail, Failure: redaktor.Failed(redaktor.FailureArchived, "")},
			en.T("fail_archived")},
		{"failure stored before codes", redaktor.Event{Action: redaktor.ActFail, Note: "fail_no_channel"}, en.T("fail_no_channel")},
		{"Telegram's words stored before codes", redaktor.Event{Action: redaktor.ActFail, Note: "Forbidden"},
			en.T("fail_other", map[string]any{"Detail": "Forbidden"})},
		{"a reviewer's comment", redaktor.Event{Action: redaktor.ActReject, Note: "fail_no_channel"}, "fail_no_channel"},
		{"no note", redaktor.Event{Action: redaktor.ActApprove}, ""},
	}
	for _, tc := range tests {
		if got := eventNote(en, tc.ev); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
