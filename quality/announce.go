package quality

import (
	"maps"
	"strings"
)

// What an announcement or a notice must tell readers (the "needs" of a
// notice in the data file, and Finding.Missing).
const (
	NeedWhen = "when"
	// NeedHours: a water cut or a reception needs its hours as well as its
	// day: «5 декабря с 9:00 до 16:00».
	NeedHours = "hours"
	// NeedDuration: a cut or a closure needs its hours or how long it
	// lasts: «с 9:00 до 16:00», «до 20 декабря», «на три дня». Missing, it
	// is reported as NeedHours.
	NeedDuration = "duration"
	NeedWhere    = "where"
	// NeedStreets: a water cut or snow clearing needs the streets, the
	// houses or the building; a village alone («в селе Ольховка») is not
	// enough. Missing, it is reported as NeedWhere.
	NeedStreets  = "streets"
	NeedDeadline = "deadline"
)

// checkAnnounce asks an announcement or a notice the questions readers need
// answered: when (a calendar date, not «в субботу»), where (a place or the
// streets) and, for a survey or an application, until when. The phrase that
// made the post an announcement is quoted, so the bot can show which
// sentence it means.
//
// A notice (road works, a water cut, a survey…) is recognised by its own
// phrases and needs what its kind needs; any other post with an invitation
// word is an announcement and needs a date and a place.
func (c *Checker) checkAnnounce(a *analysis, add func(Finding)) {
	ws := &a.words
	m, ok := c.noticeAt(ws)
	if ok {
		n := c.notices[m.ref]
		c.checkNeeds(a, add, n.needs, m.from, ws.span(m.from, m.to), n.kind, true)
	}
	// A notice that asks only for a deadline («Заявки принимаются…») may
	// come with an event of its own in another sentence («Состоится
	// турнир…»): the event still needs its date and place.
	if ok && (c.notices[m.ref].needs[NeedWhen] || c.notices[m.ref].needs[NeedWhere]) {
		return
	}
	ms := c.invitation(ws)
	if len(ms) == 0 {
		if !ok {
			c.checkPlan(a, add)
			c.checkVagueHours(a, add, RuleAnnounceNoWhen, "", true)
		}
		return
	}
	if ok {
		if from, to := sentenceOf(ws, m.from); ms[0].from >= from && ms[0].from < to {
			return
		}
	}
	c.checkNeeds(a, add, map[string]bool{NeedWhen: true, NeedWhere: true}, ms[0].from, ws.span(ms[0].from, ms[0].to), "", false)
}

// checkPlan asks for the date of a plan told without an invitation word:
// «Только в эти выходные билеты по 100 рублей», «С понедельника изменится
// расписание». Only the days of dates.plans count («в эту субботу», «в
// ближайший четверг»), in a sentence that tells no past.
func (c *Checker) checkPlan(a *analysis, add func(Finding)) {
	ws := &a.words
	if c.calendar.any(ws) || c.when.any(ws) {
		return
	}
	for _, m := range c.plans.find(ws, 0) {
		from, to := sentenceOf(ws, m.from)
		if c.report.anyIn(ws, from, to) {
			continue
		}
		past := false
		for i := from; i < to && !past; i++ {
			past = c.pastVerb(ws.word(i))
		}
		if !past {
			f := c.at(a, RuleDateRelative, ws.span(m.from, m.to))
			f.Missing = NeedWhen
			add(f)
			return
		}
	}
}

