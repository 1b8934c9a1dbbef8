package quality

import (
	"fmt"
	"slices"
	"strings"
)

// A pattern is a phrase from a data file, one word pattern per word:
//
//	в рамках        exact words (case and ё/е do not matter)
//	данн*           a stem: any word that starts with "данн"
//	мероприятие~    any form of the word: same Snowball stem (мероприятия, мероприятиях)
//	опрос*|анкет*   any of the alternatives, each written as above
//	в * зале        "*" alone stands for any one word
//	{number} час*   {number}, {time} and {date} stand for numbers, times and dates
//
// Words of a phrase must follow each other separated only by spaces. A
// phrase whose parts are joined by " + " is a combination: every part must
// stand in the same sentence, in any order and with any words between
// («отключ* + воду|воды»: «Скоро отключим воду», «воду отключат в среду»).
type pattern struct {
	words []wordPat
	ref   int // index of the entry in the data file, or of the combination part
	combo int // 1 + the combination this pattern is the first part of; 0 for a phrase
}

type wordKind uint8

const (
	wordExact wordKind = iota
	wordStem
	wordForm
	wordAny
	wordClass
)

type wordPat struct {
	kind  wordKind
	text  string // normalised word, prefix, or the Snowball stem of a wordForm
	full  string // the normalised word of a wordForm
	class uint8
}

func (w wordPat) match(ws *words, i int) bool {
	norm := ws.word(i)
	switch w.kind {
	case wordExact:
		return norm == w.text
	case wordStem:
		return strings.HasPrefix(norm, w.text)
	case wordForm:
		if !strings.HasPrefix(norm, w.text) {
			return false
		}
		// Snowball may cut the listed form shorter than other forms
		// («спортзал» → «спортза», «спортзале» → «спортзал»): a stem that
		// is a beginning of the listed word is the same word too.
		if norm == w.full {
			return true
		}
		s := ws.stem(i)
		return s == w.text || (len(s) > len(w.text) && strings.HasPrefix(w.full, s))
	case wordAny:
		return true
	default:
		return ws.toks[i].class&w.class != 0
	}
}

// matcher finds any of a list of patterns in a token stream. Patterns are
// indexed by their first word so each token costs a few map look-ups
// however long the list is.
type matcher struct {
	patterns []pattern
	exact    map[string][]int // first word → patterns
	pairs    map[string][]int // first two exact words, written together → patterns
	// keys has a bit for every key of exact, pairs and stems (see keyBit):
	// most words of a text start no pattern, and a bit test on the word's
	// hash, made once per text, spares them each map look-up.
	keys    []uint64
	stems   map[string][]int // the first keyLen bytes of a first-word stem → patterns
	keyLens []int            // the key lengths in use, shortest first
	classes []int            // patterns starting with a class

	// Combinations («отключ* + воду»): the first part of each is indexed
	// with the phrases, so a token costs no more look-ups; parts holds the
	// patterns of the other parts, each with ref as an index into partOf.
	parts  *matcher
	partOf []comboPart
	combos []combo
}

type comboPart struct{ combo, part int }

type combo struct {
	ref   int // the entry in the data file
	parts int
}

// maxComboQuote is how many words a combination's quote may span: its
// parts are quoted together when they stand this close («отключим воду»),
// otherwise the first part alone.
const maxComboQuote = 5

// compilePattern parses one phrase of a data file (without " + ") into the
// patterns its alternatives stand for.
func compilePattern(src string) ([]pattern, error) {
	fields := strings.Fields(src)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty phrase")
	}
	out := []pattern{{}}
	for i, f := range fields {
		var alts []wordPat
		for _, a := range strings.Split(f, "|") {
			w, err := compileWord(src, a, i)
			if err != nil {
				return nil, err
			}
			alts = append(alts, w)
		}
		next := make([]pattern, 0, len(out)*len(alts))
		for _, p := range out {
			for _, w := range alts {
				next = append(next, pattern{words: append(p.words[:len(p.words):len(p.words)], w)})
			}
		}
		out = next
	}
	return out, nil
}

// compileWord parses one word of a phrase; i is its place in the phrase.
func compileWord(src, f string, i int) (wordPat, error) {
	var w wordPat
	switch {
	case f == "":
		return w, fmt.Errorf("phrase %q: an empty alternative", src)
	case f == "*":
		if i == 0 {
			return w, fmt.Errorf("phrase %q: a phrase cannot start with *", src)
		}
		w.kind = wordAny
	case f == "{number}" || f == "{time}" || f == "{date}":
		w.kind = wordClass
		w.class = map[string]uint8{"{number}": classNumber, "{time}": classTime, "{date}": classDate}[f]
	default:
		word := strings.TrimRight(f, "*~")
		ws, _ := tokenize(word, nil)
		if len(ws.toks) != 1 || len(f)-len(word) > 1 {
			return w, fmt.Errorf("phrase %q: %q is not a single word", src, f)
		}
		w.text = ws.word(0)
		switch {
		case strings.HasSuffix(f, "*"):
			w.kind = wordStem
		case strings.HasSuffix(f, "~"):
			w.kind, w.full, w.text = wordForm, w.text, stem(w.text)
		}
	}
	return w, nil
}

