package main

import (
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot/bottest"
)

// Approval in one tap (issue 13), through the whole program. It is 12:00
// in Moscow when a desk starts (26.11.2026).

// publishNow presses a publish-now button (label) on m and says yes to
// «Опубликовать сейчас?»; it returns the yes press.
func (d *desk) publishNow(from int64, m bottest.Sent, label string) tgbotapi.Update {
	d.t.Helper()
	newest := 0
	for _, x := range d.tg.Messages(from) {
		newest = max(newest, x.Message.MessageID)
	}
	d.pressNow(from, m, label)
	// The question is the first such message after the press; a reminder
	// or a report may come after it.
	var q bottest.Sent
	d.tg.WaitFor(d.t, wait, func() bool {
		for _, x := range d.tg.Messages(from) {
			if x.Message.MessageID > newest && strings.Contains(x.Text, "Опубликовать сейчас") {
				q = x
				return true
			}
		}
		return false
	})
	return d.pressNow(from, q, "Да, ")
}

// proposed makes a moderator's draft and proposes a time for it, which
// submits it; it returns the moderator's card, the chief editor's review
// card and the post id.
func (d *desk) proposed(text, when, shown string) (mine, review bottest.Sent, id string) {
	d.t.Helper()
	mine, id = d.draft(moderator, text)
	d.pressNow(moderator, mine, "Предложить время")
	d.lastSays(moderator, "Когда опубликовать пост #"+id, "сразу уйдёт на согласование")
	d.say(moderator, when)
	d.lastSays(moderator, "Предложено время: "+shown+". Пост #"+id+" отправлен на согласование")
	review = d.expect(chief, "Пост #"+id+" ·", "на согласовании", "Предложенное время: ")
	return mine, review, id
}

// TestApproveForTheProposedTime: the moderator proposes a time, which
// submits the post; the chief editor approves it for that time in one tap,
// and it goes out then, once. A proposed time that passed is said on the
// card, and its button (still on an old card) is refused.
func TestApproveForTheProposedTime(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, review, id := d.proposed("Субботник в пятницу", "завтра 10:00", "27.11 10:00")
	if !strings.Contains(review.Text, "Предложенное время: 27.11 10:00") || !hasButton(review, "✅ Одобрить на 27.11 10:00") {
		t.Fatalf("the review card does not offer the proposed time:\n%s", d.dumpMsg(review))
	}
	if !hasButton(review, "Одобрить на ближайшее свободное время") || !hasButton(review, "На время") {
		t.Fatalf("the review card lost the other choices:\n%s", d.dumpMsg(review))
	}
	if m := d.fresh(mine); !strings.Contains(m.Text, "на согласовании") || hasButton(m, "Отправить на согласование") {
		t.Fatalf("the moderator's card still waits to be submitted:\n%s", d.dumpMsg(m))
	}

	u := d.pressNow(chief, review, "✅ Одобрить на 27.11 10:00")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Одобрено. Публикация: 27.11 10:00") {
		t.Fatalf("approval for the proposed time answered %q", text)
	}
	d.expect(moderator, "ваш пост #"+id+" одобрен. Публикация: 27.11 10:00")
	if m := d.fresh(review); !strings.Contains(m.Text, "Публикация: 27.11 10:00") || hasButton(m, "Одобрить") {
		t.Fatalf("the card after approval:\n%s", d.dumpMsg(m))
	}
	hist := d.history(chief, review)
	for _, s := range []string{"Ирина: отправлено на согласование с предложенным временем 27.11 10:00", "Анна: одобрено на 27.11 10:00"} {
		if !strings.Contains(hist, s) {
			t.Fatalf("history lacks %q:\n%s", s, hist)
		}
	}
	d.advanceTo(msk(11, 27, 9, 59))
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("published before the proposed time: %q", d.channelTexts())
	}
	d.advanceTo(msk(11, 27, 10, 0))
	d.expect(moderator, "Пост #"+id+" опубликован")
	d.quiet()
	if n := d.inChannel("Субботник в пятницу"); n != 1 || len(d.channelPosts()) != 1 {
		t.Fatalf("the channel has %q, want the post once", d.channelTexts())
	}

	// A time proposed for 15:00 (today, 27.11, it is 10:00): the card
	// offers it until it passes.
	_, late, id2 := d.proposed("Ярмарка в субботу", "15:00", "27.11 15:00")
	approveLate := late.CallbackData("✅ Одобрить на 27.11 15:00")
	if approveLate == "" {
		t.Fatalf("no button for the proposed time:\n%s", d.dumpMsg(late))
	}
	d.advanceTo(msk(11, 27, 15, 1))
	d.expect(chief, "Наступило предложенное время поста #"+id2) // the reminder draws a fresh card
	reminded := d.expect(chief, "Пост #"+id2+" ·", "Предложенное время: 27.11 15:00 — уже прошло")
	if hasButton(reminded, "✅ Одобрить на 27.11 15:00") {
		t.Fatalf("a card drawn after the time passed offers it:\n%s", d.dumpMsg(reminded))
	}
	u = d.forge(chief, late, approveLate) // the old card's button
	if text, _ := d.answerOf(u); !strings.Contains(text, "Предложенное время 27.11 15:00 уже прошло") {
		t.Fatalf("a passed proposed time answered %q", text)
	}
	if m := d.fresh(reminded); hasButton(m, "✅ Одобрить на 27.11 15:00") || !strings.Contains(m.Text, "на согласовании") {
		t.Fatalf("the post moved:\n%s", d.dumpMsg(m))
	}
	d.quiet()
	if n := d.inChannel("Ярмарка"); n != 0 {
		t.Fatalf("a post approved for a passed time was published: %q", d.channelTexts())
	}
}

