package redaktor

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// WeekdaySet is a set of weekdays: bit 1<<d is set for time.Weekday d.
// A bit set rather than a slice keeps a Slot comparable with ==.
type WeekdaySet uint8

// Common weekday sets.
const (
	EveryDay WeekdaySet = 1<<7 - 1
	Weekdays WeekdaySet = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday |
		1<<time.Thursday | 1<<time.Friday
	Weekend WeekdaySet = 1<<time.Saturday | 1<<time.Sunday
)

// DaysOf returns the set of the given weekdays; values outside
// time.Sunday…time.Saturday are ignored.
func DaysOf(days ...time.Weekday) WeekdaySet {
	var w WeekdaySet
	for _, d := range days {
		if d >= time.Sunday && d <= time.Saturday {
			w |= 1 << d
		}
	}
	return w
}

// Has reports whether d is in the set.
func (w WeekdaySet) Has(d time.Weekday) bool {
	return d >= time.Sunday && d <= time.Saturday && w&(1<<d) != 0
}

// Slot is a posting time of day on some weekdays, in the page's time zone.
type Slot struct {
	Days         WeekdaySet
	Hour, Minute int
}

// Slots is a page's posting schedule. ParseSlots returns it canonical: one
// Slot per time of day (its Days the union of every group naming that time),
// sorted by time of day. Canonical form is what makes equal schedules
// compare equal and String/ParseSlots round-trip exactly.
type Slots []Slot

// MaxSlots bounds the distinct times of day in a schedule: every half hour
// is already more than any page posts.
const MaxSlots = 48

// maxSlotsInput bounds the text ParseSlots reads.
const maxSlotsInput = 2000

// DefaultSlots is the schedule of a new page: 10:00, 14:00 and 18:00 daily.
func DefaultSlots() Slots {
	return Slots{{EveryDay, 10, 0}, {EveryDay, 14, 0}, {EveryDay, 18, 0}}
}

// daySetNames are words naming several days at once.
var daySetNames = map[string]WeekdaySet{
	"ежедневно": EveryDay, "daily": EveryDay, "everyday": EveryDay,
	"будни": Weekdays, "будням": Weekdays, "weekdays": Weekdays, "weekday": Weekdays,
	"выходные": Weekend, "выходным": Weekend, "weekend": Weekend, "weekends": Weekend,
}

// slotFillers carry no meaning in a schedule ("по будням", "at 10:00").
var slotFillers = map[string]bool{"по": true, "в": true, "во": true, "at": true, "on": true}

var slotPhrases = strings.NewReplacer(
	"каждый день", "ежедневно",
	"every day", "daily",
)

// ParseSlots reads a schedule as a chief editor types it, in Russian or
// English, and returns it canonical (see Slots).
//
// Groups are separated by ";" or new lines; within a group, days and times
// are separated by spaces or commas, in any order. Days: пн вт ср чт пт сб
// вс, full names, mon…sun, monday…sunday; ranges "пн-пт", "mon–fri" (any
// dash, may wrap: "пт-пн"); будни/weekdays, выходные/weekend,
// ежедневно/daily/каждый день/every day. A group without days means every
// day. Times are H:MM or HH:MM (24-hour; "6pm" is accepted too).
//
//	10:00 14:00 18:00
//	пн-пт 09:00 13:00 18:00; сб 12:00
//	weekdays 9:00, 13:00
//
// Errors wrap ErrInvalid: empty input, an unknown word, a group with days
// but no time, or more than MaxSlots distinct times of day.
func ParseSlots(s string) (Slots, error) {
	if len(s) > maxSlotsInput {
		return nil, fmt.Errorf("%w: schedule is too long", ErrInvalid)
	}
	s = foldText(s)
	s = strings.NewReplacer("–", "-", "—", "-", "‑", "-", "−", "-", "\r", "\n").Replace(s)
	byTime := map[int]WeekdaySet{}
	for _, group := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		if err := parseSlotGroup(group, byTime); err != nil {
			return nil, err
		}
	}
	if len(byTime) == 0 {
		return nil, fmt.Errorf("%w: no posting times", ErrInvalid)
	}
	if len(byTime) > MaxSlots {
		return nil, fmt.Errorf("%w: more than %d posting times", ErrInvalid, MaxSlots)
	}
	out := make(Slots, 0, len(byTime))
	for m, days := range byTime {
		out = append(out, Slot{Days: days, Hour: m / 60, Minute: m % 60})
	}
	slices.SortFunc(out, func(a, b Slot) int { return a.minuteOfDay() - b.minuteOfDay() })
	return out, nil
}

