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
	streets map[string]bool // prepositions before which a capitalised adjective is a street
	labels  *matcher        // «Где:», «Место:», «Адрес:» — a place follows in any case
	markers []string        // emoji that mark the place line: 📍
	vague   *matcher        // places too vague for a notice: «по ряду улиц»
	hosts   map[string]bool // institutions that host what they announce: «Библиотека приглашает»
	topos   []string        // parts of adjectives made from place names: «Никольск-ом», «Покровск-ой»
	bare    map[string]bool // stems of nouns that need a name after them: «в посёлке Заречном», not «в посёлке»
	dates   *matcher        // calendar dates: «в посёлке 12 марта» is no house number
	links   map[string]bool // words that join a preposition to its noun: «рядом с», «недалеко от»
	dets    map[string]bool // short words that stand like adjectives: «в наш музей», «во весь зал»
	streetN map[string]bool // stems of nouns named by a capitalised word after them, without a preposition: «улиц Садовой»
	signs   []string        // «№»: a place noun before a number names one institution
	adjNoun map[string]bool // stems of nouns declined like adjectives: «столовая», «приёмная»
	settle  map[string]bool // stems of village and town nouns: «в селе Ольховка» names no street
	whole   *matcher        // «во всём селе»: every street of the place
	hostSt  map[string]bool // stems of hosts: «фельдшер Каменского ФАПа» names the place of a reception
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
	p.names, p.streets, p.hosts = map[string]bool{}, map[string]bool{}, map[string]bool{}
	p.dets = map[string]bool{}
	for _, w := range f.Determiners {
		p.dets[normWord(strings.TrimSpace(w))] = true
	}
	p.links = map[string]bool{}
	for _, w := range f.PrepositionLinks {
		p.links[normWord(strings.TrimSpace(w))] = true
	}
	p.streetN, p.adjNoun = map[string]bool{}, map[string]bool{}
	for _, n := range f.StreetNouns {
		ws, _ := tokenize(n, nil)
		if len(ws.toks) != 1 {
			return p, fmt.Errorf("street noun %q is not a single word", n)
		}
		p.streetN[stem(ws.word(0))] = true
	}
	for _, sg := range f.NumberSigns {
		if sg = strings.TrimSpace(sg); sg != "" {
			p.signs = append(p.signs, sg)
		}
	}
	p.bare = map[string]bool{}
	for _, n := range f.BareNouns {
		ws, _ := tokenize(n, nil)
		if len(ws.toks) != 1 {
			return p, fmt.Errorf("bare noun %q is not a single word", n)
		}
		p.bare[stem(ws.word(0))] = true
	}
	for _, w := range f.ToponymParts {
		if w = normWord(strings.TrimSpace(w)); w != "" {
			p.topos = append(p.topos, w)
		}
	}
	p.hostSt = map[string]bool{}
	for _, w := range f.Hosts {
		p.hosts[normWord(strings.TrimSpace(w))] = true
		p.hostSt[stem(normWord(strings.TrimSpace(w)))] = true
	}
	for _, w := range f.NamePrepositions {
		p.names[normWord(strings.TrimSpace(w))] = true
	}
	for _, m := range f.Markers {
		if m = strings.TrimSpace(m); m != "" {
			p.markers = append(p.markers, m)
		}
	}
	for _, w := range f.StreetPrepositions {
		p.streets[normWord(strings.TrimSpace(w))] = true
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
		if adjectiveForm(ws.word(0)) {
			p.adjNoun[stem(ws.word(0))] = true
		}
		for _, s := range []string{stem(ws.word(0)), ws.word(0)} {
			p.stems[s] = true
			p.heads[s[:min(headLen, len(s))]] = true
			if p.minStem == 0 || len(s) < p.minStem {
				p.minStem = len(s)
			}
		}
	}
	p.settle = map[string]bool{}
	for _, n := range f.Settlements {
		ws, _ := tokenize(n, nil)
		if len(ws.toks) != 1 {
			return p, fmt.Errorf("settlement %q is not a single word", n)
		}
		p.settle[stem(ws.word(0))] = true
	}
	var err error
	if p.vague, err = newMatcher(f.Vague, make([]int, len(f.Vague))); err != nil {
		return p, err
	}
	if p.whole, err = newMatcher(f.Whole, make([]int, len(f.Whole))); err != nil {
		return p, err
	}
	p.labels, err = newMatcher(f.Labels, make([]int, len(f.Labels)))
	return p, err
}

