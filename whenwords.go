package redaktor

import (
	"fmt"
	"strconv"
	"time"
)

// The words of an absolute moment ("завтра в 10", "14 декабря в 11",
// "friday 9am"): what each word may mean, and the rules that read them.

// whenParts collects what the words of an absolute moment said.
type whenParts struct {
	clock        bool
	hour, minute int
	bare         bool        // the hour came without minutes ("в 5", "в 5 часов")
	part         []hourRange // from a part of the day ("утра", "вечера"); nil if none
	partWord     string

	dayOffset    int // позавчера -2, вчера -1, сегодня 0, завтра 1, через неделю 7
	hasDayOffset bool

	weekday    time.Weekday
	hasWeekday bool

	date             bool
	year, month, day int // year 0: not given

	dotted []dottedToken // "14.12": a date or 14:12, settled once all words are read
}

// dottedToken is a word that reads as a date and as a time of day.
type dottedToken struct {
	month, day   int
	hour, minute int
	afterAt      bool // it followed "в"/"at", as a time does
}

// whenRules read the words of an absolute moment. At each word the first
// rule that knows it takes it (and maybe the words after it) and says how
// many it took; 0 means not its kind.
var whenRules = []func(p *whenParts, toks []string, i int) (int, error){
	takeDaySpan, // before the fillers: "in" also starts "in 2 days"
	takeFiller,
	takeDayWord,
	takeWeekday,
	takePartOfDay,
	takeClock,
	takeHourWords,
	takeDayMonth,
	takeMonthDay,
	takeNumericDate,
	takeBareHour,
}

// take reads the word at toks[i] with the first rule that knows it.
func (p *whenParts) take(toks []string, i int) (int, error) {
	for _, rule := range whenRules {
		if n, err := rule(p, toks, i); n > 0 || err != nil {
			return n, err
		}
	}
	return 0, fmt.Errorf("%w: unknown word %q", ErrUnreadableTime, toks[i])
}

// whenFillers are words that carry no meaning for the moment.
var whenFillers = map[string]bool{
	"в": true, "во": true, "на": true, "г": true, "года": true, "год": true,
	"к": true, "ко": true, // «к 10 утра»: for a post, by ten is at ten
	"at": true, "on": true, "the": true, "of": true, "in": true,
}

// atWords before "14.12" say it is a time: «в 14.12», "at 14.12".
var atWords = map[string]bool{"в": true, "во": true, "at": true}

func takeFiller(_ *whenParts, toks []string, i int) (int, error) {
	if whenFillers[toks[i]] {
		return 1, nil
	}
	return 0, nil
}

var dayOffsets = map[string]int{
	"позавчера": -2,
	"вчера":     -1, "yesterday": -1,
	"сегодня": 0, "today": 0,
	"завтра": 1, "tomorrow": 1,
	"послезавтра": 2,
}

func takeDayWord(p *whenParts, toks []string, i int) (int, error) {
	off, ok := dayOffsets[toks[i]]
	if !ok {
		return 0, nil
	}
	return 1, p.setDayOffset(off)
}

// dayUnits are the units of "через 2 дня", "через неделю", "in a week", in days.
var dayUnits = map[string]int{
	"день": 1, "дня": 1, "дней": 1, "сутки": 1, "суток": 1, "day": 1, "days": 1,
	"неделю": 7, "недели": 7, "недель": 7, "week": 7, "weeks": 7,
}

// daySpan reads "через 2 дня", "через неделю", "in a week" at the start of
// toks: how many words it took and how many days it names.
func daySpan(toks []string) (n, days int) {
	if len(toks) < 2 || (toks[0] != "через" && toks[0] != "in") {
		return 0, 0
	}
	count, j := 1, 1
	switch {
	case digits(toks[1], 1, 3):
		count, _ = strconv.Atoi(toks[1])
		j = 2
	case toks[1] == "a" || toks[1] == "an" || toks[1] == "one":
		j = 2
	}
	if j < len(toks) {
		if unit, ok := dayUnits[toks[j]]; ok {
			return j + 1, count * unit
		}
	}
	return 0, 0
}

// startsDaySpan reports whether toks start with a span of days, so that
// "через 2 дня в 9" is read as a day and a time, not as elapsed time.
func startsDaySpan(toks []string) bool {
	n, _ := daySpan(toks)
	return n > 0
}

