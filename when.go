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
	// ErrPastTime: the moment is not after now.
	ErrPastTime = fmt.Errorf("%w: time is not in the future", ErrInvalid)
	// ErrTooFarTime: the moment is more than a year after now; almost always
	// a typo in the year, and the scheduler need not keep posts that long.
	ErrTooFarTime = fmt.Errorf("%w: time is more than a year ahead", ErrInvalid)
)

// maxWhenInput bounds the text ParseWhen looks at; nobody types a posting
// time longer than this, and the bound keeps work per message small.
const maxWhenInput = 200

// ParseWhen reads a posting moment as a chief editor types it on a phone,
// in Russian or English, and returns it as a time in loc (the page's time
// zone; nil means now's location). Letters' case, "ё" and extra spaces and
// commas do not matter. Times of day are wall-clock times in loc, built with
// time.Date, so days with a DST change keep their wall clock; a wall time
// that does not exist (skipped by a spring-forward) is moved on by the gap.
//
// Accepted forms (any order of the parts; "в", "во", "на", "at", "on" are
// ignored):
//
//	18:30, 9:05, 6pm, 6:30 pm      today if still ahead, otherwise tomorrow
//	сегодня / завтра / послезавтра 10:00, today / tomorrow /
//	day after tomorrow 10:00       that day; today must still be ahead
//	пн, понедельник, в пятницу, mon, friday 18:00
//	                               the next such day, today if still ahead
//	25.12 18:30, 25 декабря 18:30, dec 25 18:30
//	                               this year, or next year if already past
//	25.12.2026, 25.12.26, 2026-12-25, 25 декабря 2026 (with a time)
//	                               exactly that day
//	через 2 часа, через 30 минут, через полчаса, через 1 ч 30 мин,
//	in 2 hours, in 30 minutes, in an hour, in half an hour
//	                               now plus that, cut down to the minute
//
// A weekday may accompany a date or "завтра" when it agrees with it
// ("пт 25.12 18:30"). Hours must come with minutes (except with am/pm):
// "завтра в 10" is refused rather than guessed.
//
// Errors: ErrMissingTime for a day without a time of day; ErrUnreadableTime
// for anything else unreadable or impossible; ErrPastTime when the moment is
// not after now; ErrTooFarTime when it is later than now plus one year
// (calendar year in loc). All of them wrap ErrInvalid.
func ParseWhen(input string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = now.Location()
	}
	now = now.In(loc)
	if len(input) > maxWhenInput {
		return time.Time{}, fmt.Errorf("%w: input is too long", ErrUnreadableTime)
	}
	toks := whenTokens(input)
	if len(toks) == 0 {
		return time.Time{}, fmt.Errorf("%w: empty input", ErrUnreadableTime)
	}
	var (
		t   time.Time
		err error
	)
	if toks[0] == "через" || toks[0] == "in" {
		t, err = parseRelative(toks[1:], now)
	} else {
		t, err = parseAbsolute(toks, now, loc)
	}
	if err != nil {
		return time.Time{}, err
	}
	if !t.After(now) {
		return time.Time{}, fmt.Errorf("%w: %s", ErrPastTime, t.Format("02.01.2006 15:04"))
	}
	if t.After(now.AddDate(1, 0, 0)) {
		return time.Time{}, fmt.Errorf("%w: %s", ErrTooFarTime, t.Format("02.01.2006 15:04"))
	}
	return t, nil
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

// relativeUnits are the units of "через …"/"in …". Days are left out on
// purpose: "через 2 дня" would land at whatever minute it is now.
var relativeUnits = map[string]time.Duration{
	"ч": time.Hour, "час": time.Hour, "часа": time.Hour, "часов": time.Hour,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"м": time.Minute, "мин": time.Minute, "минута": time.Minute, "минуту": time.Minute,
	"минуты": time.Minute, "минут": time.Minute,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
}

// splitNumber splits a token into its leading ASCII digits and the rest.
func splitNumber(tok string) (num, rest string) {
	i := 0
	for i < len(tok) && tok[i] >= '0' && tok[i] <= '9' {
		i++
	}
	return tok[:i], tok[i:]
}

