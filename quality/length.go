package quality

import (
	"strings"
)

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
	if n := runeCount(text); n > c.lim.PostChars {
		cut := wordStart(text, runeOffset(text, c.lim.PostChars))
		f := c.at(a, RuleTooLong, span{cut, len(text)})
		f.Count, f.Limit = n, c.lim.PostChars
		add(f)
	}
	for i, l := range lines(text) {
		n := runeCount(text[l.start:l.end])
		if i == 0 && n > c.lim.LeadChars {
			// Two or three short sentences in one first paragraph read as a
			// lead; the paragraph is too long when its first sentence alone
			// is, or when it grows past lead_paragraph_chars.
			if first := firstSentenceChars(a, l); first > c.lim.LeadChars {
				f := c.at(a, RuleLeadTooLong, l)
				f.Count, f.Limit = n, c.lim.LeadChars
				add(f)
			} else if n > c.lim.LeadParagraphChars {
				f := c.at(a, RuleLeadTooLong, l)
				f.Count, f.Limit = n, c.lim.LeadParagraphChars
				add(f)
			}
		}
		if n > c.lim.ParagraphChars {
			f := c.at(a, RuleLongParagraph, l)
			f.Count, f.Limit = n, c.lim.ParagraphChars
			add(f)
		}
	}
}

// firstSentenceChars counts the characters of the first sentence of the
// line l: up to the start of the next sentence on it, or the line's end.
func firstSentenceChars(a *analysis, l span) int {
	end := l.end
	ws := &a.words
	seen := false
	for k := range ws.toks {
		t := ws.toks[k]
		if int(t.start) < l.start {
			continue
		}
		if int(t.start) >= l.end {
			break
		}
		if seen && t.sentStart {
			end = int(t.start)
			break
		}
		seen = true
	}
	return runeCount(strings.TrimSpace(a.text[l.start:end]))
}