// labelWindow is how many words after «Где:» may hold the place.
const labelWindow = 4

// isNoun reports whether a normalised word is one of the place nouns.
func (p *placeFinder) isNoun(w string) bool {
	return p.mayBeNoun(w) && p.stems[stem(w)]
}

// nounAt is isNoun for token k, with the token's stem computed once per
// text.
func (p *placeFinder) nounAt(ws *words, k int) bool {
	w := ws.word(k)
	if !p.mayBeNoun(w) {
		return false
	}
	// A listed form needs no stemming: «школа», «СДК».
	if p.stems[w] {
		return true
	}
	// «в библиотеке-филиале»: the first part of a joined word is the noun.
	if i := strings.IndexByte(w, '-'); i > 0 && p.isNoun(w[:i]) {
		return true
	}
	st := ws.stem(k)
	if !p.stems[st] {
		return false
	}
	// «на лыжную гонку», «у школьного крыльца»: an adjective made from a
	// place noun shares its stem; only nouns declined like adjectives
	// («в столовую», «в приёмной») end so.
	return p.adjNoun[st] || !adjectiveForm(w)
}

// adjectiveForms are endings that only adjectives and nouns declined like
// them take: «лыжную», «школьного», «парковыми».
var adjectiveForms = []string{"ую", "юю", "ого", "его", "ому", "ему", "ыми", "ими", "ым", "им", "ый", "ая", "яя", "ое", "ые", "ых", "их"}

