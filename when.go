package redaktor

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors of ParseWhen. Each wraps ErrInvalid, so a caller that only cares
// whether the input was acceptable tests errors.Is(err, ErrInvalid), while the
// bot picks its reply (examples, "that time has passed", …) by the finer one.
var (
	// ErrUnreadableTime: the text is not a moment we can read, or names an
	// impossible one (31.02, 25:00).
	ErrUnreadableTime = fmt.Errorf("%w: unreadable time", ErrInvalid)
	// ErrMissingTime: a day was given but no time of day ("25.12", "завтра").
	// It is an ErrUnreadableTime too; the bot can answer with examples such
	// as "25.12 18:30" instead of a generic complaint.
	ErrMissingTime = fmt.Errorf("%w: a time of day is needed", ErrUnreadableTime)
	// ErrPastTime: the moment is not after now ("вчера 10:00", "сегодня в 9"
	// in the afternoon, a date that has gone by).
	ErrPastTime = fmt.Errorf("%w: time is not in the future", ErrInvalid)
	// ErrTooFarTime: the moment is more than a year after now; almost always
	// a typo in the year, and the scheduler need not keep posts that long.
	ErrTooFarTime = fmt.Errorf("%w: time is more than a year ahead", ErrInvalid)
)

// maxWhenInput bounds the text ParseWhen looks at; nobody types a posting
// time longer than this, and the bound keeps work per message small.
const maxWhenInput = 200

// Moment is a posting moment read from text, with what the confirmation
// must spell out.
type Moment struct {
	At time.Time
	// NextDay: the text named a time of day but no day, and that time had
	// already passed today, so At is tomorrow. The confirmation says
	// «завтра» then, since the person may have expected today.
	NextDay bool
}

// ParseWhen reads a posting moment as a chief editor types it on a phone;
// it is ParseMoment without the note for the confirmation.
func ParseWhen(input string, now time.Time, loc *time.Location) (time.Time, error) {
	m, err := ParseMoment(input, now, loc)
	return m.At, err
}

// ParseMoment reads a posting moment as a chief editor types it on a phone,
// in Russian or English, and returns it as a time in loc (the page's time
// zone; nil means now's location). Letters' case, "ё" and extra spaces and
// commas do not matter. Times of day are wall-clock times in loc, built with
// time.Date, so days with a DST change keep their wall clock; a wall time
// that does not exist (skipped by a spring-forward) is moved on by the gap.
//
// Accepted forms (any order of the parts; "в", "во", "на", "к", "at", "on"
// are ignored):
//
//	18:30, 18.00, 18-30, 9:05, 6pm   as written, 24-hour unless am/pm;
//	в полдень, noon, midnight        12:00, 00:00
//	в 10, at 10, в 15 часов, в час   a bare hour: 1–6 mean 13:00–18:00 and
//	                                 7–12 mean 07:00–12:00, the posting day
//	10 утра, в 9 вечера, в 12 дня, в 3 ночи, 10:30 утра, 10 in the morning
//	                                 the hour in that part of the day
//	                                 (each alone: today if still ahead,
//	                                 otherwise tomorrow, with NextDay set)
//	сегодня / завтра / послезавтра, today / tomorrow, через 2 дня,
//	через неделю, in a week          that day, with a time of day
//	вчера, позавчера, yesterday      ErrPastTime
//	пн, понедельник, в пятницу, mon, friday (with a time of day)
//	                                 the next such day, today if still ahead
//	25.12, 25 декабря, dec 25, 14 декабря (with a time of day)
//	                                 the nearest such date, last year's,
//	                                 this year's or next year's: in December
//	                                 05.01 is next January, while 01.12 has
//	                                 passed
//	25.12.2026, 25.12.26, 2026-12-25, 25 декабря 2026 (with a time)
//	                                 exactly that day
//	через 2 часа, через 30 минут, через полчаса, через 1 ч 30 мин,
//	in 2 hours, in 30 minutes, in an hour, in half an hour
//	                                 now plus that, cut down to the minute
//
// "14.12" may be a date or 14:12; it is a time when it follows "в"/"at" or
// another word names the day, and a date otherwise or when another time of
// day is given. A weekday may accompany a date or "завтра" when it agrees
// with it ("пт 25.12 18:30", "в понедельник, 14 декабря, в 11").
//
// Errors: ErrMissingTime for a day without a time of day; ErrUnreadableTime
// for anything else unreadable or impossible; ErrPastTime when the moment is
// not after now; ErrTooFarTime when it is later than now plus one year
// (calendar year in loc). All of them wrap ErrInvalid.
func ParseMoment(input string, now time.Time, loc *time.Location) (Moment, error) {
	if loc == nil {
		loc = now.Location()
	}
	now = now.In(loc)
	if len(input) > maxWhenInput {
		return Moment{}, fmt.Errorf("%w: input is too long", ErrUnreadableTime)
	}
	toks := whenTokens(input)
	if len(toks) == 0 {
		return Moment{}, fmt.Errorf("%w: empty input", ErrUnreadableTime)
	}
	var (
		m   Moment
		err error
	)
	// "через 2 часа" is elapsed time; "через 2 дня в 9" names a day.
	if (toks[0] == "через" || toks[0] == "in") && !startsDaySpan(toks) {
		m.At, err = parseRelative(toks[1:], now)
	} else {
		m, err = parseAbsolute(toks, now, loc)
	}
	if err != nil {
		return Moment{}, err
	}
	if !m.At.After(now) {
		return Moment{}, fmt.Errorf("%w: %s", ErrPastTime, m.At.Format("02.01.2006 15:04"))
	}
	if m.At.After(now.AddDate(1, 0, 0)) {
		return Moment{}, fmt.Errorf("%w: %s", ErrTooFarTime, m.At.Format("02.01.2006 15:04"))
	}
	return m, nil
}

