package handlers

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/quality"
)

func adviceFor(t *testing.T, lang, text string) (tr, quality.Report) {
	t.Helper()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	set, err := loadAdvice()
	if err != nil {
		t.Fatal(err)
	}
	return texts.For(lang), set.Check(lang, quality.Post{Text: text, HasMedia: true})
}

// loadAdvice loads the writing advice once for all tests (a set is
// read-only once loaded; loading it under the race detector is slow).
var loadAdvice = sync.OnceValues(quality.LoadSet)

// TestAdviceWording: the hints a moderator reads on the card say what the
// issue asks for, point at the place and never quote the news back as
// advice.
func TestAdviceWording(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // in the full report
		not        []string
	}{
		{"a place not found is a question",
			"Приглашаем всех на праздник двора 1 июня в 12:00.",
			[]string{"Не нашёл место — если его нет, добавьте, где это будет", "«Приглашаем всех на праздник"},
			[]string{"не сказано где"}},
		{"a relative day asks for the date",
			"В эту субботу в 11:00 в центральной библиотеке пройдёт мастер-класс.",
			[]string{"Укажите число: «в субботу, 14 декабря», а не только «В эту субботу»"}, nil},
		{"buried news quotes the opening",
			"Осень — удивительное время года.\n\n18 октября в 15:00 в центральной библиотеке пройдёт литературный вечер.",
			[]string{"Сейчас пост начинается так: «Осень — удивительное время года». Начните с новости: что, где, когда."}, nil},
		{"a long lead that is the news is not quoted back",
			"18 октября в 15:00 в центральной библиотеке пройдёт литературный вечер «Осенние строки». " +
				strings.Repeat("Прозвучат стихи Пушкина, Тютчева, Есенина и наших земляков. ", 4),
			[]string{"Первый абзац длинный"},
			[]string{"Начните с главного", "«18 октября"}},
		{"each «!!!» is shown in its sentence",
			"Внимание!!!\nС понедельника меняется расписание автобуса!!!\nНе опоздайте!!!",
			[]string{"«Внимание!!!»", "«меняется расписание автобуса!!!»", "«Не опоздайте!!!»"}, nil},
		{"the hashtag hint quotes the whole row",
			"Команда школы № 3 выиграла районный турнир по волейболу.\n#школа #новости #спорт #дети #победа",
			[]string{"Хештегов 5 (совет — не больше 3): «#школа #новости #спорт #дети #победа»"}, nil},
		{"a notice without streets",
			"Будет ограничено движение по ряду улиц в ближайшее время.",
			[]string{"не нашёл, где именно — назовите улицы", "«ограничено движение по ряду улиц в ближайшее время»"}, nil},
		{"a survey without a deadline",
			"Пройдите опрос о школьном питании: vk.cc/abc12",
			[]string{"Не сказано, до какого числа («Пройдите опрос о школьном питании»)"}, nil},
		{"канцелярит is shown in its words",
			"Праздник в нашей школе является традиционным.",
			[]string{"Канцелярит: «является» (в «в нашей школе является традиционным»)"}, nil},
		{"a one-word text",
			"завтра",
			[]string{"Текст слишком короткий для поста"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, r := adviceFor(t, "ru", tt.text)
			full := fullReport(tr, r, "")
			for _, w := range tt.want {
				if !strings.Contains(full, w) {
					t.Errorf("lacks %q:\n%s", w, full)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(full, n) {
					t.Errorf("has %q:\n%s", n, full)
				}
			}
		})
	}
}

// TestEveryFindingRenders: each finding of the corpus renders in both
// languages with its placeholders filled.
func TestEveryFindingRenders(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../quality/testdata/bad/*.txt")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	// The rules and texts are loaded once: loading them for each of the
	// corpus's hundreds of posts took most of this test's half minute.
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	set, err := loadAdvice()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"ru", "en"} {
			tr, r := texts.For(lang), set.Check(lang, quality.Post{Text: string(data), HasMedia: true})
			for _, fd := range r.Findings {
				s := findingText(tr, fd)
				seen[fd.Rule] = true
				if s == "q_"+fd.Rule || strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
					t.Errorf("%s %s: %q", lang, fd.Rule, s)
				}
			}
		}
	}
	for _, rule := range quality.RuleIDs() {
		if rule != quality.RuleNoMedia && rule != quality.RuleRepeat && !seen[rule] {
			t.Errorf("no corpus finding renders %s", rule)
		}
	}
}

// A text sent after /check whose check fails for a moment is handled again
// by the intake: the retry still checks it and never makes it a draft.
func TestCheckAnswerHandledAgainIsCheckedNotDrafted(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	s.sessions[modID] = redaktor.Session{Kind: redaktor.SessionCheck}
	d, tg := newTestDesk(t, s)
	down := errors.New("redis: i/o timeout")
	s.fail["Membership"] = down
	u := message(s, modID, "Субботник в субботу в 10:00.")
	if err := d.Handle(context.Background(), u); !errors.Is(err, down) {
		t.Fatalf("first handling: %v, want the store's error", err)
	}
	delete(s.fail, "Membership")
	if err := d.Handle(context.Background(), u); err != nil { // the intake's retry
		t.Fatalf("handled again: %v", err)
	}
	if len(s.created) != 0 {
		t.Fatalf("the text sent to /check became draft(s): %+v", s.created)
	}
	title := d.texts.For("ru").T("check_title")
	if len(tg.texts) != 1 || tg.texts[0].chat != modID || !strings.HasPrefix(tg.texts[0].text, title) {
		t.Errorf("sent %+v, want the check's report to the moderator once", tg.texts)
	}
	if _, waits := s.sessions[modID]; waits {
		t.Error("the /check session outlives the check")
	}
}
