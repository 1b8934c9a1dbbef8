package redaktor

import (
	"errors"
	"testing"
)

func TestParseSessionKind(t *testing.T) {
	tests := []struct {
		stored string
		want   SessionKind
		action Action // "" when the kind is not about a post's life
	}{
		// The values earlier versions stored must keep reading the same.
		{"approve_at", SessionApproveAt, ActApprove},
		{"propose", SessionPropose, ActPropose},
		{"reschedule", SessionReschedule, ActReschedule},
		{"comment:request_changes", SessionRequestChanges, ActRequestChanges},
		{"comment:reject", SessionReject, ActReject},
		{"new_version", SessionNewVersion, ActNewVersion},
		{"channel", SessionChannel, ""},
		{"slots", SessionSlots, ""},
		{"check", SessionCheck, ""},
		{"rename", SessionRename, ""},
		{"newpage", SessionNewPage, ""},
	}
	for _, tc := range tests {
		got, err := ParseSessionKind(tc.stored)
		if err != nil || got != tc.want {
			t.Errorf("ParseSessionKind(%q) = %q, %v; want %q", tc.stored, got, err, tc.want)
		}
		if string(got) != tc.stored {
			t.Errorf("%q does not round-trip: %q", tc.stored, got)
		}
		a, ok := got.Action()
		if a != tc.action || ok != (tc.action != "") {
			t.Errorf("%q.Action() = %q, %v; want %q", got, a, ok, tc.action)
		}
	}
}

func TestParseSessionKindRefusesUnknown(t *testing.T) {
	for _, s := range []string{"", "comment", "comment:approve", "APPROVE_AT", "approve_at ", "комментарий"} {
		k, err := ParseSessionKind(s)
		if !errors.Is(err, ErrInvalid) || k != "" {
			t.Errorf("ParseSessionKind(%q) = %q, %v; want ErrInvalid", s, k, err)
		}
		if SessionKind(s).Valid() {
			t.Errorf("%q is valid", s)
		}
		if _, ok := SessionKind(s).Action(); ok {
			t.Errorf("%q has an action", s)
		}
	}
}
