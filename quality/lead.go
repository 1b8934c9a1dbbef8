package quality

import (
	"strings"
	"unicode/utf8"
)

// checkLead asks whether the first sentence carries the news: a date, a
// number, a place, or what happens or happened. A post that opens with an
// introduction («Осень — удивительное время года…») and gives its news only
// in a later paragraph buries the news: most readers of a feed see the
// first lines only. A greeting («Уважаемые жители!») and a headline (a
// short first line without a full stop) are skipped: the sentence after
// them is the lead. A post that opens with a quotation opens with a
// person's words, which trainers teach as a way in; it is left alone.
func (c *Checker) checkLead(a *analysis, add func(Finding)) {
	ws := &a.words
	from, to := sentence(a, 0)
	if from >= to {
		return
	}
	headed := false // a headline line came first: «Три вопроса о записи к врачу:»
	if to < len(ws.toks) && ((c.greetings.atStart(ws, from) && to-from <= 5) || isHeadline(a, from, to)) {
		headed = isHeadline(a, from, to)
		from, to = sentence(a, to)
	}
	if from >= to || opensWithQuote(a, from) {
		return
	}
	// A name in quotes is not news: «МБОУ «Школа № 2» уделяет внимание…»
	// holds a number and a place noun only inside the school's name.
	quoted := quotedTokens(a, from, to)
	// A question opens a post well when the answer follows («Где сдать
	// батарейки? В холле администрации…»); it is an introduction when the
	// news waits in a later paragraph: «Знаете ли вы, что в районе живут 12
	// тысяч человек?» before «5 марта библиотека начнёт опрос».
	// After a headline, a question that its own line answers is a list of
	// questions and answers: «— Как записаться? Через Госуслуги…».
	if headed && isQuestion(a, to) && to < len(ws.toks) && !ws.toks[to].lineBreak {
		return
	}
	if isQuestion(a, to) && !c.strongIn(ws, from, to, quoted) && c.strongNewsAfter(ws, to, lineOf(ws, from)) {
		add(c.at(a, RuleLeadBuried, ws.span(from, to)))
		return
	}
	// An introduction buries the news even when it names a place or has a
	// verb («Как вы знаете, дорожные службы работают без выходных»), unless
	// it holds a date, a number or an invitation itself.
	buried := c.intro.anyIn(ws, from, to)
	// «Книги — лучшие друзья человека.», «Здоровье — главное богатство.»:
	// a saying of the form «X — Y» with no news in it introduces the news
	// that comes after it, however newsy the sentence between them sounds.
	if !buried && definition(a, from, to) && !c.carriesNews(ws, from, to, quoted) && c.newsLater(ws, to, lineOf(ws, from)) {
		buried = true
	}
	if buried && c.carriesStrongNews(ws, from, to, quoted) {
		return
	}
	if !buried && c.carriesNews(ws, from, to, quoted) {
		return
	}
	// Otherwise a place is news enough. An institution named as the subject
	// is not: «Сосновская библиотека всегда рада гостям.» before
	// «Приглашаем 12 апреля…» introduces the news, «Детская библиотека
	// объявляет конкурс» holds a news word.
	if !buried {
		if s, ok := c.firstPlace(a); ok && s.start < int(ws.toks[to-1].end) && !c.quotedPlace(a, s, from, quoted) {
			return
		}
		// The news waits in a later paragraph, or after a second sentence
		// that carries none either: «Осень — время урожая. Все собирают
		// овощи. 5 октября пройдёт ярмарка.»
		line := lineOf(ws, from)
		_, second := sentence(a, to)
		for i := to; i < len(ws.toks); i++ {
			if c.strongNewsAt(ws, i) {
				buried = lineOf(ws, i) > line || (i >= second && !c.carriesNews(ws, to, second, quotedTokens(a, to, second))) ||
					(to-from >= minIntroWords && !isQuestion(a, to))
				break
			}
		}
	}
	if buried {
		add(c.at(a, RuleLeadBuried, ws.span(from, to)))
	}
}

// carriesNews reports whether tokens [from, to) hold a date, a number, a
// day or a news word. A vague word («скоро») is not news.
func (c *Checker) carriesNews(ws *words, from, to int, quoted []bool) bool {
	for i := from; i < to; i++ {
		if quoted[i-from] {
			continue
		}
		if c.newsAt(ws, i) || c.relative.startsAt(ws, i) {
			return true
		}
	}
	return false
}

