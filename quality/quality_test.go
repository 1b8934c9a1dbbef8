package quality

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// loaded holds each language's checker, loaded once for all tests: a
// checker is read-only once loaded, and loading the Russian rules under
// the race detector takes a good part of a second.
var loaded sync.Map // lang → func() (*Checker, error)

func mustLoad(t testing.TB, lang string) *Checker {
	t.Helper()
	load, _ := loaded.LoadOrStore(lang, sync.OnceValues(func() (*Checker, error) { return Load(lang) }))
	c, err := load.(func() (*Checker, error))()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rules returns "rule fragment" for every finding, for compact comparison.
func rules(r Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule+" "+f.Fragment)
	}
	return out
}

func TestCheckEdgeCases(t *testing.T) {
	ru := mustLoad(t, "ru")
	tests := []struct {
		name  string
		text  string
		media bool
		want  []string
	}{
		{"empty text with media", "", true, nil},
		{"empty text without media", "", false, []string{"no_media "}},
		{"only spaces", " \n\t ", true, nil},
		{"abbreviations are not shouting", "Сотрудники ГИБДД и МЧС провели занятие в МБОУ СОШ № 1 и МБДОУ «Ромашка», ЦУР помог с текстом.", true, nil},
		{"known long abbreviation", "Ребята из ДОСААФ показали технику.", true, nil},
		{"unknown short capitals pass", "Группа АБВГД выступила на конкурсе хорошо.", true, nil},
		{"shouted word", "Уважаемые ЖИТЕЛИ, вывоз мусора перенесён на 5 мая.", true, []string{"caps ЖИТЕЛИ"}},
		{"run of short shouted words", "Друзья, МЫ ВАС ЖДЕМ на субботнике.", true, []string{"caps МЫ ВАС ЖДЕМ", "announce_no_when ЖДЕМ", "announce_no_where ЖДЕМ"}},
		{"caps run stops at a line break", "Итоги: СОШ\nОГЭ ЕГЭ ВПР сдали все.", true, nil},
		{"caps in a link is not shouting", "Смотрите новости школы здесь: vk.com/SCHOOLNEWS", true, nil},
		{"caps in a hashtag is not shouting", "Итоги недели в нашей школе #ШКОЛЬНЫЕНОВОСТИ", true, nil},
		{"данного is bureaucratese", "Итоги данного конкурса подведём позже.", true, []string{"bureaucratese данного"}},
		{"ё and case do not matter", "ОСУЩЕСТВЛЯЕТСЯ приём заявлений. Работа осуществлена.", true,
			// «приём заявлений» is a notice that tells neither day nor place.
			[]string{"bureaucratese ОСУЩЕСТВЛЯЕТСЯ", "caps ОСУЩЕСТВЛЯЕТСЯ", "notice_no_when приём заявлений", "notice_no_where приём заявлений", "bureaucratese осуществлена"}},
		{"данные (data) is not bureaucratese", "Мы бережно храним персональные данные.", true, nil},
		{"longest phrase wins", "На данный момент всё готово.", true, []string{"bureaucratese На данный момент"}},
		{"phrase words must be adjacent", "Он был в, рамках нет.", true, nil},
		{"announcement with date but no place", "Приглашаем на концерт 12 мая в 18:00.", true, []string{"announce_no_where Приглашаем"}},
		{"announcement with place but no date", "Приглашаем в актовом зале на концерт.", true, []string{"announce_no_when Приглашаем"}},
		{"a субботник is not a Saturday", "Приглашаем всех на субботник в актовом зале.", true, []string{"announce_no_when Приглашаем"}},
		{"announcement with both", "Приглашаем 12.05 в 18:00 в актовом зале школы.", true, nil},
		{"announcement with weekday and address", "Субботник пройдёт в субботу, 14 сентября, по адресу: Садовая, 5.", true, nil},
		{"online announcement with a link", "Вебинар для родителей состоится 3 марта в 18:00: vk.com/club1", true, nil},
		{"two marks are fine", "Ура, наши ребята победили!!", true, nil},
		{"three marks shout", "Ура, наши ребята победили!!!", true, []string{"exclaim !!!"}},
		{"five emoji are fine", "Праздник в школе удался на славу 🎉🎉🎉🎉🎉", true, nil},
		{"six emoji are too many", "Праздник в школе удался на славу 🎉🎉🎉🎉🎉👍🏽", true, []string{"emoji 👍🏽"}},
		{"three hashtags are fine", "Итоги спортивного года в школе #школа #спорт #дети", true, nil},
		{"four hashtags are too many", "Итоги спортивного года в школе #школа #спорт #дети #лето", true, []string{"hashtags #школа #спорт #дети #лето"}},
		{"short link is fine", "Запись в кружки открыта здесь: https://clck.ru/3A4b", true, nil},
		{"long link", "Запись в кружки открыта здесь: https://example.org/a/very/long/path/to/form?x=1.", true,
			[]string{"raw_link https://example.org/a/very/long/path/to/form?x=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ru.Check(Post{Text: tt.text, HasMedia: tt.media})
			got := rules(r)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			for _, f := range r.Findings {
				if !strings.Contains(tt.text, f.Fragment) || !strings.HasPrefix(tt.text[f.Start:f.End], f.Fragment) {
					t.Errorf("%s: fragment %q is not at %d:%d", f.Rule, f.Fragment, f.Start, f.End)
				}
			}
		})
	}
}