// TestAuthorWithdraws: the author takes a submitted post back to a draft;
// the chief editor's review card says so and offers nothing to approve,
// the old buttons, the question the chief editor was answering and a
// «publish now?» already asked are refused, and the post is never
// published. Submitted again, it is reviewed as before.
func TestAuthorWithdraws(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, id := d.draft(moderator, "Субботник в пятницу")
	d.pressNow(moderator, mine, "Отправить на согласование")
	review := d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	approveSlot := review.CallbackData("✅ Одобрить на ближайшее свободное время")
	d.pressNow(chief, review, "🚀 Опубликовать сейчас")
	question := d.lastSays(chief, "Опубликовать сейчас?")
	d.pressNow(chief, review, "На время")
	d.lastSays(chief, "Когда опубликовать пост #"+id)

	u := d.pressNow(moderator, mine, "Вернуть в черновики")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Пост #"+id+" снова черновик") {
		t.Fatalf("withdrawal answered %q", text)
	}
	card := d.fresh(review)
	if !strings.Contains(card.Text, "Статус: черновик") || !strings.Contains(card.Text, "Автор (Ирина) вернул пост в черновики") {
		t.Fatalf("the review card does not say the author withdrew it:\n%s", d.dumpMsg(card))
	}
	for _, b := range []string{"Одобрить", "Опубликовать", "Срочно", "На время", "Отклонить", "На доработку"} {
		if hasButton(card, b) {
			t.Fatalf("the review card of a withdrawn post still offers %q:\n%s", b, d.dumpMsg(card))
		}
	}
	if m := d.fresh(mine); !hasButton(m, "Отправить на согласование") {
		t.Fatalf("the author's card has no Submit again:\n%s", d.dumpMsg(m))
	}

	withdrawn := "Автор (Ирина) вернул пост #" + id + " в черновики"
	for _, c := range []struct {
		on   bottest.Sent
		data string
	}{{review, approveSlot}, {question, question.CallbackData("🚀 Да, опубликовать")}} {
		u := d.forge(chief, c.on, c.data)
		if text, alert := d.answerOf(u); !alert || !strings.Contains(text, withdrawn) {
			t.Fatalf("stale %q answered %q (alert %v)", c.data, text, alert)
		}
	}
	d.say(chief, "завтра 10:00") // the time she was asked for
	d.lastSays(chief, withdrawn)
	d.say(chief, "/pending")
	d.lastSays(chief, "нет постов на согласовании")
	d.advanceTo(msk(11, 27, 18, 0))
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("a withdrawn post was published: %q", d.channelTexts())
	}
	if n := d.count(moderator, "одобрен"); n != 0 {
		t.Fatalf("the author was told of an approval")
	}
	if h := d.history(moderator, mine); !strings.Contains(h, "Ирина: возвращено в черновики") || strings.Contains(h, "одобрено") {
		t.Fatalf("history:\n%s", h)
	}

	// Submitted again, the chief editor reviews it as before.
	d.pressNow(moderator, mine, "Отправить на согласование")
	again := d.expect(chief, "Пост #"+id+" ·", "на согласовании", "Ирина: отправлено на согласование")
	if !hasButton(again, "Одобрить на ближайшее свободное время") {
		t.Fatalf("the resubmitted post cannot be approved:\n%s", d.dumpMsg(again))
	}
}