// newMatcher compiles phrases; ref[i] is remembered with phrase i.
func newMatcher(phrases []string, refs []int) (*matcher, error) {
	m := &matcher{exact: map[string][]int{}, pairs: map[string][]int{}, stems: map[string][]int{}}
	var parts []string
	var partRefs []int
	for i, src := range phrases {
		if pieces := strings.Split(src, " + "); len(pieces) > 1 {
			c := len(m.combos)
			m.combos = append(m.combos, combo{ref: refs[i], parts: len(pieces)})
			for k, piece := range pieces {
				if strings.TrimSpace(piece) == "" {
					return nil, fmt.Errorf("phrase %q: an empty part", src)
				}
				if k == 0 {
					ps, err := compilePattern(piece)
					if err != nil {
						return nil, err
					}
					for _, p := range ps {
						p.ref, p.combo = refs[i], c+1
						m.add(p)
					}
					continue
				}
				parts = append(parts, piece)
				partRefs = append(partRefs, len(m.partOf))
				m.partOf = append(m.partOf, comboPart{c, k})
			}
			continue
		}
		ps, err := compilePattern(src)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			p.ref = refs[i]
			m.add(p)
		}
	}
	m.index()
	if len(parts) > 0 {
		var err error
		if m.parts, err = newMatcher(parts, partRefs); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// keyBits is the size of matcher.keys in bits.
const keyBits = 1 << 16

// The kinds of key a bit of matcher.keys stands for.
const (
	keyExact uint32 = iota + 1
	keyPair
	keyStem
)

// keyBit is the bit of matcher.keys for a key of the kind whose word (for
// a pair, the first word; for a stem, the key bytes) has the fnv64 hash h.
func keyBit(kind uint32, h uint64) uint32 {
	return (uint32(h^h>>32) + kind*0x9E3779B9) * 0x85EBCA6B >> (32 - 16)
}

// markKey records that a key of the kind exists for a word hashed h.
func (m *matcher) markKey(kind uint32, h uint64) {
	if m.keys == nil {
		m.keys = make([]uint64, keyBits/64)
	}
	k := keyBit(kind, h)
	m.keys[k/64] |= 1 << (k % 64)
}

// mayHave reports whether a key of the kind may exist for a word hashed h.
func (m *matcher) mayHave(kind uint32, h uint64) bool {
	if m.keys == nil {
		return false
	}
	k := keyBit(kind, h)
	return m.keys[k/64]&(1<<(k%64)) != 0
}

// add appends a pattern and indexes it by its first word.
func (m *matcher) add(p pattern) {
	idx := len(m.patterns)
	m.patterns = append(m.patterns, p)
	switch w := p.words[0]; w.kind {
	case wordExact:
		// Many phrases share a first word («в эту субботу», «в конце
		// мая»…): index those by their first two words, so a common word
		// costs one look-up rather than a try of every phrase.
		if len(p.words) > 1 && p.words[1].kind == wordExact {
			key := w.text + p.words[1].text
			m.pairs[key] = append(m.pairs[key], idx)
			m.markKey(keyPair, fnv64(w.text))
		} else {
			m.exact[w.text] = append(m.exact[w.text], idx)
			m.markKey(keyExact, fnv64(w.text))
		}
	case wordStem, wordForm:
		// Indexed by index(), once every pattern is known.
	default:
		m.classes = append(m.classes, idx)
	}
}

// keyLen is the index key length of a stem of n bytes: four Cyrillic
// letters when the stem has them, else two. Keying long stems by four
// letters keeps one short stem («ме» for «мер~») from crowding every stem
// of a long list into a few keys; a token costs one look-up per key length
// in use, two at most for Cyrillic.
func keyLen(n int) int {
	switch {
	case n >= 8:
		return 8
	case n >= 4:
		return 4
	default:
		return n
	}
}

// index builds the stem index once every pattern is added.
func (m *matcher) index() {
	used := map[int]bool{}
	for idx, p := range m.patterns {
		if w := p.words[0]; w.kind == wordStem || w.kind == wordForm {
			l := keyLen(len(w.text))
			key := w.text[:l]
			m.stems[key] = append(m.stems[key], idx)
			m.markKey(keyStem, fnv64(key))
			if !used[l] {
				used[l] = true
				m.keyLens = append(m.keyLens, l)
			}
		}
	}
	slices.Sort(m.keyLens)
}

// each calls fn for every pattern that matches starting at token i, with
// the pattern's index and its length in tokens.
func (m *matcher) each(ws *words, i int, fn func(id, n int)) {
	try := func(ids []int) {
		for _, id := range ids {
			if n := m.patterns[id].matchAt(ws, i); n > 0 {
				fn(id, n)
			}
		}
	}
	// A pattern found by a key starts with the key's word (for a pair,
	// its first word; for a stem, the key bytes), so a word whose hash has
	// no bit set starts none and skips the look-up.
	norm, h := ws.word(i), ws.toks[i].hash
	if m.mayHave(keyExact, h) {
		try(m.exact[norm])
	}
	if i+1 < len(ws.toks) && ws.toks[i+1].joined && m.mayHave(keyPair, h) {
		// The two words stand back to back in ws.norm, so the key needs no
		// allocation. «в»+«эту» and «вэ»+«ту» share a key; matchAt tells
		// them apart.
		try(m.pairs[ws.norm[ws.toks[i].ns:ws.toks[i+1].ne]])
	}
	for _, l := range m.keyLens {
		if len(norm) < l {
			break
		}
		if m.mayHave(keyStem, fnv64(norm[:l])) {
			try(m.stems[norm[:l]])
		}
	}
	if ws.toks[i].class != 0 {
		try(m.classes)
	}
}

// at returns the longest match starting at token i: the entry it refers
// to and the token after it, to > i; to is i when nothing matches. c is
// the combination matched, or -1 for a phrase.
func (m *matcher) at(ws *words, i int) (ref, to, c int) {
	to, c = i, -1
	m.each(ws, i, func(id, n int) {
		p := &m.patterns[id]
		end, pc := i+n, -1
		if p.combo > 0 {
			// A combination is found at its first part, as written in
			// the data file: «отключ* + воду» is quoted from «отключим».
			var ok bool
			if end, ok = m.comboAround(ws, i, n, p.combo-1); !ok {
				return
			}
			pc = p.combo - 1
		}
		if end > to {
			ref, to, c = p.ref, end, pc
		}
	})
	return ref, to, c
}

// comboAround reports whether the other parts of combination c stand in
// the sentence of token i, where its first part matched n tokens. end is
// the token after the quote: the parts after i when they are close, else
// the first part.
func (m *matcher) comboAround(ws *words, i, n, c int) (end int, ok bool) {
	from, to := sentenceOf(ws, i)
	end = i + n
	far := i + n
	for k := 1; k < m.combos[c].parts; k++ {
		found := -1
		for t := from; t < to && found < 0; t++ {
			if t >= i && t < i+n {
				continue
			}
			m.parts.each(ws, t, func(id, pn int) {
				if found < 0 && m.partOf[m.parts.patterns[id].ref] == (comboPart{c, k}) {
					found = t + pn
				}
			})
		}
		if found < 0 {
			return 0, false
		}
		far = max(far, found)
	}
	if far-i <= maxComboQuote {
		end = far
	}
	return end, true
}

// maxSentenceReach is how many words on each side of a word its sentence
// may reach: a text without full stops is not one sentence of thousands of
// words, and a combination must not cost a scan of the whole text per word.
const maxSentenceReach = 60

// sentenceOf returns the tokens [from, to) of the sentence holding token i.
func sentenceOf(ws *words, i int) (int, int) {
	from := i
	for from > 0 && from > i-maxSentenceReach && !ws.toks[from].sentStart {
		from--
	}
	to := i + 1
	for to < len(ws.toks) && to < i+maxSentenceReach && !ws.toks[to].sentStart {
		to++
	}
	return from, to
}

func (p *pattern) matchAt(ws *words, i int) int {
	if i+len(p.words) > len(ws.toks) {
		return 0
	}
	for k, w := range p.words {
		t := ws.toks[i+k]
		if k > 0 && !t.joined {
			return 0
		}
		if !w.match(ws, i+k) {
			return 0
		}
	}
	return len(p.words)
}

// match is one occurrence of a pattern: tokens [from, to).
type match struct {
	from, to int
	ref      int
}

// find returns non-overlapping matches in text order, the longest phrase
// winning at each position. limit > 0 stops after that many matches. A
// combination is found once per sentence.
func (m *matcher) find(ws *words, limit int) []match {
	var out []match
	type seen struct{ combo, sentence int }
	var done []seen
	for i := 0; i < len(ws.toks); i++ {
		ref, to, c := m.at(ws, i)
		if to == i {
			continue
		}
		if c >= 0 {
			s, _ := sentenceOf(ws, i)
			dup := false
			for _, d := range done {
				dup = dup || d == (seen{c, s})
			}
			if dup {
				continue
			}
			done = append(done, seen{c, s})
		}
		out = append(out, match{i, to, ref})
		if limit > 0 && len(out) == limit {
			break
		}
		i = to - 1
	}
	return out
}

// any reports whether any pattern occurs in toks.
func (m *matcher) any(ws *words) bool {
	for i := range ws.toks {
		if m.startsAt(ws, i) {
			return true
		}
	}
	return false
}

// startsAt reports whether some pattern starts at token i.
func (m *matcher) startsAt(ws *words, i int) bool {
	_, to, _ := m.at(ws, i)
	return to > i
}

// atStart is startsAt for the first token of a sentence.
func (m *matcher) atStart(ws *words, i int) bool {
	return i < len(ws.toks) && m.startsAt(ws, i)
}

// anyIn reports whether a pattern starts at one of the tokens [from, to).
func (m *matcher) anyIn(ws *words, from, to int) bool {
	for i := from; i < to && i < len(ws.toks); i++ {
		if m.startsAt(ws, i) {
			return true
		}
	}
	return false
}