func TestAnnounceMissingNames(t *testing.T) {
	r := mustLoad(t, "ru").Check(Post{Text: "Концерт хора состоится 9 мая.", HasMedia: true})
	if len(r.Findings) != 1 {
		t.Fatalf("findings %q", rules(r))
	}
	if f := r.Findings[0]; f.Rule != RuleAnnounceNoWhere || f.Missing != "where" || f.Fragment != "состоится" {
		t.Errorf("got %+v", f)
	}
	en := mustLoad(t, "en").Check(Post{Text: "Join us in the main hall!", HasMedia: true})
	if got := rules(en); len(got) != 1 || got[0] != "announce_no_when Join us" || en.Findings[0].Missing != "when" {
		t.Errorf("got %q", got)
	}
}

func TestEmojiCount(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"текст без эмодзи © 2025 → далее", 0},
		{"😀", 1},
		{"👍🏽", 1},        // skin tone
		{"👨‍👩‍👧‍👦", 1},   // ZWJ family
		{"🏳️‍🌈", 1},      // flag with VS16 and ZWJ
		{"🇷🇺🇬🇧", 2},      // two flags
		{"1️⃣2️⃣#️⃣", 3}, // keycaps
		{"❤️✅☀", 3},      // dingbats and misc symbols
		{"©️ ↔️", 2},     // text symbols with VS16
		{"Привет 👋 мир 🌍!", 2},
	}
	for _, tt := range tests {
		if got := len(emojiSpans(tt.text)); got != tt.want {
			t.Errorf("%q: %d emoji, want %d", tt.text, got, tt.want)
		}
	}
}

func TestQuoteUTF8Safe(t *testing.T) {
	long := strings.Repeat("Ёжик🦔 в тумане, ", 60)
	tests := []struct {
		text string
		s    span
		max  int
	}{
		{long, span{0, len(long)}, 80},
		{long, span{4, len(long)}, 1},
		{"короткий", span{0, len("короткий")}, 80},
		{"строка один\nстрока два", span{0, len("строка один\nстрока два")}, 80},
		{"🦔🦔🦔🦔", span{0, len("🦔🦔🦔🦔")}, 3},
	}
	for _, tt := range tests {
		q := quote(tt.text, tt.s, tt.max)
		if !utf8.ValidString(q) {
			t.Errorf("invalid UTF-8 quote %q", q)
		}
		if !strings.HasPrefix(tt.text[tt.s.start:], q) {
			t.Errorf("quote %q is not a prefix of the span", q)
		}
		if n := utf8.RuneCountInString(q); n > tt.max {
			t.Errorf("quote has %d runes, max %d", n, tt.max)
		}
		if strings.Contains(q, "\n") {
			t.Errorf("quote %q crosses a line", q)
		}
	}
	// A long paragraph of Cyrillic and emoji is quoted at a rune boundary.
	r := mustLoad(t, "ru").Check(Post{Text: long, HasMedia: true})
	for _, f := range r.Findings {
		if !utf8.ValidString(f.Fragment) || !strings.HasPrefix(long[f.Start:], f.Fragment) {
			t.Errorf("%s: bad fragment %q", f.Rule, f.Fragment)
		}
	}
}