// foldText lower-cases s and folds "ё" into "е", as Russians type either.
func foldText(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "ё", "е")
}

// whenPhrases rewrites multi-word phrases into single tokens before the
// text is split, so the token loop stays one word at a time.
var whenPhrases = strings.NewReplacer(
	"day after tomorrow", "послезавтра",
	"half an hour", "30 minutes",
	"полтора часа", "90 минут",
	"полчаса", "30 минут",
)

// whenTokens folds the input and splits it into words, dropping commas and
// trailing dots ("пн.", "г.") and gluing a separate "am"/"pm" to the time
// before it.
func whenTokens(input string) []string {
	s := foldText(input)
	s = strings.NewReplacer(",", " ", ";", " ").Replace(s)
	s = whenPhrases.Replace(strings.Join(strings.Fields(s), " "))
	var toks []string
	for _, f := range strings.Fields(s) {
		f = strings.TrimRight(f, ".")
		if f == "" {
			continue
		}
		if (f == "am" || f == "pm") && len(toks) > 0 {
			toks[len(toks)-1] += f
			continue
		}
		toks = append(toks, f)
	}
	return toks
}

// parseRelative reads the part after "через"/"in": number-unit pairs such as
// "2 часа 30 минут", "1ч30м", "1h30m" or "an hour". Durations are real
// elapsed time, not wall clock: "через 2 часа" on a DST night is still two
// hours away.
func parseRelative(toks []string, now time.Time) (time.Time, error) {
	var (
		total   time.Duration
		pending = -1 // the number waiting for its unit, -1 when none
		units   int
	)
	for _, tok := range splitDigitRuns(toks) {
		switch {
		case tok == "и" || tok == "and":
		case tok == "a" || tok == "an" || tok == "one" || digits(tok, 1, 6):
			if pending >= 0 {
				return time.Time{}, fmt.Errorf("%w: %q", ErrUnreadableTime, tok)
			}
			pending = 1
			if tok[0] >= '0' && tok[0] <= '9' {
				pending, _ = strconv.Atoi(tok)
			}
		default:
			step, ok := relativeUnits[tok]
			if !ok {
				return time.Time{}, fmt.Errorf("%w: unknown word %q", ErrUnreadableTime, tok)
			}
			if pending < 0 {
				pending = 1 // "через час"
			}
			total += time.Duration(pending) * step
			pending = -1
			units++
		}
	}
	if pending >= 0 || units == 0 {
		return time.Time{}, fmt.Errorf("%w: a number needs a unit (минут, часов, minutes, hours)", ErrUnreadableTime)
	}
	// Whole-minute schedules read better and match what the editor meant.
	return now.Add(total).Truncate(time.Minute), nil
}

