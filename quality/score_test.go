package quality

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func score(t *testing.T, text string, media bool) Report {
	t.Helper()
	return mustLoad(t, "ru").Check(Post{Text: text, HasMedia: media})
}

// TestPenaltiesGrow: a fault that occurs more often costs more.
func TestPenaltiesGrow(t *testing.T) {
	const news = "Ученики школы № 3 посадили 40 саженцев клёна у школы. "
	phrases := []string{"В рамках акции", "в целях озеленения", "данное мероприятие", "является традиционным",
		"осуществлялась посадка", "в настоящее время", "в соответствии с планом", "посредством лопат",
		"на территории школы", "в количестве сорока"}
	two := score(t, news+strings.Join(phrases[:2], ", ")+".", true)
	ten := score(t, news+strings.Join(phrases, ", ")+".", true)
	if ten.Score >= two.Score {
		t.Errorf("ten канцелярит phrases score %d, two score %d", ten.Score, two.Score)
	}

	six := score(t, news+"🎉🎉🎉🌳🌳🌳", true)
	fourteen := score(t, news+"🎉🎉🎉🌳🌳🌳🌱🌱🌱👏👏👏💚💚", true)
	if !six.Has(RuleEmoji) || fourteen.Score >= six.Score {
		t.Errorf("14 emoji score %d, 6 emoji score %d", fourteen.Score, six.Score)
	}
}

// TestEmojiMarkers: one emoji at the start of a line is a marker.
func TestEmojiMarkers(t *testing.T) {
	text := "Зимняя ярмарка в школе № 1 🎄\n📅 21 декабря\n🕙 с 10:00 до 13:00\n📍 спортивный зал\n🎁 поделки и выпечка\n🍪 чай с пирогами\n💚 все деньги — на подарки"
	if r := score(t, text, true); r.Has(RuleEmoji) || r.Score != 100 {
		t.Errorf("markers counted as noise: %q, score %d", rules(r), r.Score)
	}
	spam := "🎄🎄 Ярмарка в школе № 1 21 декабря 🎉🎉🎉🎁"
	if r := score(t, spam, true); !r.Has(RuleEmoji) {
		t.Errorf("a run of emoji at a line start passed as a marker: %q", rules(r))
	}
}

// TestTooShort: «завтра» is not a post.
func TestTooShort(t *testing.T) {
	r := score(t, "завтра", true)
	if !r.Has(RuleTooShort) || r.Score > 70 {
		t.Errorf("«завтра»: %q, score %d", rules(r), r.Score)
	}
	if r := score(t, "Субботник у школы 12 апреля.", true); r.Has(RuleTooShort) {
		t.Errorf("a short complete announcement is too short: %q", rules(r))
	}
}

// TestHashtagsCostMoreThanAPhoto: a post with eight hashtags scores below
// a good post, even one without a photo.
func TestHashtagsCostMoreThanAPhoto(t *testing.T) {
	good := "Команда школы № 3 выиграла районный турнир по волейболу. В финале девушки обыграли Липовку со счётом 3:1."
	tags := good + "\n\n#школа #новости #спорт #дети #победа #волейбол #район #гордимся"
	noPhoto, tagged := score(t, good, false), score(t, tags, true)
	if tagged.Score >= noPhoto.Score {
		t.Errorf("8 hashtags score %d, a good post without a photo %d", tagged.Score, noPhoto.Score)
	}
	f := tagged.Top[0]
	if f.Rule != RuleHashtags || f.Fragment != "#школа #новости #спорт #дети #победа #волейбол #район #гордимся" {
		t.Errorf("the hint quotes %q, want the whole row from the first tag", f.Fragment)
	}
}

// TestHintsPointAtThePlace: three «!!!» give three different quotes.
func TestHintsPointAtThePlace(t *testing.T) {
	text := "Внимание!!!\nС понедельника меняется расписание автобуса!!!\nНе опоздайте!!!"
	r := score(t, text, true)
	var got []string
	for _, f := range r.Findings {
		if f.Rule == RuleExclaim {
			got = append(got, f.TemplateData()["Context"].(string))
		}
	}
	want := []string{"Внимание!!!", "меняется расписание автобуса!!!", "Не опоздайте!!!"}
	if !slices.Equal(got, want) {
		t.Errorf("exclaim contexts %q, want %q", got, want)
	}
	r = score(t, "Концерт хора состоится в субботу, 14 декабря, в 16:00, приходите!", true)
	if len(r.Findings) != 1 || r.Findings[0].Context != "Концерт хора состоится в субботу, 14" {
		t.Errorf("announce context: %+v", r.Findings)
	}
}

// TestOneLengthHint: a long post with a wall of text shows «разбейте на
// абзацы», not two overlapping length hints.
func TestOneLengthHint(t *testing.T) {
	text := "Сегодня, 3 декабря, в школе № 6 прошла конференция старшеклассников. " +
		strings.Repeat("Ребята представили исследования по биологии, истории и физике, жюри задавало вопросы. ", 20)
	r := score(t, text, true)
	for _, rule := range []string{RuleTooLong, RuleTooLongCaption, RuleLeadTooLong, RuleLongParagraph} {
		if !r.Has(rule) {
			t.Errorf("no %s in %q", rule, rules(r))
		}
	}
	var length []string
	for _, f := range r.Top {
		if isLengthRule(f.Rule) {
			length = append(length, f.Rule)
		}
	}
	if len(length) != 1 || length[0] != RuleLongParagraph {
		t.Errorf("card length hints %q, want only long_paragraph", length)
	}
}

// TestOneLineAnnouncements checks testdata/oneline.txt.
func TestOneLineAnnouncements(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "oneline.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		wantCol, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("no tab in %q", line)
		}
		n++
		var want []string
		if wantCol != "-" {
			for _, w := range strings.Split(wantCol, " | ") {
				want = append(want, strings.Replace(w, ":", " ", 1))
			}
		}
		got := checkRu(t, text)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s\n got %q\nwant %q", text, got, want)
		}
	}
	if n < 21 {
		t.Errorf("only %d one-line announcements", n)
	}
}

// TestScoreOrdersLikeATrainer: every good post of the corpus scores above
// every faulty one, and a post with any finding scores below 100.
func TestScoreOrdersLikeATrainer(t *testing.T) {
	set := mustSet(t)
	lowestGood, lowestName := 101, ""
	goods, _ := filepath.Glob("testdata/good/*.txt")
	for _, f := range goods {
		text, s := readSample(t, f, strings.TrimSuffix(f, ".txt")+".json", sample{Media: true})
		if r := checkSample(t, set, text, s); r.Score < lowestGood {
			lowestGood, lowestName = r.Score, f
		}
	}
	bads, _ := filepath.Glob("testdata/bad/*.txt")
	if len(goods) < 40 || len(bads) < 40 {
		t.Fatalf("corpus has %d good and %d faulty posts, want 40 of each", len(goods), len(bads))
	}
	for _, f := range bads {
		text, s := readSample(t, f, strings.TrimSuffix(f, ".txt")+".want.json", sample{})
		r := checkSample(t, set, text, s)
		if r.Score >= lowestGood {
			t.Errorf("%s scores %d, not below the good post %s (%d)", f, r.Score, lowestName, lowestGood)
		}
		if len(r.Findings) > 0 && r.Score >= 100 {
			t.Errorf("%s has findings and scores %d", f, r.Score)
		}
	}
}
