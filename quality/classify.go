package quality

import "strings"

// classify tells whether a normalised token is a number, a time of day
// (18:00, 18.00, 6pm, 6:30pm) or a date (12.05, 12.05.2025, 12/05, 2025-05-12).
func classify(s string) uint8 {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0
	}
	if allDigits(s) {
		return classNumber
	}
	// A range or an ordinal counts as a number: "14-15" (декабря), "1-го".
	if h, t, ok := strings.Cut(s, "-"); ok && allDigits(h) && (allDigits(t) || t == "го" || t == "е" || t == "й") {
		return classNumber
	}
	if len(s) > 2 && allDigits(s[:len(s)-2]) {
		switch s[len(s)-2:] {
		case "st", "nd", "rd", "th":
			return classNumber
		}
	}
	var c uint8
	if h, ok := strings.CutSuffix(s, "pm"); ok || strings.HasSuffix(s, "am") {
		if !ok {
			h = s[:len(s)-2]
		}
		if allDigits(h) && atoi(h) >= 1 && atoi(h) <= 12 {
			return classTime
		}
		if isClock(h, ":") {
			return classTime
		}
		return 0
	}
	if isClock(s, ":") || isClock(s, ".") {
		c |= classTime
	}
	if isDate(s) {
		c |= classDate
	}
	return c
}

// isClock matches h<sep>mm with a valid hour and minute.
func isClock(s, sep string) bool {
	h, m, ok := strings.Cut(s, sep)
	return ok && len(h) >= 1 && len(h) <= 2 && len(m) == 2 && allDigits(h) && allDigits(m) &&
		atoi(h) <= 23 && atoi(m) <= 59
}

// isDate matches d.m, d.m.y, d/m, d/m/y and y-m-d with plausible values.
func isDate(s string) bool {
	for _, sep := range []string{".", "/"} {
		parts := strings.Split(s, sep)
		if len(parts) < 2 || len(parts) > 3 {
			continue
		}
		if !allDigits(parts[0]) || !allDigits(parts[1]) || len(parts[0]) > 2 || len(parts[1]) > 2 {
			continue
		}
		d, m := atoi(parts[0]), atoi(parts[1])
		if d < 1 || d > 31 || m < 1 || m > 12 {
			continue
		}
		if len(parts) == 3 && (!allDigits(parts[2]) || (len(parts[2]) != 2 && len(parts[2]) != 4)) {
			continue
		}
		return true
	}
	parts := strings.Split(s, "-")
	if len(parts) == 3 && len(parts[0]) == 4 && len(parts[1]) <= 2 && len(parts[2]) <= 2 &&
		allDigits(parts[0]) && allDigits(parts[1]) && allDigits(parts[2]) {
		m, d := atoi(parts[1]), atoi(parts[2])
		return m >= 1 && m <= 12 && d >= 1 && d <= 31
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses a short run of ASCII digits; callers check allDigits first.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 6; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
