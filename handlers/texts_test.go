package handlers

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/template/parse"
	"time"

	"github.com/redaktor/redaktor"
)

// latinAllowed are the Latin words a Russian text may hold: names of
// things people see in Telegram and file formats. Commands (/stats),
// usernames (@name) and addresses (https://…) are taken out before.
var latinAllowed = map[string]bool{
	"Telegram": true, "URL": true, "QR": true, "CSV": true, "GIF": true, "PNG": true,
}

var (
	latinWord   = regexp.MustCompile(`[A-Za-z][A-Za-z'’]*`)
	cyrillic    = regexp.MustCompile(`[А-Яа-яЁё]`)
	commandLike = regexp.MustCompile(`(?:https?://\S+|@[A-Za-z0-9_]+|/[a-z_]+)`)
	snakeToken  = regexp.MustCompile(`[A-Za-z]+_[A-Za-z_]*`)
	// errorShapes are how Go errors and fmt mistakes read; none belongs in
	// a message to a person.
	errorShapes = []string{"invalid:", ": unexpected", "EOF", "context deadline", "context canceled",
		"not found", "forbidden", "conflict:", "%!", "<nil>", "<no value>", "map[", "{{", "}}", "i/o timeout"}
)

// textProblems lists what a reader must never see in a text rendered in
// lang: a locale key, a template left unfilled, a Go error's words and,
// in Russian, English words other than names and commands.
func textProblems(lang, s string) []string {
	var out []string
	for _, shape := range errorShapes {
		if strings.Contains(s, shape) {
			out = append(out, fmt.Sprintf("error or template text %q", shape))
		}
	}
	plain := commandLike.ReplaceAllString(s, " ")
	for _, tok := range snakeToken.FindAllString(plain, -1) {
		out = append(out, fmt.Sprintf("an internal code %q", tok))
	}
	if lang == "ru" {
		for _, w := range latinWord.FindAllString(plain, -1) {
			if !latinAllowed[w] {
				out = append(out, fmt.Sprintf("a Latin word %q", w))
			}
		}
	}
	return out
}

// templateFields names every field a template reads ({{.Name}} → Name).
func templateFields(t *testing.T, key, src string) []string {
	t.Helper()
	trees, err := parse.Parse(key, src, "{{", "}}", map[string]any{"ne": true, "eq": true})
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	seen := map[string]bool{}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			seen[n.Ident[0]] = true
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			if n.ElseList != nil {
				walk(n.ElseList)
			}
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
		}
	}
	for _, tree := range trees {
		walk(tree.Root)
	}
	var fields []string
	for f := range seen {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	return fields
}

// numericFields hold numbers; every other field gets a word of the
// reader's language.
var numericFields = map[string]bool{
	"Count": true, "ID": true, "N": true, "Version": true, "Limit": true, "Score": true, "Goal": true,
	"Remaining": true, "Delivered": true, "Total": true, "Inactive": true, "Failed": true, "Active": true,
	"Pending": true, "Queued": true, "Minutes": true, "Max": true, "From": true, "To": true, "Length": true,
	"Ref": true, "Resent": true,
}

func sampleData(lang string, fields []string) map[string]any {
	data := map[string]any{}
	for _, f := range fields {
		switch {
		case numericFields[f]:
			data[f] = 3
		case lang == "ru":
			data[f] = "Пример"
		default:
			data[f] = "Sample"
		}
	}
	return data
}

// Every text of both languages, rendered with a value for each of its
// fields, reads as words: no key, no template, no error, and Russian
// texts hold no English beyond names and commands.
func TestEveryTextReadsAsWords(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ru", "en"} {
		raw := localeTexts(t, lang)
		tt := texts.For(lang)
		for key, msg := range raw {
			var one string
			var forms map[string]string
			var sources []string
			if err := json.Unmarshal(msg, &one); err == nil {
				sources = []string{one}
			} else if err := json.Unmarshal(msg, &forms); err == nil {
				for _, f := range forms {
					sources = append(sources, f)
				}
			} else {
				t.Fatalf("%s %s: neither a text nor plural forms", lang, key)
			}
			var fields []string
			for _, src := range sources {
				fields = append(fields, templateFields(t, key, src)...)
			}
			var rendered []string
			if forms != nil {
				for _, n := range []int{1, 3, 5, 21} {
					rendered = append(rendered, tt.N(key, n, sampleData(lang, fields)))
				}
			} else {
				rendered = []string{tt.T(key, sampleData(lang, fields))}
			}
			for _, s := range rendered {
				if s == key {
					t.Errorf("%s %s: renders as its key", lang, key)
				}
				for _, p := range textProblems(lang, s) {
					t.Errorf("%s %s: %s in %q", lang, key, p, s)
				}
			}
		}
	}
}

