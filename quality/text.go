package quality

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a half-open byte range [start, end) of the post text.
type span struct{ start, end int }

// Token classes that patterns can ask for with {number}, {time} and {date}.
const (
	classNumber uint8 = 1 << iota
	classTime
	classDate
)

// token is one word or number of the text. Offsets always point into the
// original text so fragments can be quoted exactly; the normalised form
// (lower case, ё folded into е) is what patterns compare against and lives
// in words.norm, so a token holds no pointer and a post's tokens are one
// cheap allocation.
type token struct {
	start, end int32  // bytes of the word in the text
	ns, ne     int32  // bytes of the normalised word in words.norm
	letters    int32  // letters in the word
	upper      int32  // upper-case letters in the word
	hash       uint64 // fnv64 of the normalised word: matcher.mayHave and fingerprint use it
	class      uint8
	joined     bool // only spaces separate it from the previous token, so a phrase may continue here
	lineBreak  bool // a newline separates it from the previous token
	sentStart  bool // it starts a sentence (see markSentences)
}

// caps reports whether the word is written in capitals: at least two
// letters and none of them lower case.
func (t token) caps() bool { return t.letters >= 2 && t.upper == t.letters }

// words is the token stream of a text.
type words struct {
	toks  []token
	norm  string   // all normalised words, back to back
	stems []string // Snowball stems, filled in as patterns ask for them
}

// stem returns the Snowball stem of token i, stemming each token at most
// once per text: stemming is the costliest step of matching.
func (w *words) stem(i int) string {
	if w.stems == nil {
		w.stems = make([]string, len(w.toks))
	}
	if w.stems[i] == "" {
		w.stems[i] = stem(w.word(i))
	}
	return w.stems[i]
}

// word returns the normalised form of token i.
func (w *words) word(i int) string { return w.norm[w.toks[i].ns:w.toks[i].ne] }

// span returns the text span of tokens [from, to).
func (w *words) span(from, to int) span {
	return span{int(w.toks[from].start), int(w.toks[to-1].end)}
}

// analysis is everything the checks need, computed in one pass over the text.
type analysis struct {
	text     string
	urls     []span
	hashtags []span
	words    words

	// The first place in the text, found once when a check first asks.
	place      span
	hasPlace   bool
	placeKnown bool
}

// The rune predicates below answer ASCII and the basic Cyrillic block
// inline and ask package unicode only about other scripts: posts are almost
// all Russian or English, and the generic tables otherwise cost most of the
// checking time. They are over the compiler's inlining budget, so
// tokenize reads Cyrillic letters itself in its inner loop.

// isLetter is unicode.IsLetter with fast paths.
func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return uint32(r|0x20)-'a' < 26
	}
	if uint32(r)-0x400 < 0x60 {
		return true
	}
	return unicode.IsLetter(r)
}

// isDigit is unicode.IsDigit with fast paths.
func isDigit(r rune) bool {
	if r < 0x660 { // Latin-1, Greek, Cyrillic, Hebrew have only ASCII digits
		return uint32(r)-'0' < 10
	}
	return unicode.IsDigit(r)
}

// isUpper is unicode.IsUpper with fast paths.
func isUpper(r rune) bool {
	if r < utf8.RuneSelf {
		return uint32(r)-'A' < 26
	}
	if uint32(r)-0x400 < 0x60 {
		return r < 0x430
	}
	return unicode.IsUpper(r)
}

// isSpace is unicode.IsSpace with fast paths.
func isSpace(r rune) bool {
	if r < 0x1680 {
		return r == ' ' || uint32(r)-'\t' < 5 || r == 0x85 || r == 0xA0
	}
	return unicode.IsSpace(r)
}

