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
