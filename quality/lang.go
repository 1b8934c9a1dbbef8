package quality

import (
	"errors"
	"unicode"
	"unicode/utf8"
)

// DetectLang guesses the rule language from the script of the text: "ru"
// when Cyrillic letters are at least as many as Latin ones, "en" when Latin
// letters dominate, "" when there are no letters. Links are left out, as a
// Russian post often carries a long Latin link.
//
// It is a script test, not a language test: Ukrainian or Belarusian text
// also gives "ru", and the Russian rules are the closest we have.
func DetectLang(text string) string {
	cyr, lat := 0, 0
	urls := findURLs(text)
	for i, r := range text {
		for len(urls) > 0 && i >= urls[0].end {
			urls = urls[1:]
		}
		if len(urls) > 0 && i >= urls[0].start {
			continue
		}
		switch {
		case r < utf8.RuneSelf:
			if isLetter(r) {
				lat++
			}
		case 0x400 <= r && r <= 0x4FF || unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	switch {
	case cyr == 0 && lat == 0:
		return ""
	case cyr >= lat:
		return "ru"
	default:
		return "en"
	}
}

// Set holds checkers for several languages and picks one per post.
type Set struct {
	byLang   map[string]*Checker
	fallback *Checker
}

// LoadSet loads every embedded rule file. Russian is the fallback.
func LoadSet() (*Set, error) {
	var cs []*Checker
	for _, l := range Languages() {
		c, err := Load(l)
		if err != nil {
			return nil, err
		}
		if l == "ru" {
			cs = append([]*Checker{c}, cs...)
		} else {
			cs = append(cs, c)
		}
	}
	return NewSet(cs...)
}

// NewSet builds a set from checkers, for example custom rule files; the
// first is the fallback. A later checker replaces an earlier one of the
// same language.
func NewSet(checkers ...*Checker) (*Set, error) {
	if len(checkers) == 0 {
		return nil, errors.New("quality: empty set")
	}
	s := &Set{byLang: map[string]*Checker{}, fallback: checkers[0]}
	for _, c := range checkers {
		s.byLang[baseLang(c.lang)] = c
	}
	return s, nil
}

// Pick chooses the checker for a post. The script of the text wins over
// the user's interface language: a Russian post is checked with the
// Russian rules even if the moderator's Telegram is in English, because
// Russian phrase lists are what can match Russian text. The user's
// language decides only when the text has no letters (or no rules exist
// for its script); the fallback covers the rest.
func (s *Set) Pick(userLang, text string) *Checker {
	if c, ok := s.byLang[DetectLang(text)]; ok {
		return c
	}
	if c, ok := s.byLang[baseLang(userLang)]; ok {
		return c
	}
	return s.fallback
}

// Check picks the checker for the post and checks it.
func (s *Set) Check(userLang string, p Post) Report {
	return s.Pick(userLang, p.Text).Check(p)
}