// isWordRune reports whether r can start a word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return uint32(r|0x20)-'a' < 26 || uint32(r)-'0' < 10
	}
	if uint32(r)-0x400 < 0x60 {
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isWordMark reports whether r may continue a word (combining accents, the
// stress mark some authors put over Russian vowels). Variation selectors
// and joiners are marks in Unicode too, but they belong to emoji.
func isWordMark(r rune) bool {
	if r < 0x300 || r == 0xFE0E || r == 0xFE0F || r == 0x200D || r == 0x20E3 {
		return false
	}
	return unicode.Is(unicode.Mn, r)
}

// isJoiner reports whether r keeps a word together when it stands between
// two word characters: "из-за", "д’Артаньян", "18:00", "12.05.2025".
func isJoiner(r rune, prevDigit, nextDigit bool) bool {
	switch r {
	case '-', '\'', '’', '_':
		return true
	case ':', '.', '/':
		return prevDigit && nextDigit
	}
	return false
}

// analyse finds links, hashtags and words. Links, hashtags and @mentions are
// not words: their letters must not count as shouting or as bureaucratese.
//
// Only the first maxText bytes are looked at: token offsets are 32-bit to
// keep tokens small, and no Telegram post comes anywhere near the limit.
func analyse(text string) analysis { return analyseWith(text, nil) }

// analyseWith is analyse reusing the buffers of s when it is not nil.
func analyseWith(text string, s *scratch) analysis {
	if len(text) > maxText {
		text = text[:maxText]
	}
	a := analysis{text: text, urls: findURLs(text)}
	a.words, a.hashtags = tokenizeWith(text, a.urls, s)
	return a
}

// scratch keeps the largest buffers of a finished check for the next one:
// the tokens, the normalised words and the stems. A bot checks post after
// post, and making them anew was most of a check's memory and of the
// collector's work. Nothing of them outlives a check: findings quote the
// text itself.
type scratch struct {
	toks  []token
	buf   []byte
	stems []string
}

// maxScratch is the largest text whose buffers are kept for reuse: a post
// is at most 4,096 characters, and one huge text must not stay in memory.
const maxScratch = 1 << 16

// getScratch returns buffers for a check of text, nil when text is too
// large to keep its buffers.
func (c *Checker) getScratch(text string) *scratch {
	if len(text) > maxScratch {
		return nil
	}
	if s, ok := c.scratch.Get().(*scratch); ok {
		return s
	}
	return new(scratch)
}

// putScratch keeps the buffers of a's check for the next one; a must not
// be used afterwards.
func (c *Checker) putScratch(s *scratch, a *analysis) {
	if s == nil {
		return
	}
	s.toks = a.words.toks
	if a.words.stems != nil {
		s.stems = a.words.stems
	}
	c.scratch.Put(s)
}

// decode is utf8.DecodeRuneInString(s[i:]) with the one- and two-byte
// cases (ASCII, Cyrillic) inlined: they are nearly every rune of a post.
func decode(s string, i int) (rune, int) {
	if i >= len(s) {
		return utf8.RuneError, 0
	}
	b := s[i]
	if b < utf8.RuneSelf {
		return rune(b), 1
	}
	if b >= 0xC2 && b <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
		return rune(b&0x1F)<<6 | rune(s[i+1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s[i:])
}

// maxText is the most of a text that is analysed, in bytes.
const maxText = 1 << 24

// tokenize splits text into words, skipping the given spans, hashtags and
// mentions (hashtags are returned separately).
func tokenize(text string, skip []span) (words, []span) { return tokenizeWith(text, skip, nil) }

// tokenizeWith is tokenize reusing the buffers of s when it is not nil.
func tokenizeWith(text string, skip []span, s *scratch) (words, []span) {
	var (
		toks  []token
		tags  []span
		buf   []byte
		clean = true // only spaces since the previous token
		nl    = false
		prev  rune // the rune before i
		si    int  // next skip span
	)
	if s != nil && cap(s.toks) >= len(text)/8+4 {
		toks = s.toks[:0]
	} else {
		toks = make([]token, 0, len(text)/8+4)
	}
	if s != nil && cap(s.buf) >= len(text) {
		buf = s.buf[:0]
	} else {
		buf = make([]byte, 0, len(text))
	}
	for i := 0; i < len(text); {
		if si < len(skip) && i >= skip[si].start {
			i = max(i, skip[si].end)
			si++
			clean, prev = false, 'x'
			continue
		}
		r, size := decode(text, i)
		if (r == '#' || r == '@') && !isWordRune(prev) && prev != '_' {
			j := i + size
			for j < len(text) {
				q, n := decode(text, j)
				if !isWordRune(q) && q != '_' && !isWordMark(q) {
					break
				}
				j += n
			}
			if j > i+size {
				if r == '#' {
					tags = append(tags, span{i, j})
				}
				clean, prev = false, 'x'
				i = j
				continue
			}
		}
		if !isWordRune(r) {
			if r == '\n' {
				nl = true
			}
			if !isSpace(r) {
				clean = false
			}
			prev = r
			i += size
			continue
		}
		t := token{start: int32(i), ns: int32(len(buf)), joined: clean && len(toks) > 0, lineBreak: nl}
		j, last := i, rune(0)
	word:
		for j < len(text) {
			if si < len(skip) && j >= skip[si].start {
				break
			}
			// Fast path for the letters of the basic Cyrillic block
			// (U+0400…U+045F, bytes D0 80…D1 9F), nearly every character
			// of a post: what isLetter, isUpper and appendNorm would
			// answer, without calls the compiler does not inline.
			if b := text[j]; (b == 0xD0 || b == 0xD1) && j+1 < len(text) && text[j+1]&0xC0 == 0x80 {
				if q := rune(b&0x1F)<<6 | rune(text[j+1]&0x3F); q < 0x460 {
					t.letters++
					lower := q
					switch {
					case q == 'Ё' || q == 'ё':
						lower = 'е'
					case q < 0x410: // Ѐ…Џ
						lower += 0x50
					case q < 0x430: // А…Я
						lower += 0x20
					}
					if q < 0x430 {
						t.upper++
					}
					buf = append(buf, 0xC0|byte(lower>>6), 0x80|byte(lower&0x3F))
					j += 2
					last = q
					continue
				}
			}
			q, n := decode(text, j)
			switch {
			case isWordRune(q):
				if isLetter(q) {
					t.letters++
					if isUpper(q) {
						t.upper++
					}
				}
				buf = appendNorm(buf, q)
			case isWordMark(q):
				buf = utf8.AppendRune(buf, q)
			default:
				nx, _ := decode(text, j+n)
				if (isWordRune(last) || isWordMark(last)) && isWordRune(nx) && isJoiner(q, isDigit(last), isDigit(nx)) {
					buf = utf8.AppendRune(buf, q)
					j += n
					last = q
					continue
				}
				break word
			}
			j += n
			last = q
		}
		t.end, t.ne = int32(j), int32(len(buf))
		toks = append(toks, t)
		prev = last
		clean, nl = true, false
		i = j
	}
	w := words{toks: toks, norm: string(buf)}
	if s != nil {
		s.buf = buf
		if cap(s.stems) >= len(toks) {
			// Stems are filled in as asked; "" marks one not made yet.
			w.stems = s.stems[:len(toks)]
			clear(w.stems)
		}
	}
	for k := range w.toks {
		w.toks[k].class = classify(w.word(k))
		w.toks[k].hash = fnv64(w.word(k))
	}
	markSentences(text, &w)
	return w, tags
}

// markSentences marks the first token of each sentence: a sentence ends at
// a line break or at «.», «!», «?», «…» followed by a capital letter or a
// digit, except after a short abbreviation such as «ул.» or «д.».
func markSentences(text string, w *words) {
	depth := 0 // open «» quotes on this line: «игре «Что? Где? Когда?»» is one sentence
	for k := range w.toks {
		t := &w.toks[k]
		if k == 0 || t.lineBreak {
			t.sentStart = true
			depth = 0
			continue
		}
		prev := w.toks[k-1]
		gap := text[prev.end:t.start]
		if len(gap) == 1 && gap[0] == ' ' {
			continue // the common case
		}
		opens, closes, mark, opensAfter, closesAfter := scanGap(gap)
		inside := depth + opens - closes
		depth = max(0, inside+opensAfter-closesAfter)
		if mark < 0 {
			continue
		}
		// A sentence mark inside «…» ends no sentence, unless the quote
		// closes after it.
		if inside > 0 && closesAfter == 0 {
			continue
		}
		if r, _ := decode(text, int(t.start)); !isUpper(r) && !isDigit(r) {
			continue
		}
		if initial(prev) && !strings.ContainsAny(gap, "!?…") {
			continue // «Н. А. Кузнецова»: an initial, not the end of a sentence
		}
		t.sentStart = strings.ContainsAny(gap, "!?…") || !sentenceAbbr(w.word(k-1))
	}
}

// scanGap counts the quotation marks «» of the text between two words
// before its first sentence mark («.», «!», «?», «…») and after it; mark
// is the mark's offset, -1 if there is none.
func scanGap(gap string) (opens, closes, mark, opensAfter, closesAfter int) {
	mark = -1
	for i := 0; i < len(gap); i++ {
		switch c := gap[i]; {
		case c == '.' || c == '!' || c == '?':
			if mark < 0 {
				mark = i
			}
		case c == 0xC2 && i+1 < len(gap) && (gap[i+1] == 0xAB || gap[i+1] == 0xBB):
			switch {
			case gap[i+1] == 0xAB && mark < 0:
				opens++
			case gap[i+1] == 0xBB && mark < 0:
				closes++
			case gap[i+1] == 0xAB:
				opensAfter++
			default:
				closesAfter++
			}
			i++
		case c == 0xE2 && strings.HasPrefix(gap[i:], "…"):
			if mark < 0 {
				mark = i
			}
			i += 2
		}
	}
	return opens, closes, mark, opensAfter, closesAfter
}

// runeCount counts the characters of a valid UTF-8 string by its lead
// bytes: several times faster than decoding it, and lengths are counted
// for every line of every post. Telegram texts are valid UTF-8; an invalid
// byte counts as a character or not, which no limit notices.
//
// Eight bytes are counted at once: a continuation byte is 10xxxxxx, so
// bit 7 set and bit 6 clear marks one, and a popcount counts them.
func runeCount(s string) int {
	n, i := 0, 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		n += 8 - bits.OnesCount64(x&^(x<<1)&0x8080808080808080)
	}
	for ; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// initial reports a single capital letter: the initial of a name.
func initial(t token) bool { return t.letters == 1 && t.upper == 1 && t.end-t.start <= 2 }

// appendNorm appends the comparison form of r: lower case, with ё as е,
// since Russian writers use the two letters interchangeably.
func appendNorm(buf []byte, r rune) []byte {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(buf, byte(r))
	case r == 'ё' || r == 'Ё':
		r = 'е'
	case 0x410 <= r && r <= 0x42F:
		r += 0x20
	case 0x400 <= r && r <= 0x40F:
		r += 0x50
	case 0x430 <= r && r <= 0x45F:
	default:
		return utf8.AppendRune(buf, unicode.ToLower(r))
	}
	if r < 0x800 {
		return append(buf, 0xC0|byte(r>>6), 0x80|byte(r&0x3F))
	}
	return utf8.AppendRune(buf, r)
}

// normWord returns the comparison form of a single word.
func normWord(s string) string {
	buf := make([]byte, 0, len(s))
	for _, r := range s {
		buf = appendNorm(buf, r)
	}
	return string(buf)
}
