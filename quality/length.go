package quality

import "unicode/utf8"

// checkLength covers the size of the post: the caption limit, the total
// length, the lead and each paragraph. Long posts lose readers; a caption
// over Telegram's limit is split from its photo.
func (c *Checker) checkLength(a *analysis, hasMedia bool, add func(Finding)) {
	text := a.text
	if n := utf16Len(text); hasMedia && n > c.lim.CaptionChars {
		cut := wordStart(text, utf16Offset(text, c.lim.CaptionChars))
		f := c.at(a, RuleTooLongCaption, span{cut, len(text)})
		f.Count, f.Limit = n, c.lim.CaptionChars
		add(f)
	}
	if n := utf8.RuneCountInString(text); n > c.lim.PostChars {
		cut := wordStart(text, runeOffset(text, c.lim.PostChars))
		f := c.at(a, RuleTooLong, span{cut, len(text)})
		f.Count, f.Limit = n, c.lim.PostChars
		add(f)
	}
	for i, l := range lines(text) {
		n := utf8.RuneCountInString(text[l.start:l.end])
		if i == 0 && n > c.lim.LeadChars {
			f := c.at(a, RuleLeadTooLong, l)
			f.Count, f.Limit = n, c.lim.LeadChars
			add(f)
		}
		if n > c.lim.ParagraphChars {
			f := c.at(a, RuleLongParagraph, l)
			f.Count, f.Limit = n, c.lim.ParagraphChars
			add(f)
		}
	}
}