// checkNeeds reports what an announcement or a notice fails to say; trig
// is the phrase that made it one.
func (c *Checker) checkNeeds(a *analysis, add func(Finding), needs map[string]bool, trigTok int, trig span, kind string, notice bool) {
	ws := &a.words
	missing := func(rule, need string, s span) {
		f := c.at(a, rule, s)
		f.Missing, f.Kind = need, kind
		add(f)
	}
	noWhen, noWhere := RuleAnnounceNoWhen, RuleAnnounceNoWhere
	if notice {
		noWhen, noWhere = RuleNoticeNoWhen, RuleNoticeNoWhere
	}
	if needs[NeedWhen] {
		switch s, ok := c.whenMissing(ws); {
		case !ok:
		case s != span{}:
			missing(RuleDateRelative, NeedWhen, s)
		default:
			// No day at all: one finding asks for the day and the hours.
			missing(noWhen, NeedWhen, trig)
			needs = maps.Clone(needs)
			delete(needs, NeedHours)
			delete(needs, NeedDuration)
		}
	}
	// A survey or an application needs no date of its own, but «на днях
	// можно будет проголосовать» still leaves readers guessing.
	if !needs[NeedWhen] {
		c.checkPlan(a, add)
	}
	// A cut or works told with a regular schedule and no day («каждый
	// день», «по средам») is a plan for the year, not a notice of one day.
	duration := needs[NeedDuration] && (c.calendar.any(ws) || !c.when.any(ws))
	if (needs[NeedHours] && !c.hours.any(ws)) || (duration && !c.hours.any(ws) && !c.until.any(ws) && !c.dayRange(a)) {
		// «с утра» in the notice's sentence is the time the post gives
		// instead of the hours.
		s := trig
		from, to := sentenceOf(ws, trigTok)
		for _, m := range c.vagueHrs.find(ws, 0) {
			if m.from >= from && m.from < to {
				s = ws.span(m.from, m.to)
				break
			}
		}
		missing(noWhen, NeedHours, s)
	} else if !notice && needs[NeedWhen] {
		// Snow clearing «днём 12 декабря» or a frost «ночью» is told
		// well enough; an event «12 декабря вечером» is not.
		c.checkVagueHours(a, add, noWhen, kind, false)
	}
	if needs[NeedStreets] && !c.places.streetsNamed(a) && !c.whereWords(ws) {
		s := trig
		if ms := c.places.vague.find(ws, 1); len(ms) > 0 {
			s = ws.span(ms[0].from, ms[0].to)
		}
		missing(noWhere, NeedWhere, s)
	} else if needs[NeedWhere] {
		_, place := c.firstPlace(a)
		link := !notice && c.linkIsWhere && len(a.urls) > 0
		// «Сосновская библиотека приглашает…»: the host of an event is its
		// place. A notice needs the streets or the room, not its sender.
		// A reception or a vaccination is held by the institution
		// named: «фельдшер Каменского ФАПа принимает».
		named := !notice && c.places.hostNamed(a) || notice && needs[NeedHours] && c.places.institutionNamed(a)
		if !place && !link && !named && !c.whereWords(ws) {
			s := trig
			if ms := c.places.vague.find(ws, 1); len(ms) > 0 {
				s = ws.span(ms[0].from, ms[0].to)
			}
			missing(noWhere, NeedWhere, s)
		}
	}
	if needs[NeedDeadline] && !c.deadline.any(ws) {
		missing(RuleNoticeNoDeadline, NeedDeadline, trig)
	}
}

// checkVagueHours asks for the hour when a post that says on which day
// gives only a time of day: «12 декабря с утра», «вечером 5 марта». The
// day is there, so only the hour is asked for. Without an announcement
// or a notice (any is true), only a sentence with a calendar date that
// tells no past counts: «12 декабря с утра — ярмарка».
func (c *Checker) checkVagueHours(a *analysis, add func(Finding), rule, kind string, any bool) {
	ws := &a.words
	if c.hours.any(ws) {
		return
	}
	for _, m := range c.vagueHrs.find(ws, 0) {
		from, to := sentenceOf(ws, m.from)
		if any {
			// «12 декабря с утра на площади — ярмарка» is an event; «Утром
			// 5 декабря на дорогах гололёд» names no place of one.
			if !c.calendar.anyIn(ws, from, to) || c.report.anyIn(ws, from, to) || c.tellsAnyPast(ws, from, to) || !c.placeIn(a, from, to) {
				continue
			}
		} else if !c.calendar.any(ws) {
			return
		}
		f := c.at(a, rule, ws.span(m.from, m.to))
		f.Missing, f.Kind = NeedHours, kind
		add(f)
		return
	}
}

