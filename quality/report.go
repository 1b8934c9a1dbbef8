package quality

import (
	"cmp"
	"slices"
)

// Finding is one piece of advice. It carries data, not a sentence: the bot
// renders it in the user's language from Rule and the parameters.
type Finding struct {
	// Rule is a stable rule id such as "bureaucratese" (see the package doc).
	Rule string
	// Weight is the rule's weight from the data file; heavier findings
	// cost more points and come first among the top hints.
	Weight int
	// Start and End are byte offsets of the whole span the finding is about
	// in Post.Text (End is exclusive). Both are 0 when the finding is about
	// the post as a whole (no_media, repeat of an empty span).
	Start, End int
	// Fragment quotes the text: an exact substring of Post.Text beginning
	// at Start, shortened at a word boundary when the span is long (a long
	// paragraph, the part beyond a limit). Empty when there is nothing to quote.
	Fragment string
	// Suggestion is the plainer wording from the data file (bureaucratese only).
	Suggestion string
	// Count is what was measured: characters, emoji, hashtags, exclamation
	// marks, the similarity in percent for repeat.
	Count int
	// Limit is the threshold from the data file that Count went over.
	Limit int
	// Missing names what an announcement or a notice lacks: "when",
	// "where" or "deadline".
	Missing string
	// Kind is the kind of notice from the data file ("road_works",
	// "water_cut", "survey"…) for the notice rules; empty otherwise.
	Kind string
	// Context quotes a few words around Fragment on the same line, so a
	// moderator on a phone finds the place: an exact substring of Post.Text
	// that contains Fragment. Empty when Fragment is the whole story (a
	// paragraph, a sentence) or there is nothing to quote.
	Context string
	// Ref is the caller's reference of the similar published post (repeat).
	Ref string
}

// Severity is a coarse label for a finding, derived from its weight.
type Severity string

const (
	// SeverityWarning: worth fixing before publishing (weight 10 and more).
	SeverityWarning Severity = "warning"
	// SeverityHint: a matter of style (weight below 10).
	SeverityHint Severity = "hint"
)

// Severity derives the label from the weight, so editing a weight in the
// data file is the only knob.
func (f Finding) Severity() Severity {
	if f.Weight >= 10 {
		return SeverityWarning
	}
	return SeverityHint
}

// TemplateData returns the finding's parameters under stable names, ready
// to pass to a message template (for example go-i18n's TemplateData):
// Rule, Fragment, Context (Fragment when there is no context), Suggestion,
// Count, Limit, Missing, Kind, Ref.
func (f Finding) TemplateData() map[string]any {
	ctx := f.Context
	if ctx == "" {
		ctx = f.Fragment
	}
	return map[string]any{
		"Rule": f.Rule, "Fragment": f.Fragment, "Context": ctx, "Suggestion": f.Suggestion,
		"Count": f.Count, "Limit": f.Limit, "Missing": f.Missing, "Kind": f.Kind, "Ref": f.Ref,
	}
}

// Report is the result of a check. It never blocks anything: the bot shows
// it on the draft card.
type Report struct {
	// Lang is the language of the rules that were applied.
	Lang string
	// Score is 100 minus the penalties, never below 0.
	Score int
	// Top holds at most three findings of different rules, heaviest first.
	Top []Finding
	// Findings holds every finding in text order.
	Findings []Finding
	// Fingerprint is the post's fingerprint; store it when the post is
	// published and pass it back in Post.Recent for later checks.
	Fingerprint []uint64
}

// Has reports whether the report contains a finding of the rule.
func (r Report) Has(rule string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// maxTop is how many hints fit on a draft card.
const maxTop = 3

// finish orders the findings, computes the score and picks the top hints.
//
// Penalty: a rule costs its weight once, and half its weight for every
// further occurrence, up to four times its weight. So one clumsy phrase
// costs less than a missing date, but ten of them cost more than two. For
// emoji and hashtags every one over the limit is an occurrence: 14 emoji
// cost more than 6.
func (r *Report) finish() {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int { return cmp.Compare(a.Start, b.Start) })
	// Occurrences per rule in a slice, not maps: a post has a handful of
	// rules, and two maps per check were a good part of its allocations.
	type tally struct {
		rule     string
		times, w int
	}
	tallies := make([]tally, 0, 16)
	for _, f := range r.Findings {
		n := 1
		if (f.Rule == RuleEmoji || f.Rule == RuleHashtags) && f.Count > f.Limit {
			n = f.Count - f.Limit
		}
		k := slices.IndexFunc(tallies, func(t tally) bool { return t.rule == f.Rule })
		if k < 0 {
			k = len(tallies)
			tallies = append(tallies, tally{rule: f.Rule})
		}
		tallies[k].times += n
		tallies[k].w = f.Weight
	}
	r.Score = 100
	for _, t := range tallies {
		r.Score -= min(t.w+t.w*(t.times-1)/2, maxPenalty*t.w)
	}
	r.Score = max(r.Score, 0)
	r.Top = top(r.Findings)
}

// maxPenalty caps a rule's penalty at this many times its weight.
const maxPenalty = 4

// top picks the card's hints: the first finding of each rule, heaviest
// first, and only one hint about length — the four length rules overlap,
// and when a paragraph is too long, splitting it is the fix.
func top(findings []Finding) []Finding {
	seen := make([]string, 0, 16) // rules already taken; a slice, as in finish
	var firsts []Finding
	if len(findings) > 0 {
		firsts = make([]Finding, 0, min(len(findings), 8))
	}
	length := -1 // index in firsts of the length hint
	for _, f := range findings {
		if slices.Contains(seen, f.Rule) {
			continue
		}
		seen = append(seen, f.Rule)
		if !isLengthRule(f.Rule) {
			firsts = append(firsts, f)
			continue
		}
		switch {
		case length < 0:
			length = len(firsts)
			firsts = append(firsts, f)
		case f.Rule == RuleLongParagraph || (firsts[length].Rule != RuleLongParagraph && f.Weight > firsts[length].Weight):
			firsts[length] = f
		}
	}
	slices.SortStableFunc(firsts, func(a, b Finding) int { return cmp.Compare(b.Weight, a.Weight) })
	if len(firsts) > maxTop {
		firsts = firsts[:maxTop]
	}
	return firsts
}

func isLengthRule(rule string) bool {
	switch rule {
	case RuleTooLongCaption, RuleTooLong, RuleLeadTooLong, RuleLongParagraph:
		return true
	}
	return false
}
