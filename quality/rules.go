package quality

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

// rulesFS holds the rule files shipped with the bot, one per language.
//
//go:embed rules/*.json
var rulesFS embed.FS

// UnknownLanguageError is returned by Load for a language without an
// embedded rule file. It is a type rather than a sentinel variable so the
// package keeps no state besides the embedded files.
type UnknownLanguageError struct{ Lang string }

func (e *UnknownLanguageError) Error() string {
	return fmt.Sprintf("quality: no rules for language %q", e.Lang)
}

// fileFormat is the JSON layout of a rule file; README.md documents it for
// the people at regional centres who edit these files.
type fileFormat struct {
	Lang          string         `json:"lang"`
	Comment       string         `json:"comment"`
	Weights       map[string]int `json:"weights"`
	Limits        limits         `json:"limits"`
	Abbreviations []string       `json:"abbreviations"`
	// Shouts are short words that are words, not abbreviations, so that
	// «ВАЖНО!» alone is shouting.
	Shouts        []string       `json:"shouts"`
	Bureaucratese []phraseEntry  `json:"bureaucratese"`
	Passive       passiveFormat  `json:"passive"`
	Announce      announceFormat `json:"announce"`
	Dates         datesFormat    `json:"dates"`
	Places        placesFormat   `json:"places"`
	Notices       []noticeFormat `json:"notices"`
	Lead          leadFormat     `json:"lead"`
}

// datesFormat tells a calendar date from a relative day ("в эту субботу")
// or a vague word ("на днях"): a post is read days after it is written, so
// only a calendar date says when.
type datesFormat struct {
	Months   []string `json:"months"`
	Weekdays []string `json:"weekdays"`
	Calendar []string `json:"calendar"`
	Relative []string `json:"relative"`
	// Plans are relative days that tell a plan even without an
	// invitation word: «Только в эти выходные билеты по 100 рублей».
	Plans    []string `json:"plans"`
	Vague    []string `json:"vague"`
	Deadline []string `json:"deadline"`
	Hours    []string `json:"hours"`
	// Until are the ends and lengths that tell how long a cut or a closure
	// lasts: «до 20 декабря», «на три дня».
	Until []string `json:"until"`
	// VagueHours are times of day that name no hour: «с утра», «вечером».
	VagueHours []string `json:"vague_hours"`
	Comment    string   `json:"comment"`
}

// placesFormat describes places as people write them: a preposition, any
// adjectives, and a place noun ("в районном Доме культуры").
type placesFormat struct {
	Prepositions       []string `json:"prepositions"`
	AdjectiveEndings   []string `json:"adjective_endings"`
	Nouns              []string `json:"nouns"`
	QuotedNames        bool     `json:"quoted_names"`
	NamePrepositions   []string `json:"name_prepositions"`
	StreetPrepositions []string `json:"street_prepositions"`
	Labels             []string `json:"labels"`
	Markers            []string `json:"markers"`
	Vague              []string `json:"vague"`
	Hosts              []string `json:"hosts"`
	ToponymParts       []string `json:"toponym_parts"`
	BareNouns          []string `json:"bare_nouns"`
	PrepositionLinks   []string `json:"preposition_links"`
	Determiners        []string `json:"determiners"`
	// StreetNouns name a place with a capitalised name after them even
	// without a preposition: «жители улиц Садовой и Вишнёвой».
	StreetNouns []string `json:"street_nouns"`
	// NumberSigns before a number make a place noun name one institution
	// anywhere in the post: «спортзал школы № 1».
	NumberSigns []string `json:"number_signs"`
	// Settlements are nouns of a village or a town: «в селе Ольховка»
	// names a place, but not the streets a water cut needs.
	Settlements []string `json:"settlements"`
	// Whole are phrases that name every street of a place: «во всём
	// селе», «весь посёлок».
	Whole   []string `json:"whole"`
	Comment string   `json:"comment"`
}

