// Package quality builds the short quality report shown on every draft card:
// a score from 0 to 100, the three most useful hints and the full list of
// findings. It follows the advice regional governance centres (ЦУР) give to
// the teams of official public pages: start from the news, say what, where
// and when, write plainly instead of in bureaucratese (канцелярит), add a
// picture, keep paragraphs short and do not shout.
//
// It reads meaning, not only words: a place as people write it («в районном
// Доме культуры», «у школы № 2»; place nouns are matched by their Snowball
// stem), a calendar date rather than «в эту субботу», notices (road works,
// cuts of water or power, surveys…) with what each must say, and whether the
// first sentence carries the news.
//
// The report is advice only: nothing here blocks a post.
//
// The phrase lists, trigger words and thresholds live in JSON data files
// (rules/ru.json, rules/en.json) embedded in the binary, so a regional centre
// can adapt them without touching code; see README.md for the format. Custom
// files are loaded with [Parse] or [New].
//
// The package returns structured findings, not sentences: the bot renders
// them with its own locale files. The only text that comes from here is the
// suggestion attached to a bureaucratese phrase, taken from the data file.
//
// # Rule ids
//
// Rule ids are stable strings; locale files and stored statistics may key on
// them.
//
//	no_media           the post has neither photo nor video
//	too_long_caption   with media, the text is over the caption limit and Telegram will split it
//	too_long           the text is over the recommended length
//	lead_too_long      the first paragraph does not state the news briefly
//	announce_no_when   an announcement without a date or time
//	announce_no_where  an announcement without a place or address
//	date_relative      an announcement or notice gives a relative day or a vague word instead of a date
//	notice_no_when     a notice (road works, a water cut, vaccination…) without a date or hours
//	notice_no_where    a notice without a place or the streets
//	notice_no_deadline a survey or an application without a deadline
//	lead_buried        the first sentence is an introduction and the news comes later
//	too_short          the text is too short to be a post
//	bureaucratese      a bureaucratic phrase, with a plainer alternative
//	caps               words written in capitals (abbreviations excepted)
//	exclaim            a run of exclamation marks such as "!!!"
//	emoji              too many emoji
//	hashtags           too many hashtags
//	long_paragraph     a paragraph over the recommended length
//	raw_link           a long link written out in the text
//	repeat             the same or nearly the same text was published recently
package quality

// Rule ids. See the package documentation for their meaning.
const (
	RuleNoMedia          = "no_media"
	RuleTooLongCaption   = "too_long_caption"
	RuleTooLong          = "too_long"
	RuleLeadTooLong      = "lead_too_long"
	RuleAnnounceNoWhen   = "announce_no_when"
	RuleAnnounceNoWhere  = "announce_no_where"
	RuleBureaucratese    = "bureaucratese"
	RuleCaps             = "caps"
	RuleExclaim          = "exclaim"
	RuleEmoji            = "emoji"
	RuleHashtags         = "hashtags"
	RuleLongParagraph    = "long_paragraph"
	RuleRawLink          = "raw_link"
	RuleRepeat           = "repeat"
	RuleDateRelative     = "date_relative"
	RuleNoticeNoWhen     = "notice_no_when"
	RuleNoticeNoWhere    = "notice_no_where"
	RuleNoticeNoDeadline = "notice_no_deadline"
	RuleLeadBuried       = "lead_buried"
	RuleTooShort         = "too_short"
)

// RuleIDs lists every rule id in a fixed order (the order of the package
// documentation). It returns a fresh slice each time.
func RuleIDs() []string {
	return []string{
		RuleNoMedia, RuleTooLongCaption, RuleTooLong, RuleLeadTooLong,
		RuleAnnounceNoWhen, RuleAnnounceNoWhere, RuleDateRelative,
		RuleNoticeNoWhen, RuleNoticeNoWhere, RuleNoticeNoDeadline,
		RuleLeadBuried, RuleTooShort, RuleBureaucratese,
		RuleCaps, RuleExclaim, RuleEmoji, RuleHashtags, RuleLongParagraph,
		RuleRawLink, RuleRepeat,
	}
}

// defaultWeights are used for any rule a data file does not mention, so a
// custom file may list only what it wants to change.
func defaultWeights() map[string]int {
	return map[string]int{
		RuleNoMedia:          10,
		RuleTooLongCaption:   10,
		RuleTooLong:          8,
		RuleLeadTooLong:      6,
		RuleAnnounceNoWhen:   15,
		RuleAnnounceNoWhere:  12,
		RuleBureaucratese:    5,
		RuleCaps:             8,
		RuleExclaim:          4,
		RuleEmoji:            4,
		RuleHashtags:         4,
		RuleLongParagraph:    6,
		RuleRawLink:          3,
		RuleRepeat:           20,
		RuleDateRelative:     10,
		RuleNoticeNoWhen:     15,
		RuleNoticeNoWhere:    12,
		RuleNoticeNoDeadline: 12,
		RuleLeadBuried:       8,
		RuleTooShort:         30,
	}
}