// dayRange reports whether the text gives a range of days written with a
// dash: «20–22 ноября» — how long dog catching or road works last.
func (c *Checker) dayRange(a *analysis) bool {
	ws := &a.words
	for i := 1; i+1 < len(ws.toks); i++ {
		if ws.toks[i-1].class&classNumber == 0 || ws.toks[i].class&classNumber == 0 || !c.calendar.startsAt(ws, i) {
			continue
		}
		if gap := strings.TrimSpace(a.text[ws.toks[i-1].end:ws.toks[i].start]); gap == "–" || gap == "—" || gap == "-" {
			return true
		}
	}
	return false
}

// placeIn reports whether a place stands in tokens [from, to).
func (c *Checker) placeIn(a *analysis, from, to int) bool {
	ws := &a.words
	in := false
	c.places.eachWords(a, func(s span, next int) bool {
		if next > from && ws.tokenAfter(from, s.start) < to {
			in = true
		}
		return !in && ws.tokenAfter(0, s.start) < to
	})
	return in
}

// tellsAnyPast reports whether tokens [from, to) hold a past-tense verb in
// any number: «Утром 5 декабря выпал снег».
func (c *Checker) tellsAnyPast(ws *words, from, to int) bool {
	for i := from; i < to; i++ {
		if w := ws.word(i); c.pastVerb(w) || c.endsLike(w, c.newsEnds) {
			return true
		}
	}
	return false
}

// noticeAt finds the first notice phrase that is not told as a report:
// «Энергетики заменили опоры, свет дали через два дня» and «сделали
// прививки 600 детям» tell what happened, not what readers must know.
func (c *Checker) noticeAt(ws *words) (match, bool) {
	for _, m := range c.noticeAny.find(ws, 0) {
		if from, to := sentenceOf(ws, m.from); c.report.anyIn(ws, from, to) || c.tellsPast(ws, from, to) {
			continue
		}
		if ctx := c.notices[m.ref].context; ctx != nil && !ctx.any(ws) {
			continue
		}
		return m, true
	}
	return match{}, false
}

// tellsPast reports whether tokens [from, to) hold a past-tense verb in
// the plural («расчистили», «вышли на улицы»), other than a verb of telling
// («сообщили, что отключат»): the sentence tells what happened.
func (c *Checker) tellsPast(ws *words, from, to int) bool {
	for i := from; i < to; i++ {
		if w := ws.word(i); c.pastVerb(w) && strings.HasSuffix(w, "и") && !c.speech.startsAt(ws, i) {
			return true
		}
	}
	return false
}

// whereWords reports whether one of the announce.where words («ул.», «по
// адресу», «онлайн») names the place, outside the vague places: «по одной
// из улиц» holds «улиц» but names none.
func (c *Checker) whereWords(ws *words) bool {
	ms := c.where.find(ws, 0)
	if len(ms) == 0 {
		return false
	}
	vague := c.places.vague.find(ws, 0)
next:
	for _, m := range ms {
		for _, v := range vague {
			if m.from < v.to && m.to > v.from {
				continue next
			}
		}
		return true
	}
	return false
}

// invitation finds the phrase that makes a post an announcement. A soft
// invitation («Приходите к нам ещё!», «Ждём вас!», «Её покажут на
// выставке») closes many reports, so it counts only in a post without
// report words («прошёл», «рассказали») or other plural past verbs
// («разобрали», «нашли»).
func (c *Checker) invitation(ws *words) []match {
	if ms := c.trigger.find(ws, 1); len(ms) > 0 {
		return ms
	}
	if ms := c.softTrigger.find(ws, 1); len(ms) > 0 && !c.report.any(ws) && !c.tellsPast(ws, 0, len(ws.toks)) {
		return ms
	}
	return nil
}

// whenMissing tells whether the post fails to say when: ok is false when a
// calendar date or a regular schedule is there. Otherwise s is the relative
// day or vague word that stands instead of the date, or the zero span when
// there is none.
func (c *Checker) whenMissing(ws *words) (s span, ok bool) {
	if c.calendar.any(ws) || c.when.any(ws) {
		return span{}, false
	}
	for _, m := range []*matcher{c.relative, c.vague} {
		if ms := m.find(ws, 1); len(ms) > 0 {
			return ws.span(ms[0].from, ms[0].to), true
		}
	}
	return span{}, true
}