// noticeFormat is one kind of notice (road works, a water cut, a survey):
// the phrases that mark it and what it must tell readers.
type noticeFormat struct {
	Kind  string   `json:"kind"`
	Find  []string `json:"find"`
	Needs []string `json:"needs"`
	// Context: when given, a notice of this kind needs one of these
	// phrases somewhere in the post («конкурс» for «работы принимаются»).
	Context []string `json:"context"`
	Comment string   `json:"comment"`
}

// leadFormat helps to tell whether the first sentence carries the news.
type leadFormat struct {
	Greetings []string `json:"greetings"`
	News      []string `json:"news"`
	Intro     []string `json:"intro"`
	// PastEndings are endings of past-tense verbs («поставили»,
	// «собрались»): a report's first sentence is news even when its verb
	// is in no list.
	PastEndings []string `json:"past_endings"`
	// NotPast are beginnings of nouns with those endings: «автомобили»,
	// «медали».
	NotPast []string `json:"not_past"`
	// NewsEndings are endings of past verbs in the singular («выиграла»,
	// «открыл»): news in the first sentence, but no sign of a report
	// elsewhere, where «библиотека сообщила» may introduce a notice.
	NewsEndings []string `json:"news_endings"`
	Comment     string   `json:"comment"`
}

// phraseEntry is a bureaucratic phrase in all its written forms and the
// plainer wording to suggest instead.
type phraseEntry struct {
	Find    []string `json:"find"`
	Suggest string   `json:"suggest"`
	Comment string   `json:"comment"`
}

type announceFormat struct {
	Triggers     []string `json:"triggers"`
	SoftTriggers []string `json:"soft_triggers"`
	ReportWords  []string `json:"report_words"`
	When         []string `json:"when"`
	Where        []string `json:"where"`
	LinkIsWhere  bool     `json:"link_is_where"`
	// SpeechWords are past verbs of telling («сообщили», «предупредили»)
	// that introduce a notice: they do not make its sentence a report.
	SpeechWords []string `json:"speech_words"`
	Comment     string   `json:"comment"`
}

// limits are the thresholds of the rules. Lengths are in characters.
type limits struct {
	CaptionChars        int `json:"caption_chars"`
	PostChars           int `json:"post_chars"`
	LeadChars           int `json:"lead_chars"`
	LeadParagraphChars  int `json:"lead_paragraph_chars"`
	ParagraphChars      int `json:"paragraph_chars"`
	Emoji               int `json:"emoji"`
	Hashtags            int `json:"hashtags"`
	LinkChars           int `json:"link_chars"`
	ExclaimRun          int `json:"exclaim_run"`
	AbbreviationLetters int `json:"abbreviation_letters"`
	CapsRunWords        int `json:"caps_run_words"`
	RepeatPercent       int `json:"repeat_percent"`
	QuoteChars          int `json:"quote_chars"`
	MinWords            int `json:"min_words"`
	ContextWords        int `json:"context_words"`
}

// defaultLimits are used for any limit a file leaves out. They follow the
// issue: Telegram's 1024-character caption, about 1500 characters per post,
// a 200-character lead and so on.
func defaultLimits() limits {
	return limits{
		CaptionChars:        1024,
		PostChars:           1500,
		LeadChars:           200,
		LeadParagraphChars:  300,
		ParagraphChars:      600,
		Emoji:               5,
		Hashtags:            3,
		LinkChars:           40,
		ExclaimRun:          3,
		AbbreviationLetters: 5,
		CapsRunWords:        3,
		RepeatPercent:       80,
		QuoteChars:          80,
		MinWords:            4,
		ContextWords:        3,
	}
}