// minIntroWords is the fewest words of a first sentence that, with no
// news in it, introduces the news of the next one: «Мы очень рады, что вы
// снова с нами.» A shorter one is a headline or a call («ВСЕ НА
// ВЫБОРЫ!»), and a question opens a post well.
const minIntroWords = 6

// isQuestion reports whether the sentence ending before token to ends
// with a question mark.
func isQuestion(a *analysis, to int) bool {
	ws := &a.words
	end := len(a.text)
	if to < len(ws.toks) {
		end = int(ws.toks[to].start)
	}
	// «…в 1970-х? 🙂 Музей…»: an emoji after the question mark still
	// leaves a question.
	start := int(ws.toks[to-1].end)
	for _, u := range a.urls { // «…Госуслуг: https://…/form?utm_source=vk»
		if u.start >= start && u.end <= end {
			start = u.end
		}
	}
	tail := a.text[start:end]
	i := strings.LastIndexAny(tail, ".!?…")
	return i >= 0 && tail[i] == '?'
}

// strongIn reports whether tokens [from, to) hold a calendar date, an
// invitation or a notice phrase.
func (c *Checker) strongIn(ws *words, from, to int, quoted []bool) bool {
	for i := from; i < to; i++ {
		if !quoted[i-from] && c.strongNewsAt(ws, i) {
			return true
		}
	}
	return false
}

// strongNewsAfter reports whether a date, an invitation or a notice comes
// after token from, on a line after line.
func (c *Checker) strongNewsAfter(ws *words, from, line int) bool {
	for i := from; i < len(ws.toks); i++ {
		if c.strongNewsAt(ws, i) {
			return lineOf(ws, i) > line
		}
	}
	return false
}

// carriesStrongNews reports whether tokens [from, to) hold a number, a
// date or an invitation or notice phrase: news even after «Как известно».
func (c *Checker) carriesStrongNews(ws *words, from, to int, quoted []bool) bool {
	for i := from; i < to; i++ {
		if !quoted[i-from] && (ws.toks[i].class != 0 || c.strongNewsAt(ws, i)) {
			return true
		}
	}
	return false
}

// quotedPlace reports whether the place s of the lead sentence (tokens
// from on, quoted marking the tokens inside quotation marks) is only a
// name in quotes: «в «Точке роста»», or a place noun inside a name.
func (c *Checker) quotedPlace(a *analysis, s span, from int, quoted []bool) bool {
	ws := &a.words
	for i := from; i < from+len(quoted); i++ {
		t := ws.toks[i]
		if int(t.start) < s.start || int(t.start) >= s.end {
			continue
		}
		if quoted[i-from] {
			return true
		}
		if int(t.end) == s.end && c.places.quoted && opensQuote(a.text, s.end) {
			return true
		}
	}
	return false
}

// quotedTokens marks the tokens [from, to) that stand inside quotation
// marks: «…», „…“ and "…".
func quotedTokens(a *analysis, from, to int) []bool {
	ws := &a.words
	out := make([]bool, to-from)
	pos := strings.LastIndexByte(a.text[:ws.toks[from].start], '\n') + 1
	depth, straight := 0, false
	for i := from; i < to; i++ {
		for _, r := range a.text[pos:ws.toks[i].start] {
			switch r {
			case '«', '„':
				depth++
			case '»', '”':
				depth = max(depth-1, 0)
			case '“':
				if depth > 0 {
					depth--
				} else {
					depth++
				}
			case '"':
				straight = !straight
			}
		}
		pos = int(ws.toks[i].start)
		out[i-from] = depth > 0 || straight
	}
	return out
}

// newsAt reports whether token i is a number or date, or starts a calendar
// date, an invitation, a notice or a news word.
func (c *Checker) newsAt(ws *words, i int) bool {
	if w := ws.word(i); ws.toks[i].class != 0 || c.pastVerb(w) || c.endsLike(w, c.newsEnds) {
		return true
	}
	for _, m := range []*matcher{c.calendar, c.trigger, c.softTrigger, c.noticeAny, c.news} {
		if m.startsAt(ws, i) {
			return true
		}
	}
	return false
}

// minPastVerb is the fewest letters of a word taken for a past-tense verb
// by its ending: «поставили», not «роли» or «были».
const minPastVerb = 6

// pastVerb reports whether a normalised word looks like a past-tense verb.
func (c *Checker) pastVerb(w string) bool { return c.endsLike(w, c.pastEnds) }

