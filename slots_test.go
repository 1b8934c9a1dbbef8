package redaktor

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestParseSlots(t *testing.T) {
	mwf := DaysOf(time.Monday, time.Wednesday, time.Friday)
	sat := DaysOf(time.Saturday)
	tests := []struct {
		in   string
		want Slots
	}{
		{"10:00 14:00 18:00", DefaultSlots()},
		{"18:00, 10:00,14:00", DefaultSlots()},
		{"ежедневно 10:00 14:00 18:00", DefaultSlots()},
		{"daily 10:00, 14:00, 18:00", DefaultSlots()},
		{"каждый день 10:00 14:00 18:00", DefaultSlots()},
		{"every day 10:00 14:00 18:00", DefaultSlots()},
		{"10:00 10:00 14:00 18:00 14:00", DefaultSlots()},
		{"10:00;\n14:00\r\n18:00;", DefaultSlots()},
		{"пн-пт 09:00 13:00 18:00; сб 12:00", Slots{
			{Weekdays, 9, 0}, {sat, 12, 0}, {Weekdays, 13, 0}, {Weekdays, 18, 0},
		}},
		{"пн–пт 09:00, 13:00\nсб 12:00", Slots{
			{Weekdays, 9, 0}, {sat, 12, 0}, {Weekdays, 13, 0},
		}},
		{"Пн - Пт 9:00", Slots{{Weekdays, 9, 0}}},
		{"weekdays 9:00, 13:00", Slots{{Weekdays, 9, 0}, {Weekdays, 13, 0}}},
		{"по будням 9:00", Slots{{Weekdays, 9, 0}}},
		{"будни 9:00", Slots{{Weekdays, 9, 0}}},
		{"mon-fri 9:00", Slots{{Weekdays, 9, 0}}},
		{"Monday–Friday 9:00", Slots{{Weekdays, 9, 0}}},
		{"выходные 12:00", Slots{{Weekend, 12, 0}}},
		{"weekend 12:00", Slots{{Weekend, 12, 0}}},
		{"sat, sun 12:00", Slots{{Weekend, 12, 0}}},
		{"сб вс 12:00", Slots{{Weekend, 12, 0}}},
		{"пт-пн 12:00", Slots{{DaysOf(time.Friday, time.Saturday, time.Sunday, time.Monday), 12, 0}}},
		{"пн ср пт 8:30", Slots{{mwf, 8, 30}}},
		{"понедельник, среда, пятница 8:30", Slots{{mwf, 8, 30}}},
		{"mondays wednesdays fridays 8:30", Slots{{mwf, 8, 30}}},
		{"8:30 mon wed fri", Slots{{mwf, 8, 30}}},
		{"6pm", Slots{{EveryDay, 18, 0}}},
		{"6 pm", Slots{{EveryDay, 18, 0}}},
		{"0:00 23:59", Slots{{EveryDay, 0, 0}, {EveryDay, 23, 59}}},
		// Groups naming the same time merge their days.
		{"пн-пт 10:00; сб 10:00; вс 10:00", Slots{{EveryDay, 10, 0}}},
		{"ежедневно 10:00; пн 10:00 12:00", Slots{{EveryDay, 10, 0}, {DaysOf(time.Monday), 12, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSlots(tt.in)
			if err != nil {
				t.Fatalf("ParseSlots(%q): %v", tt.in, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ParseSlots(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSlotsErrors(t *testing.T) {
	many := ""
	for h := range 24 {
		many += time.Date(0, 1, 1, h, 0, 0, 0, time.UTC).Format("15:04 ") +
			time.Date(0, 1, 1, h, 30, 0, 0, time.UTC).Format("15:04 ")
	}
	if _, err := ParseSlots(many); err != nil {
		t.Fatalf("48 slots: %v", err)
	}
	for _, in := range []string{
		"",
		"  ",
		";\n;",
		"пн-пт",
		"пн-пт; 10:00",
		"10",
		"25:00",
		"10:60",
		"10.00",
		"когда 10:00",
		"пн-будни 10:00",
		"пн-пт-сб 10:00",
		"13pm",
		many + "07:15",
		string(make([]byte, 3000)),
	} {
		if got, err := ParseSlots(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseSlots(%q) = %v, %v; want ErrInvalid", in, got, err)
		}
	}
}

func TestSlotsString(t *testing.T) {
	tests := []struct {
		in     string
		ru, en string
		encode string
	}{
		{
			"10:00 14:00 18:00",
			"ежедневно 10:00, 14:00, 18:00",
			"daily 10:00, 14:00, 18:00",
			"daily 10:00 14:00 18:00",
		},
		{
			"пн-пт 09:00 13:00 18:00; сб 12:00",
			"пн–пт 09:00, 13:00, 18:00; сб 12:00",
			"Mon–Fri 09:00, 13:00, 18:00; Sat 12:00",
			"mon-fri 09:00 13:00 18:00; sat 12:00",
		},
		{
			"выходные 12:00; ежедневно 9:00",
			"ежедневно 09:00; сб, вс 12:00",
			"daily 09:00; Sat, Sun 12:00",
			"daily 09:00; sat sun 12:00",
		},
		{
			"пн ср чт пт 8:30; вс 20:00",
			"пн, ср–пт 08:30; вс 20:00",
			"Mon, Wed–Fri 08:30; Sun 20:00",
			"mon wed-fri 08:30; sun 20:00",
		},
		{
			"пт-пн 12:00",
			"пн, пт–вс 12:00",
			"Mon, Fri–Sun 12:00",
			"mon fri-sun 12:00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, err := ParseSlots(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.String("ru"); got != tt.ru {
				t.Errorf("String(ru) = %q; want %q", got, tt.ru)
			}
			if got := s.String("ru-RU"); got != tt.ru {
				t.Errorf("String(ru-RU) = %q; want %q", got, tt.ru)
			}
			if got := s.String("en"); got != tt.en {
				t.Errorf("String(en) = %q; want %q", got, tt.en)
			}
			if got := s.Encode(); got != tt.encode {
				t.Errorf("Encode() = %q; want %q", got, tt.encode)
			}
			checkRoundTrip(t, s)
		})
	}
	if got := Slots(nil).String("ru"); got != "" {
		t.Errorf("empty String = %q", got)
	}
}

// checkRoundTrip asserts that every written form of s parses back to s.
func checkRoundTrip(t *testing.T, s Slots) {
	t.Helper()
	for _, text := range []string{s.String("ru"), s.String("en"), s.Encode()} {
		back, err := ParseSlots(text)
		if err != nil {
			t.Fatalf("ParseSlots(%q): %v", text, err)
		}
		if !slices.Equal(back, s) {
			t.Fatalf("ParseSlots(%q) = %v; want %v", text, back, s)
		}
	}
}

func TestSlotsText(t *testing.T) {
	type page struct{ Slots Slots }
	in := page{Slots: Slots{{Weekdays, 9, 0}, {DaysOf(time.Saturday), 12, 0}}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"Slots":"mon-fri 09:00; sat 12:00"}` {
		t.Fatalf("json = %s", b)
	}
	var out page
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.Slots, in.Slots) {
		t.Fatalf("round trip = %v; want %v", out.Slots, in.Slots)
	}
	var empty page
	if err := json.Unmarshal([]byte(`{"Slots":""}`), &empty); err != nil || empty.Slots != nil {
		t.Fatalf("empty: %v, %v", empty.Slots, err)
	}
	if err := json.Unmarshal([]byte(`{"Slots":"25:00"}`), &empty); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad text: %v", err)
	}
}

func TestSlotsNext(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	at := func(m time.Month, d, h, min int) time.Time {
		return time.Date(2026, m, d, h, min, 0, 0, msk)
	}
	takenSet := func(ts ...time.Time) func(time.Time) bool {
		return func(t time.Time) bool {
			return slices.ContainsFunc(ts, t.Equal)
		}
	}
	weekdays, err := ParseSlots("пн-пт 09:00 13:00; сб 12:00")
	if err != nil {
		t.Fatal(err)
	}
	// 26 November 2026 is a Thursday.
	tests := []struct {
		name  string
		slots Slots
		after time.Time
		taken func(time.Time) bool
		want  time.Time
	}{
		{"next today", DefaultSlots(), at(11, 26, 11, 0), nil, at(11, 26, 14, 0)},
		{"strictly after", DefaultSlots(), at(11, 26, 14, 0), nil, at(11, 26, 18, 0)},
		{"just before", DefaultSlots(), at(11, 26, 13, 59), nil, at(11, 26, 14, 0)},
		{"after the last", DefaultSlots(), at(11, 26, 18, 0), nil, at(11, 27, 10, 0)},
		{"before the first", DefaultSlots(), at(11, 26, 0, 0), nil, at(11, 26, 10, 0)},
		{"taken skips", DefaultSlots(), at(11, 26, 11, 0), takenSet(at(11, 26, 14, 0)), at(11, 26, 18, 0)},
		{
			"taken skips to the next day", DefaultSlots(), at(11, 26, 11, 0),
			takenSet(at(11, 26, 14, 0), at(11, 26, 18, 0)), at(11, 27, 10, 0),
		},
		{"weekday slots on friday evening", weekdays, at(11, 27, 14, 0), nil, at(11, 28, 12, 0)},
		{"weekday slots on saturday afternoon", weekdays, at(11, 28, 12, 0), nil, at(11, 30, 9, 0)},
		{
			"taken skips over the weekend", weekdays, at(11, 27, 14, 0),
			takenSet(at(11, 28, 12, 0), at(11, 30, 9, 0)), at(11, 30, 13, 0),
		},
		{
			"once a week, taken skips a week", Slots{{DaysOf(time.Wednesday), 10, 0}}, at(11, 26, 12, 0),
			takenSet(at(12, 2, 10, 0)), at(12, 9, 10, 0),
		},
		{
			"after in another zone", DefaultSlots(), time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC), nil,
			at(11, 26, 14, 0), // 11:30 in Moscow
		},
		{
			"non-canonical slots", Slots{{EveryDay, 18, 0}, {EveryDay, 12, 0}, {0, 11, 0}, {EveryDay, 25, 0}},
			at(11, 26, 11, 0), nil, at(11, 26, 12, 0),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.slots.Next(tt.after, msk, tt.taken)
			if !ok || !got.Equal(tt.want) {
				t.Fatalf("Next = %v, %v; want %v", got, ok, tt.want)
			}
			if got.Location() != msk {
				t.Fatalf("Next in %v; want %v", got.Location(), msk)
			}
		})
	}
}

func TestSlotsNextNone(t *testing.T) {
	msk := mustLoc(t, "Europe/Moscow")
	after := time.Date(2026, 11, 26, 11, 0, 0, 0, msk)
	calls := 0
	all := func(time.Time) bool { calls++; return true }
	if got, ok := DefaultSlots().Next(after, msk, all); ok {
		t.Fatalf("Next with everything taken = %v", got)
	}
	// Today's two remaining slots and three on each of the next 366 days.
	if calls != 2+3*366 {
		t.Errorf("taken called %d times", calls)
	}
	if got, ok := Slots(nil).Next(after, msk, nil); ok {
		t.Fatalf("Next of no slots = %v", got)
	}
	// The last moment taken is 366 days ahead: still found.
	last := time.Date(2027, 11, 27, 18, 0, 0, 0, msk)
	got, ok := DefaultSlots().Next(after, msk, func(t time.Time) bool { return t.Before(last) })
	if !ok || !got.Equal(last) {
		t.Fatalf("Next = %v, %v; want %v", got, ok, last)
	}
}

func TestSlotsNextDST(t *testing.T) {
	ber := mustLoc(t, "Europe/Berlin")
	slots, err := ParseSlots("02:30 10:00")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		after time.Time
		want  time.Time // in UTC, to pin the instant
	}{
		// Spring forward, 29 March 2026: 02:00 CET → 03:00 CEST.
		{"wall clock kept after spring forward", time.Date(2026, 3, 29, 4, 0, 0, 0, ber),
			time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC)},
		{"skipped slot moves on by the gap", time.Date(2026, 3, 29, 1, 0, 0, 0, ber),
			time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)},
		{"day before spring forward", time.Date(2026, 3, 28, 4, 0, 0, 0, ber),
			time.Date(2026, 3, 28, 9, 0, 0, 0, time.UTC)},
		// Fall back, 25 October 2026: 03:00 CEST → 02:00 CET.
		{"wall clock kept after fall back", time.Date(2026, 10, 25, 4, 0, 0, 0, ber),
			time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC)},
		{"next day after fall back", time.Date(2026, 10, 25, 11, 0, 0, 0, ber),
			time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := slots.Next(tt.after, ber, nil)
			if !ok || !got.Equal(tt.want) {
				t.Fatalf("Next(%v) = %v, %v; want %v", tt.after, got, ok, tt.want.In(ber))
			}
			if h, m, _ := got.Clock(); tt.name != "skipped slot moves on by the gap" && !(h == 2 && m == 30 || h == 10 && m == 0) {
				t.Fatalf("Next = %v; not a slot's wall clock", got)
			}
		})
	}
	// The repeated hour of fall back yields one 02:30, not two.
	var seen []time.Time
	after := time.Date(2026, 10, 25, 0, 0, 0, 0, ber)
	_, _ = slots.Next(after, ber, func(t time.Time) bool {
		seen = append(seen, t)
		return t.Before(time.Date(2026, 10, 25, 10, 0, 0, 0, ber))
	})
	if len(seen) != 2 {
		t.Fatalf("taken asked for %v; want 02:30 and 10:00 once each", seen)
	}
}

func FuzzParseSlots(f *testing.F) {
	for _, s := range []string{
		"10:00 14:00 18:00", "пн-пт 09:00 13:00 18:00; сб 12:00", "weekdays 9:00, 13:00",
		"ежедневно 10:00 18:00", "пт-пн 12:00", "mon wed-fri 08:30; sun 20:00", "6 pm", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSlots(in)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseSlots(%q): error %v does not wrap ErrInvalid", in, err)
			}
			return
		}
		if len(s) == 0 || len(s) > MaxSlots {
			t.Fatalf("ParseSlots(%q) gave %d slots", in, len(s))
		}
		for i, sl := range s {
			if !sl.valid() || sl.Days&^EveryDay != 0 || (i > 0 && s[i-1].minuteOfDay() >= sl.minuteOfDay()) {
				t.Fatalf("ParseSlots(%q) = %v: not canonical", in, s)
			}
		}
		checkRoundTrip(t, s)
	})
}
