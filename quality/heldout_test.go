package quality

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/kljensen/snowball/russian"
)

// The held-out posts (testdata/heldout … heldout5) were written before their author read
// the rules, to measure the advice on posts it was not tuned on (issue 12:
// «at least 90% of faults named and no false alarm on a good post»).
//
// TestHeldOut is a MEASUREMENT, not a gate: it prints recall and false alarms
// and never fails on the figures, so that nobody is tempted to tune the rules
// to these posts. It fails only when a post, or its list of faults, cannot be
// read or a fault cannot be mapped to a rule.
//
//	go test -run TestHeldOut -v ./quality

// heldOutFault maps one plain-words fault, as named in bad/NN.faults.txt, to
// the rules whose finding names it. The mapping goes by the start of the line.
type heldOutFault struct {
	prefix string
	rules  []string
	// perPhrase: every «quoted phrase» on the line is a fault of its own,
	// named only by a finding whose fragment overlaps that phrase.
	perPhrase bool
}

var heldOutFaults = []heldOutFault{
	{prefix: "announcement without a date", rules: []string{RuleAnnounceNoWhen, RuleNoticeNoWhen}},
	{prefix: "place missing", rules: []string{RuleAnnounceNoWhere, RuleNoticeNoWhere}},
	{prefix: "street missing", rules: []string{RuleNoticeNoWhere, RuleAnnounceNoWhere}},
	{prefix: "relative day without date", rules: []string{RuleDateRelative}},
	// A vague «скоро» is named by asking for the date, or by saying the
	// notice has no date at all.
	{prefix: "vague time", rules: []string{RuleDateRelative, RuleNoticeNoWhen, RuleAnnounceNoWhen}},
	// Hours of a cut or a closure: only the «no date or hours» rules say so.
	{prefix: "hours missing", rules: []string{RuleNoticeNoWhen, RuleAnnounceNoWhen}},
	{prefix: "канцелярит", rules: []string{RuleBureaucratese}, perPhrase: true},
	{prefix: "order style", rules: []string{RuleBureaucratese}, perPhrase: true},
	{prefix: "no news in the first sentence", rules: []string{RuleLeadBuried}},
	{prefix: "buried lead", rules: []string{RuleLeadBuried}},
	{prefix: "caps", rules: []string{RuleCaps}},
	{prefix: "!!!", rules: []string{RuleExclaim}},
	{prefix: "emoji spam", rules: []string{RuleEmoji}},
	{prefix: "many hashtags", rules: []string{RuleHashtags}},
	{prefix: "no photo", rules: []string{RuleNoMedia}},
	{prefix: "survey without deadline", rules: []string{RuleNoticeNoDeadline}},
}

var quotedPhrase = regexp.MustCompile(`«([^»]+)»`)

// heldOutWord is a word of a text with its byte offsets and its stem, so that
// «обучающиеся» in the list of faults finds «обучающимися» in the post.
type heldOutWord struct {
	stem       string
	start, end int
}

func heldOutWords(s string) []heldOutWord {
	var out []heldOutWord
	start := -1
	flush := func(end int) {
		if start >= 0 {
			w := strings.ReplaceAll(strings.ToLower(s[start:end]), "ё", "е")
			out = append(out, heldOutWord{stem: russian.Stem(w, false), start: start, end: end})
			start = -1
		}
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
	return out
}

// phraseSpans finds where the words of phrase follow each other in text.
func phraseSpans(text, phrase string) [][2]int {
	words, want := heldOutWords(text), heldOutWords(phrase)
	var spans [][2]int
	for i := 0; len(want) > 0 && i+len(want) <= len(words); i++ {
		if slices.EqualFunc(words[i:i+len(want)], want, func(a, b heldOutWord) bool { return a.stem == b.stem }) {
			spans = append(spans, [2]int{words[i].start, words[i+len(want)-1].end})
		}
	}
	return spans
}

// expectedFault is one fault to be named: its label and how to recognise a
// finding that names it.
type expectedFault struct {
	label string
	rules []string
	spans [][2]int // where the quoted phrase stands in the post; nil unless the fault is one phrase
}

func (e expectedFault) namedBy(f Finding) bool {
	if !slices.Contains(e.rules, f.Rule) {
		return false
	}
	if e.spans == nil {
		return true
	}
	// The finding is about this very place: part of the phrase, or the
	// phrase with words around it.
	return slices.ContainsFunc(e.spans, func(sp [2]int) bool { return f.Start < sp[1] && sp[0] < f.End })
}

func readHeldOutFaults(t *testing.T, path, text string) []expectedFault {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("faults of a bad post: %v", err)
	}
	var out []expectedFault
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		i := slices.IndexFunc(heldOutFaults, func(h heldOutFault) bool { return strings.HasPrefix(line, h.prefix) })
		if i < 0 {
			t.Fatalf("%s: no rule mapping for fault %q", path, line)
		}
		h := heldOutFaults[i]
		if !h.perPhrase {
			out = append(out, expectedFault{label: line, rules: h.rules})
			continue
		}
		phrases := quotedPhrase.FindAllStringSubmatch(line, -1)
		if len(phrases) == 0 {
			t.Fatalf("%s: %q names no «phrase»", path, line)
		}
		for _, m := range phrases {
			spans := phraseSpans(text, m[1])
			if len(spans) == 0 {
				t.Fatalf("%s: «%s» is not in the post", path, m[1])
			}
			out = append(out, expectedFault{label: h.prefix + " «" + m[1] + "»", rules: h.rules, spans: spans})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s names no fault", path)
	}
	return out
}

