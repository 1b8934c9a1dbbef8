package handlers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/quality"
)

// localeTexts reads every locale file of a language (ru.json and the
// features' <feature>.ru.json); a key defined twice fails the test, since
// one file would silently win over the other.
func localeTexts(t *testing.T, lang string) map[string]json.RawMessage {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("locales", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]json.RawMessage{}
	from := map[string]string{}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		if base != lang && !strings.HasSuffix(base, "."+lang) {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			if prev, ok := from[k]; ok {
				t.Errorf("%q is in both %s and %s", k, prev, f)
			}
			from[k], all[k] = f, v
		}
	}
	if len(all) == 0 {
		t.Fatalf("no locale files for %s", lang)
	}
	return all
}

func localeKeys(t *testing.T, lang string) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for k := range localeTexts(t, lang) {
		keys[k] = true
	}
	return keys
}

// Every text the code asks for exists in both languages, including the
// ones whose key is built from a status, role, action or advice rule.
func TestLocalesComplete(t *testing.T) {
	ru, en := localeKeys(t, "ru"), localeKeys(t, "en")
	for k := range ru {
		if !en[k] {
			t.Errorf("%q is in ru.json but not in en.json", k)
		}
	}
	for k := range en {
		if !ru[k] {
			t.Errorf("%q is in en.json but not in ru.json", k)
		}
	}
	used := map[string]bool{}
	literal := regexp.MustCompile(`\b(?:T|N)\("([a-z_]+)"|"((?:btn|notify|joined|ask|q|fail|rhythm|cmd)_[a-z_]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			used[m[1]+m[2]] = true
		}
	}
	for _, s := range []redaktor.Status{redaktor.StatusDraft, redaktor.StatusPending, redaktor.StatusChangesRequested,
		redaktor.StatusRejected, redaktor.StatusScheduled, redaktor.StatusPublishing, redaktor.StatusPublished,
		redaktor.StatusFailed, redaktor.StatusCancelled} {
		used["status_"+string(s)] = true
	}
	for _, r := range []redaktor.Role{redaktor.RoleChief, redaktor.RoleModerator} {
		used["role_"+string(r)] = true
	}
	for _, a := range []redaktor.Action{redaktor.ActCreate, redaktor.ActPropose, redaktor.ActSubmit, redaktor.ActApprove,
		redaktor.ActPublishNow, redaktor.ActRequestChanges, redaktor.ActReject, redaktor.ActNewVersion, redaktor.ActDelete,
		redaktor.ActCancel, redaktor.ActReschedule, redaktor.ActRetry, redaktor.ActRemind, redaktor.ActClaim,
		redaktor.ActDefer, redaktor.ActPublished, redaktor.ActFail} {
		used["event_"+string(a)] = true
	}
	for _, rule := range quality.RuleIDs() {
		used["q_"+rule] = true
	}
	for kind, cmds := range menuCommands {
		used["help_"+string(kind)] = true
		for _, c := range cmds {
			used["cmd_"+c] = true
		}
	}
	var missing []string
	for k := range used {
		if k != "" && !strings.HasSuffix(k, "_") && !ru[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("texts used by the code but missing from the locales: %v", missing)
	}
}

// Russian plural forms render as a Russian reader expects.
func TestRussianPlurals(t *testing.T) {
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ru := texts.For("ru")
	for n, want := range map[int]string{1: "1 пост ждёт", 3: "3 поста ждут", 5: "5 постов ждут", 21: "21 пост ждёт"} {
		if got := ru.N("pending_title", n, map[string]any{"Page": "Школа"}); !strings.Contains(got, want) {
			t.Errorf("%d: %q, want it to contain %q", n, got, want)
		}
	}
	if got := texts.For("en-GB").T("done"); got != "Done." {
		t.Errorf("English user gets %q", got)
	}
	if got := texts.For("uk").T("done"); got != "Готово." {
		t.Errorf("a Ukrainian user gets %q, want the Russian default", got)
	}
}