// TestRejectIsFinal: a rejected post's card says it is final and offers no
// new version; a forged «Send new version» is refused and the next post is
// a new draft, not a version. «Request changes» keeps the way back.
func TestRejectIsFinal(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, id := d.draft(moderator, "Субботник в пятницу")
	d.pressNow(moderator, mine, "Отправить на согласование")
	review := d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	d.pressNow(chief, review, "Отклонить")
	d.lastSays(chief, "Почему пост #"+id+" отклонён", "Отклонение окончательное", "На доработку")
	d.say(chief, "Не по теме страницы")
	d.lastSays(chief, "Комментарий отправлен автору")
	d.expect(moderator, "пост #"+id+" отклонён — «Не по теме страницы»", "Это окончательное решение")

	card := d.lastSays(moderator, "Пост #"+id+" ·", "Отклонён окончательно")
	for _, c := range []bottest.Sent{card, d.fresh(mine)} {
		if hasButton(c, "новую версию") || hasButton(c, "Предложить время") || !hasButton(c, "Удалить") {
			t.Fatalf("the rejected post's card:\n%s", d.dumpMsg(c))
		}
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "Отклонён окончательно") {
		t.Fatalf("the chief editor's card does not say it is final:\n%s", d.dumpMsg(m))
	}

	// Forged presses of a version and a time, with the card's revision.
	rev := strings.Split(card.CallbackData("📜 История"), ":")[2]
	page := strings.Split(card.CallbackData("📜 История"), ":")[3]
	for _, act := range []string{"nv", "pt"} {
		u := d.forge(moderator, card, act+":"+id+":"+rev+":"+page)
		if text, _ := d.answerOf(u); !strings.Contains(text, "отклонён окончательно") {
			t.Fatalf("forged %s on a rejected post answered %q", act, text)
		}
	}
	_, id2 := d.draft(moderator, "Исправленный субботник")
	if id2 == id {
		t.Fatalf("the next post became a version of the rejected one")
	}
	if n := d.count(chief, "Версия 2"); n != 0 {
		t.Fatalf("the chief editor got a new version of a rejected post")
	}
	if h := d.history(moderator, card); strings.Contains(h, "версия 2") {
		t.Fatalf("the rejected post got a version:\n%s", h)
	}

	// Request changes is the way back: the card keeps «Send new version».
	back, id3 := d.submitted("Ярмарка в субботу")
	d.pressNow(chief, back, "На доработку")
	d.say(chief, "Добавьте время")
	returned := d.expect(moderator, "Пост #"+id3+" ·", "возвращён на доработку")
	if !hasButton(returned, "Отправить новую версию") || strings.Contains(returned.Text, "окончательно") {
		t.Fatalf("a post returned for changes:\n%s", d.dumpMsg(returned))
	}
}

// TestPublishNowAsksOnce: «Publish now» asks «Опубликовать сейчас?»; no
// publishes nothing, yes publishes once, and the answered question takes
// no second answer. The urgent question says what «срочно» changes.
func TestPublishNowAsksOnce(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, id := d.submitted("Субботник в пятницу")
	d.pressNow(chief, review, "🚀 Опубликовать сейчас")
	q := d.lastSays(chief, "Опубликовать сейчас?", "#"+id, "«Субботник в пятницу»")
	if !hasButton(q, "🚀 Да, опубликовать") || !hasButton(q, "Не публиковать") {
		t.Fatalf("the question's buttons:\n%s", d.dumpMsg(q))
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "на согласовании") {
		t.Fatalf("asking changed the post:\n%s", m.Text)
	}
	u := d.pressNow(chief, q, "Не публиковать")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Хорошо, не публикую") {
		t.Fatalf("no answered %q", text)
	}
	if m := d.fresh(q); len(m.Buttons()) != 0 || !strings.Contains(m.Text, "не публикую") {
		t.Fatalf("the answered question:\n%s", d.dumpMsg(m))
	}
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("a cancelled «publish now?» published: %q", d.channelTexts())
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "на согласовании") {
		t.Fatalf("no changed the post:\n%s", m.Text)
	}

	// The urgent variant says in one line what «срочно» changes.
	d.pressNow(chief, review, "⚡ Срочно")
	uq := d.lastSays(chief, "Опубликовать сейчас срочно?")
	lines := 0
	for _, l := range strings.Split(uq.Text, "\n") {
		if strings.Contains(l, "подписчики бота получат пост раньше всех других рассылок") {
			lines++
		}
	}
	if lines != 1 || !hasButton(uq, "⚡ Да, срочно") {
		t.Fatalf("the urgent question:\n%s", d.dumpMsg(uq))
	}

	d.pressNow(chief, review, "🚀 Опубликовать сейчас")
	yes := d.lastSays(chief, "Опубликовать сейчас?")
	yesData := yes.CallbackData("🚀 Да, опубликовать")
	u = d.pressNow(chief, yes, "Да, опубликовать")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Публикую") {
		t.Fatalf("yes answered %q", text)
	}
	d.expect(moderator, "Пост #"+id+" опубликован")
	if m := d.fresh(yes); len(m.Buttons()) != 0 || !strings.Contains(m.Text, "решено опубликовать сейчас") {
		t.Fatalf("the answered question:\n%s", d.dumpMsg(m))
	}
	// A second yes (the data of the answered question, and of the urgent
	// question asked before) publishes nothing more.
	for _, data := range []string{yesData, uq.CallbackData("⚡ Да, срочно")} {
		u = d.forge(chief, yes, data)
		if text, _ := d.answerOf(u); !strings.Contains(text, "уже") {
			t.Fatalf("a second yes answered %q", text)
		}
	}
	d.quiet()
	if n := d.inChannel("Субботник в пятницу"); n != 1 || len(d.channelPosts()) != 1 {
		t.Fatalf("the channel has %q, want the post once", d.channelTexts())
	}
	if h := d.history(chief, review); strings.Count(h, "решено опубликовать сейчас") != 1 {
		t.Fatalf("history:\n%s", h)
	}
}

