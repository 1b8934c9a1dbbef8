package quality

import "unicode/utf8"

// checkCaps finds shouting: runs of words in capitals on one line. A run
// counts as shouting when it has a word longer than an abbreviation (more
// than abbreviation_letters capitals, and not a known abbreviation) or
// caps_run_words short words that are not known abbreviations. So МБОУ,
// ЦУР, ГИБДД pass, while ВНИМАНИЕ and «ВСЕ НА ЛЫЖИ» do not.
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
			case c.abbr[a.words.word(k)]:
			case int(toks[k].letters) > c.lim.AbbreviationLetters:
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
// over the limit.
func (c *Checker) checkEmoji(a *analysis, add func(Finding)) {
	es := emojiSpans(a.text)
	if len(es) > c.lim.Emoji {
		f := c.at(a, RuleEmoji, es[c.lim.Emoji])
		f.Count, f.Limit = len(es), c.lim.Emoji
		add(f)
	}
}

// checkHashtags quotes the first hashtag over the limit.
func (c *Checker) checkHashtags(a *analysis, add func(Finding)) {
	if len(a.hashtags) > c.lim.Hashtags {
		f := c.at(a, RuleHashtags, a.hashtags[c.lim.Hashtags])
		f.Count, f.Limit = len(a.hashtags), c.lim.Hashtags
		add(f)
	}
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