func readHeldOutPost(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("held-out post: %v", err)
	}
	if strings.TrimSpace(string(data)) == "" {
		t.Fatalf("%s is empty", path)
	}
	return string(data)
}

// nameFaults pairs each fault with the finding that names it: hits[k] is
// the index of the finding for faults[k], or -1. One finding names one
// fault: «нет даты или часов» is not counted twice for "vague time" and
// "hours missing". used marks the findings paired with a fault.
func nameFaults(faults []expectedFault, findings []Finding) (used []bool, hits []int) {
	used = make([]bool, len(findings))
	hits = make([]int, len(faults))
	for k, e := range faults {
		hits[k] = -1
		for i, f := range findings {
			if !used[i] && e.namedBy(f) {
				hits[k], used[i] = i, true
				break
			}
		}
	}
	return used, hits
}

func describeFinding(f Finding) string {
	s := f.Rule
	if f.Fragment != "" {
		s += " «" + f.Fragment + "»"
	}
	if f.Missing != "" {
		s += " missing=" + f.Missing
	}
	if f.Count != 0 {
		s += fmt.Sprintf(" count=%d/%d", f.Count, f.Limit)
	}
	return s
}

func TestHeldOut(t *testing.T) { measureHeldOut(t, "testdata/heldout", 15) }

// TestHeldOut2 measures a second set, written after the first set's misses
// had been described to whoever works on the rules, so that there is still a
// set nobody tuned against.
//
//	go test -run 'TestHeldOut2$' -v ./quality
func TestHeldOut2(t *testing.T) { measureHeldOut(t, "testdata/heldout2", 15) }

// TestHeldOut3 measures a third set of 40 posts, written blind after the
// second set's misses had been worked on.
//
//	go test -run 'TestHeldOut3$' -v ./quality
func TestHeldOut3(t *testing.T) { measureHeldOut(t, "testdata/heldout3", 20) }

// TestHeldOut4 measures a fourth set of 40 posts, written blind while the
// rules were being generalised by someone who never saw it (nor the misses
// of the third set).
//
//	go test -run 'TestHeldOut4$' -v ./quality
func TestHeldOut4(t *testing.T) { measureHeldOut(t, "testdata/heldout4", 20) }

// TestHeldOut5 measures a fifth set of 40 posts, written blind while the
// fourth set's misses were being worked on by someone who never saw it.
//
//	go test -run 'TestHeldOut5$' -v ./quality
func TestHeldOut5(t *testing.T) { measureHeldOut(t, "testdata/heldout5", 20) }