// Checker checks posts against one rule file. It is immutable once built
// and safe for concurrent use.
type Checker struct {
	lang        string
	weights     map[string]int
	lim         limits
	abbr        map[string]bool // normalised known abbreviations
	shouts      map[string]bool // normalised short words that shout in capitals: «ВАЖНО»
	suggest     []string        // bureaucratese entry → suggestion
	bureau      *matcher
	passive     passiveFinder // «будет прекращена», «были определены»
	trigger     *matcher
	softTrigger *matcher // «приходите», «ждём вас»: an invitation only outside a report
	report      *matcher // past-tense words of a report: «прошёл», «рассказали»
	when        *matcher
	where       *matcher
	linkIsWhere bool

	calendar  *matcher // a calendar date: "14 декабря", 14.12
	relative  *matcher // a day without its date: "в эту субботу", "завтра"
	plans     *matcher // relative days that are plans by themselves: "в эти выходные"
	speech    *matcher // "сообщили": a past verb that tells a notice, not a report
	vague     *matcher // no day at all: "на днях", "скоро"
	deadline  *matcher // "до 20 декабря"
	hours     *matcher // "с 9:00 до 17:00", "круглосуточно"
	until     *matcher // "до 20 декабря", "на три дня": how long a cut lasts
	vagueHrs  *matcher // "с утра", "вечером": a time of day with no hour
	places    placeFinder
	scratch   sync.Pool // *scratch: buffers of finished checks, for the next
	notices   []notice
	noticeAny *matcher // every notice phrase; ref is the index in notices
	greetings *matcher
	news      *matcher
	pastEnds  []string
	newsEnds  []string
	notPast   []string
	intro     *matcher
}

// notice is a compiled noticeFormat.
type notice struct {
	kind    string
	needs   map[string]bool
	context *matcher // nil: the phrase is enough
}

// Lang is the language of the rule file, as written in its "lang" field.
func (c *Checker) Lang() string { return c.lang }

// Weight returns the weight of a rule; 0 means the rule is switched off.
func (c *Checker) Weight(rule string) int { return c.weights[rule] }

// Languages lists the languages with an embedded rule file.
func Languages() []string {
	names, _ := fs.Glob(rulesFS, "rules/*.json")
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(n, "rules/"), ".json"))
	}
	sort.Strings(out)
	return out
}

// Load builds a Checker from the embedded rule file of a language ("ru",
// "en"). Regional variants such as "ru-RU" are reduced to "ru".
func Load(lang string) (*Checker, error) {
	base := baseLang(lang)
	data, err := rulesFS.ReadFile("rules/" + base + ".json")
	if err != nil {
		return nil, &UnknownLanguageError{Lang: lang}
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("quality: embedded rules %s: %w", base, err)
	}
	return c, nil
}

// New builds a Checker from a rule file read from r, for rules a regional
// centre adapted. See Parse.
func New(r io.Reader) (*Checker, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("quality: read rules: %w", err)
	}
	return Parse(data)
}

// Parse builds a Checker from the JSON of a rule file. Anything the file
// leaves out (a weight, a limit) keeps its default, so a custom file may
// hold only the changes. Unknown fields and rule ids are errors: a typo
// should not silently switch a rule off.
func Parse(data []byte) (*Checker, error) {
	f := fileFormat{Limits: defaultLimits()}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("quality: rules: %w", err)
	}
	return compile(f)
}

