package quality

import "strings"

// Post is what the checker looks at.
type Post struct {
	// Text is the text or caption as the author wrote it (Telegram
	// entities are not needed: links written out are found in the text).
	Text string
	// HasMedia is true when the post carries a photo or a video.
	HasMedia bool
	// Recent are the posts published on the same page in the last 30 days;
	// the caller chooses them.
	Recent []Published
}

// Published is a post already on the page, for the repeat rule.
type Published struct {
	// Ref is the caller's reference (post id, date); it comes back in the
	// repeat finding so the bot can name the earlier post.
	Ref string
	// Fingerprint is the stored Fingerprint of the post. When it is nil,
	// Text is fingerprinted on the spot, which is slower.
	Fingerprint []uint64
	Text        string
}

// Check examines a post and returns its report. It never fails: bad input
// gives a report, not an error.
func (c *Checker) Check(p Post) Report {
	sc := c.getScratch(p.Text)
	a := analyseWith(p.Text, sc)
	defer c.putScratch(sc, &a)
	r := Report{Lang: c.lang, Fingerprint: fingerprint(&a.words)}
	add := func(f Finding) {
		if f.Weight = c.weights[f.Rule]; f.Weight > 0 {
			if r.Findings == nil {
				// Room for a typical draft's findings at once, rather than
				// growing the slice five times; a clean post allocates none.
				r.Findings = make([]Finding, 0, 16)
			}
			r.Findings = append(r.Findings, f)
		}
	}
	if !p.HasMedia {
		add(Finding{Rule: RuleNoMedia})
	}
	if strings.TrimSpace(p.Text) != "" {
		c.checkShort(&a, add)
		c.checkLength(&a, p.HasMedia, add)
		c.checkLead(&a, add)
		c.checkAnnounce(&a, add)
		c.checkBureaucratese(&a, add)
		c.checkCaps(&a, add)
		c.checkExclaim(&a, add)
		c.checkEmoji(&a, add)
		c.checkHashtags(&a, add)
		c.checkLinks(&a, add)
		c.checkRepeat(&a, r.Fingerprint, p.Recent, add)
	}
	r.finish()
	return r
}

// at builds a finding about the span s, quoting it and, for a short span,
// a few words around it.
func (c *Checker) at(a *analysis, rule string, s span) Finding {
	f := Finding{Rule: rule, Start: s.start, End: s.end, Fragment: quote(a.text, s, c.lim.QuoteChars)}
	switch rule {
	case RuleLeadBuried, RuleLeadTooLong, RuleLongParagraph, RuleTooLong, RuleTooLongCaption, RuleRepeat, RuleHashtags:
	default:
		if f.Fragment != "" && len(f.Fragment) == s.end-s.start {
			f.Context = context(a.text, s, c.lim.ContextWords, c.lim.QuoteChars)
		}
	}
	return f
}

// checkShort: a text of a few words is not yet a post («завтра»): readers
// cannot tell what it is about.
func (c *Checker) checkShort(a *analysis, add func(Finding)) {
	if n := len(a.words.toks); n < c.lim.MinWords {
		f := c.at(a, RuleTooShort, span{})
		f.Count, f.Limit = n, c.lim.MinWords
		add(f)
	}
}