// The checker itself catches what issue 13 found in the bot's messages.
func TestTextProblemsCatchesWhatPeopleSaw(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"не удалось опубликовать: «fail_no_channel»",
		"Этот пост не получится опубликовать: invalid: text is 5000 characters, the limit is 4096",
		"Ирина присоединяется к «Школа» как role_.",
		"Пост #{{.ID}}",
	} {
		if len(textProblems("ru", s)) == 0 {
			t.Errorf("%q passes the check", s)
		}
	}
	for _, s := range []string{
		"Подключите канал: /channel, бот — @redaktor_bot, ссылка https://t.me/shkola_4/12, QR-код и Telegram.",
		"Чтобы задать цель недели, напишите: /stats 5",
	} {
		if p := textProblems("ru", s); len(p) > 0 {
			t.Errorf("%q: %v", s, p)
		}
	}
}

// What the desk builds from data — a failure's reason, a refused post, a
// history line, a role — reads as words in both languages, whatever the
// data: every failure code, every way content is refused, every action.
func TestBuiltTextsReadAsWords(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	loc := time.UTC
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, loc)
	long := strings.Repeat("а", redaktor.TextLimit+10)
	photo := redaktor.Media{Kind: redaktor.MediaPhoto, FileID: "f"}
	contents := map[string]redaktor.Content{
		"empty":        {},
		"too long":     {Text: long},
		"big album":    {Media: make([]redaktor.Media, redaktor.AlbumMax+1)},
		"no file":      {Media: []redaktor.Media{{Kind: redaktor.MediaPhoto}}},
		"long caption": {Media: []redaktor.Media{photo, {Kind: redaktor.MediaPhoto, FileID: "g", Caption: strings.Repeat("б", redaktor.CaptionLimit+1)}}},
	}
	for _, lang := range []string{"ru", "en"} {
		tt := texts.For(lang)
		check := func(what, s string) {
			t.Helper()
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s %s: empty", lang, what)
			}
			for _, p := range textProblems(lang, s) {
				t.Errorf("%s %s: %s in %q", lang, what, p, s)
			}
		}
		for _, code := range []redaktor.FailureCode{redaktor.FailureNoChannel, redaktor.FailureChannelNotLinked,
			redaktor.FailureArchived, redaktor.FailureContent, redaktor.FailureTemporary} {
			check("failure "+string(code), tt.T("notify_failed", map[string]any{"ID": 7, "Page": "Школа",
				"Reason": reasonText(tt, redaktor.Failed(code, ""))}))
		}
		check("failure stored before codes", reasonText(tt, redaktor.LegacyFailure("fail_no_channel")))
		for name, c := range contents {
			err := c.Validate()
			if err == nil {
				t.Fatalf("%s: content passes validation", name)
			}
			check("content "+name, refusal(tt, err, redaktor.Post{Status: redaktor.StatusDraft}))
		}
		check("an unexpected error", refusal(tt, fmt.Errorf("%w: unknown action %q", redaktor.ErrInvalid, "zap"), redaktor.Post{}))
		for _, a := range allActions {
			for _, ev := range []redaktor.Event{
				{At: now, ActorID: 5, ActorName: "Ирина", Action: a, When: now.Add(time.Hour), Version: 2},
				{At: now, ActorID: 5, Action: a, When: now.Add(time.Hour), Version: 2},
				{At: now, Action: a, When: now.Add(time.Hour), Version: 2, Failure: redaktor.Failed(redaktor.FailureArchived, "")},
			} {
				check("history "+string(a), eventLine(tt, ev, loc, now))
			}
		}
		for _, k := range []redaktor.MediaKind{redaktor.MediaPhoto, redaktor.MediaVideo, redaktor.MediaAnimation,
			redaktor.MediaDocument, redaktor.MediaAudio} {
			for _, n := range []int{1, 2, 5} {
				album := redaktor.Content{Media: make([]redaktor.Media, n)}
				album.Media[0].Kind = k
				check("a post of "+string(k)+" only", snippet(tt, album, 60))
			}
		}
		for _, r := range []redaktor.Role{redaktor.RoleChief, redaktor.RoleModerator, ""} {
			check("role "+string(r), tt.T("invite_accepted", map[string]any{"Name": "Ирина", "Page": "Школа", "Role": roleText(tt, r)}))
		}
	}
}