// parseSlotGroup reads one group ("пн-пт 09:00 13:00") into byTime, which
// maps a minute of the day to its days.
func parseSlotGroup(group string, byTime map[int]WeekdaySet) error {
	group = strings.ReplaceAll(group, ",", " ")
	// Glue spaced dashes so "пн - пт" is one token like "пн-пт".
	group = strings.Join(strings.Fields(group), " ")
	group = strings.NewReplacer(" - ", "-", " -", "-", "- ", "-").Replace(group)
	group = slotPhrases.Replace(group)
	var (
		days  WeekdaySet
		times []int
	)
	for _, tok := range whenTokens(group) {
		if slotFillers[tok] {
			continue
		}
		if h, m, ok := parseClock(tok); ok {
			times = append(times, h*60+m)
			continue
		}
		d, ok := parseDays(tok)
		if !ok {
			return fmt.Errorf("%w: unknown word %q in the schedule", ErrInvalid, tok)
		}
		days |= d
	}
	if len(times) == 0 {
		if days != 0 {
			return fmt.Errorf("%w: %q has no time of day", ErrInvalid, strings.TrimSpace(group))
		}
		return nil // an empty group, as in "10:00;"
	}
	if days == 0 {
		days = EveryDay
	}
	for _, m := range times {
		byTime[m] |= days
	}
	return nil
}

// parseDays reads a day, a day range or a day-set word.
func parseDays(tok string) (WeekdaySet, bool) {
	if w, ok := daySetNames[tok]; ok {
		return w, true
	}
	if d, ok := slotWeekday(tok); ok {
		return DaysOf(d), true
	}
	from, to, ok := strings.Cut(tok, "-")
	if !ok {
		return 0, false
	}
	a, ok1 := slotWeekday(from)
	b, ok2 := slotWeekday(to)
	if !ok1 || !ok2 {
		return 0, false
	}
	var w WeekdaySet
	for d := a; ; d = (d + 1) % 7 {
		w |= DaysOf(d)
		if d == b {
			return w, true
		}
	}
}

// slotWeekday reads a weekday name, also the English plural ("mondays").
func slotWeekday(tok string) (time.Weekday, bool) {
	if d, ok := weekdayNames[tok]; ok {
		return d, true
	}
	if strings.HasSuffix(tok, "days") {
		d, ok := weekdayNames[strings.TrimSuffix(tok, "s")]
		return d, ok
	}
	return 0, false
}

func (sl Slot) minuteOfDay() int { return sl.Hour*60 + sl.Minute }

func (sl Slot) valid() bool {
	return sl.Days&EveryDay != 0 && sl.Hour >= 0 && sl.Hour <= 23 && sl.Minute >= 0 && sl.Minute <= 59
}

// slotStyle is how a schedule is written out: for people in either
// language, or for storage.
type slotStyle struct {
	days              [7]string // Monday first
	daily             string
	rangeSep, daySep  string
	timeSep, groupSep string
}

var (
	slotStyleRU = slotStyle{
		days:  [7]string{"пн", "вт", "ср", "чт", "пт", "сб", "вс"},
		daily: "ежедневно", rangeSep: "–", daySep: ", ", timeSep: ", ", groupSep: "; ",
	}
	slotStyleEN = slotStyle{
		days:  [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"},
		daily: "daily", rangeSep: "–", daySep: ", ", timeSep: ", ", groupSep: "; ",
	}
	// slotStyleStore is fixed: stored schedules must keep parsing even if
	// the wording for people changes.
	slotStyleStore = slotStyle{
		days:  [7]string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
		daily: "daily", rangeSep: "-", daySep: " ", timeSep: " ", groupSep: "; ",
	}
)

// String writes the schedule compactly for the page card, e.g.
// "ежедневно 10:00, 14:00, 18:00" or "пн–пт 09:00, 13:00; сб 12:00" for
// lang "ru…", and "daily 10:00" / "Mon–Fri 09:00, 13:00; Sat 12:00" for any
// other lang. Times sharing the same days form one group; groups start with
// the one whose first day is earliest in the week (Monday first, as in
// Russia). ParseSlots reads the result back to the same canonical Slots.
func (s Slots) String(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "ru") {
		return s.write(slotStyleRU)
	}
	return s.write(slotStyleEN)
}