func adjectiveForm(w string) bool {
	for _, e := range adjectiveForms {
		if strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// bareAt reports whether token k is a noun that names no place without a
// name after it: «посёлке», «улице».
func (p *placeFinder) bareAt(ws *words, k int) bool {
	return len(p.bare) > 0 && p.bare[ws.stem(k)]
}

// mayBeNoun is the cheap part of isNoun: some beginning of w is the stem of
// a place noun.
func (p *placeFinder) mayBeNoun(w string) bool {
	if p.minStem == 0 || len(w) < p.minStem {
		return false
	}
	if i := strings.IndexByte(w, '-'); i > 0 {
		return p.mayBeNoun(w[:i]) || p.mayBeNoun(w[i+1:])
	}
	// Cheap tests first: the word must begin like a stem, and some
	// beginning of it must be a stem.
	if !p.heads[w[:min(headLen, len(w))]] && !p.heads[w[:min(p.minStem, len(w))]] {
		return false
	}
	for k := p.minStem; k <= len(w); k++ {
		if p.stems[w[:k]] {
			return true
		}
	}
	return false
}

// hostNamed reports whether the text names, outside quotation marks, an
// institution as who does something: «Сосновская библиотека приглашает…»,
// «Районный Дом культуры проводит…». Such an institution is where its
// event happens. Only the dictionary form counts, so «на выставку» or
// «для школы» name no host.
func (p *placeFinder) hostNamed(a *analysis) bool {
	ws := &a.words
	if len(p.hosts) == 0 || len(ws.toks) == 0 {
		return false
	}
	var quoted []bool
	for i := range ws.toks {
		if !p.hosts[ws.word(i)] {
			continue
		}
		if quoted == nil {
			quoted = quotedTokens(a, 0, len(ws.toks))
		}
		if !quoted[i] || p.namedAfterForm(a, i) {
			return true
		}
	}
	return false
}

// namedAfterForm reports whether the quoted host word i belongs to a name
// that follows the abbreviation of an organisation's form: «ГБУЗ «Сосновская
// ЦРБ» получила…», «МБОУ «Школа № 3» приглашает…» — the institution itself.
func (p *placeFinder) namedAfterForm(a *analysis, i int) bool {
	ws := &a.words
	for k := i - 1; k >= 0 && k >= i-4; k-- {
		if opensQuote(a.text, int(ws.toks[k].end)) {
			return ws.toks[k].caps()
		}
	}
	return false
}

// named reports whether token k names the place of a bare noun before it:
// «в посёлке Заречном», «на улице 8 Марта», «в районе школы», «в селе
// «Рассвет»». «в посёлке.» and «на улице холодно» name none.
func (p *placeFinder) named(a *analysis, k int) bool {
	ws := &a.words
	if k >= len(ws.toks) || ws.toks[k].lineBreak {
		return false
	}
	if opensQuote(a.text, int(ws.toks[k-1].end)) {
		return true
	}
	if ws.toks[k].sentStart || strings.ContainsAny(a.text[ws.toks[k-1].end:ws.toks[k].start], ",;:!?()") {
		return false
	}
	if ws.toks[k].class != 0 {
		// «на улице 8 Марта» is a street, «в посёлке 12 марта» a date.
		return p.dates == nil || !p.dates.startsAt(ws, k) || (k+1 < len(ws.toks) && capitalised(a, k+1))
	}
	return capitalised(a, k) || (p.nounAt(ws, k) && !p.bareAt(ws, k))
}

// toponym reports whether an adjective is made from a place name:
// «Никольском», «Сосновского», «Покровской».
func (p *placeFinder) toponym(w string) bool {
	for _, t := range p.topos {
		if strings.Contains(w, t) {
			return true
		}
	}
	return false
}

// isAdjective guesses an adjective (or a possessive such as «нашей») by its
// ending. Good enough between a preposition and a noun, where little else
// stands.
func (p *placeFinder) isAdjective(w string) bool {
	if p.dets[w] {
		return true
	}
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
	best, found := p.findWords(a)
	for _, m := range p.markers {
		if i := strings.Index(a.text, m); i >= 0 && (!found || i < best.start) {
			if end := wordAfter(a.text, i+len(m)); end > i+len(m) {
				best, found = span{i, end}, true
			}
		}
	}
	return best, found
}

// findWords returns the first place written in words.
func (p *placeFinder) findWords(a *analysis) (span, bool) {
	var first span
	found := false
	p.eachWords(a, func(s span, _ int) bool {
		first, found = s, true
		return false
	})
	return first, found
}

// eachWords calls fn with every place written in words and the index of
// the token after it, until fn returns false.
func (p *placeFinder) eachWords(a *analysis, fn func(s span, next int) bool) {
	ws := &a.words
	// «по одной из улиц посёлка», «в ряде домов» name no place: a
	// candidate that touches such words, or the preposition before them,
	// is not a place.
	vague := p.vague.find(ws, 0)
	isVague := func(from, to int) bool {
		for _, v := range vague {
			if from < v.to && to > v.from-1 {
				return true
			}
		}
		return false
	}
	// «выставка «Зима в Сосновке»»: a title in quotation marks names no
	// place. Only a candidate is looked at, and only in a text with a
	// quotation mark.
	quotes := hasQuoteMark(a.text)
	for i := 0; i < len(ws.toks); i++ {
		if s, ok := p.candidateAt(a, i, isVague); ok && !(quotes && tokenQuoted(a, i)) {
			if !fn(s, ws.tokenAfter(i, s.end)) {
				return
			}
		}
	}
}

// streetsNamed reports whether the text names a street, a house or a
// building, or a whole village: a water cut «в селе Ольховка на часть
// улиц» leaves readers asking which streets. «Во всём селе» names them
// all. Without a list of settlements every place will do.
func (p *placeFinder) streetsNamed(a *analysis) bool {
	if len(p.settle) == 0 || p.whole.any(&a.words) {
		return true
	}
	street, town, some := false, false, false
	p.eachWords(a, func(s span, next int) bool {
		switch {
		case next > 0 && p.streetsOfTown(a, next-1):
			some = true
		case p.settlement(a, s, next):
			town = true
		default:
			street = true
		}
		return !street
	})
	// «20 ноября в деревнях Ивановка и Петровка» is the whole village;
	// «в селе Ольховка … на часть улиц» and «на улицах Ольховки» are not.
	return street || (town && !some && !p.vague.any(&a.words))
}

// streetsOfTown reports whether token k, a street noun in the plural,
// is followed by the one name of a village: «на улицах Ольховки», «по
// улицам Малиновки» — not «на улицах Мира и Ленина», «улицы Садовая,
// Лесная».
func (p *placeFinder) streetsOfTown(a *analysis, k int) bool {
	ws := &a.words
	w := ws.word(k)
	if !p.mayBeNoun(w) || !p.streetN[ws.stem(k)] || !(strings.HasSuffix(w, "ах") || strings.HasSuffix(w, "ам") || strings.HasSuffix(w, "ами")) {
		return false
	}
	n := k + 1
	if n >= len(ws.toks) || !ws.toks[n].joined || !capitalised(a, n) || p.isAdjective(ws.word(n)) {
		return false
	}
	// Another name after «и» or a comma: the streets are named.
	if n+1 < len(ws.toks) {
		if strings.Contains(a.text[ws.toks[n].end:ws.toks[n+1].start], ",") && capitalised(a, n+1) {
			return false
		}
		if ws.word(n+1) == "и" && n+2 < len(ws.toks) && capitalised(a, n+2) {
			return false
		}
	}
	if n+1 < len(ws.toks) && ws.toks[n+1].joined && capitalised(a, n+1) {
		return false // «на улицах Карла Маркса»
	}
	return true
}

// institutionNamed reports whether an institution is named by a place
// name before it, in any case and without a preposition: «фельдшер
// Каменского ФАПа принимает…», «Сосновская библиотека проводит приём».
// That is the place of a reception or a vaccination.
func (p *placeFinder) institutionNamed(a *analysis) bool {
	ws := &a.words
	for k := 1; k < len(ws.toks); k++ {
		if ws.toks[k].joined && p.mayBeNoun(ws.word(k)) && p.hostSt[ws.stem(k)] && capitalised(a, k-1) && p.toponym(ws.word(k-1)) {
			return true
		}
	}
	return false
}

// settlement reports whether the place s, whose last token is next-1,
// names only a village or a town: «в селе Ольховка», «в Ольховке», «в
// Никольском» — but not «в Никольском СДК».
func (p *placeFinder) settlement(a *analysis, s span, next int) bool {
	ws := &a.words
	k := next - 1
	if k < 0 || k >= len(ws.toks) {
		return false
	}
	if p.nounAt(ws, k) {
		return p.settle[ws.stem(k)]
	}
	if !capitalised(a, k) {
		return false
	}
	// «на Садовой»: a street named by an adjective.
	if p.isAdjective(ws.word(k)) && !p.toponym(ws.word(k)) {
		return false
	}
	// «в Никольском СДК»: the noun after a toponym is the place.
	if next < len(ws.toks) && ws.toks[next].joined && p.nounAt(ws, next) {
		return p.settle[ws.stem(next)]
	}
	return true
}

// candidateAt returns the place that starts at token i, if any.
func (p *placeFinder) candidateAt(a *analysis, i int, isVague func(from, to int) bool) (span, bool) {
	ws := &a.words
	if _, to, _ := p.labels.at(ws, i); to > i {
		if s, ok := p.afterLabel(a, i, to); ok {
			return s, true
		}
	}
	if !p.preps[ws.word(i)] {
		// «спортзал школы № 1», «жители улиц Садовой и Вишнёвой»: a
		// numbered institution or a named street is a place with no
		// preposition before it. The cheap tests of the next word come
		// first: this runs for every word of the post.
		if (p.numbered(a, i) || p.streetNamed(a, i)) && p.nounAt(ws, i) && !isVague(i, i+1) {
			return ws.span(i, i+2), true
		}
		return span{}, false
	}
	if p.quoted && opensQuote(a.text, int(ws.toks[i].end)) {
		return ws.span(i, i+1), true
	}
	first := i + 1
	// «рядом с администрацией», «недалеко от школы».
	if first < len(ws.toks) && p.links[ws.word(first)] && ws.toks[first].joined {
		first++
	}
	for k := first; k < len(ws.toks) && k <= first+maxAdjectives; k++ {
		w := ws.word(k)
		if ws.toks[k].lineBreak {
			break
		}
		if p.nounAt(ws, k) || (p.names[ws.word(i)] && p.isName(a, k)) {
			// «на Лесной улице», «в Никольском посёлке»: a capitalised
			// adjective names a bare noun as well as a word after it.
			if isVague(i, k+1) || (p.bareAt(ws, k) && !p.named(a, k+1) && (k == first || !capitalised(a, k-1))) {
				break
			}
			return ws.span(i, k+1), true
		}
		if !p.isAdjective(w) {
			break
		}
		// «на Садовой», «по Советской, 5»: a street named by an
		// adjective, with no noun after it.
		if k == first && p.streets[ws.word(i)] && capitalised(a, k) && endsName(ws, k) && !isVague(i, k+1) {
			return ws.span(i, k+1), true
		}
		// «в Никольском», «у Сосновского лесничества»: an adjective
		// made from a place name names a village or a place whatever
		// noun follows it.
		if k == first && capitalised(a, k) && p.toponym(w) && !isVague(i, k+1) {
			return ws.span(i, k+1), true
		}
	}
	return span{}, false
}

// endsName reports whether nothing joins token k to a next word, or only
// «и» before another street: «на Садовой», «на Садовой, 5», «на Садовой и
// Полевой».
func endsName(ws *words, k int) bool {
	if k+1 == len(ws.toks) || !ws.toks[k+1].joined {
		return true
	}
	return ws.word(k+1) == "и" && k+2 < len(ws.toks) && ws.toks[k+2].joined && ws.toks[k+2].upper == 1
}

// afterLabel looks for a place noun or a name in the few words after a
// label such as «Где:» or «Адрес:», in whatever case they are written:
// «Где: центральная библиотека».
func (p *placeFinder) afterLabel(a *analysis, from, to int) (span, bool) {
	ws := &a.words
	for k := to; k < len(ws.toks) && k < to+labelWindow; k++ {
		if k > to && ws.toks[k].lineBreak {
			break
		}
		if p.nounAt(ws, k) || capitalised(a, k) {
			return ws.span(from, k+1), true
		}
	}
	return span{}, false
}

// capitalised reports whether token k starts with a capital letter and is
// not written all in capitals.
func capitalised(a *analysis, k int) bool {
	t := a.words.toks[k]
	if t.letters < 2 || t.upper != 1 {
		return false
	}
	r, _ := decode(a.text, int(t.start))
	return isUpper(r)
}

// isName reports whether token k is a proper name that is not an
// adjective: «в Ольховке», «в Липецке», «на Кубани» — a village or a town.
// «в Великой Отечественной войне» is not: its capitalised words are
// adjectives, and the noun after them is not a place.
func (p *placeFinder) isName(a *analysis, k int) bool {
	t := a.words.toks[k]
	return t.letters >= 3 && t.joined && capitalised(a, k) && !p.isAdjective(a.words.word(k))
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

// numbered reports whether a number sign and a number follow token k:
// «школы № 2», «кабинет №12».
func (p *placeFinder) numbered(a *analysis, k int) bool {
	ws := &a.words
	if len(p.signs) == 0 || k+1 >= len(ws.toks) || ws.toks[k+1].class&classNumber == 0 || ws.toks[k+1].lineBreak {
		return false
	}
	gap := strings.TrimSpace(a.text[ws.toks[k].end:ws.toks[k+1].start])
	for _, sg := range p.signs {
		if gap == sg {
			return true
		}
	}
	return false
}

// streetNamed reports whether token k is one of the street nouns named by
// the capitalised word after it: «улиц Садовой», «переулка Тихого».
// «посёлка» or «района» stay bare without a preposition, where they more
// often describe than locate.
func (p *placeFinder) streetNamed(a *analysis, k int) bool {
	return len(p.streetN) > 0 && k+1 < len(a.words.toks) && capitalised(a, k+1) &&
		p.mayBeNoun(a.words.word(k)) && p.streetN[a.words.stem(k)] && p.named(a, k+1)
}

// tokenQuoted reports whether token i stands inside quotation marks on
// its line, so a stray quotation mark does not hide the rest of the post.
func tokenQuoted(a *analysis, i int) bool {
	ws := &a.words
	from := i
	for from > 0 && !ws.toks[from].lineBreak {
		from--
	}
	return quotedTokens(a, from, i+1)[i-from]
}

// tokenAfter returns the index of the first token from i on that starts at
// or after byte end.
func (w *words) tokenAfter(i, end int) int {
	for i < len(w.toks) && int(w.toks[i].start) < end {
		i++
	}
	return i
}
