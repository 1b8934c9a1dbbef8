package reminders

import (
	"testing"
	"time"
)

// A page in a zone with summer time: the quiet hours are the wall clock's.
func TestQuietHoursOnDSTDays(t *testing.T) {
	ber, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// 29.03.2026: clocks go 02:00 → 03:00; 25.10.2026: 03:00 → 02:00.
	for _, tt := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 3, 29, 21, 30, 0, 0, ber), false},
		{time.Date(2026, 3, 29, 8, 45, 0, 0, ber), true},
		{time.Date(2026, 10, 25, 7, 45, 0, 0, ber), false},
		{time.Date(2026, 10, 25, 20, 30, 0, 0, ber), true},
	} {
		if got := awake(tt.at); got != tt.want {
			t.Errorf("awake(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
}