// TestNoChannelSaidAtOnce: while the page has no channel, its draft cards
// and review cards say so; once linked, they do not.
func TestNoChannelSaidAtOnce(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.teamWithoutChannel()
	const warning = "У страницы не подключён канал — пост не сможет выйти, пока шеф-редактор не подключит его: /channel"
	mine, id := d.draft(moderator, "Субботник в пятницу")
	if !strings.Contains(mine.Text, warning) {
		t.Fatalf("the draft card does not say the page has no channel:\n%s", mine.Text)
	}
	d.pressNow(moderator, mine, "Отправить на согласование")
	review := d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	if !strings.Contains(review.Text, warning) {
		t.Fatalf("the review card does not say the page has no channel:\n%s", review.Text)
	}
	d.pressNow(chief, review, "🚀 Опубликовать сейчас")
	d.lastSays(chief, "Опубликовать сейчас?", warning)

	d.say(chief, "/channel")
	d.handled(d.tg.Send(chief, bottest.ForwardedFrom(channel, 5), bottest.Text("старый пост")))
	d.expect(chief, "Канал «МБОУ СОШ №4 г. Усмани» подключён к странице")
	if next, _ := d.draft(moderator, "Ярмарка в субботу"); strings.Contains(next.Text, "не подключён канал") {
		t.Fatalf("a draft of a page with a channel says it has none:\n%s", next.Text)
	}
}

// TestBareTimeEarlierThanNowIsTomorrow: at 12:00, «9:00» is tomorrow's
// 9:00, and every confirmation of a typed time says «завтра»; a later
// time today does not; a date gone by is answered that it passed.
func TestBareTimeEarlierThanNowIsTomorrow(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()

	// Approve for a time.
	review, id := d.submitted("Субботник в пятницу")
	d.pressNow(chief, review, "На время")
	for _, past := range []string{"25.11 18:30", "вчера 10:00", "сегодня 9:00"} {
		d.say(chief, past)
		if m := d.lastSays(chief, "Это время уже прошло."); strings.Contains(m.Text, "Одобрено") {
			t.Fatalf("%q approved", past)
		}
	}
	d.say(chief, "9:00")
	d.lastSays(chief, "Одобрено. Публикация: завтра, 27.11 09:00.")
	d.expect(moderator, "ваш пост #"+id+" одобрен. Публикация: 27.11 09:00")

	// Reschedule from /queue.
	d.say(chief, "/queue")
	d.pressData(chief, d.lastSays(chief, "Очередь"), "qt:"+id+":")
	d.say(chief, "10:30")
	d.lastSays(chief, "Одобрено. Публикация: завтра, 27.11 10:30.")
	d.say(chief, "/queue")
	d.pressData(chief, d.lastSays(chief, "Очередь"), "qt:"+id+":")
	d.say(chief, "17:45")
	if m := d.lastSays(chief, "Одобрено. Публикация: 26.11 17:45."); strings.Contains(m.Text, "завтра") {
		t.Fatalf("a time later today was taken for tomorrow: %q", m.Text)
	}

	// Propose a time.
	d.proposed("Ярмарка в субботу", "11:00", "завтра, 27.11 11:00")
}