// measureHeldOut prints, for the held-out set in dir (good/*.txt, bad/*.txt
// and bad/*.faults.txt), the faults named vs found, the false alarms and the
// totals. Each set has posts good and posts bad posts, so a lost file is noticed.
func measureHeldOut(t *testing.T, dir string, posts int) {
	set := mustSet(t)
	goods, _ := filepath.Glob(filepath.Join(dir, "good", "*.txt"))
	bads, _ := filepath.Glob(filepath.Join(dir, "bad", "*.txt"))
	bads = slices.DeleteFunc(bads, func(p string) bool { return strings.HasSuffix(p, ".faults.txt") })
	if len(goods) != posts || len(bads) != posts {
		t.Fatalf("held-out corpus has %d good and %d bad posts, want %d and %d", len(goods), len(bads), posts, posts)
	}

	var named, found int
	var misses, falseAlarms, extras, silent []string
	minGood, maxBad := 101, -1

	t.Log("== bad posts: faults named vs found")
	for _, path := range bads {
		name := "bad/" + filepath.Base(path)
		text := readHeldOutPost(t, path)
		faults := readHeldOutFaults(t, strings.TrimSuffix(path, ".txt")+".faults.txt", text)
		// Every held-out post has a photo, except those whose fault is "no photo".
		media := !slices.ContainsFunc(faults, func(e expectedFault) bool { return slices.Contains(e.rules, RuleNoMedia) })
		r := set.Check("ru", Post{Text: text, HasMedia: media})
		maxBad = max(maxBad, r.Score)

		t.Logf("%s  score %d", name, r.Score)
		if len(r.Findings) == 0 {
			silent = append(silent, name)
		}
		used, hits := nameFaults(faults, r.Findings)
		for k, e := range faults {
			named++
			if hit := hits[k]; hit >= 0 {
				found++
				t.Logf("   found  %-70s ← %s", e.label, describeFinding(r.Findings[hit]))
			} else {
				misses = append(misses, name+": "+e.label)
				t.Logf("   MISSED %s", e.label)
			}
		}
		for i, f := range r.Findings {
			// A finding of a rule already matched to a fault (a second
			// «!!!», another канцелярит phrase) is not an extra.
			if used[i] || slices.ContainsFunc(faults, func(e expectedFault) bool { return e.spans == nil && e.namedBy(f) }) {
				continue
			}
			if f.Rule == RuleBureaucratese && slices.ContainsFunc(faults, func(e expectedFault) bool { return e.namedBy(f) }) {
				continue
			}
			extras = append(extras, name+": "+describeFinding(f))
			t.Logf("   extra  %s", describeFinding(f))
		}
	}

	t.Log("== good posts")
	for _, path := range goods {
		name := "good/" + filepath.Base(path)
		r := set.Check("ru", Post{Text: readHeldOutPost(t, path), HasMedia: true})
		minGood = min(minGood, r.Score)
		if len(r.Findings) == 0 {
			t.Logf("%s  score %d  clean", name, r.Score)
			continue
		}
		t.Logf("%s  score %d  FALSE ALARM", name, r.Score)
		for _, f := range r.Findings {
			falseAlarms = append(falseAlarms, name+": "+describeFinding(f))
			t.Logf("   %s", describeFinding(f))
		}
	}

	alarmed := map[string]bool{}
	for _, fa := range falseAlarms {
		alarmed[strings.SplitN(fa, ":", 2)[0]] = true
	}
	t.Log("== totals")
	t.Logf("faults named: %d, found: %d, recall %.1f%% (goal ≥ 90%%)", named, found, 100*float64(found)/float64(named))
	t.Logf("good posts with any finding (false alarms): %d of %d, %d findings (goal 0)", len(alarmed), len(goods), len(falseAlarms))
	t.Logf("bad posts with no finding at all: %d of %d %v", len(silent), len(bads), silent)
	t.Logf("lowest good score %d, highest bad score %d", minGood, maxBad)
	t.Logf("misses (%d):", len(misses))
	for _, m := range misses {
		t.Logf("   %s", m)
	}
	t.Logf("false alarms (%d):", len(falseAlarms))
	for _, fa := range falseAlarms {
		t.Logf("   %s", fa)
	}
	t.Logf("other findings on bad posts, not among the named faults (%d):", len(extras))
	for _, x := range extras {
		t.Logf("   %s", x)
	}
}

// The matching of a quoted fault phrase to a finding must itself be right,
// or the figures above mean nothing.
func TestHeldOutPhraseMatch(t *testing.T) {
	text := "В рамках данной работы проводится ряд бесед с обучающимися. Данные мероприятия проводятся."
	tests := []struct {
		phrase     string
		start, end int // the finding
		want       bool
	}{
		{"обучающиеся", strings.Index(text, "обучающимися"), strings.Index(text, "обучающимися") + len("обучающимися"), true},
		{"в рамках", 0, len("В рамках"), true},
		{"в рамках данной работы", strings.Index(text, "данной"), strings.Index(text, "данной") + len("данной"), true},
		// «данной» is канцелярит too, but in another sentence: it does not name «Данные мероприятия».
		{"данные мероприятия", strings.Index(text, "данной"), strings.Index(text, "данной") + len("данной"), false},
		{"проводится", strings.Index(text, "бесед"), strings.Index(text, "бесед") + len("бесед"), false},
		// Another form of the same word is the same fault.
		{"проводится", strings.Index(text, "проводятся"), strings.Index(text, "проводятся") + len("проводятся"), true},
	}
	for _, tc := range tests {
		spans := phraseSpans(text, tc.phrase)
		if len(spans) == 0 {
			t.Fatalf("«%s» not found in the text", tc.phrase)
		}
		e := expectedFault{rules: []string{RuleBureaucratese}, spans: spans}
		got := e.namedBy(Finding{Rule: RuleBureaucratese, Start: tc.start, End: tc.end})
		if got != tc.want {
			t.Errorf("«%s» named by %q: %v, want %v", tc.phrase, text[tc.start:tc.end], got, tc.want)
		}
		if e.namedBy(Finding{Rule: RuleCaps, Start: tc.start, End: tc.end}) {
			t.Errorf("«%s» named by a caps finding", tc.phrase)
		}
	}
}