// Encode writes the schedule for storage, e.g. "mon-fri 09:00 13:00; sat 12:00".
// ParseSlots reads it back.
func (s Slots) Encode() string { return s.write(slotStyleStore) }

// MarshalText implements encoding.TextMarshaler with Encode.
func (s Slots) MarshalText() ([]byte, error) { return []byte(s.Encode()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseSlots. Empty
// text gives nil Slots rather than an error, so a zero value survives a
// round trip through storage.
func (s *Slots) UnmarshalText(text []byte) error {
	if len(strings.TrimSpace(string(text))) == 0 {
		*s = nil
		return nil
	}
	v, err := ParseSlots(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

func (s Slots) write(st slotStyle) string {
	type group struct {
		days  WeekdaySet
		times []int
	}
	var groups []group
	for _, sl := range s {
		if !sl.valid() {
			continue
		}
		days := sl.Days & EveryDay
		i := slices.IndexFunc(groups, func(g group) bool { return g.days == days })
		if i < 0 {
			groups = append(groups, group{days: days})
			i = len(groups) - 1
		}
		groups[i].times = append(groups[i].times, sl.minuteOfDay())
	}
	for i := range groups {
		slices.Sort(groups[i].times)
		groups[i].times = slices.Compact(groups[i].times)
	}
	slices.SortStableFunc(groups, func(a, b group) int {
		if fa, fb := firstDay(a.days), firstDay(b.days); fa != fb {
			return fa - fb
		}
		return a.times[0] - b.times[0]
	})
	var b strings.Builder
	for i, g := range groups {
		if i > 0 {
			b.WriteString(st.groupSep)
		}
		b.WriteString(st.daysString(g.days))
		for j, m := range g.times {
			if j == 0 {
				b.WriteByte(' ')
			} else {
				b.WriteString(st.timeSep)
			}
			fmt.Fprintf(&b, "%02d:%02d", m/60, m%60)
		}
	}
	return b.String()
}

// mondayFirst lists weekdays in the order of a Russian calendar.
var mondayFirst = [7]time.Weekday{
	time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday,
}

// firstDay is the position, Monday first, of the earliest day in w.
func firstDay(w WeekdaySet) int {
	for i, d := range mondayFirst {
		if w.Has(d) {
			return i
		}
	}
	return 7
}

// daysString writes a day set Monday first: runs of three or more days as
// ranges ("пн–пт"), others listed ("сб, вс").
func (st slotStyle) daysString(w WeekdaySet) string {
	if w == EveryDay {
		return st.daily
	}
	var parts []string
	for i := 0; i < 7; {
		if !w.Has(mondayFirst[i]) {
			i++
			continue
		}
		j := i
		for j+1 < 7 && w.Has(mondayFirst[j+1]) {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, st.days[i]+st.rangeSep+st.days[j])
		case j == i+1:
			parts = append(parts, st.days[i], st.days[j])
		default:
			parts = append(parts, st.days[i])
		}
		i = j + 1
	}
	return strings.Join(parts, st.daySep)
}

// Next returns the earliest slot moment strictly after `after` for which
// taken reports false (nil taken: nothing is taken), looking at most 366
// days ahead; false if there is none. Slot times are wall clock in loc (nil:
// after's location), built with time.Date per calendar day, so they stay at
// 10:00 across DST changes. On a change day a slot in the skipped hour moves
// on by the gap (02:30 → 03:30 in Europe/Berlin), and one in the repeated
// hour is taken once, at the instant time.Date picks. taken is asked in
// chronological order and not again after a free moment is found.
func (s Slots) Next(after time.Time, loc *time.Location, taken func(time.Time) bool) (time.Time, bool) {
	if loc == nil {
		loc = after.Location()
	}
	y, m, d := after.In(loc).Date()
	var day []time.Time
	for i := 0; i <= 366; i++ {
		cy, cm, cd := civil(y, m, d+i)
		wd := time.Date(cy, cm, cd, 12, 0, 0, 0, time.UTC).Weekday()
		day = day[:0]
		for _, sl := range s {
			if !sl.valid() || !sl.Days.Has(wd) {
				continue
			}
			if t := time.Date(cy, cm, cd, sl.Hour, sl.Minute, 0, 0, loc); t.After(after) {
				day = append(day, t)
			}
		}
		slices.SortFunc(day, func(a, b time.Time) int { return a.Compare(b) })
		day = slices.CompactFunc(day, time.Time.Equal)
		for _, t := range day {
			if taken == nil || !taken(t) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}