// splitDigitRuns splits glued tokens such as "1h30m" into "1", "h", "30", "m".
func splitDigitRuns(toks []string) []string {
	var out []string
	for _, tok := range toks {
		start := 0
		for i := 1; i <= len(tok); i++ {
			if i == len(tok) || isDigit(tok[i]) != isDigit(tok[i-1]) {
				out = append(out, tok[start:i])
				start = i
			}
		}
	}
	return out
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// relativeUnits are the units of "через …"/"in …" as elapsed time. Days
// and weeks are not among them: "через 2 дня" names a day (see
// startsDaySpan) and wants a time of day, not whatever minute it is now.
var relativeUnits = map[string]time.Duration{
	"ч": time.Hour, "час": time.Hour, "часа": time.Hour, "часов": time.Hour,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"м": time.Minute, "мин": time.Minute, "минута": time.Minute, "минуту": time.Minute,
	"минуты": time.Minute, "минут": time.Minute,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
}

// parseAbsolute reads a moment named by day and time of day: each word is
// taken by the first rule of whenRules that knows it, then the parts are
// checked against each other and placed in the calendar.
func parseAbsolute(toks []string, now time.Time, loc *time.Location) (Moment, error) {
	var p whenParts
	for i := 0; i < len(toks); {
		n, err := p.take(toks, i)
		if err != nil {
			return Moment{}, err
		}
		i += n
	}
	if err := p.settle(); err != nil {
		return Moment{}, err
	}
	hour, minute := p.hour, p.minute

	ny, nm, nd := now.Date()
	var y, d int
	var m time.Month
	nextDay := false
	switch {
	case p.date && p.year != 0:
		y, m, d = p.year, time.Month(p.month), p.day
	case p.date:
		y, m, d = nearestYear(p.month, p.day, hour, minute, now, loc), time.Month(p.month), p.day
	case p.hasDayOffset:
		y, m, d = civil(ny, nm, nd+p.dayOffset)
	case p.hasWeekday:
		y, m, d = civil(ny, nm, nd+(int(p.weekday)-int(now.Weekday())+7)%7)
		if !time.Date(y, m, d, hour, minute, 0, 0, loc).After(now) {
			y, m, d = civil(y, m, d+7)
		}
	default:
		y, m, d = ny, nm, nd
		if !time.Date(y, m, d, hour, minute, 0, 0, loc).After(now) {
			y, m, d = civil(y, m, d+1)
			nextDay = true
		}
	}
	if p.hasWeekday {
		if got := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday(); got != p.weekday {
			return Moment{}, fmt.Errorf("%w: %02d.%02d.%d is not a %s", ErrUnreadableTime, d, m, y, p.weekday)
		}
	}
	return Moment{At: time.Date(y, m, d, hour, minute, 0, 0, loc), NextDay: nextDay}, nil
}

// nearestYear picks the year of a yearless date: the one of last year,
// this year and next year whose moment is nearest to now. So in December
// "05.01" is next January while "01.12" is a day ago and refused as past,
// rather than silently moved a year on. A 29 February with no leap year
// among the three goes to the next one (and is refused as too far).
func nearestYear(month, day, hour, minute int, now time.Time, loc *time.Location) int {
	ny := now.Year()
	best, bestGap := 0, time.Duration(0)
	for y := ny - 1; y <= ny+1; y++ {
		if !validDate(y, month, day) {
			continue
		}
		gap := time.Date(y, time.Month(month), day, hour, minute, 0, 0, loc).Sub(now).Abs()
		if best == 0 || gap < bestGap {
			best, bestGap = y, gap
		}
	}
	if best != 0 {
		return best
	}
	y := ny + 2
	for !validDate(y, month, day) {
		y++
	}
	return y
}

// parseClock reads "18:30", "9:05", "6pm", "6:30pm", "12am", and "18-30"
// as people type it on phones without a colon on the first keyboard page.
func parseClock(tok string) (hour, minute int, ok bool) {
	suffix := ""
	if strings.HasSuffix(tok, "am") || strings.HasSuffix(tok, "pm") {
		tok, suffix = tok[:len(tok)-2], tok[len(tok)-2:]
	}
	hs, ms, colon := strings.Cut(tok, ":")
	if !colon {
		hs, ms, colon = strings.Cut(tok, "-")
	}
	if !colon && suffix == "" {
		return 0, 0, false
	}
	if !digits(hs, 1, 2) || (colon && !digits(ms, 2, 2)) {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(hs)
	if colon {
		minute, _ = strconv.Atoi(ms)
	}
	if minute > 59 {
		return 0, 0, false
	}
	if suffix == "" {
		return hour, minute, hour <= 23
	}
	if hour < 1 || hour > 12 {
		return 0, 0, false
	}
	hour %= 12
	if suffix == "pm" {
		hour += 12
	}
	return hour, minute, true
}

// parseNumericDate reads "25.12", "25.12.26", "25.12.2026" and "2026-12-25".
// The day and month are range-checked here; whether the day exists in
// that month is up to the caller, who knows the year.
func parseNumericDate(tok string) (year, month, day int, ok bool) {
	var parts []string
	iso := strings.Contains(tok, "-")
	if iso {
		parts = strings.Split(tok, "-")
		if len(parts) != 3 || !digits(parts[0], 4, 4) || !digits(parts[1], 1, 2) || !digits(parts[2], 1, 2) {
			return 0, 0, 0, false
		}
		parts = []string{parts[2], parts[1], parts[0]}
	} else {
		parts = strings.Split(tok, ".")
		if len(parts) < 2 || len(parts) > 3 || !digits(parts[0], 1, 2) || !digits(parts[1], 1, 2) {
			return 0, 0, 0, false
		}
		if len(parts) == 3 && !digits(parts[2], 2, 2) && !digits(parts[2], 4, 4) {
			return 0, 0, 0, false
		}
	}
	day, _ = strconv.Atoi(parts[0])
	month, _ = strconv.Atoi(parts[1])
	if len(parts) == 3 {
		year, _ = strconv.Atoi(parts[2])
		if len(parts[2]) == 2 {
			year += 2000
		}
		if year == 0 {
			return 0, 0, 0, false
		}
	}
	if day < 1 || day > 31 || month < 1 || month > 12 {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

// parseDottedClock reads "18.00" and "9.30": a time of day written with a
// dot, as many Russians do. Whether it is also a date is for the caller.
func parseDottedClock(tok string) (hour, minute int, ok bool) {
	hs, ms, dot := strings.Cut(tok, ".")
	if !dot || !digits(hs, 1, 2) || !digits(ms, 2, 2) {
		return 0, 0, false
	}
	hour, _ = strconv.Atoi(hs)
	minute, _ = strconv.Atoi(ms)
	return hour, minute, hour <= 23 && minute <= 59
}

// digits reports whether s is between min and max ASCII digits long.
func digits(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validDate reports whether the day exists in that month of that year.
func validDate(year, month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	t := time.Date(year, time.Month(month), day, 12, 0, 0, 0, time.UTC)
	return t.Day() == day && int(t.Month()) == month
}

// civil normalises a calendar date (d may run past the month's end). It is
// done in UTC so that a zone's midnight DST change cannot shift the day.
func civil(y int, m time.Month, d int) (int, time.Month, int) {
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Date()
}
