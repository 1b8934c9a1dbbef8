package main

import (
	"bytes"
	"image"
	"image/color"
	_ "image/png"
	"strings"
	"testing"

	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/planpic"
)

// planPicture returns the newest plan picture sent to a chat, decoded.
func (d *desk) planPicture(chat int64) image.Image {
	d.t.Helper()
	calls := d.tg.Calls("sendPhoto")
	for i := len(calls) - 1; i >= 0; i-- {
		c := calls[i]
		if c.ChatID != chat || c.Err != nil {
			continue
		}
		img, format, err := image.Decode(bytes.NewReader(c.Uploads["photo"]))
		if err != nil || format != "png" {
			d.t.Fatalf("the plan picture is not a PNG: %q %v", format, err)
		}
		return img
	}
	d.t.Fatalf("chat %d got no picture", chat)
	return nil
}

// hasBlock reports whether some pixel of the calendar's grid (below the
// legend, whose samples have every colour) has a block's colour c.
func hasBlock(img image.Image, c color.RGBA) bool {
	b := img.Bounds()
	for y := planpic.Arrange(planpic.Week{}).Grid.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == c {
				return true
			}
		}
	}
	return false
}

// hasData reports whether m has a button whose data starts with prefix
// (the action, whatever its label says).
func hasData(m bottest.Sent, prefix string) bool {
	for _, b := range m.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix) {
			return true
		}
	}
	return false
}

// onlyOpenButtons fails unless every button of m opens a card.
func onlyOpenButtons(t *testing.T, m bottest.Sent) {
	t.Helper()
	for _, b := range m.Buttons() {
		if b.CallbackData == nil || !strings.HasPrefix(*b.CallbackData, "op:") {
			t.Errorf("the plan has a button that is not Open: %q %v", b.Text, b.CallbackData)
		}
	}
}

// TestPlanOfTheWeek: the chief editor sees the week with the scheduled
// post, the waiting ones (at the time proposed, or apart without one), the free posting times and the picture, and opens
// a card from it; the moderator sees the same plan with nothing to change;
// a stranger is refused; the plan of another page never shows this one's
// posts, nor this one the other's.
func TestPlanOfTheWeek(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, scheduled := d.submitted("Субботник в пятницу")
	d.pressData(chief, review, "ap:") // approve for the next free time: today, Thursday 26.11, 14:00 in Moscow
	_, waiting := d.submitted("Родительское собрание")
	proposal, proposed := d.draft(moderator, "Олимпиада по математике")
	d.pressData(moderator, proposal, "pt:")
	d.say(moderator, "15:00")
	d.lastSays(moderator, "26.11 15:00")
	if proposal = d.fresh(proposal); hasData(proposal, "sb:") {
		d.pressData(moderator, proposal, "sb:")
	}
	d.expect(chief, "Пост #"+proposed+" ·", "на согласовании")

	// Page B, with Boris as its chief editor and a post of his own.
	d.say(admin, "/newpage Библиотека")
	d.say(chief2, "/start "+joinLink(t, d.lastSays(admin, "t.me/redaktor_test_bot?start=")))
	d.expect(chief2, "You are the chief editor")
	own, other := d.draft(chief2, "Книжная выставка")
	d.pressData(chief2, own, "ap:")
	d.expect(chief2, "Post #"+other+" ·", "scheduled")

	d.say(chief, "/plan")
	plan := d.lastSays(chief, "План «МБОУ СОШ №4» на неделю, 26.11–02.12",
		"Чт, 26.11 — сегодня\n• 14:00 #"+scheduled+" «Субботник в пятницу»\n"+
			"• 15:00 #"+proposed+" «Олимпиада по математике» — на согласовании\nСвободное время: 18:00",
		"Пт, 27.11\nПубликаций нет.\nСвободное время: 10:00, 14:00, 18:00",
		"Ждут согласования, время не предложено:\n• #"+waiting+" «Родительское собрание»")
	for _, never := range []string{"Книжная выставка", "#" + other + " ", "03.12"} {
		if strings.Contains(plan.Text, never) {
			t.Errorf("the chief editor's plan shows %q:\n%s", never, plan.Text)
		}
	}
	onlyOpenButtons(t, plan)
	pic := d.planPicture(chief)
	if !hasBlock(pic, planpic.Colour(planpic.Scheduled)) || !hasBlock(pic, planpic.Colour(planpic.Pending)) {
		t.Errorf("the chief editor's picture lacks the block of the scheduled or of the waiting post")
	}
	d.pressData(chief, plan, "op:"+waiting)
	if card := d.expect(chief, "Пост #"+waiting+" ·", "на согласовании"); !hasData(card, "ap:") {
		t.Errorf("the chief editor's card from the plan cannot approve:\n%s", d.dump(chief))
	}

	d.say(moderator, "/plan")
	modPlan := d.lastSays(moderator, "План «МБОУ СОШ №4»", "• 14:00 #"+scheduled+" «Субботник в пятницу»",
		"• #"+waiting+" «Родительское собрание»", "Менять план может шеф-редактор")
	onlyOpenButtons(t, modPlan)
	d.planPicture(moderator)
	d.pressData(moderator, modPlan, "op:"+scheduled)
	if card := d.expect(moderator, "Пост #"+scheduled+" ·", "запланирован"); hasData(card, "ap:") || hasData(card, "qc:") {
		t.Errorf("the moderator's card from the plan has a chief editor's button:\n%s", d.dump(moderator))
	}

	d.say(chief2, "/plan")
	bPlan := d.lastSays(chief2, "The week of «Библиотека»", "#"+other+" «Книжная выставка»")
	for _, never := range []string{"Субботник", "Родительское", "МБОУ"} {
		if strings.Contains(bPlan.Text, never) {
			t.Errorf("page B's plan shows page A's %q:\n%s", never, bPlan.Text)
		}
	}
	if bPic := d.planPicture(chief2); hasBlock(bPic, planpic.Colour(planpic.Pending)) {
		t.Errorf("page B's picture shows a waiting post; page B has none")
	}

	d.say(stranger, "/plan")
	d.lastSays(stranger, "команда вам недоступна")
	if n := len(d.tg.Messages(stranger)); n != 1 {
		t.Errorf("the stranger got %d messages, want the refusal only:\n%s", n, d.dump(stranger))
	}
}

// TestModeratorSeesQueueAndPending: /queue and /pending show a moderator
// the page's lists, without a button that changes a post; the chief
// editor's /queue keeps them.
func TestModeratorSeesQueueAndPending(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, scheduled := d.submitted("Субботник в пятницу")
	d.pressData(chief, review, "ap:")
	_, waiting := d.submitted("Родительское собрание")

	d.say(moderator, "/queue")
	queue := d.lastSays(moderator, "Очередь «МБОУ СОШ №4»: 1 пост", "#"+scheduled, "Субботник в пятницу",
		"Одобрять, снимать и менять время может шеф-редактор")
	onlyOpenButtons(t, queue)
	d.say(moderator, "/pending")
	pending := d.lastSays(moderator, "1 пост ждёт согласования", "#"+waiting, "Родительское собрание")
	onlyOpenButtons(t, pending)
	if strings.Contains(queue.Text+pending.Text, "только шеф-редактор") {
		t.Errorf("the moderator was refused:\n%s\n%s", queue.Text, pending.Text)
	}

	d.say(chief, "/queue")
	if q := d.lastSays(chief, "#"+scheduled); !hasData(q, "qc:") || strings.Contains(q.Text, "может шеф-редактор") {
		t.Errorf("the chief editor's queue lost its buttons:\n%s", d.dump(chief))
	}
}
