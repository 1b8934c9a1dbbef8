package quality

import (
	"fmt"
	"strings"
)

// A pattern is a phrase from a data file, one word pattern per word:
//
//	в рамках        exact words (case and ё/е do not matter)
//	данн*           a stem: any word that starts with "данн"
//	в * зале        "*" alone stands for any one word
//	{number} час*   {number}, {time} and {date} stand for numbers, times and dates
//
// Words of a phrase must follow each other separated only by spaces.
type pattern struct {
	words []wordPat
	ref   int // index of the entry in the data file (for the suggestion)
}

type wordKind uint8

const (
	wordExact wordKind = iota
	wordStem
	wordAny
	wordClass
)

type wordPat struct {
	kind  wordKind
	text  string // normalised word or stem
	class uint8
}

func (w wordPat) match(norm string, t token) bool {
	switch w.kind {
	case wordExact:
		return norm == w.text
	case wordStem:
		return strings.HasPrefix(norm, w.text)
	case wordAny:
		return true
	default:
		return t.class&w.class != 0
	}
}

// matcher finds any of a list of patterns in a token stream. Patterns are
// indexed by their first word so each token costs a few map look-ups
// however long the list is.
type matcher struct {
	patterns []pattern
	exact    map[string][]int // first word → patterns
	pairs    map[string][]int // first two exact words, written together → patterns
	stems    map[string][]int // first stemKey bytes of a first-word stem → patterns
	stemKey  int              // bytes of the shortest first-word stem
	classes  []int            // patterns starting with a class
}

// compilePattern parses one phrase of a data file.
func compilePattern(src string) (pattern, error) {
	fields := strings.Fields(src)
	if len(fields) == 0 {
		return pattern{}, fmt.Errorf("empty phrase")
	}
	var p pattern
	for i, f := range fields {
		var w wordPat
		switch {
		case f == "*":
			if i == 0 {
				return p, fmt.Errorf("phrase %q: a phrase cannot start with *", src)
			}
			w.kind = wordAny
		case f == "{number}" || f == "{time}" || f == "{date}":
			w.kind = wordClass
			w.class = map[string]uint8{"{number}": classNumber, "{time}": classTime, "{date}": classDate}[f]
		default:
			stem := strings.HasSuffix(f, "*")
			word := strings.TrimSuffix(f, "*")
			ws, _ := tokenize(word, nil)
			if len(ws.toks) != 1 {
				return p, fmt.Errorf("phrase %q: %q is not a single word", src, f)
			}
			w.text = ws.word(0)
			if stem {
				w.kind = wordStem
			}
		}
		p.words = append(p.words, w)
	}
	return p, nil
}

// newMatcher compiles phrases; ref[i] is remembered with phrase i.
func newMatcher(phrases []string, refs []int) (*matcher, error) {
	m := &matcher{exact: map[string][]int{}, pairs: map[string][]int{}, stems: map[string][]int{}}
	for i, src := range phrases {
		p, err := compilePattern(src)
		if err != nil {
			return nil, err
		}
		p.ref = refs[i]
		idx := len(m.patterns)
		m.patterns = append(m.patterns, p)
		switch w := p.words[0]; w.kind {
		case wordExact:
			// Many phrases share a first word («в эту субботу», «в конце
			// мая»…): index those by their first two words, so a common
			// word costs one look-up rather than a try of every phrase.
			if len(p.words) > 1 && p.words[1].kind == wordExact {
				key := w.text + p.words[1].text
				m.pairs[key] = append(m.pairs[key], idx)
			} else {
				m.exact[w.text] = append(m.exact[w.text], idx)
			}
		case wordStem:
			if m.stemKey == 0 || len(w.text) < m.stemKey {
				m.stemKey = len(w.text)
			}
		default:
			m.classes = append(m.classes, idx)
		}
	}
	// Stems are indexed by their first stemKey bytes: one look-up per token
	// finds every stem that can match it, whatever the stem lengths.
	for idx, p := range m.patterns {
		if w := p.words[0]; w.kind == wordStem {
			key := w.text[:m.stemKey]
			m.stems[key] = append(m.stems[key], idx)
		}
	}
	return m, nil
}

// at returns the longest pattern that matches starting at token i, its
// length in tokens, or 0 if none does.
func (m *matcher) at(ws *words, i int) (pat *pattern, n int) {
	norm := ws.word(i)
	pat, n = m.best(ws, i, m.exact[norm], pat, n)
	if len(m.pairs) > 0 && i+1 < len(ws.toks) && ws.toks[i+1].joined {
		// The two words stand back to back in ws.norm, so the key needs no
		// allocation. «в»+«эту» and «вэ»+«ту» share a key; matchAt tells
		// them apart.
		pat, n = m.best(ws, i, m.pairs[ws.norm[ws.toks[i].ns:ws.toks[i+1].ne]], pat, n)
	}
	if m.stemKey > 0 && len(norm) >= m.stemKey {
		pat, n = m.best(ws, i, m.stems[norm[:m.stemKey]], pat, n)
	}
	if ws.toks[i].class != 0 {
		pat, n = m.best(ws, i, m.classes, pat, n)
	}
	return pat, n
}

// best returns the longest of the candidate patterns matching at token i,
// or pat and n if none is longer.
func (m *matcher) best(ws *words, i int, ids []int, pat *pattern, n int) (*pattern, int) {
	for _, id := range ids {
		p := &m.patterns[id]
		if k := p.matchAt(ws, i); k > n {
			pat, n = p, k
		}
	}
	return pat, n
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
		if !w.match(ws.word(i+k), t) {
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
// winning at each position. limit > 0 stops after that many matches.
func (m *matcher) find(ws *words, limit int) []match {
	var out []match
	for i := 0; i < len(ws.toks); i++ {
		if p, n := m.at(ws, i); n > 0 {
			out = append(out, match{i, i + n, p.ref})
			if limit > 0 && len(out) == limit {
				break
			}
			i += n - 1
		}
	}
	return out
}

// any reports whether any pattern occurs in toks.
func (m *matcher) any(ws *words) bool {
	for i := range ws.toks {
		if _, n := m.at(ws, i); n > 0 {
			return true
		}
	}
	return false
}

// startsAt reports whether some pattern starts at token i.
func (m *matcher) startsAt(ws *words, i int) bool {
	_, n := m.at(ws, i)
	return n > 0
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
