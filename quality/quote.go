package quality

import (
	"strings"
	"unicode/utf8"
)

// lines returns the non-blank lines of text, trimmed of surrounding space.
// A line is what the package calls a paragraph: in Telegram posts authors
// break paragraphs with a newline, not always with a blank line.
func lines(text string) []span {
	var out []span
	for start := 0; start <= len(text); {
		end := strings.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		s, e := start, end
		for s < e {
			r, n := utf8.DecodeRuneInString(text[s:e])
			if !isSpace(r) {
				break
			}
			s += n
		}
		for e > s {
			r, n := utf8.DecodeLastRuneInString(text[s:e])
			if !isSpace(r) {
				break
			}
			e -= n
		}
		if e > s {
			out = append(out, span{s, e})
		}
		start = end + 1
	}
	return out
}

// quote returns text[s.start:s.end], cut at the first line break and to at
// most maxRunes runes at a word boundary when the span is long: a draft card
// has room for a line, not a paragraph. The result is always a substring of
// text that starts at s.start and never splits a UTF-8 sequence.
func quote(text string, s span, maxRunes int) string {
	frag := text[s.start:s.end]
	if nl := strings.IndexByte(frag, '\n'); nl >= 0 {
		frag = strings.TrimRight(frag[:nl], " \t\r")
	}
	if maxRunes <= 0 {
		return frag
	}
	n := 0
	for i := range frag {
		if n == maxRunes {
			cut := frag[:i]
			if sp := strings.LastIndexAny(cut, " \n\t"); sp > len(cut)/2 {
				cut = strings.TrimRight(cut[:sp], " \n\t")
			}
			return cut
		}
		n++
	}
	return frag
}

// wordStart moves a cut offset to the start of a word, so a quote of "the
// part beyond the limit" begins with a whole word: back to the beginning of
// the word the offset falls in, or forward over spaces to the next word.
func wordStart(text string, off int) int {
	for off < len(text) {
		r, n := utf8.DecodeRuneInString(text[off:])
		if !isSpace(r) {
			break
		}
		off += n
	}
	for off > 0 && off < len(text) {
		r, _ := utf8.DecodeRuneInString(text[off:])
		p, n := utf8.DecodeLastRuneInString(text[:off])
		if !isWordRune(r) || !(isWordRune(p) || isWordMark(p)) {
			break
		}
		off -= n
	}
	return off
}

// utf16Len counts UTF-16 code units: Telegram measures its caption limit in
// them, so an emoji outside the Basic Plane costs two.
//
// It steps with decode rather than range: the same runes, with ASCII and
// Cyrillic decoded inline, and every post is measured.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := decode(s, i)
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

// utf16Offset returns the byte offset at which the UTF-16 length of s
// reaches limit, or len(s) if it never does.
func utf16Offset(s string, limit int) int {
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > limit {
			return i
		}
		n += w
	}
	return len(s)
}

// runeOffset returns the byte offset of the rune number limit in s, or len(s).
func runeOffset(s string, limit int) int {
	n := 0
	for i := range s {
		if n == limit {
			return i
		}
		n++
	}
	return len(s)
}

// context widens the span s by up to n words on each side, within its line,
// so a quote shows where the fault is: «Ура, каникулы!!!» rather than
// «!!!». The result is a substring of text containing text[s.start:s.end],
// at most maxRunes runes; if the words around do not fit, fewer are taken.
func context(text string, s span, n, maxRunes int) string {
	if n <= 0 {
		return ""
	}
	for k := n; k > 0; k-- {
		start, end := s.start, s.end
		for i := 0; i < k; i++ {
			start = wordBefore(text, start)
			end = wordAfter(text, end)
		}
		if runeCount(text[start:end]) <= maxRunes || maxRunes <= 0 {
			return text[start:end]
		}
	}
	return text[s.start:s.end]
}

// wordBefore moves off back over spaces and punctuation and then over one
// word, without crossing a line break.
func wordBefore(text string, off int) int {
	i := off
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:i])
		if r == '\n' || isWordRune(r) {
			break
		}
		i -= n
	}
	if i == 0 || text[i-1] == '\n' {
		return off
	}
	for i > 0 {
		r, n := utf8.DecodeLastRuneInString(text[:i])
		if !isWordRune(r) && !isWordMark(r) && r != '-' {
			break
		}
		i -= n
	}
	return i
}

// wordAfter moves off forward over spaces and punctuation and then over one
// word, without crossing a line break. Punctuation right after the word
// («!!!», «»») is kept.
func wordAfter(text string, off int) int {
	i := off
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == '\n' || isWordRune(r) {
			break
		}
		i += n
	}
	if i >= len(text) || text[i] == '\n' {
		return off
	}
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) && !isWordMark(r) && r != '-' {
			break
		}
		i += n
	}
	return i
}