// endsLike reports whether a word of minPastVerb letters or more ends in
// one of ends and starts like none of lead.not_past.
func (c *Checker) endsLike(w string, ends []string) bool {
	for _, e := range ends {
		if strings.HasSuffix(w, e) {
			if utf8.RuneCountInString(w) < minPastVerb {
				return false
			}
			for _, n := range c.notPast {
				if strings.HasPrefix(w, n) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// strongNewsAt reports whether token i starts a calendar date, an
// invitation or a notice: what a buried lead hides.
func (c *Checker) strongNewsAt(ws *words, i int) bool {
	for _, m := range []*matcher{c.calendar, c.trigger, c.noticeAny} {
		if m.startsAt(ws, i) {
			return true
		}
	}
	return false
}

// sentence returns the tokens [from, to) of the sentence that starts at
// token from: it ends at a line break or at «.», «!», «?», «…» followed by
// a capital letter, except after a short abbreviation such as «ул.» or «д.».
func sentence(a *analysis, from int) (int, int) {
	ws := &a.words
	if from >= len(ws.toks) {
		return from, from
	}
	to := from + 1
	for to < len(ws.toks) && !ws.toks[to].sentStart {
		to++
	}
	return from, to
}

// maxHeadline is the most words of a headline line.
const maxHeadline = 8

// isHeadline reports whether the sentence [from, to) is a short line of its
// own without a full stop: «Зимняя ярмарка», «Итоги года».
func isHeadline(a *analysis, from, to int) bool {
	ws := &a.words
	if to-from > maxHeadline || to >= len(ws.toks) || !ws.toks[to].lineBreak {
		return false
	}
	return !strings.ContainsAny(a.text[ws.toks[to-1].end:ws.toks[to].start], ".!?…")
}

// opensWithQuote reports whether a quotation mark opens the line of token i.
func opensWithQuote(a *analysis, i int) bool {
	start := int(a.words.toks[i].start)
	line := strings.LastIndexByte(a.text[:start], '\n') + 1
	return hasQuoteMark(a.text[line:start])
}

// lineOf counts the line breaks before token i.
func lineOf(ws *words, i int) int {
	n := 0
	for k := 1; k <= i; k++ {
		if ws.toks[k].lineBreak {
			n++
		}
	}
	return n
}

// sentenceAbbr reports short words written with a full stop that does not
// end the sentence: «ул. Ленина», «д. 5», «г. Липецк».
func sentenceAbbr(w string) bool {
	switch w {
	case "ул", "д", "г", "пр", "пер", "им", "т", "к", "каб", "с", "п", "пос", "дер", "тел", "кв",
		"корп", "стр", "мкр", "пл", "ст", "обл", "р", "руб", "св", "др", "mr", "mrs", "dr", "st":
		return true
	}
	return false
}

// minDefinitionWords is the fewest words of a saying «X — Y»: «Волонтёры —
// молодцы!» is a cheer, not an introduction.
const minDefinitionWords = 3

// definition reports whether the sentence [from, to) reads «X — Y»: a dash
// after its first three words at most, and no number in it.
func definition(a *analysis, from, to int) bool {
	ws := &a.words
	if to-from < minDefinitionWords {
		return false
	}
	for k := from; k < to; k++ {
		if ws.toks[k].class != 0 {
			return false
		}
	}
	for k := from; k < min(from+3, to-1); k++ {
		gap := a.text[ws.toks[k].end:ws.toks[k+1].start]
		if strings.Contains(gap, " — ") || strings.Contains(gap, " – ") || strings.Contains(gap, " - ") {
			return true
		}
		if strings.ContainsAny(gap, ",.:;!?") {
			return false
		}
	}
	return false
}

// newsLater reports whether a date, an invitation or a notice follows
// token from, or any news word on a line after line.
func (c *Checker) newsLater(ws *words, from, line int) bool {
	for i := from; i < len(ws.toks); i++ {
		if c.strongNewsAt(ws, i) || (c.newsAt(ws, i) && lineOf(ws, i) > line) {
			return true
		}
	}
	return false
}

// hasQuoteMark is strings.ContainsAny(s, "«\"„“") searching for bytes:
// with marks beyond ASCII, ContainsAny decodes every character of s, and
// the whole post is searched for them.
func hasQuoteMark(s string) bool {
	return strings.IndexByte(s, '"') >= 0 || strings.Contains(s, "«") ||
		strings.Contains(s, "„") || strings.Contains(s, "“")
}
