package main

import (
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor/bot/bottest"
)

const bureaucratic = "В рамках месячника безопасности проведено мероприятие для учащихся. " +
	"Данное мероприятие является важным. ВСЕ РОДИТЕЛИ ОБЯЗАНЫ ПРИЙТИ!!!"

func TestCardCarriesWritingAdvice(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()

	d.say(moderator, bureaucratic)
	card := d.expect(moderator, "Пост #1", "Качество текста:")
	for _, want := range []string{"Канцелярит: «В рамках»", "Нет фото или видео", "На этой неделе"} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("card lacks %q:\n%s", want, card.Text)
		}
	}
	if n := strings.Count(card.Text, "💡"); n != 3 {
		t.Errorf("card shows %d hints, want the 3 most useful:\n%s", n, card.Text)
	}
	d.press(moderator, card, "Все советы")
	all := d.expect(moderator, "Все советы по посту #1")
	for _, want := range []string{"«проведено мероприятие»", "«Данное мероприятие»", "«является»", "заглавными", "восклицательных"} {
		if !strings.Contains(all.Text, want) {
			t.Errorf("the full list lacks %q:\n%s", want, all.Text)
		}
	}

	// The advice never blocks: the post is submitted and the chief editor
	// sees the same report on the review card.
	d.press(moderator, card, "Отправить на согласование")
	review := d.expect(chief, "Пост #1", "на согласовании")
	if !strings.Contains(review.Text, "Канцелярит: «В рамках»") {
		t.Errorf("review card lacks the advice:\n%s", review.Text)
	}
}

func TestGoodPostGetsNoHints(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.handled(d.tg.Send(moderator, bottest.Media(bottest.KindPhoto), bottest.Text(
		"В субботу, 28 ноября, в 11:00 в актовом зале школы пройдёт концерт к Дню матери. Приглашаем родителей и бабушек.")))
	card := d.expect(moderator, "Пост #1", "Качество текста: 100/100")
	if strings.Contains(card.Text, "💡") || hasButton(card, "Все советы") {
		t.Errorf("a good post got hints:\n%s", card.Text)
	}
}

func TestCheckWithoutDraft(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(moderator, "/check Приглашаем всех на субботник!")
	report := d.expect(moderator, "Проверка текста:")
	if !strings.Contains(report.Text, "не сказано когда") || !strings.Contains(report.Text, "Не нашёл место") {
		t.Errorf("an announcement without time and place was not named:\n%s", report.Text)
	}
	d.say(moderator, "/check")
	d.expect(moderator, "Пришлите текст или перешлите пост")
	d.say(moderator, "Осуществляется приём документов.")
	d.expect(moderator, "Проверка текста:", "«Осуществляется»")
	d.say(moderator, "/drafts")
	d.expect(moderator, "У вас нет открытых постов")
}

func TestRepeatAndWeeklyRhythm(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	text := "Библиотека открыта после ремонта, ждём читателей с понедельника по пятницу с 9 до 18 часов в читальном зале на втором этаже."
	d.say(chief, text)
	own := d.expect(chief, "Пост #1", "черновик")
	d.publishNow(chief, own, "Опубликовать сейчас")
	d.expect(chief, "опубликован", "t.me/usman_school4")

	d.say(chief, "/stats")
	d.expect(chief, "На этой неделе 1 пост из 3")
	d.say(chief, "/stats 5")
	d.expect(chief, "Цель: 5 в неделю")
	d.say(moderator, "/stats goal 9")
	d.expect(moderator, "только шеф-редактор")

	d.clock.Advance(time.Hour)
	d.say(moderator, text)
	d.expect(moderator, "Пост #2", "уже публиковался", "пост #1")
	// Once more: the published post's fingerprint now comes from the
	// process's cache instead of Redis, with the same advice.
	d.say(moderator, "Ещё раз: "+text)
	d.expect(moderator, "Пост #3", "уже публиковался", "пост #1")
}
