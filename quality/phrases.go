package quality

// checkBureaucratese quotes each bureaucratic phrase with the plainer
// wording from the data file.
func (c *Checker) checkBureaucratese(a *analysis, add func(Finding)) {
	for _, m := range c.bureau.find(&a.words, 0) {
		f := c.at(a, RuleBureaucratese, a.words.span(m.from, m.to))
		f.Suggestion = c.suggest[m.ref]
		add(f)
	}
}

// checkAnnounce asks an announcement the two questions readers need
// answered to come: when and where. The trigger word is quoted, so the bot
// can show which sentence made the post an announcement.
func (c *Checker) checkAnnounce(a *analysis, add func(Finding)) {
	ms := c.trigger.find(&a.words, 1)
	if len(ms) == 0 {
		return
	}
	trig := a.words.span(ms[0].from, ms[0].to)
	if !c.when.any(&a.words) {
		f := c.at(a, RuleAnnounceNoWhen, trig)
		f.Missing = "when"
		add(f)
	}
	if !c.where.any(&a.words) && !(c.linkIsWhere && len(a.urls) > 0) {
		f := c.at(a, RuleAnnounceNoWhere, trig)
		f.Missing = "where"
		add(f)
	}
}
