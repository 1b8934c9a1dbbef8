package bot

import (
	"strings"
	"testing"

	"github.com/redaktor/redaktor"
)

func TestFitKeepsTextWithinTelegramsLimit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		cut  bool
	}{
		{"short", "Готово.", false},
		{"at the limit", strings.Repeat("я", redaktor.TextLimit), false},
		{"cyrillic over", strings.Repeat("я", redaktor.TextLimit+10), true},
		{"emoji count double", strings.Repeat("😀", redaktor.TextLimit/2+1), true},
	}
	for _, tc := range tests {
		got := fit(tc.in)
		if n := redaktor.UTF16Len(got); n > redaktor.TextLimit {
			t.Errorf("%s: %d units after fit", tc.name, n)
		}
		if (got != tc.in) != tc.cut || (tc.cut && !strings.HasSuffix(got, "…")) {
			t.Errorf("%s: cut=%v, want %v", tc.name, got != tc.in, tc.cut)
		}
	}
}
