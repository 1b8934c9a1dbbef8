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
	Bureaucratese []phraseEntry  `json:"bureaucratese"`
	Announce      announceFormat `json:"announce"`
}

// phraseEntry is a bureaucratic phrase in all its written forms and the
// plainer wording to suggest instead.
type phraseEntry struct {
	Find    []string `json:"find"`
	Suggest string   `json:"suggest"`
	Comment string   `json:"comment"`
}

type announceFormat struct {
	Triggers    []string `json:"triggers"`
	When        []string `json:"when"`
	Where       []string `json:"where"`
	LinkIsWhere bool     `json:"link_is_where"`
	Comment     string   `json:"comment"`
}

// limits are the thresholds of the rules. Lengths are in characters.
type limits struct {
	CaptionChars        int `json:"caption_chars"`
	PostChars           int `json:"post_chars"`
	LeadChars           int `json:"lead_chars"`
	ParagraphChars      int `json:"paragraph_chars"`
	Emoji               int `json:"emoji"`
	Hashtags            int `json:"hashtags"`
	LinkChars           int `json:"link_chars"`
	ExclaimRun          int `json:"exclaim_run"`
	AbbreviationLetters int `json:"abbreviation_letters"`
	CapsRunWords        int `json:"caps_run_words"`
	RepeatPercent       int `json:"repeat_percent"`
	QuoteChars          int `json:"quote_chars"`
}

// defaultLimits are used for any limit a file leaves out. They follow the
// issue: Telegram's 1024-character caption, about 1500 characters per post,
// a 200-character lead and so on.
func defaultLimits() limits {
	return limits{
		CaptionChars:        1024,
		PostChars:           1500,
		LeadChars:           200,
		ParagraphChars:      600,
		Emoji:               5,
		Hashtags:            3,
		LinkChars:           40,
		ExclaimRun:          3,
		AbbreviationLetters: 5,
		CapsRunWords:        3,
		RepeatPercent:       80,
		QuoteChars:          80,
	}
}

// Checker checks posts against one rule file. It is immutable once built
// and safe for concurrent use.
type Checker struct {
	lang        string
	weights     map[string]int
	lim         limits
	abbr        map[string]bool // normalised known abbreviations
	suggest     []string        // bureaucratese entry → suggestion
	bureau      *matcher
	trigger     *matcher
	when        *matcher
	where       *matcher
	linkIsWhere bool
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
	c := &Checker{lang: f.Lang, weights: defaultWeights(), lim: f.Limits, abbr: map[string]bool{}, linkIsWhere: f.Announce.LinkIsWhere}
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
	lists := []struct {
		name string
		src  []string
		dst  **matcher
	}{
		{"announce.triggers", f.Announce.Triggers, &c.trigger},
		{"announce.when", f.Announce.When, &c.when},
		{"announce.where", f.Announce.Where, &c.where},
	}
	for _, l := range lists {
		if *l.dst, err = newMatcher(l.src, make([]int, len(l.src))); err != nil {
			return nil, fmt.Errorf("quality: rules: %s: %w", l.name, err)
		}
	}
	return c, nil
}

func (l limits) validate() error {
	for name, v := range map[string]int{
		"caption_chars": l.CaptionChars, "post_chars": l.PostChars, "lead_chars": l.LeadChars,
		"paragraph_chars": l.ParagraphChars, "emoji": l.Emoji, "hashtags": l.Hashtags,
		"link_chars": l.LinkChars, "exclaim_run": l.ExclaimRun,
		"abbreviation_letters": l.AbbreviationLetters, "caps_run_words": l.CapsRunWords,
		"repeat_percent": l.RepeatPercent, "quote_chars": l.QuoteChars,
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