var allActions = []redaktor.Action{redaktor.ActCreate, redaktor.ActPropose, redaktor.ActSubmit, redaktor.ActApprove,
	redaktor.ActPublishNow, redaktor.ActRequestChanges, redaktor.ActReject, redaktor.ActNewVersion, redaktor.ActDelete,
	redaktor.ActCancel, redaktor.ActReschedule, redaktor.ActRetry, redaktor.ActRemind, redaktor.ActClaim,
	redaktor.ActDefer, redaktor.ActPublished, redaktor.ActFail}

// A history line says who did what in the past tense, in a form that
// fits anyone (Telegram does not tell the bot a person's gender), with
// the person's name; never a number or a present-tense verb.
func TestHistoryLinesArePastWithNames(t *testing.T) {
	t.Parallel()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	ru, en := texts.For("ru"), texts.For("en")
	loc := time.UTC
	now := time.Date(2026, 12, 2, 9, 0, 0, 0, loc)
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, loc)
	tests := []struct {
		name   string
		ev     redaktor.Event
		ru, en string
	}{
		{"submit", redaktor.Event{At: now, ActorID: 900002, ActorName: "Ирина", Action: redaktor.ActSubmit},
			"Ирина: отправлено на согласование", "Ирина submitted it for approval"},
		{"approve", redaktor.Event{At: now, ActorID: 7, ActorName: "Анна", Action: redaktor.ActApprove, When: at},
			"Анна: одобрено на 03.12 10:00", "Анна approved it for"},
		{"a name never learnt", redaktor.Event{At: now, ActorID: 900002, Action: redaktor.ActSubmit},
			"участник команды: отправлено на согласование", "team member submitted"},
		{"forgotten", redaktor.Event{At: now, Action: redaktor.ActCreate},
			"бывший участник: создан черновик", "former member created"},
		{"a comment", redaktor.Event{At: now, ActorID: 7, ActorName: "Анна", Action: redaktor.ActReject, Note: "нет даты"},
			"Анна: отклонено — «нет даты»", "Анна rejected it — «нет даты»"},
		{"a failure", redaktor.Event{At: now, Action: redaktor.ActFail, Failure: redaktor.Failed(redaktor.FailureNoChannel, "")},
			"не удалось опубликовать: к странице не подключён канал", "publication failed: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotRU, gotEN := eventLine(ru, tc.ev, loc, now), eventLine(en, tc.ev, loc, now)
			if !strings.Contains(gotRU, tc.ru) || !strings.Contains(gotEN, tc.en) {
				t.Fatalf("ru %q, en %q; want %q and %q", gotRU, gotEN, tc.ru, tc.en)
			}
			if strings.Contains(gotRU, "900002") || strings.Contains(gotEN, "900002") {
				t.Fatalf("a number instead of a name: %q / %q", gotRU, gotEN)
			}
		})
	}
	// No Russian history line is in the present tense («отправляет»).
	present := regexp.MustCompile(`(ает|яет|ует|ёт|ит)([\s,.:]|$)`)
	for _, a := range allActions {
		line := eventLine(ru, redaktor.Event{At: now, ActorID: 7, ActorName: "Анна", Action: a, When: at, Version: 2}, loc, now)
		if m := present.FindString(strings.TrimPrefix(line, "Анна")); m != "" {
			t.Errorf("%s: %q reads in the present tense", a, line)
		}
	}
}
