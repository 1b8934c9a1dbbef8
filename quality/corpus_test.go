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

func mustSet(t testing.TB) *Set {
	t.Helper()
	s, err := LoadSet()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