func takeDaySpan(p *whenParts, toks []string, i int) (int, error) {
	n, days := daySpan(toks[i:])
	if n == 0 {
		return 0, nil
	}
	// «через 2 дня 3 часа» is a duration, not 03:00 two days on.
	if j := i + n; j+1 < len(toks) && digits(toks[j], 1, 2) && relativeUnits[toks[j+1]] != 0 {
		return 0, fmt.Errorf("%w: days and hours together", ErrUnreadableTime)
	}
	return n, p.setDayOffset(days)
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

func takeWeekday(p *whenParts, toks []string, i int) (int, error) {
	wd, ok := weekdayNames[toks[i]]
	if !ok {
		return 0, nil
	}
	if p.hasWeekday {
		return 0, fmt.Errorf("%w: two weekdays", ErrUnreadableTime)
	}
	p.hasWeekday, p.weekday = true, wd
	return 1, nil
}

// hourRange reads the written hours from..to as that plus add on the
// 24-hour clock.
type hourRange struct{ from, to, add int }

// The hours each part of the day accepts, as Russians say them: «в 12
// дня» is noon, «в 3 дня» 15:00, «в 11 вечера» 23:00, «в 12 ночи»
// midnight, «в 3 ночи» 03:00. Hours already on the 24-hour clock pass when
// they fall in that part («в 18 вечера»).
var (
	morningHours   = []hourRange{{1, 11, 0}}
	afternoonHours = []hourRange{{11, 12, 0}, {1, 6, 12}, {13, 18, 0}}
	eveningHours   = []hourRange{{5, 11, 12}, {17, 23, 0}}
	nightHours     = []hourRange{{12, 12, -12}, {0, 5, 0}, {9, 11, 12}, {21, 23, 0}}
)

// bareHours read an hour typed without minutes or a part of the day, for
// posting times: 1–6 are 13:00–18:00 (nobody posts at 5 in the morning;
// «в 5» is five in the afternoon), 7–12 are the morning and noon, 0 and
// 13–23 are the 24-hour clock. Like any bare time of day it is today if
// still ahead, else tomorrow: «в 9» at 15:00 is 09:00 tomorrow, «в 5» at
// 15:00 is 17:00 today.
var bareHours = []hourRange{{1, 6, 12}, {0, 0, 0}, {7, 23, 0}}

var partsOfDay = map[string][]hourRange{
	"утра": morningHours, "утром": morningHours, "morning": morningHours,
	"дня": afternoonHours, "днем": afternoonHours, "afternoon": afternoonHours,
	"вечера": eveningHours, "вечером": eveningHours, "evening": eveningHours,
	"ночи": nightHours, "ночью": nightHours, "night": nightHours,
}

// onClock reads a written hour with the ranges of its part of the day.
func onClock(ranges []hourRange, hour int) (int, bool) {
	for _, r := range ranges {
		if hour >= r.from && hour <= r.to {
			return hour + r.add, true
		}
	}
	return 0, false
}

func takePartOfDay(p *whenParts, toks []string, i int) (int, error) {
	ranges, ok := partsOfDay[toks[i]]
	if !ok {
		return 0, nil
	}
	if p.part != nil {
		return 0, fmt.Errorf("%w: two parts of the day", ErrUnreadableTime)
	}
	p.part, p.partWord = ranges, toks[i]
	return 1, nil
}

// clockWords name a time of day in one word.
var clockWords = map[string]int{"полдень": 12, "noon": 12, "полночь": 0, "midnight": 0}

func takeClock(p *whenParts, toks []string, i int) (int, error) {
	if h, ok := clockWords[toks[i]]; ok {
		return 1, p.setClock(h, 0, false)
	}
	h, m, ok := parseClock(toks[i])
	if !ok {
		return 0, nil
	}
	return 1, p.setClock(h, m, false)
}

var (
	hourWords   = map[string]bool{"ч": true, "час": true, "часа": true, "часов": true, "o'clock": true, "oclock": true}
	minuteWords = map[string]bool{"минут": true, "минуты": true, "минуту": true, "мин": true, "minutes": true}
)

// takeHourWords reads «в 15 часов», «в 3 часа дня», «в 15 часов 30 минут»,
// "10 o'clock" and «в час дня» (one o'clock).
func takeHourWords(p *whenParts, toks []string, i int) (int, error) {
	if toks[i] == "час" {
		return 1, p.setClock(1, 0, true)
	}
	if !digits(toks[i], 1, 2) || i+1 >= len(toks) || !hourWords[toks[i+1]] {
		return 0, nil
	}
	h, _ := strconv.Atoi(toks[i])
	if h > 23 {
		return 0, fmt.Errorf("%w: no hour %d", ErrUnreadableTime, h)
	}
	if i+3 < len(toks) && digits(toks[i+2], 1, 2) && minuteWords[toks[i+3]] {
		m, _ := strconv.Atoi(toks[i+2])
		if m > 59 {
			return 0, fmt.Errorf("%w: no minute %d", ErrUnreadableTime, m)
		}
		return 4, p.setClock(h, m, false)
	}
	return 2, p.setClock(h, 0, true)
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

// dayNumber reads the day of a date with a month word: "25", "25th", "25-го".
func dayNumber(tok string) (int, bool) {
	num, rest := splitNumber(tok)
	switch rest {
	case "", "st", "nd", "rd", "th", "го", "-го":
	default:
		return 0, false
	}
	if !digits(num, 1, 2) {
		return 0, false
	}
	d, _ := strconv.Atoi(num)
	return d, true
}

// splitNumber splits a token into its leading ASCII digits and the rest.
func splitNumber(tok string) (num, rest string) {
	i := 0
	for i < len(tok) && isDigit(tok[i]) {
		i++
	}
	return tok[:i], tok[i:]
}

// yearAfter reads a four-digit year at toks[i], if there is one.
func yearAfter(toks []string, i int) (int, bool) {
	if i >= len(toks) || !digits(toks[i], 4, 4) {
		return 0, false
	}
	y, _ := strconv.Atoi(toks[i])
	return y, y > 0
}

// takeDayMonth reads «14 декабря», «25 декабря 2026», "25 dec".
func takeDayMonth(p *whenParts, toks []string, i int) (int, error) {
	d, ok := dayNumber(toks[i])
	if !ok || i+1 >= len(toks) {
		return 0, nil
	}
	mon, ok := monthNames[toks[i+1]]
	if !ok {
		return 0, nil
	}
	if y, ok := yearAfter(toks, i+2); ok {
		return 3, p.setDate(y, int(mon), d)
	}
	return 2, p.setDate(0, int(mon), d)
}

// takeMonthDay reads "dec 25", "December 25th 2026".
func takeMonthDay(p *whenParts, toks []string, i int) (int, error) {
	mon, ok := monthNames[toks[i]]
	if !ok {
		return 0, nil
	}
	d, ok := 0, false
	if i+1 < len(toks) {
		d, ok = dayNumber(toks[i+1])
	}
	if !ok {
		return 0, fmt.Errorf("%w: a month needs a day", ErrUnreadableTime)
	}
	if y, ok := yearAfter(toks, i+2); ok {
		return 3, p.setDate(y, int(mon), d)
	}
	return 2, p.setDate(0, int(mon), d)
}

// takeNumericDate reads "25.12", "25.12.2026", "2026-12-25" and "18.00";
// "14.12", both a date and a time, waits for settle.
func takeNumericDate(p *whenParts, toks []string, i int) (int, error) {
	y, mon, d, isDate := parseNumericDate(toks[i])
	h, m, isClock := parseDottedClock(toks[i])
	switch {
	case isDate && isClock && y == 0:
		p.dotted = append(p.dotted, dottedToken{month: mon, day: d, hour: h, minute: m,
			afterAt: i > 0 && atWords[toks[i-1]]})
		return 1, nil
	case isDate:
		return 1, p.setDate(y, mon, d)
	case isClock:
		return 1, p.setClock(h, m, false)
	}
	return 0, nil
}

// takeBareHour reads an hour alone: «в 10», "at 10", «10 утра».
func takeBareHour(p *whenParts, toks []string, i int) (int, error) {
	if !digits(toks[i], 1, 2) {
		return 0, nil
	}
	h, _ := strconv.Atoi(toks[i])
	if h > 23 {
		return 0, fmt.Errorf("%w: no hour %d", ErrUnreadableTime, h)
	}
	return 1, p.setClock(h, 0, true)
}

func (p *whenParts) setClock(hour, minute int, bare bool) error {
	if p.clock {
		return fmt.Errorf("%w: two times of day", ErrUnreadableTime)
	}
	p.clock, p.hour, p.minute, p.bare = true, hour, minute, bare
	return nil
}

func (p *whenParts) setDate(year, month, day int) error {
	if p.date {
		return fmt.Errorf("%w: two dates", ErrUnreadableTime)
	}
	p.date, p.year, p.month, p.day = true, year, month, day
	return nil
}

func (p *whenParts) setDayOffset(days int) error {
	if p.hasDayOffset {
		return fmt.Errorf("%w: two day words", ErrUnreadableTime)
	}
	p.hasDayOffset, p.dayOffset = true, days
	return nil
}

// settle checks the parts against each other once every word is read,
// decides what "14.12" meant, and puts the hour on the 24-hour clock.
func (p *whenParts) settle() error {
	for _, d := range p.dotted {
		var err error
		switch {
		case p.clock:
			err = p.setDate(0, d.month, d.day)
		case d.afterAt || p.date || p.hasDayOffset || p.hasWeekday:
			err = p.setClock(d.hour, d.minute, false)
		default:
			err = p.setDate(0, d.month, d.day)
		}
		if err != nil {
			return err
		}
	}
	if p.date {
		y := p.year
		if y == 0 {
			y = 2024 // a leap year: the day must exist in some year
		}
		if !validDate(y, p.month, p.day) {
			return fmt.Errorf("%w: no such date", ErrUnreadableTime)
		}
	}
	if p.hasDayOffset && p.dayOffset < 0 {
		return fmt.Errorf("%w: a day that has passed", ErrPastTime)
	}
	if p.date && p.hasDayOffset {
		return fmt.Errorf("%w: both a date and a day word", ErrUnreadableTime)
	}
	if !p.clock {
		if p.date || p.hasDayOffset || p.hasWeekday || p.part != nil {
			return ErrMissingTime
		}
		return fmt.Errorf("%w: no time of day", ErrUnreadableTime)
	}
	ranges := p.part
	if ranges == nil && p.bare {
		ranges = bareHours
	}
	if ranges != nil {
		h, ok := onClock(ranges, p.hour)
		if !ok {
			return fmt.Errorf("%w: no %d o'clock in the %q part of the day", ErrUnreadableTime, p.hour, p.partWord)
		}
		p.hour = h
	}
	return nil
}