func compile(f fileFormat) (*Checker, error) {
	if strings.TrimSpace(f.Lang) == "" {
		return nil, errors.New(`quality: rules: "lang" is required`)
	}
	c := &Checker{lang: f.Lang, weights: defaultWeights(), lim: f.Limits, abbr: map[string]bool{}, shouts: map[string]bool{}, linkIsWhere: f.Announce.LinkIsWhere}
	for rule, w := range f.Weights {
		if _, ok := c.weights[rule]; !ok {
			return nil, fmt.Errorf("quality: rules: weights: unknown rule %q", rule)
		}
		if w < 0 || w > 100 {
			return nil, fmt.Errorf("quality: rules: weights: %s must be between 0 and 100", rule)
		}
		c.weights[rule] = w
	}
	if err := f.Limits.validate(); err != nil {
		return nil, err
	}
	for _, a := range f.Abbreviations {
		c.abbr[normWord(strings.TrimSpace(a))] = true
	}
	for _, w := range f.Shouts {
		c.shouts[normWord(strings.TrimSpace(w))] = true
	}
	var phrases []string
	var refs []int
	for i, e := range f.Bureaucratese {
		if len(e.Find) == 0 {
			return nil, fmt.Errorf("quality: rules: bureaucratese[%d]: \"find\" is empty", i)
		}
		for _, p := range e.Find {
			phrases = append(phrases, p)
			refs = append(refs, i)
		}
		c.suggest = append(c.suggest, e.Suggest)
	}
	var err error
	if c.bureau, err = newMatcher(phrases, refs); err != nil {
		return nil, fmt.Errorf("quality: rules: bureaucratese: %w", err)
	}
	if c.passive, err = newPassiveFinder(f.Passive); err != nil {
		return nil, fmt.Errorf("quality: rules: %w", err)
	}
	ex := expander{"{month}": f.Dates.Months, "{weekday}": f.Dates.Weekdays}
	lists := []struct {
		name string
		src  []string
		dst  **matcher
	}{
		{"announce.triggers", f.Announce.Triggers, &c.trigger},
		{"announce.soft_triggers", f.Announce.SoftTriggers, &c.softTrigger},
		{"announce.report_words", f.Announce.ReportWords, &c.report},
		{"announce.when", f.Announce.When, &c.when},
		{"announce.where", f.Announce.Where, &c.where},
	}
	for _, l := range lists {
		src, err := ex.expand(l.src)
		if err != nil {
			return nil, fmt.Errorf("quality: rules: %s: %w", l.name, err)
		}
		if *l.dst, err = newMatcher(src, make([]int, len(src))); err != nil {
			return nil, fmt.Errorf("quality: rules: %s: %w", l.name, err)
		}
	}
	if err := c.compileMeaning(f); err != nil {
		return nil, err
	}
	return c, nil
}

// compileMeaning builds the rules that read meaning rather than single
// phrases: dates, places, notices and the lead.
func (c *Checker) compileMeaning(f fileFormat) error {
	ex := expander{"{month}": f.Dates.Months, "{weekday}": f.Dates.Weekdays}
	lists := []struct {
		name string
		src  []string
		dst  **matcher
	}{
		{"dates.calendar", f.Dates.Calendar, &c.calendar},
		{"dates.relative", f.Dates.Relative, &c.relative},
		{"dates.plans", f.Dates.Plans, &c.plans},
		{"announce.speech_words", f.Announce.SpeechWords, &c.speech},
		{"dates.vague", f.Dates.Vague, &c.vague},
		{"dates.deadline", f.Dates.Deadline, &c.deadline},
		{"dates.hours", f.Dates.Hours, &c.hours},
		{"dates.until", f.Dates.Until, &c.until},
		{"dates.vague_hours", f.Dates.VagueHours, &c.vagueHrs},
		{"lead.greetings", f.Lead.Greetings, &c.greetings},
		{"lead.news", f.Lead.News, &c.news},
		{"lead.intro", f.Lead.Intro, &c.intro},
	}
	var err error
	for _, l := range lists {
		src, err := ex.expand(l.src)
		if err != nil {
			return fmt.Errorf("quality: rules: %s: %w", l.name, err)
		}
		if *l.dst, err = newMatcher(src, make([]int, len(src))); err != nil {
			return fmt.Errorf("quality: rules: %s: %w", l.name, err)
		}
	}
	for _, e := range f.Lead.NotPast {
		if e = normWord(strings.TrimSpace(e)); e != "" {
			c.notPast = append(c.notPast, e)
		}
	}
	for _, e := range f.Lead.NewsEndings {
		if e = normWord(strings.TrimSpace(e)); e != "" {
			c.newsEnds = append(c.newsEnds, e)
		}
	}
	for _, e := range f.Lead.PastEndings {
		if e = normWord(strings.TrimSpace(e)); e != "" {
			c.pastEnds = append(c.pastEnds, e)
		}
	}
	if c.places, err = newPlaceFinder(f.Places); err != nil {
		return fmt.Errorf("quality: rules: places: %w", err)
	}
	c.places.dates = c.calendar
	var phrases []string
	var refs []int
	for i, n := range f.Notices {
		if strings.TrimSpace(n.Kind) == "" || len(n.Find) == 0 {
			return fmt.Errorf("quality: rules: notices[%d]: \"kind\" and \"find\" are required", i)
		}
		nt := notice{kind: n.Kind, needs: map[string]bool{}}
		for _, need := range n.Needs {
			switch need {
			case NeedWhen, NeedHours, NeedDuration, NeedWhere, NeedStreets, NeedDeadline:
				nt.needs[need] = true
			default:
				return fmt.Errorf("quality: rules: notices[%d]: unknown need %q (when, hours, duration, where, streets, deadline)", i, need)
			}
		}
		if len(n.Context) > 0 {
			src, err := ex.expand(n.Context)
			if err != nil {
				return fmt.Errorf("quality: rules: notices[%d].context: %w", i, err)
			}
			if nt.context, err = newMatcher(src, make([]int, len(src))); err != nil {
				return fmt.Errorf("quality: rules: notices[%d].context: %w", i, err)
			}
		}
		c.notices = append(c.notices, nt)
		src, err := ex.expand(n.Find)
		if err != nil {
			return fmt.Errorf("quality: rules: notices[%d]: %w", i, err)
		}
		for _, p := range src {
			phrases = append(phrases, p)
			refs = append(refs, i)
		}
	}
	if c.noticeAny, err = newMatcher(phrases, refs); err != nil {
		return fmt.Errorf("quality: rules: notices: %w", err)
	}
	return nil
}

