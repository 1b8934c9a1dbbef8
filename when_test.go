package redaktor

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the host's zoneinfo
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseWhen(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	// Thursday, 26 November 2026, 15:04:37.
	now := time.Date(2026, 11, 26, 15, 4, 37, 0, msk)
	at := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, msk)
	}
	tests := []struct {
		in   string
		want time.Time
		err  error
	}{
		// Time of day alone.
		{"18:30", at(2026, 11, 26, 18, 30), nil},
		{"  18:30  ", at(2026, 11, 26, 18, 30), nil},
		{"9:05", at(2026, 11, 27, 9, 5), nil},
		{"09:05", at(2026, 11, 27, 9, 5), nil},
		{"15:04", at(2026, 11, 27, 15, 4), nil}, // this minute has begun: tomorrow
		{"15:05", at(2026, 11, 26, 15, 5), nil},
		{"0:00", at(2026, 11, 27, 0, 0), nil},
		{"в 18:30", at(2026, 11, 26, 18, 30), nil},
		{"at 18:30", at(2026, 11, 26, 18, 30), nil},
		{"6pm", at(2026, 11, 26, 18, 0), nil},
		{"6:30 PM", at(2026, 11, 26, 18, 30), nil},
		{"12am", at(2026, 11, 27, 0, 0), nil},
		{"12pm", at(2026, 11, 27, 12, 0), nil},

		// Day words.
		{"сегодня 18:00", at(2026, 11, 26, 18, 0), nil},
		{"Сегодня в 18:00", at(2026, 11, 26, 18, 0), nil},
		{"today 18:00", at(2026, 11, 26, 18, 0), nil},
		{"сегодня 10:00", time.Time{}, ErrPastTime},
		{"today 15:04", time.Time{}, ErrPastTime},
		{"завтра 10:00", at(2026, 11, 27, 10, 0), nil},
		{"ЗАВТРА   в   10:00", at(2026, 11, 27, 10, 0), nil},
		{"10:00 завтра", at(2026, 11, 27, 10, 0), nil},
		{"завтра, 10:00", at(2026, 11, 27, 10, 0), nil},
		{"на завтра 10:00", at(2026, 11, 27, 10, 0), nil},
		{"tomorrow 10:00", at(2026, 11, 27, 10, 0), nil},
		{"tomorrow at 10am", at(2026, 11, 27, 10, 0), nil},
		{"послезавтра 9:00", at(2026, 11, 28, 9, 0), nil},
		{"day after tomorrow 9:00", at(2026, 11, 28, 9, 0), nil},
		{"завтра пт 10:00", at(2026, 11, 27, 10, 0), nil},
		{"завтра пн 10:00", time.Time{}, ErrUnreadableTime},

		// Weekdays (now is a Thursday).
		{"пн 10:00", at(2026, 11, 30, 10, 0), nil},
		{"понедельник 10:00", at(2026, 11, 30, 10, 0), nil},
		{"в пятницу 18:00", at(2026, 11, 27, 18, 0), nil},
		{"во вторник 9:00", at(2026, 12, 1, 9, 0), nil},
		{"в среду 9:00", at(2026, 12, 2, 9, 0), nil},
		{"в субботу 9:00", at(2026, 11, 28, 9, 0), nil},
		{"в воскресенье 9:00", at(2026, 11, 29, 9, 0), nil},
		{"в воскресенье 9:00", at(2026, 11, 29, 9, 0), nil},
		{"пн. 10:00", at(2026, 11, 30, 10, 0), nil},
		{"friday 18:00", at(2026, 11, 27, 18, 0), nil},
		{"Mon 10:00", at(2026, 11, 30, 10, 0), nil},
		{"on Sunday at 9:00", at(2026, 11, 29, 9, 0), nil},
		{"чт 18:00", at(2026, 11, 26, 18, 0), nil}, // today, still ahead
		{"чт 10:00", at(2026, 12, 3, 10, 0), nil},  // today has passed: next week
		{"thu 15:04", at(2026, 12, 3, 15, 4), nil}, // this minute has begun
		{"четверг 15:05", at(2026, 11, 26, 15, 5), nil},

		// Dates.
		{"25.12 18:30", at(2026, 12, 25, 18, 30), nil},
		{"18:30 25.12", at(2026, 12, 25, 18, 30), nil},
		{"25.12. 18:30", at(2026, 12, 25, 18, 30), nil},
		{"5.1 10:00", at(2027, 1, 5, 10, 0), nil},
		{"05.01 10:00", at(2027, 1, 5, 10, 0), nil}, // year rollover
		{"26.11 15:00", time.Time{}, ErrPastTime},   // today's date, passed: not next year (issue 13)
		{"26.11 16:00", at(2026, 11, 26, 16, 0), nil},
		{"25.12.2026 18:30", at(2026, 12, 25, 18, 30), nil},
		{"25.12.26 18:30", at(2026, 12, 25, 18, 30), nil},
		{"25.12.2026 г. 18:30", at(2026, 12, 25, 18, 30), nil},
		{"2026-12-25 18:30", at(2026, 12, 25, 18, 30), nil},
		{"05.01.2027 10:00", at(2027, 1, 5, 10, 0), nil},
		{"пт 25.12 18:30", at(2026, 12, 25, 18, 30), nil},
		{"сб 25.12 18:30", time.Time{}, ErrUnreadableTime},
		{"25 декабря 18:30", at(2026, 12, 25, 18, 30), nil},
		{"25 декабря в 18:30", at(2026, 12, 25, 18, 30), nil},
		{"5 января 2027 года 10:00", at(2027, 1, 5, 10, 0), nil},
		{"1 мая 12:00", at(2027, 5, 1, 12, 0), nil},
		{"dec 25 6:30pm", at(2026, 12, 25, 18, 30), nil},
		{"December 25th 2026 18:30", at(2026, 12, 25, 18, 30), nil},
		{"25 Dec 18:30", at(2026, 12, 25, 18, 30), nil},
		{"29.02 10:00", time.Time{}, ErrTooFarTime}, // next one is in 2028

		// Relative.
		{"через 2 часа", at(2026, 11, 26, 17, 4), nil},
		{"через 30 минут", at(2026, 11, 26, 15, 34), nil},
		{"через час", at(2026, 11, 26, 16, 4), nil},
		{"через полчаса", at(2026, 11, 26, 15, 34), nil},
		{"через полтора часа", at(2026, 11, 26, 16, 34), nil},
		{"через 1 ч 30 мин", at(2026, 11, 26, 16, 34), nil},
		{"через 2 часа и 5 минут", at(2026, 11, 26, 17, 9), nil},
		{"in 30 minutes", at(2026, 11, 26, 15, 34), nil},
		{"in 2 hours", at(2026, 11, 26, 17, 4), nil},
		{"in an hour", at(2026, 11, 26, 16, 4), nil},
		{"in half an hour", at(2026, 11, 26, 15, 34), nil},
		{"in 1h30m", at(2026, 11, 26, 16, 34), nil},
		{"через 0 минут", time.Time{}, ErrPastTime},
		{"через 9000 часов", time.Time{}, ErrTooFarTime},
		{"через 99999999999 часов", time.Time{}, ErrUnreadableTime},
		{"через 2", time.Time{}, ErrUnreadableTime},
		{"через", time.Time{}, ErrUnreadableTime},
		{"in 2 days", time.Time{}, ErrUnreadableTime},

		// Past and too far.
		{"25.11.2026 18:00", time.Time{}, ErrPastTime},
		{"26.11.2026 15:04", time.Time{}, ErrPastTime},
		{"2025-12-25 10:00", time.Time{}, ErrPastTime},
		{"26.11.2027 15:04", at(2027, 11, 26, 15, 4), nil}, // exactly a year ahead (minus seconds)
		{"26.11.2027 15:05", time.Time{}, ErrTooFarTime},
		{"25.12.2030 18:30", time.Time{}, ErrTooFarTime},

		// Missing time of day.
		{"25.12", time.Time{}, ErrMissingTime},
		{"завтра", time.Time{}, ErrMissingTime},
		{"friday", time.Time{}, ErrMissingTime},
		{"25 декабря", time.Time{}, ErrMissingTime},

		// Unreadable and impossible.
		{"", time.Time{}, ErrUnreadableTime},
		{"   ", time.Time{}, ErrUnreadableTime},
		{"когда-нибудь", time.Time{}, ErrUnreadableTime},
		{"25:00", time.Time{}, ErrUnreadableTime},
		{"24:00", time.Time{}, ErrUnreadableTime},
		{"18:60", time.Time{}, ErrUnreadableTime},
		{"18:5", time.Time{}, ErrUnreadableTime},
		{"18.30", at(2026, 11, 26, 18, 30), nil}, // a dotted time (issue 13); no month 30
		{"18.03", time.Time{}, ErrMissingTime},   // a date (18 March), not a time
		{"31.02 10:00", time.Time{}, ErrUnreadableTime},
		{"31.04.2027 10:00", time.Time{}, ErrUnreadableTime},
		{"29.02.2027 10:00", time.Time{}, ErrUnreadableTime},
		{"32.12 10:00", time.Time{}, ErrUnreadableTime},
		{"25.13 10:00", time.Time{}, ErrUnreadableTime},
		{"30 февраля 10:00", time.Time{}, ErrUnreadableTime},
		{"завтра в 10", at(2026, 11, 27, 10, 0), nil}, // a bare hour (issue 13)
		{"13pm", time.Time{}, ErrUnreadableTime},
		{"10:00 11:00", time.Time{}, ErrUnreadableTime},
		{"завтра 25.12 10:00", time.Time{}, ErrUnreadableTime},
		{"25.12 26.12 10:00", time.Time{}, ErrUnreadableTime},
		{"пн вт 10:00", time.Time{}, ErrUnreadableTime},
		{"декабря 10:00", time.Time{}, ErrUnreadableTime},
		{"2026-02-30 10:00", time.Time{}, ErrUnreadableTime},
		{"next friday 10:00", time.Time{}, ErrUnreadableTime},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWhen(tt.in, now, msk)
			if tt.err != nil {
				if !errors.Is(err, tt.err) || !errors.Is(err, ErrInvalid) {
					t.Fatalf("ParseWhen(%q) = %v, %v; want error %v", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWhen(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != msk {
				t.Fatalf("ParseWhen(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseMomentAsTyped covers times as people type them (issue 13): each
// row is what the confirmation would show, in the page's time zone, and
// whether it must say «завтра» for a bare time that has passed today.
func TestParseMomentAsTyped(t *testing.T) {
	t.Parallel()
	msk := mustLoc(t, "Europe/Moscow")
	ekb := mustLoc(t, "Asia/Yekaterinburg") // MSK+2: 17:04 at the same instant
	// Wednesday, 2 December 2026, 15:04:37 in Moscow.
	now := time.Date(2026, 12, 2, 15, 4, 37, 0, msk)
	tests := []struct {
		in      string
		loc     *time.Location // nil: Moscow
		want    string         // wall clock in loc, "02.01.2006 15:04"
		nextDay bool
		err     error
	}{
		// The phrases.
		{in: "завтра в 10", want: "03.12.2026 10:00"},
		{in: "в пятницу в 9", want: "04.12.2026 09:00"},
		{in: "10 утра", want: "03.12.2026 10:00", nextDay: true},
		{in: "в 9 вечера", want: "02.12.2026 21:00"},
		{in: "18.00", want: "02.12.2026 18:00"},
		{in: "18-30", want: "02.12.2026 18:30"},
		{in: "послезавтра в 12", want: "04.12.2026 12:00"},
		{in: "через неделю в 10", want: "09.12.2026 10:00"},
		{in: "в понедельник в 8:30", want: "07.12.2026 08:30"},
		{in: "tomorrow at 10", want: "03.12.2026 10:00"},
		{in: "friday 9am", want: "04.12.2026 09:00"},
		{in: "вчера 10:00", err: ErrPastTime},
		{in: "01.12 10:00", err: ErrPastTime}, // yesterday's date, not next December
		{in: "02.12 10:00", err: ErrPastTime},
		{in: "02.12.2026 15:00", err: ErrPastTime},
		{in: "1 декабря в 10", err: ErrPastTime},
		{in: "30.11 18:00", err: ErrPastTime},
		{in: "вчера", err: ErrPastTime},
		{in: "позавчера в 9", err: ErrPastTime},
		{in: "yesterday at 10am", err: ErrPastTime},
		{in: "сегодня в 15", err: ErrPastTime},
		{in: "сегодня в 3", err: ErrPastTime}, // 15:00, a few minutes ago

		// A bare time of day: today if ahead, else tomorrow, said so.
		{in: "18:30", want: "02.12.2026 18:30"},
		{in: "9:05", want: "03.12.2026 09:05", nextDay: true},
		{in: "15:04", want: "03.12.2026 15:04", nextDay: true}, // this minute has begun
		{in: "в 10", want: "03.12.2026 10:00", nextDay: true},
		{in: "10", want: "03.12.2026 10:00", nextDay: true},
		{in: "at 10", want: "03.12.2026 10:00", nextDay: true},
		{in: "10pm", want: "02.12.2026 22:00"},
		{in: "10 in the morning", want: "03.12.2026 10:00", nextDay: true},

		// Hours 1–6 alone are the afternoon, 7–12 the morning and noon.
		{in: "в 9", want: "03.12.2026 09:00", nextDay: true},
		{in: "в 7", want: "03.12.2026 07:00", nextDay: true},
		{in: "в 12", want: "03.12.2026 12:00", nextDay: true},
		{in: "в 5", want: "02.12.2026 17:00"},
		{in: "в 6", want: "02.12.2026 18:00"},
		{in: "в 3", want: "03.12.2026 15:00", nextDay: true},
		{in: "в 1", want: "03.12.2026 13:00", nextDay: true},
		{in: "в 23", want: "02.12.2026 23:00"},
		{in: "в 0", want: "03.12.2026 00:00", nextDay: true},
		{in: "в 5:30", want: "03.12.2026 05:30", nextDay: true}, // minutes written: the 24-hour clock
		{in: "завтра в 5", want: "03.12.2026 17:00"},

		// Hour words and parts of the day.
		{in: "сегодня в 16", want: "02.12.2026 16:00"},
		{in: "в 15 часов", want: "03.12.2026 15:00", nextDay: true},
		{in: "в 16 часов", want: "02.12.2026 16:00"},
		{in: "в 5 часов", want: "02.12.2026 17:00"},
		{in: "в 15 часов 30 минут", want: "02.12.2026 15:30"},
		{in: "в 3 часа дня", want: "03.12.2026 15:00", nextDay: true},
		{in: "в час дня", want: "03.12.2026 13:00", nextDay: true},
		{in: "в 9 часов вечера", want: "02.12.2026 21:00"},
		{in: "в 10:30 утра", want: "03.12.2026 10:30", nextDay: true},
		{in: "в 12 дня", want: "03.12.2026 12:00", nextDay: true},
		{in: "в 3 ночи", want: "03.12.2026 03:00", nextDay: true},
		{in: "в 12 ночи", want: "03.12.2026 00:00", nextDay: true},
		{in: "в 11 вечера", want: "02.12.2026 23:00"},
		{in: "завтра утром в 9", want: "03.12.2026 09:00"},
		{in: "Завтра, в 7 вечера", want: "03.12.2026 19:00"},
		{in: "завтра к 10 утра", want: "03.12.2026 10:00"},
		{in: "в 10 ч 30 мин", want: "03.12.2026 10:30", nextDay: true},
		{in: "в полдень", want: "03.12.2026 12:00", nextDay: true},
		{in: "завтра в полдень", want: "03.12.2026 12:00"},
		{in: "midnight", want: "03.12.2026 00:00", nextDay: true},

		// Days ahead.
		{in: "через 2 дня в 9", want: "04.12.2026 09:00"},
		{in: "через 2 недели в 10", want: "16.12.2026 10:00"},
		{in: "через день в 18:00", want: "03.12.2026 18:00"},
		{in: "in a week at 10am", want: "09.12.2026 10:00"},
		{in: "in 2 days at 9", want: "04.12.2026 09:00"},
		{in: "через час", want: "02.12.2026 16:04"},
		{in: "monday 8:30", want: "07.12.2026 08:30"},
		{in: "в субботу, 12 декабря, в 11", want: "12.12.2026 11:00"},
		{in: "в понедельник, 14 декабря, в 11", want: "14.12.2026 11:00"},
		{in: "14 декабря в 11", want: "14.12.2026 11:00"},
		{in: "14.12 в 11:00", want: "14.12.2026 11:00"},
		{in: "14.12 в 11", want: "14.12.2026 11:00"},
		{in: "14.12 18.30", want: "14.12.2026 18:30"},
		{in: "завтра в 18.10", want: "03.12.2026 18:10"},
		{in: "в 14.12", want: "03.12.2026 14:12", nextDay: true}, // after «в»: a time
		{in: "05.01 10:00", want: "05.01.2027 10:00"},            // the nearest 5 January
		{in: "1 мая в 12", want: "01.05.2027 12:00"},

		// The page's time zone decides what has passed.
		{in: "в 17", want: "02.12.2026 17:00"},
		{in: "в 17", loc: ekb, want: "03.12.2026 17:00", nextDay: true},
		{in: "завтра в 10", loc: ekb, want: "03.12.2026 10:00"},

		// Refusals.
		{in: "когда-нибудь", err: ErrUnreadableTime},
		{in: "31.02", err: ErrUnreadableTime}, // no such date, rather than "add a time"
		{in: "31.02 10:00", err: ErrUnreadableTime},
		{in: "25:00", err: ErrUnreadableTime},
		{in: "в 25", err: ErrUnreadableTime},
		{in: "в 24 часа", err: ErrUnreadableTime},
		{in: "18-60", err: ErrUnreadableTime},
		{in: "13 утра", err: ErrUnreadableTime},
		{in: "в 12 утра", err: ErrUnreadableTime},
		{in: "в 3 вечера", err: ErrUnreadableTime},
		{in: "в 5 вечера утром", err: ErrUnreadableTime},
		{in: "в 10 в 11", err: ErrUnreadableTime},
		{in: "в 10 часов 75 минут", err: ErrUnreadableTime},
		{in: "в субботу, 14 декабря, в 11", err: ErrUnreadableTime}, // 14.12.2026 is a Monday
		{in: "завтра через неделю в 10", err: ErrUnreadableTime},
		{in: "через 2 дня 3 часа", err: ErrUnreadableTime}, // a duration, not 03:00
		{in: "через 2 дня в 3 часа", want: "04.12.2026 15:00"},
		{in: "декабря в 11", err: ErrUnreadableTime},
		{in: "18.10", err: ErrMissingTime}, // alone, a date: 18 October
		{in: "через неделю", err: ErrMissingTime},
		{in: "завтра утром", err: ErrMissingTime},
		{in: "через 400 дней в 10", err: ErrTooFarTime},
	}
	for _, tt := range tests {
		loc := tt.loc
		if loc == nil {
			loc = msk
		}
		t.Run(loc.String()+"/"+tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseMoment(tt.in, now, loc)
			if tt.err != nil {
				if whenErrorKind(err) != tt.err {
					t.Fatalf("ParseMoment(%q) = %v, %v; want error %v", tt.in, got.At, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMoment(%q): %v", tt.in, err)
			}
			want, perr := time.ParseInLocation("02.01.2006 15:04", tt.want, loc)
			if perr != nil {
				t.Fatal(perr)
			}
			if !got.At.Equal(want) || got.At.Location() != loc || got.NextDay != tt.nextDay {
				t.Fatalf("ParseMoment(%q) = %v, NextDay %v; want %v, NextDay %v",
					tt.in, got.At, got.NextDay, want, tt.nextDay)
			}
			if at, err := ParseWhen(tt.in, now, loc); err != nil || !at.Equal(got.At) {
				t.Fatalf("ParseWhen(%q) = %v, %v; ParseMoment said %v", tt.in, at, err, got.At)
			}
		})
	}
}

// whenErrorKind is the most specific of ParseWhen's errors that err is, so
// a table can tell "no such date" from "add a time of day".
func whenErrorKind(err error) error {
	for _, kind := range []error{ErrMissingTime, ErrUnreadableTime, ErrPastTime, ErrTooFarTime} {
		if errors.Is(err, kind) {
			return kind
		}
	}
	return err
}

func TestParseWhenErrorKinds(t *testing.T) {
	for _, err := range []error{ErrUnreadableTime, ErrMissingTime, ErrPastTime, ErrTooFarTime} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v does not wrap ErrInvalid", err)
		}
	}
	if !errors.Is(ErrMissingTime, ErrUnreadableTime) {
		t.Error("ErrMissingTime does not wrap ErrUnreadableTime")
	}
	if errors.Is(ErrPastTime, ErrUnreadableTime) || errors.Is(ErrTooFarTime, ErrPastTime) {
		t.Error("error kinds overlap")
	}
}

func TestParseWhenDST(t *testing.T) {
	ber := mustLoc(t, "Europe/Berlin")
	tests := []struct {
		name string
		now  time.Time
		in   string
		want time.Time
	}{
		{
			// Clocks go forward at 02:00 on 29 March 2026; 10:00 stays 10:00.
			name: "wall clock after spring forward",
			now:  time.Date(2026, 3, 28, 20, 0, 0, 0, ber),
			in:   "завтра 10:00",
			want: time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC),
		},
		{
			name: "skipped hour moves on by the gap",
			now:  time.Date(2026, 3, 28, 20, 0, 0, 0, ber),
			in:   "29.03 02:30",
			want: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), // 03:30 CEST
		},
		{
			// Clocks go back at 03:00 on 25 October 2026.
			name: "wall clock after fall back",
			now:  time.Date(2026, 10, 24, 20, 0, 0, 0, ber),
			in:   "tomorrow 10:00",
			want: time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC),
		},
		{
			name: "relative is elapsed time across the change",
			now:  time.Date(2026, 10, 25, 1, 30, 0, 0, ber), // 23:30 UTC
			in:   "через 2 часа",
			want: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // 02:30 CET
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWhen(tt.in, tt.now, ber)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("ParseWhen(%q) = %v; want %v", tt.in, got, tt.want.In(ber))
			}
		})
	}
}

func TestParseWhenNilLocation(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	got, err := ParseWhen("18:00", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("got %v; want %v", got, want)
	}
}

func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{
		"18:30", "завтра 10:00", "послезавтра 9:00", "в пятницу 18:00", "mon 10:00",
		"25.12 18:30", "25.12.26 18:30", "2026-12-25 18:30", "18:30 25.12", "через 2 часа",
		"in 1h30m", "25 декабря 2026 18:30", "dec 25 6pm", "31.02 10:00", "29.02 23:59",
		"через 999999 ч", "12am", "",
		"завтра в 10", "в 9 вечера", "18.00", "18-30", "через неделю в 10", "в 3 часа дня",
		"14.12 в 11", "в 14.12", "вчера 10:00", "in a week at 10am", "в 12 ночи",
	} {
		f.Add(s)
	}
	msk, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		f.Fatal(err)
	}
	ber, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	nows := []time.Time{
		time.Date(2026, 11, 26, 15, 4, 37, 0, msk),
		time.Date(2026, 12, 31, 23, 59, 59, 0, msk),
		time.Date(2028, 2, 29, 0, 0, 0, 0, msk),
		time.Date(2026, 3, 29, 1, 59, 0, 0, ber),
		time.Date(2026, 10, 25, 2, 30, 0, 0, ber),
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, now := range nows {
			m, err := ParseMoment(in, now, now.Location())
			got := m.At
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("ParseWhen(%q): error %v does not wrap ErrInvalid", in, err)
				}
				continue
			}
			if !got.After(now) {
				t.Fatalf("ParseWhen(%q, %v) = %v, not after now", in, now, got)
			}
			if got.After(now.AddDate(1, 0, 0)) {
				t.Fatalf("ParseWhen(%q, %v) = %v, more than a year ahead", in, now, got)
			}
			// «завтра» in the confirmation must be true.
			if ty, tm, td := civil(now.Year(), now.Month(), now.Day()+1); m.NextDay &&
				(got.Year() != ty || got.Month() != tm || got.Day() != td) {
				t.Fatalf("ParseMoment(%q, %v) = %v with NextDay, not tomorrow", in, now, got)
			}
		}
	})
}