// whenParts collects what the words of an absolute moment said.
type whenParts struct {
	clock        bool
	hour, minute int

	dayOffset    int // сегодня 0, завтра 1, послезавтра 2
	hasDayOffset bool

	weekday    time.Weekday
	hasWeekday bool

	date             bool // a numeric date or a month name was seen
	year, month, day int  // year 0: not given
	month2           bool // the month came from a word, the day from a bare number
	numbers          []string
}

// whenFillers are words that carry no meaning for the moment.
var whenFillers = map[string]bool{
	"в": true, "во": true, "на": true, "г": true, "года": true, "год": true,
	"at": true, "on": true, "the": true, "of": true,
}

var dayOffsets = map[string]int{
	"сегодня": 0, "today": 0,
	"завтра": 1, "tomorrow": 1,
	"послезавтра": 2,
}

// weekdayNames maps every way a weekday is typed, in the cases used after
// "в"/"во" too, to the day. ParseSlots shares it.
var weekdayNames = map[string]time.Weekday{
	"пн": time.Monday, "пнд": time.Monday, "понедельник": time.Monday,
	"вт": time.Tuesday, "втр": time.Tuesday, "вторник": time.Tuesday,
	"ср": time.Wednesday, "срд": time.Wednesday, "среда": time.Wednesday, "среду": time.Wednesday,
	"чт": time.Thursday, "чтв": time.Thursday, "четверг": time.Thursday,
	"пт": time.Friday, "птн": time.Friday, "пятница": time.Friday, "пятницу": time.Friday,
	"сб": time.Saturday, "сбт": time.Saturday, "суббота": time.Saturday, "субботу": time.Saturday,
	"вс": time.Sunday, "вск": time.Sunday, "воскресенье": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
	"sun": time.Sunday, "sunday": time.Sunday,
}

var monthNames = map[string]time.Month{
	"января": 1, "январь": 1, "янв": 1, "january": 1, "jan": 1,
	"февраля": 2, "февраль": 2, "фев": 2, "february": 2, "feb": 2,
	"марта": 3, "март": 3, "мар": 3, "march": 3, "mar": 3,
	"апреля": 4, "апрель": 4, "апр": 4, "april": 4, "apr": 4,
	"мая": 5, "май": 5, "may": 5,
	"июня": 6, "июнь": 6, "июн": 6, "june": 6, "jun": 6,
	"июля": 7, "июль": 7, "июл": 7, "july": 7, "jul": 7,
	"августа": 8, "август": 8, "авг": 8, "august": 8, "aug": 8,
	"сентября": 9, "сентябрь": 9, "сен": 9, "сент": 9, "september": 9, "sep": 9, "sept": 9,
	"октября": 10, "октябрь": 10, "окт": 10, "october": 10, "oct": 10,
	"ноября": 11, "ноябрь": 11, "ноя": 11, "нояб": 11, "november": 11, "nov": 11,
	"декабря": 12, "декабрь": 12, "дек": 12, "december": 12, "dec": 12,
}

// parseAbsolute reads a moment named by day and time of day.
func parseAbsolute(toks []string, now time.Time, loc *time.Location) (time.Time, error) {
	var p whenParts
	for _, tok := range toks {
		if err := p.add(tok); err != nil {
			return time.Time{}, err
		}
	}
	if err := p.settleNumbers(); err != nil {
		return time.Time{}, err
	}
	if p.date && p.hasDayOffset {
		return time.Time{}, fmt.Errorf("%w: both a date and a day word", ErrUnreadableTime)
	}
	if !p.clock {
		if p.date || p.hasDayOffset || p.hasWeekday {
			return time.Time{}, ErrMissingTime
		}
		return time.Time{}, fmt.Errorf("%w: no time of day", ErrUnreadableTime)
	}

	ny, nm, nd := now.Date()
	var y, d int
	var m time.Month
	switch {
	case p.date && p.year != 0:
		if !validDate(p.year, p.month, p.day) {
			return time.Time{}, fmt.Errorf("%w: no such date", ErrUnreadableTime)
		}
		y, m, d = p.year, time.Month(p.month), p.day
	case p.date:
		// This year, or the first later year in which that day exists and
		// the moment is still ahead (29.02 may wait for a leap year; the
		// one-year limit then refuses it).
		if !validDate(2024, p.month, p.day) {
			return time.Time{}, fmt.Errorf("%w: no such date", ErrUnreadableTime)
		}
		for y = ny; y <= ny+8; y++ {
			if validDate(y, p.month, p.day) &&
				time.Date(y, time.Month(p.month), p.day, p.hour, p.minute, 0, 0, loc).After(now) {
				break
			}
		}
		m, d = time.Month(p.month), p.day
	case p.hasDayOffset:
		y, m, d = civil(ny, nm, nd+p.dayOffset)
	case p.hasWeekday:
		y, m, d = civil(ny, nm, nd+(int(p.weekday)-int(now.Weekday())+7)%7)
		if !time.Date(y, m, d, p.hour, p.minute, 0, 0, loc).After(now) {
			y, m, d = civil(y, m, d+7)
		}
	default:
		y, m, d = ny, nm, nd
		if !time.Date(y, m, d, p.hour, p.minute, 0, 0, loc).After(now) {
			y, m, d = civil(y, m, d+1)
		}
	}
	if p.hasWeekday {
		if got := time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday(); got != p.weekday {
			return time.Time{}, fmt.Errorf("%w: %02d.%02d.%d is not a %s", ErrUnreadableTime, d, m, y, p.weekday)
		}
	}
	return time.Date(y, m, d, p.hour, p.minute, 0, 0, loc), nil
}

