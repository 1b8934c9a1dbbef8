package quality

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// passiveFormat describes the official passive of notices and reports:
// «будет прекращена подача», «были определены победители», «будут
// применены меры». The list of bureaucratese cannot name every verb, so the
// passive is found by its grammar: a form of «быть» and a short passive
// participle, known by its ending.
type passiveFormat struct {
	// Auxiliaries are the forms of «быть»: будет, будут, был, были.
	Auxiliaries []string `json:"auxiliaries"`
	// Between are adverbs that may stand between them: «будет временно
	// ограничено».
	Between []string `json:"between"`
	// Endings of short passive participles: «-лена», «-ованы». Written
	// with the letters before the suffix, so that nouns such as «смена»
	// or «план» are not taken for participles.
	Endings []string `json:"endings"`
	// Except are parts of words that are no official passive: «закрыт»
	// (a notice of a closure says so plainly), «нужен», «основан в 1965
	// году».
	Except []string `json:"except"`
	// MinLetters is the shortest participle: «дано» is too short to tell.
	MinLetters int    `json:"min_letters"`
	Suggest    string `json:"suggest"`
	Comment    string `json:"comment"`
}

// passiveFinder finds «быть» + a short passive participle.
type passiveFinder struct {
	aux, between map[string]bool
	auxHeads     []string // the first letter of each auxiliary: a cheap test for every word
	endings      []string
	except       []string
	minLetters   int32
	suggest      string
}

func newPassiveFinder(f passiveFormat) (passiveFinder, error) {
	p := passiveFinder{aux: map[string]bool{}, between: map[string]bool{}, minLetters: int32(f.MinLetters), suggest: f.Suggest}
	if len(f.Auxiliaries) > 0 && (len(f.Endings) == 0 || strings.TrimSpace(f.Suggest) == "") {
		return p, fmt.Errorf("passive: \"endings\" and \"suggest\" are required with \"auxiliaries\"")
	}
	for _, w := range f.Auxiliaries {
		w = normWord(strings.TrimSpace(w))
		if w == "" {
			continue
		}
		p.aux[w] = true
		_, n := utf8.DecodeRuneInString(w)
		if !slices.Contains(p.auxHeads, w[:n]) {
			p.auxHeads = append(p.auxHeads, w[:n])
		}
	}
	for _, w := range f.Between {
		p.between[normWord(strings.TrimSpace(w))] = true
	}
	for _, e := range f.Endings {
		if e = normWord(strings.TrimSpace(e)); e != "" {
			p.endings = append(p.endings, e)
		}
	}
	for _, e := range f.Except {
		if e = normWord(strings.TrimSpace(e)); e != "" {
			p.except = append(p.except, e)
		}
	}
	return p, nil
}

// auxHead reports whether w starts like an auxiliary.
func (p *passiveFinder) auxHead(w string) bool {
	for _, h := range p.auxHeads {
		if strings.HasPrefix(w, h) {
			return true
		}
	}
	return false
}

// participle reports whether token k is a short passive participle.
func (p *passiveFinder) participle(ws *words, k int) bool {
	t := ws.toks[k]
	if t.letters < p.minLetters || t.upper > 0 && !t.caps() {
		// «был Богдан»: a capitalised word is a name.
		return false
	}
	w := ws.word(k)
	found := false
	for _, e := range p.endings {
		if strings.HasSuffix(w, e) {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	for _, e := range p.except {
		if strings.Contains(w, e) {
			return false
		}
	}
	return true
}

// checkPassive quotes «будет прекращена» and the like, unless a phrase of
// the bureaucratese list already quotes it (spans are its findings).
func (c *Checker) checkPassive(a *analysis, add func(Finding), spans []span) {
	p := &c.passive
	if len(p.aux) == 0 {
		return
	}
	ws := &a.words
next:
	for i := 0; i+1 < len(ws.toks); i++ {
		w := ws.word(i)
		if !p.auxHead(w) || !p.aux[w] {
			continue
		}
		k := i + 1
		if p.between[ws.word(k)] && k+1 < len(ws.toks) && ws.toks[k+1].joined {
			k++
		}
		if !ws.toks[k].joined || !p.participle(ws, k) {
			continue
		}
		s := ws.span(i, k+1)
		for _, o := range spans {
			if s.start < o.end && o.start < s.end {
				continue next
			}
		}
		f := c.at(a, RuleBureaucratese, s)
		f.Suggestion = p.suggest
		add(f)
		i = k
	}
}
