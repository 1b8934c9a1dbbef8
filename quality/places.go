package quality

import (
	"fmt"
	"strings"

	"github.com/kljensen/snowball/russian"
)

// placeFinder recognises a place as people write it: a preposition, any
// number of adjectives (up to maxAdjectives), then a place noun — «в
// центральной библиотеке», «у школы № 2», «во дворе школы», «на Соборной
// площади», «в Никольском СДК» — or a preposition and a name in quotes («в
// «Точке роста»»).
//
// Nouns are listed in the data file in their dictionary form and compared by
// their Snowball stem, so every case ending is recognised without listing
// it. Stemming is the costly part, so a word is stemmed only when it follows
// a preposition and one of its beginnings is a known stem.
type placeFinder struct {
	preps   map[string]bool
	adjEnds []string
	stems   map[string]bool
	heads   map[string]bool // the first headLen bytes of each stem
	minStem int             // bytes of the shortest stem
	quoted  bool
	names   map[string]bool // prepositions before which a capitalised name is a place
	vague   *matcher        // places too vague for a notice: «по ряду улиц»
}

// headLen is how many bytes of a stem index it: two Cyrillic letters.
const headLen = 4

// maxAdjectives is how many adjectives may stand between the preposition
// and the noun: «в старом районном Доме культуры».
const maxAdjectives = 2

// stem is the Snowball stem of a normalised Russian word. Words in other
// scripts are returned as they are.
func stem(word string) string {
	return russian.Stem(word, false)
}

func newPlaceFinder(f placesFormat) (placeFinder, error) {
	p := placeFinder{preps: map[string]bool{}, stems: map[string]bool{}, heads: map[string]bool{}, quoted: f.QuotedNames}
	for _, w := range f.Prepositions {
		p.preps[normWord(strings.TrimSpace(w))] = true
	}
	p.names = map[string]bool{}
	for _, w := range f.NamePrepositions {
		p.names[normWord(strings.TrimSpace(w))] = true
	}
	for _, e := range f.AdjectiveEndings {
		p.adjEnds = append(p.adjEnds, normWord(strings.TrimSpace(e)))
	}
	for _, n := range f.Nouns {
		ws, _ := tokenize(n, nil)
		if len(ws.toks) != 1 {
			return p, fmt.Errorf("noun %q is not a single word", n)
		}
		// The stem of the dictionary form and the form itself: Snowball
		// may cut a dictionary form shorter than its other cases
		// («спортзал» → «спортза», «спортзале» → «спортзал»).
		for _, s := range []string{stem(ws.word(0)), ws.word(0)} {
			p.stems[s] = true
			p.heads[s[:min(headLen, len(s))]] = true
			if p.minStem == 0 || len(s) < p.minStem {
				p.minStem = len(s)
			}
		}
	}
	var err error
	p.vague, err = newMatcher(f.Vague, make([]int, len(f.Vague)))
	return p, err
}

// isNoun reports whether a normalised word is one of the place nouns.
func (p *placeFinder) isNoun(w string) bool {
	if p.minStem == 0 || len(w) < p.minStem {
		return false
	}
	// Cheap tests first: the word must begin like a stem, and some
	// beginning of it must be a stem.
	if !p.heads[w[:min(headLen, len(w))]] && !p.heads[w[:min(p.minStem, len(w))]] {
		return false
	}
	maybe := false
	for k := p.minStem; k <= len(w); k++ {
		if p.stems[w[:k]] {
			maybe = true
			break
		}
	}
	return maybe && p.stems[stem(w)]
}

// isAdjective guesses an adjective (or a possessive such as «нашей») by its
// ending. Good enough between a preposition and a noun, where little else
// stands.
func (p *placeFinder) isAdjective(w string) bool {
	for _, e := range p.adjEnds {
		if len(w) > len(e)+2 && strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// firstPlace returns the first place in the text, or ok false, looking for
// it only once per check.
func (c *Checker) firstPlace(a *analysis) (span, bool) {
	if !a.placeKnown {
		a.place, a.hasPlace = c.places.find(a)
		a.placeKnown = true
	}
	return a.place, a.hasPlace
}

// find returns the first place in the text, or ok false.
func (p *placeFinder) find(a *analysis) (span, bool) {
	ws := &a.words
	for i := 0; i < len(ws.toks); i++ {
		if !p.preps[ws.word(i)] {
			continue
		}
		if p.quoted && i+1 <= len(ws.toks) && opensQuote(a.text, int(ws.toks[i].end)) {
			return ws.span(i, i+1), true
		}
		for k := i + 1; k < len(ws.toks) && k <= i+1+maxAdjectives; k++ {
			w := ws.word(k)
			if ws.toks[k].lineBreak {
				break
			}
			if p.isNoun(w) || (p.names[ws.word(i)] && p.isName(a, k)) {
				return ws.span(i, k+1), true
			}
			if !p.isAdjective(w) {
				break
			}
		}
	}
	return span{}, false
}

// isName reports whether token k is a proper name that is not an
// adjective: «в Ольховке», «в Липецке», «на Кубани» — a village or a town.
// «в Великой Отечественной войне» is not: its capitalised words are
// adjectives, and the noun after them is not a place.
func (p *placeFinder) isName(a *analysis, k int) bool {
	t := a.words.toks[k]
	if t.letters < 3 || t.upper != 1 || !t.joined {
		return false
	}
	r, _ := decode(a.text, int(t.start))
	return isUpper(r) && !p.isAdjective(a.words.word(k))
}

// opensQuote reports whether a quotation mark follows offset i after spaces:
// «в «Ромашке»», «в "Юности"».
func opensQuote(text string, i int) bool {
	for i < len(text) {
		r, n := decode(text, i)
		switch {
		case r == '«' || r == '"' || r == '„' || r == '“':
			return true
		case r == ' ' || r == 0xA0:
			i += n
		default:
			return false
		}
	}
	return false
}