func TestCaptionLimitCountsUTF16(t *testing.T) {
	ru := mustLoad(t, "ru")
	// 600 emoji: 600 characters but 1200 UTF-16 units, over Telegram's caption limit.
	text := strings.Repeat("🦔", 600)
	r := ru.Check(Post{Text: text, HasMedia: true})
	if !r.Has(RuleTooLongCaption) || r.Has(RuleTooLong) {
		t.Errorf("got %q", rules(r))
	}
	if r.Has(RuleTooLongCaption) {
		for _, f := range r.Findings {
			if f.Rule == RuleTooLongCaption && (f.Count != 1200 || f.Limit != 1024 || f.Start != 512*4) {
				t.Errorf("got %+v", f)
			}
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want uint8
	}{
		{"18:00", classTime},
		{"9:30", classTime},
		{"18.00", classTime},
		{"12.05", classTime | classDate},
		{"12.05.2025", classDate},
		{"12/05/25", classDate},
		{"2025-05-12", classDate},
		{"6pm", classTime},
		{"6:30pm", classTime},
		{"25", classNumber},
		{"25:99", 0},
		{"40.13", 0},
		{"10-11", classNumber},
		{"1-го", classNumber},
		{"10-11-12", 0},
		{"5а", 0},
	}
	for _, tt := range tests {
		if got := classify(tt.in); got != tt.want {
			t.Errorf("classify(%q) = %b, want %b", tt.in, got, tt.want)
		}
	}
}

func TestFindURLs(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"см. https://school.ru/news.", []string{"https://school.ru/news"}},
		{"(www.gosuslugi.ru)", []string{"www.gosuslugi.ru"}},
		{"ссылка:https://t.me/x", []string{"https://t.me/x"}},
		{"«vk.com/club123»", []string{"vk.com/club123"}},
		{"школа.рф/новости", []string{"школа.рф/новости"}},
		{"т.е. 1/2 часа, 12.05.2025", nil},
		{"HTTPS://EXAMPLE.COM/A", []string{"HTTPS://EXAMPLE.COM/A"}},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range findURLs(tt.text) {
			got = append(got, tt.text[s.start:s.end])
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%q: got %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestPick(t *testing.T) {
	set := mustSet(t)
	tests := []struct {
		user, text, want string
	}{
		{"en", "Данная выставка открыта.", "ru"},
		{"ru", "The fair is open.", "en"},
		{"en-GB", "12:00 🎉", "en"},
		{"ru", "12:00 🎉", "ru"},
		{"de", "!!!", "ru"},
		{"ru", "Ссылка https://example.com/english/words/here", "ru"},
	}
	for _, tt := range tests {
		if got := set.Pick(tt.user, tt.text).Lang(); got != tt.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", tt.user, tt.text, got, tt.want)
		}
	}
}

func TestLoad(t *testing.T) {
	if got := Languages(); strings.Join(got, ",") != "en,ru" {
		t.Errorf("Languages() = %q", got)
	}
	if c, err := Load("ru-RU"); err != nil || c.Lang() != "ru" {
		t.Errorf("Load(ru-RU) = %v, %v", c, err)
	}
	var ule *UnknownLanguageError
	if _, err := Load("fr"); !errors.As(err, &ule) || ule.Lang != "fr" {
		t.Errorf("Load(fr) error = %v", err)
	}
}

func TestParseCustomRules(t *testing.T) {
	custom := `{
		"lang": "ru",
		"weights": {"no_media": 0},
		"limits": {"hashtags": 1},
		"abbreviations": ["ШКОЛА"],
		"bureaucratese": [{"find": ["ввиду"], "suggest": "из-за"}],
		"announce": {"triggers": ["сбор"], "when": ["{time}"], "where": ["у * входа"]}
	}`
	c, err := New(strings.NewReader(custom))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Check(Post{Text: "ШКОЛА закрыта ввиду ремонта. Сбор в 9:00 у главного входа. #а\n#б"})
	got := rules(r)
	if strings.Join(got, "|") != "bureaucratese ввиду|hashtags #б" {
		t.Errorf("got %q", got)
	}
	if r.Findings[0].Suggestion != "из-за" || c.Weight(RuleCaps) != 8 || c.Weight(RuleNoMedia) != 0 {
		t.Errorf("suggestion %q, caps weight %d", r.Findings[0].Suggestion, c.Weight(RuleCaps))
	}

	bad := []struct{ name, src string }{
		{"not json", `{`},
		{"no lang", `{"weights": {}}`},
		{"unknown field", `{"lang": "ru", "limit": {}}`},
		{"unknown rule", `{"lang": "ru", "weights": {"shouting": 3}}`},
		{"weight out of range", `{"lang": "ru", "weights": {"caps": 300}}`},
		{"negative limit", `{"lang": "ru", "limits": {"emoji": -1}}`},
		{"empty find", `{"lang": "ru", "bureaucratese": [{"find": [], "suggest": "x"}]}`},
		{"star first", `{"lang": "ru", "bureaucratese": [{"find": ["* рамках"], "suggest": "x"}]}`},
		{"two words in one", `{"lang": "ru", "announce": {"where": ["ул.Ленина,"]}}`},
	}
	for _, b := range bad {
		if _, err := Parse([]byte(b.src)); err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
}

func TestScoreAndTop(t *testing.T) {
	ru := mustLoad(t, "ru")
	text := "ВНИМАНИЕ!!! В рамках акции в целях экономии данный приём осуществляется в кабинете. Приглашаем всех #а #б #в #г"
	r := ru.Check(Post{Text: text})
	if len(r.Top) != 3 {
		t.Fatalf("top %d", len(r.Top))
	}
	seen := map[string]bool{}
	for i, f := range r.Top {
		if seen[f.Rule] {
			t.Errorf("rule %s twice in top", f.Rule)
		}
		seen[f.Rule] = true
		if i > 0 && f.Weight > r.Top[i-1].Weight {
			t.Errorf("top not ordered by weight: %+v", r.Top)
		}
	}
	if r.Top[0].Rule != RuleAnnounceNoWhen {
		t.Errorf("heaviest hint %s", r.Top[0].Rule)
	}
	// no_media 10 + announce_no_when 15 + caps 8 + exclaim 4 + hashtags 4
	// (one over the limit) + bureaucratese 5 + 3 × 5/2 (four phrases) = 53.
	if r.Score != 47 {
		t.Errorf("score %d, findings %q", r.Score, rules(r))
	}
	for i := 1; i < len(r.Findings); i++ {
		if r.Findings[i].Start < r.Findings[i-1].Start {
			t.Errorf("findings not in text order")
		}
	}
	if f := r.Findings[0]; f.Severity() != SeverityWarning || r.Findings[1].Severity() != SeverityHint {
		t.Errorf("severity %s %s", f.Severity(), r.Findings[1].Severity())
	}
	if d := r.Top[0].TemplateData(); d["Missing"] != "when" || d["Fragment"] != "Приглашаем" {
		t.Errorf("template data %v", d)
	}
}

func TestFingerprint(t *testing.T) {
	a := "Пятиклассники посадили сорок саженцев клёна у школы в субботу утром."
	b := "🌳 ПЯТИКЛАССНИКИ посадили сорок саженцев клена у школы в субботу утром! #экология"
	c := "Библиотека получила триста новых книг для детей и взрослых читателей."
	fa, fb, fc := Fingerprint(a), Fingerprint(b), Fingerprint(c)
	if s := Similarity(fa, fb); s != 1 {
		t.Errorf("case, ё, emoji and hashtags should not matter: %v", s)
	}
	if s := Similarity(fa, fc); s > 0.1 {
		t.Errorf("different texts: %v", s)
	}
	if Fingerprint("") != nil || Similarity(nil, fa) != 0 {
		t.Error("empty text must have an empty fingerprint")
	}
	if got := len(Fingerprint("два слова")); got != 1 {
		t.Errorf("short text: %d shingles", got)
	}
	dec, err := DecodeFingerprint(EncodeFingerprint(fa))
	if err != nil || Similarity(dec, fa) != 1 || len(dec) != len(fa) {
		t.Errorf("round trip: %v", err)
	}
	if _, err := DecodeFingerprint([]byte{0xff}); err == nil {
		t.Error("corrupt data accepted")
	}

	ru := mustLoad(t, "ru")
	r := ru.Check(Post{Text: b, HasMedia: true, Recent: []Published{{Ref: "c", Text: c}, {Ref: "a", Text: a}}})
	var rep *Finding
	for i, f := range r.Findings {
		if f.Rule == RuleRepeat {
			rep = &r.Findings[i]
		}
	}
	if rep == nil || rep.Ref != "a" || rep.Count != 100 || rep.Limit != 80 {
		t.Errorf("got %+v", r.Findings)
	}
}

func TestWeekRhythm(t *testing.T) {
	tests := []struct {
		pub, goal, left int
		want            Rhythm
	}{
		{2, 0, 3, Rhythm{2, 0, 0, RhythmNoGoal}},
		{5, 4, 3, Rhythm{5, 4, 0, RhythmDone}},
		{1, 7, 4, Rhythm{1, 7, 6, RhythmBehind}},
		{3, 7, 4, Rhythm{3, 7, 4, RhythmOnTrack}},
		{0, 3, 6, Rhythm{0, 3, 3, RhythmOnTrack}},
		{2, 3, 0, Rhythm{2, 3, 1, RhythmBehind}},
		{-1, 3, 9, Rhythm{0, 3, 3, RhythmOnTrack}},
	}
	for _, tt := range tests {
		if got := WeekRhythm(tt.pub, tt.goal, tt.left); got != tt.want {
			t.Errorf("WeekRhythm(%d, %d, %d) = %+v, want %+v", tt.pub, tt.goal, tt.left, got, tt.want)
		}
	}
}

// TestRuleIDsDocumented keeps README.md, the package doc and the data files
// in step with the rule ids.
func TestRuleIDsDocumented(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range RuleIDs() {
		if !strings.Contains(string(readme), "`"+id+"`") {
			t.Errorf("README.md does not document %q", id)
		}
		if !strings.Contains(string(doc), "//\t"+id+" ") {
			t.Errorf("doc.go does not document %q", id)
		}
		for _, lang := range Languages() {
			if mustLoad(t, lang).Weight(id) == 0 {
				t.Errorf("%s: rule %q is switched off", lang, id)
			}
		}
	}
}
