package quality

import (
	"strings"
	"unicode/utf8"
)

// checkCaps finds shouting: runs of words in capitals on one line. A run
// counts as shouting when it has a word longer than an abbreviation (more
// than abbreviation_letters capitals, and not a known abbreviation) or
// caps_run_words short words that are not known abbreviations, or one of
// the shouts: a short word that is no abbreviation. So МБОУ, ЦУР, ГИБДД
// pass, while ВНИМАНИЕ, «ВАЖНО!» and «ВСЕ НА ЛЫЖИ» do not.
func (c *Checker) checkCaps(a *analysis, add func(Finding)) {
	toks := a.words.toks
	for i := 0; i < len(toks); i++ {
		if !toks[i].caps() {
			continue
		}
		j := i + 1
		for j < len(toks) && toks[j].caps() && !toks[j].lineBreak {
			j++
		}
		long, short := 0, 0
		for k := i; k < j; k++ {
			switch {
			case c.isAbbr(a.words.word(k)):
			case int(toks[k].letters) > c.lim.AbbreviationLetters || c.shouts[a.words.word(k)]:
				long++
			default:
				short++
			}
		}
		if long > 0 || short >= c.lim.CapsRunWords {
			f := c.at(a, RuleCaps, a.words.span(i, j))
			f.Count = j - i
			add(f)
		}
		i = j - 1
	}
}

// isAbbr reports a known abbreviation, or one with a prefix of one or two
// letters before a known one of three letters or more: «ОГИБДД» is
// О + ГИБДД, «ОГАУСО» О + ГАУСО — the department or regional form of a
// listed body.
func (c *Checker) isAbbr(w string) bool {
	if c.abbr[w] {
		return true
	}
	for n, i := 0, 0; n < 2 && i < len(w); n++ {
		_, size := utf8.DecodeRuneInString(w[i:])
		i += size
		if rest := w[i:]; utf8.RuneCountInString(rest) >= 3 && c.abbr[rest] {
			return true
		}
	}
	return false
}

// checkExclaim finds runs such as "!!!" or "?!!": one exclamation mark
// says enough.
func (c *Checker) checkExclaim(a *analysis, add func(Finding)) {
	text := a.text
	for i := 0; i < len(text); {
		// Fast path: every mark starts with '!', '?' or the byte 0xE2.
		if b := text[i]; b != '!' && b != '?' && b != 0xE2 {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isExclaimRune(r) {
			i += n
			continue
		}
		j, marks := i, 0
		for j < len(text) {
			q, m := utf8.DecodeRuneInString(text[j:])
			if !isExclaimRune(q) {
				break
			}
			switch q {
			case '!', '⁉', '❗', '❕':
				marks++
			case '‼':
				marks += 2
			}
			j += m
		}
		if marks >= c.lim.ExclaimRun {
			f := c.at(a, RuleExclaim, span{i, j})
			f.Count, f.Limit = marks, c.lim.ExclaimRun
			add(f)
		}
		i = j
	}
}

func isExclaimRune(r rune) bool {
	switch r {
	case '!', '?', '‼', '⁉', '❗', '❕', 0xFE0F:
		return true
	}
	return false
}

// checkEmoji counts emoji as readers see them and quotes the first one
// over the limit. An emoji that opens a line and is followed by text is a
// marker (📅 18 октября / 🕙 15:00 / 📍 библиотека, as trainers teach), not
// noise, and is not counted.
func (c *Checker) checkEmoji(a *analysis, add func(Finding)) {
	es := emojiSpans(a.text)
	noise := es[:0:0]
	for i, e := range es {
		if !lineStart(a.text, e.start) || (i+1 < len(es) && onlySpaceBetween(a.text, e.end, es[i+1].start)) || restOfLineBlank(a.text, e.end) {
			noise = append(noise, e)
		}
	}
	if len(noise) > c.lim.Emoji {
		f := c.at(a, RuleEmoji, noise[c.lim.Emoji])
		f.Count, f.Limit = len(noise), c.lim.Emoji
		add(f)
	}
}

// lineStart reports whether only spaces stand between the start of the
// line and offset i.
func lineStart(text string, i int) bool {
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:i])
		if r == '\n' {
			return true
		}
		if !isSpace(r) {
			return false
		}
		i -= n
	}
	return true
}

// restOfLineBlank reports whether only spaces follow offset i on its line.
func restOfLineBlank(text string, i int) bool {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			return true
		}
		if !isSpace(r) {
			return false
		}
		i += n
	}
	return true
}

func onlySpaceBetween(text string, from, to int) bool {
	return from <= to && strings.TrimSpace(text[from:to]) == ""
}

// checkHashtags quotes the hashtags of the line where the limit is passed,
// from the first of them, so the hint shows the whole row of tags rather
// than the fourth tag as if it were the first.
func (c *Checker) checkHashtags(a *analysis, add func(Finding)) {
	tags := a.hashtags
	if len(tags) <= c.lim.Hashtags {
		return
	}
	over := tags[c.lim.Hashtags]
	first, last := over, over
	for i := c.lim.Hashtags - 1; i >= 0 && !strings.Contains(a.text[tags[i].end:first.start], "\n"); i-- {
		first = tags[i]
	}
	for i := c.lim.Hashtags + 1; i < len(tags) && !strings.Contains(a.text[last.end:tags[i].start], "\n"); i++ {
		last = tags[i]
	}
	f := c.at(a, RuleHashtags, span{first.start, last.end})
	f.Count, f.Limit = len(tags), c.lim.Hashtags
	add(f)
}

// checkLinks quotes every long link written out in the text: it is better
// hidden under a word or shortened.
func (c *Checker) checkLinks(a *analysis, add func(Finding)) {
	for _, u := range a.urls {
		if n := utf8.RuneCountInString(a.text[u.start:u.end]); n > c.lim.LinkChars {
			f := c.at(a, RuleRawLink, u)
			f.Count, f.Limit = n, c.lim.LinkChars
			add(f)
		}
	}
}
