package reminders

import (
	"testing"
	"time"
)

func TestDueAfterCountsWorkingHoursOnly(t *testing.T) {
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	d := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, msk) } // 27.11.2026 is a Friday
	for _, tt := range []struct {
		name  string
		since time.Time
		hours int
		want  time.Time
	}{
		{"within a day", d(26, 9, 0), 4, d(26, 13, 0)},
		{"Friday 17:00 → Monday 11:00", d(27, 17, 0), 4, d(30, 11, 0)},
		{"sent at night counts from 08:00", d(26, 23, 15), 4, d(27, 12, 0)},
		{"sent on Saturday", d(28, 10, 0), 2, d(30, 10, 0)},
		{"ends at the close of the day", d(26, 14, 0), 4, d(26, 18, 0)},
		{"over two days", d(26, 12, 0), 16, d(27, 18, 0)},
		{"a week", d(23, 8, 0), 50, d(27, 18, 0)},
	} {
		if got := dueAfter(tt.since, tt.hours, msk); !got.Equal(tt.want) {
			t.Errorf("%s: due %s, want %s", tt.name, got.In(msk), tt.want)
		}
	}
}

func TestAwakeAndNextWake(t *testing.T) {
	ekb, err := time.LoadLocation("Asia/Yekaterinburg")
	if err != nil {
		t.Fatal(err)
	}
	d := func(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, ekb) }
	for _, tt := range []struct {
		at    time.Time
		awake bool
		wake  time.Time
	}{
		{d(26, 7, 59), false, d(26, 8, 30)},
		{d(26, 8, 10), false, d(26, 8, 30)},
		{d(26, 8, 30), true, d(27, 8, 30)},
		{d(26, 20, 59), true, d(27, 8, 30)},
		{d(26, 21, 0), false, d(27, 8, 30)},
		{d(30, 23, 30), false, time.Date(2026, 12, 1, 8, 30, 0, 0, ekb)},
	} {
		if got := awake(tt.at); got != tt.awake {
			t.Errorf("awake(%s) = %v", tt.at, got)
		}
		if got := nextWake(tt.at); !got.Equal(tt.wake) {
			t.Errorf("nextWake(%s) = %s, want %s", tt.at, got, tt.wake)
		}
	}
}
