package reminders

import "time"

// The page's day, in its own time zone. Working hours are a school's or
// an administration's office hours, Monday to Friday 08:00–18:00: a post
// sent on Friday at 17:00 has waited one working hour by Monday 08:00.
// Public holidays are not known and count as working days.
const (
	workStart = 8 * time.Hour
	workEnd   = 18 * time.Hour
	// Nobody is written to before the morning digest (08:30) or from
	// 21:00: what falls due at night waits for the morning, and what falls
	// due between 08:00 and the digest is told in it, so nobody gets two
	// messages at 08:30.
	digestAt = 8*time.Hour + 30*time.Minute
	quietAt  = 21 * time.Hour
	// A digest not sent by 09:30 (the bot was down) is not sent that day:
	// a morning summary at noon would be news of the past.
	digestUntil = 9*time.Hour + 30*time.Minute
)

// clock is the time of day of t as its location's wall clock shows it:
// not the time elapsed since midnight, which on a day the clocks change
// is an hour off.
func clock(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

// at is the moment of day of t's date at time of day c, in t's location.
func at(t time.Time, dayOffset int, c time.Duration) time.Time {
	y, m, d := t.Date()
	h, mi := int(c/time.Hour), int(c%time.Hour/time.Minute)
	return time.Date(y, m, d+dayOffset, h, mi, 0, 0, t.Location())
}

// awake reports whether the bot may write to a page's people at local
// time t.
func awake(t time.Time) bool {
	c := clock(t)
	return c >= digestAt && c < quietAt
}

// nextWake is the first moment after local time t at which the bot may
// write again: this morning's or the next morning's digest time.
func nextWake(t time.Time) time.Time {
	if clock(t) < digestAt {
		return at(t, 0, digestAt)
	}
	return at(t, 1, digestAt)
}

// workday reports whether t's date is Monday to Friday.
func workday(t time.Time) bool {
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// dueAfter is the moment a post that began waiting at since has waited
// hours working hours, in the time zone loc.
func dueAfter(since time.Time, hours int, loc *time.Location) time.Time {
	left := time.Duration(hours) * time.Hour
	t := since.In(loc)
	// A year of days at most: hours is bounded, so this only guards
	// against a zone that never has working hours.
	for range 366 {
		start, end := at(t, 0, workStart), at(t, 0, workEnd)
		if !workday(t) || !t.Before(end) {
			t = at(t, 1, 0)
			continue
		}
		if t.Before(start) {
			t = start
		}
		if avail := end.Sub(t); left <= avail {
			return t.Add(left)
		} else {
			left -= avail
		}
		t = at(t, 1, 0)
	}
	return t
}
