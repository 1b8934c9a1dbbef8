package redaktor

import "testing"

// Two titles name the same page for a person when only case and spacing
// differ.
func TestSameTitle(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"МБОУ СОШ №4", "мбоу  сош №4", true},
		{"МБОУ СОШ №4", " МБОУ\tСОШ №4 ", true},
		{"Библиотека 1", "Библиотека 10", false},
		{"School No. 4", "school no. 4", true},
		{"МБОУ СОШ №4", "МБОУ СОШ №5", false},
		{"", " ", true},
	}
	for _, tc := range tests {
		if got := SameTitle(tc.a, tc.b); got != tc.same {
			t.Errorf("SameTitle(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
