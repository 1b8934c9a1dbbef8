package quality

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheck: whatever the text, the checker does not panic, every fragment
// is a substring of the text at the offsets it claims, and the report stays
// within its bounds.
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.txt")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data), true)
	}
	for _, s := range []string{"", "!!!", "#", "@", "🏳️‍🌈", "1️⃣", "12.05.", "http://", "\xff\xfe", "a\u0301b", "ВНИМАНИЕ\n\nВСЕ"} {
		f.Add(s, false)
	}
	set := mustSet(f)
	prev := Fingerprint("Пятиклассники школы № 3 посадили 40 саженцев клёна")
	f.Fuzz(func(t *testing.T, text string, media bool) {
		c := set.Pick("ru", text)
		r := c.Check(Post{Text: text, HasMedia: media, Recent: []Published{{Ref: "x", Fingerprint: prev}, {Ref: "y", Text: text}}})
		if r.Score < 0 || r.Score > 100 || len(r.Top) > maxTop {
			t.Fatalf("score %d, top %d", r.Score, len(r.Top))
		}
		for _, fd := range r.Findings {
			if fd.Start < 0 || fd.Start > fd.End || fd.End > len(text) {
				t.Fatalf("%s: span %d:%d out of %d bytes", fd.Rule, fd.Start, fd.End, len(text))
			}
			if !strings.Contains(text, fd.Fragment) || !strings.HasPrefix(text[fd.Start:fd.End], fd.Fragment) {
				t.Fatalf("%s: fragment %q is not the text at %d:%d", fd.Rule, fd.Fragment, fd.Start, fd.End)
			}
			if fd.Context != "" && (!strings.Contains(text, fd.Context) || !strings.Contains(fd.Context, fd.Fragment)) {
				t.Fatalf("%s: context %q is not around %q in the text", fd.Rule, fd.Context, fd.Fragment)
			}
		}
		fp := Fingerprint(text)
		for i := 1; i < len(fp); i++ {
			if fp[i] <= fp[i-1] {
				t.Fatal("fingerprint not sorted and unique")
			}
		}
	})
}
