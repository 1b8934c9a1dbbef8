package handlers

import "testing"

// A name or a channel title that a spreadsheet would run as a formula
// stays text in the team's log as CSV.
func TestCSVCellKeepsFormulasAsText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Анна", "Анна"},
		{"", ""},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+7 900", "'+7 900"},
		{"-1", "'-1"},
		{"@cmd", "'@cmd"},
		{"\tтаб", "'\tтаб"},
		{"Школа №4 = лучшая", "Школа №4 = лучшая"},
	} {
		if got := csvCell(c.in); got != c.want {
			t.Errorf("csvCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
