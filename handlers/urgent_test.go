package handlers

import "testing"

func TestUrgentWordInATimeAnswer(t *testing.T) {
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in, rest string
		urgent   bool
	}{
		{"завтра 9:00 срочно", "завтра 9:00", true},
		{"Срочно, завтра 9:00", "завтра 9:00", true},
		{"tomorrow 9:00 URGENT!", "tomorrow 9:00", true},
		{"завтра 9:00", "завтра 9:00", false},
		{"несрочно завтра 9:00", "несрочно завтра 9:00", false},
		{"завтра 9:00 — (срочно)", "завтра 9:00", true},
		{"27.11 9:00", "27.11 9:00", false},
	}
	for _, tc := range tests {
		rest, urgent := urgentWord(texts, tc.in)
		if rest != tc.rest || urgent != tc.urgent {
			t.Errorf("%q: got %q urgent=%v, want %q urgent=%v", tc.in, rest, urgent, tc.rest, tc.urgent)
		}
	}
}
