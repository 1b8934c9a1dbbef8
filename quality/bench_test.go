package quality

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// benchPost is about 1,000 characters with something for every rule to do.
const benchPost = `ВНИМАНИЕ!!! В рамках Недели здоровья в МБОУ СОШ № 4 состоится спортивный праздник «Весёлые старты» 🏃‍♂️⚽🏆

Данное мероприятие является традиционным: каждый год в нём принимают участие ученики начальной школы, их родители и учителя физкультуры. Ребят ждут эстафеты, перетягивание каната, прыжки в мешках и весёлые конкурсы для всей семьи.

Приглашаем болельщиков! Начало 15 мая в 15:00 в спортивном зале школы, вход через главный подъезд. Сменную обувь возьмите с собой, пожалуйста. Для болельщиков поставим скамейки, а в перерыве угостим всех чаем с блинами.

В соответствии с правилами школы посещение осуществляется по спискам, которые классные руководители передадут на вахту заранее. Если вы хотите прийти, напишите своему классному руководителю до 13 мая.

Фотографии с прошлогоднего праздника: https://vk.com/album-123456789_987654321?rev=1&from=school

Спасибо родительскому комитету за призы и сладости для участников! 🎉👏

#здоровье #спорт #школа4 #веселыестарты`

func benchRecent() []Published {
	texts := []string{
		"Пятиклассники школы № 3 посадили 40 саженцев клёна. В субботу ребята вместе с родителями и учителем биологии вышли на пришкольный участок.",
		"Приглашаем на вечер поэзии «Осенние строки». Когда: 14 октября, в 18:00. Где: центральная библиотека, ул. Ленина, 12.",
		benchPost[:600],
	}
	var out []Published
	for i := 0; i < 30; i++ {
		t := texts[i%len(texts)] + strings.Repeat(" новость дня", i)
		out = append(out, Published{Ref: "p", Fingerprint: Fingerprint(t)})
	}
	return out
}

func BenchmarkCheck(b *testing.B) {
	c, err := Load("ru")
	if err != nil {
		b.Fatal(err)
	}
	p := Post{Text: benchPost, HasMedia: true, Recent: benchRecent()}
	b.SetBytes(int64(len(benchPost)))
	for b.Loop() {
		c.Check(p)
	}
	b.ReportMetric(float64(utf8.RuneCountInString(benchPost)), "chars/post")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

func BenchmarkCheckNoRecent(b *testing.B) {
	c, err := Load("ru")
	if err != nil {
		b.Fatal(err)
	}
	p := Post{Text: benchPost, HasMedia: true}
	for b.Loop() {
		c.Check(p)
	}
}

func BenchmarkFingerprint(b *testing.B) {
	for b.Loop() {
		Fingerprint(benchPost)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load("ru"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckRunOn is the worst case of combinations: a post-sized text
// of one endless sentence full of first parts («опрос», «отключ…»), so each
// would search its sentence for the other parts.
func BenchmarkCheckRunOn(b *testing.B) {
	c, err := Load("ru")
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("опрос отключим ждем прививки закроют ", 110)[:4000]
	p := Post{Text: text, HasMedia: true}
	for b.Loop() {
		c.Check(p)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}