// expander replaces a placeholder word such as {month} by each of the words
// of its list, so "{number} {month}" stands for "{number} январ*", ...
type expander map[string][]string

func (e expander) expand(phrases []string) ([]string, error) {
	out := make([]string, 0, len(phrases))
	for _, p := range phrases {
		todo := []string{p}
		for name, words := range e {
			var next []string
			for _, q := range todo {
				if !strings.Contains(q, name) {
					next = append(next, q)
					continue
				}
				if len(words) == 0 {
					return nil, fmt.Errorf("phrase %q: %s is used but its list is empty", p, name)
				}
				for _, w := range words {
					next = append(next, strings.Replace(q, name, w, 1))
				}
			}
			todo = next
		}
		// A phrase may hold the same placeholder twice ("с {weekday} по {weekday}").
		for _, q := range todo {
			if strings.Contains(q, "{month}") || strings.Contains(q, "{weekday}") {
				more, err := e.expand([]string{q})
				if err != nil {
					return nil, err
				}
				out = append(out, more...)
				continue
			}
			out = append(out, q)
		}
	}
	return out, nil
}

func (l limits) validate() error {
	for name, v := range map[string]int{
		"caption_chars": l.CaptionChars, "post_chars": l.PostChars, "lead_chars": l.LeadChars,
		"lead_paragraph_chars": l.LeadParagraphChars,
		"paragraph_chars":      l.ParagraphChars, "emoji": l.Emoji, "hashtags": l.Hashtags,
		"link_chars": l.LinkChars, "exclaim_run": l.ExclaimRun,
		"abbreviation_letters": l.AbbreviationLetters, "caps_run_words": l.CapsRunWords,
		"repeat_percent": l.RepeatPercent, "quote_chars": l.QuoteChars,
		"min_words": l.MinWords, "context_words": l.ContextWords,
	} {
		if v < 0 {
			return fmt.Errorf("quality: rules: limits: %s must not be negative", name)
		}
	}
	if l.RepeatPercent > 100 {
		return errors.New("quality: rules: limits: repeat_percent must be at most 100")
	}
	if l.ExclaimRun < 2 {
		return errors.New("quality: rules: limits: exclaim_run must be at least 2")
	}
	return nil
}

// baseLang reduces "ru-RU", "RU", "en_GB" to "ru", "ru", "en".
func baseLang(lang string) string {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	return lang
}
