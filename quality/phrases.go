package quality

// checkBureaucratese quotes each bureaucratic phrase with the plainer
// wording from the data file.
func (c *Checker) checkBureaucratese(a *analysis, add func(Finding)) {
	ms := c.bureau.find(&a.words, 0)
	var spans []span
	for _, m := range ms {
		s := a.words.span(m.from, m.to)
		f := c.at(a, RuleBureaucratese, s)
		f.Suggestion = c.suggest[m.ref]
		add(f)
		spans = append(spans, s)
	}
	c.checkPassive(a, add, spans)
}
