package quality

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sample describes one corpus post: how to check it and, for bad posts,
// what must be found. Good posts may have a sidecar NN.json with the same
// fields; without one they are checked as posts with a photo, in Russian.
type sample struct {
	Lang     string          `json:"lang"`   // the user's interface language; default "ru"
	Media    bool            `json:"media"`  // the post has a photo or video
	Recent   []string        `json:"recent"` // corpus files published recently
	Rules    string          `json:"rules"`  // the rule language expected to be picked
	Findings []wantedFinding `json:"findings"`
}

type wantedFinding struct {
	Rule     string `json:"rule"`
	Fragment string `json:"fragment"`
}

func readSample(t *testing.T, txt string, sidecar string, def sample) (string, sample) {
	t.Helper()
	text, err := os.ReadFile(txt)
	if err != nil {
		t.Fatal(err)
	}
	s := def
	data, err := os.ReadFile(sidecar)
	switch {
	case err == nil:
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("%s: %v", sidecar, err)
		}
	case !os.IsNotExist(err):
		t.Fatal(err)
	}
	if s.Lang == "" {
		s.Lang = "ru"
	}
	return string(text), s
}

func checkSample(t *testing.T, set *Set, text string, s sample) Report {
	t.Helper()
	p := Post{Text: text, HasMedia: s.Media}
	for _, name := range s.Recent {
		old, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		p.Recent = append(p.Recent, Published{Ref: name, Fingerprint: Fingerprint(string(old))})
	}
	r := set.Check(s.Lang, p)
	if s.Rules != "" && r.Lang != s.Rules {
		t.Errorf("checked with %q rules, want %q", r.Lang, s.Rules)
	}
	return r
}

func TestCorpusGood(t *testing.T) {
	set := mustSet(t)
	files, _ := filepath.Glob("testdata/good/*.txt")
	if len(files) < 8 {
		t.Fatalf("only %d good samples", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			text, s := readSample(t, f, strings.TrimSuffix(f, ".txt")+".json", sample{Media: true})
			r := checkSample(t, set, text, s)
			for _, got := range r.Findings {
				t.Errorf("unexpected %s %q (count %d, limit %d)", got.Rule, got.Fragment, got.Count, got.Limit)
			}
			if r.Score != 100 {
				t.Errorf("score %d, want 100", r.Score)
			}
		})
	}
}

func TestCorpusBad(t *testing.T) {
	set := mustSet(t)
	files, _ := filepath.Glob("testdata/bad/*.txt")
	files = slices.DeleteFunc(files, func(p string) bool { return strings.HasSuffix(p, ".faults.txt") })
	if len(files) < 12 {
		t.Fatalf("only %d bad samples", len(files))
	}
	covered := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := strings.TrimSuffix(f, ".txt") + ".want.json"
			if _, err := os.Stat(want); err != nil {
				t.Fatalf("missing %s", want)
			}
			text, s := readSample(t, f, want, sample{})
			r := checkSample(t, set, text, s)
			var got, exp []string
			for _, g := range r.Findings {
				got = append(got, g.Rule+" "+g.Fragment)
				covered[g.Rule] = true
				if !strings.Contains(text, g.Fragment) {
					t.Errorf("%s: fragment %q is not in the text", g.Rule, g.Fragment)
				}
			}
			for _, w := range s.Findings {
				exp = append(exp, w.Rule+" "+w.Fragment)
			}
			slices.Sort(got)
			slices.Sort(exp)
			if !slices.Equal(got, exp) {
				t.Errorf("findings differ\n got: %q\nwant: %q", got, exp)
			}
			if r.Score >= 100 {
				t.Errorf("score %d for a bad post", r.Score)
			}
		})
	}
	for _, rule := range RuleIDs() {
		if !covered[rule] {
			t.Errorf("no bad sample covers rule %q", rule)
		}
	}
}

// TestCorpusFaults checks the bad posts whose faults are also named in
// plain words (NN.faults.txt, in the words of the held-out sets): every
// named fault must be named by a finding on the card's report, the way
// TestHeldOut counts them. This keeps the training posts and the held-out
// measurement speaking the same language.
func TestCorpusFaults(t *testing.T) {
	set := mustSet(t)
	lists, _ := filepath.Glob("testdata/bad/*.faults.txt")
	if len(lists) < 30 {
		t.Fatalf("only %d bad samples with named faults", len(lists))
	}
	named, found := 0, 0
	for _, list := range lists {
		post := strings.TrimSuffix(list, ".faults.txt") + ".txt"
		text := readHeldOutPost(t, post)
		faults := readHeldOutFaults(t, list, text)
		media := !slices.ContainsFunc(faults, func(e expectedFault) bool { return slices.Contains(e.rules, RuleNoMedia) })
		r := set.Check("ru", Post{Text: text, HasMedia: media})
		_, hits := nameFaults(faults, r.Findings)
		for k, e := range faults {
			named++
			if hits[k] >= 0 {
				found++
				continue
			}
			var got []string
			for _, f := range r.Findings {
				got = append(got, describeFinding(f))
			}
			t.Errorf("%s: %s not named; findings: %q", filepath.Base(post), e.label, got)
		}
	}
	t.Logf("faults named: %d, found: %d", named, found)
}

func mustSet(t testing.TB) *Set {
	t.Helper()
	s, err := LoadSet()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