// add takes one word of an absolute moment.
func (p *whenParts) add(tok string) error {
	if whenFillers[tok] {
		return nil
	}
	if h, m, ok := parseClock(tok); ok {
		if p.clock {
			return fmt.Errorf("%w: two times of day", ErrUnreadableTime)
		}
		p.clock, p.hour, p.minute = true, h, m
		return nil
	}
	if off, ok := dayOffsets[tok]; ok {
		if p.hasDayOffset {
			return fmt.Errorf("%w: two day words", ErrUnreadableTime)
		}
		p.hasDayOffset, p.dayOffset = true, off
		return nil
	}
	if wd, ok := weekdayNames[tok]; ok {
		if p.hasWeekday {
			return fmt.Errorf("%w: two weekdays", ErrUnreadableTime)
		}
		p.hasWeekday, p.weekday = true, wd
		return nil
	}
	if mon, ok := monthNames[tok]; ok {
		if p.date {
			return fmt.Errorf("%w: two dates", ErrUnreadableTime)
		}
		p.date, p.month2, p.month = true, true, int(mon)
		return nil
	}
	if y, m, d, ok := parseNumericDate(tok); ok {
		if p.date {
			return fmt.Errorf("%w: two dates", ErrUnreadableTime)
		}
		p.date, p.year, p.month, p.day = true, y, m, d
		return nil
	}
	if num, rest := splitNumber(tok); num != "" &&
		(rest == "" || rest == "st" || rest == "nd" || rest == "rd" || rest == "th" || rest == "го" || rest == "-го") {
		p.numbers = append(p.numbers, num)
		return nil
	}
	return fmt.Errorf("%w: unknown word %q", ErrUnreadableTime, tok)
}

// settleNumbers gives bare numbers their meaning: the day and maybe the
// year of a date whose month was a word ("25 декабря 2026"). Elsewhere a
// bare number is refused, since "завтра в 10" could be 10:00 or 22:00.
func (p *whenParts) settleNumbers() error {
	if len(p.numbers) == 0 {
		if p.month2 {
			return fmt.Errorf("%w: a month needs a day", ErrUnreadableTime)
		}
		return nil
	}
	if !p.month2 {
		return fmt.Errorf("%w: %q needs minutes, e.g. 10:00", ErrUnreadableTime, p.numbers[0])
	}
	for _, n := range p.numbers {
		v, _ := strconv.Atoi(n)
		switch {
		case len(n) <= 2 && p.day == 0 && v >= 1:
			p.day = v
		case len(n) == 4 && p.year == 0 && v >= 1:
			p.year = v
		default:
			return fmt.Errorf("%w: unexpected number %q", ErrUnreadableTime, n)
		}
	}
	if p.day == 0 {
		return fmt.Errorf("%w: a month needs a day", ErrUnreadableTime)
	}
	return nil
}

// parseClock reads "18:30", "9:05", "6pm", "6:30pm", "12am".
func parseClock(tok string) (hour, minute int, ok bool) {
	suffix := ""
	if strings.HasSuffix(tok, "am") || strings.HasSuffix(tok, "pm") {
		tok, suffix = tok[:len(tok)-2], tok[len(tok)-2:]
	}
	hs, ms, colon := strings.Cut(tok, ":")
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
