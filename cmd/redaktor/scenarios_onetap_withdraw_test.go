package main

import (
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Withdrawing, correcting a withdrawn draft, and what a reminder leaves
// current (one-tap approval, issue 13). It is 12:00 in Moscow, 26.11.2026,
// when a desk starts.

// TestResubmitAfterWithdrawIsNotRemindedOfTheOldTime: the proposed time goes
// with the withdrawal; the post submitted again without a time, after that
// time, does not remind the chief editor of a time the author took back.
func TestResubmitAfterWithdrawIsNotRemindedOfTheOldTime(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, _, id := d.proposed("Субботник в пятницу", "15:00", "26.11 15:00")
	d.pressNow(moderator, mine, "Вернуть в черновики")
	if m := d.fresh(mine); strings.Contains(m.Text, "Предложенное время") {
		t.Fatalf("the withdrawn draft still shows the proposed time:\n%s", d.dumpMsg(m))
	}
	d.advanceTo(msk(11, 26, 16, 0))
	d.quiet()
	d.pressNow(moderator, mine, "Отправить на согласование")
	d.expect(chief, "Пост #"+id+" ·", "на согласовании", "Ирина: отправлено на согласование")
	d.quiet()
	if n := d.count(chief, "Наступило предложенное время поста #"+id); n != 0 {
		t.Fatalf("the chief editor was reminded %d times of a time the author withdrew:\n%s", n, d.dump(chief))
	}
}

// TestAuthorsStaleWithdrawSpeaksToHer: the author's second tap on «Вернуть в
// черновики» (a double tap, an old card) tells her the post is a draft
// already, not of herself in the third person.
func TestAuthorsStaleWithdrawSpeaksToHer(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, id := d.draft(moderator, "Субботник в пятницу")
	d.pressNow(moderator, mine, "Отправить на согласование")
	d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	data := d.fresh(mine).CallbackData("↩️ Вернуть в черновики")
	d.pressNow(moderator, mine, "Вернуть в черновики")
	text, _ := d.answerOf(d.forge(moderator, mine, data))
	if !strings.Contains(text, "Пост #"+id+" уже снова черновик") || strings.Contains(text, "Автор (Ирина)") ||
		strings.Contains(text, "согласовывать пока нечего") {
		t.Fatalf("the author's own stale press answered %q", text)
	}
}

// TestWithdrawnDraftTakesANewVersion: the withdrawal says to correct the
// post, and the draft's card offers the way: a new version, which keeps it
// a draft (nobody is asked to review it) until the author submits it; the
// chief editor then reviews the corrected text.
func TestWithdrawnDraftTakesANewVersion(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, id := d.draft(moderator, "Субботник в пятницу")
	d.pressNow(moderator, mine, "Отправить на согласование")
	d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	if text, _ := d.answerOf(d.pressNow(moderator, mine, "Вернуть в черновики")); !strings.Contains(text, "Исправьте его") {
		t.Fatalf("withdrawal answered %q", text)
	}
	if m := d.fresh(mine); !hasButton(m, "Отправить новую версию") || !hasButton(m, "Отправить на согласование") {
		t.Fatalf("told to correct the draft, but its card offers no way to:\n%s", d.dumpMsg(m))
	}
	d.pressNow(moderator, mine, "Отправить новую версию")
	d.lastSays(moderator, "Пришлите исправленный пост #"+id)
	d.say(moderator, "Субботник в субботу, 29.11, в 10:00 у главного входа")
	d.expect(moderator, "Версия 2 поста #"+id+" сохранена", "остаётся черновиком")
	card := d.lastSays(moderator, "Пост #"+id+" ·", "версия 2", "Статус: черновик")
	if !hasButton(card, "Отправить на согласование") {
		t.Fatalf("the corrected draft cannot be submitted:\n%s", d.dumpMsg(card))
	}
	d.quiet()
	if n := d.count(chief, "Версия 2 поста #"+id); n != 0 {
		t.Fatalf("the chief editor was asked to review a draft:\n%s", d.dump(chief))
	}
	d.pressNow(moderator, card, "Отправить на согласование")
	d.expect(chief, "Субботник в субботу, 29.11")
	review := d.expect(chief, "Пост #"+id+" ·", "версия 2", "на согласовании")
	if !hasButton(review, "Одобрить на ближайшее свободное время") {
		t.Fatalf("the corrected post cannot be approved:\n%s", d.dumpMsg(review))
	}
	if n := len(d.tg.Messages(channel)); n != 0 {
		t.Fatalf("the channel has %q", d.channelTexts())
	}
}

// TestWithdrawAndApproveAtOnceOneWins: the author withdraws as the chief
// editor approves for the proposed time: exactly one wins, and a withdrawn
// post is never published.
func TestWithdrawAndApproveAtOnceOneWins(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, review, id := d.proposed("Субботник в пятницу", "завтра 10:00", "27.11 10:00")
	mine = d.fresh(mine)
	d.together(func() []tgbotapi.Update {
		return []tgbotapi.Update{
			d.pressAsync(moderator, mine, "Вернуть в черновики"),
			d.pressAsync(chief, review, "✅ Одобрить на 27.11 10:00"),
		}
	})
	hist := d.history(chief, review)
	withdrew, approved := strings.Contains(hist, "возвращено в черновики"), strings.Contains(hist, "одобрено на")
	if withdrew == approved {
		t.Fatalf("withdrawn %v, approved %v:\n%s", withdrew, approved, hist)
	}
	d.advanceTo(msk(11, 27, 10, 1))
	d.quiet()
	if n := d.inChannel("Субботник"); (n == 1) != approved || n > 1 {
		t.Fatalf("post #%s: in channel %d times, approved %v", id, n, approved)
	}
}

// TestAReminderLeavesTheQuestionCurrent: the chief editor is asked
// «Опубликовать сейчас?» a minute before the proposed time; the reminder
// of that time comes before she answers, and her yes still publishes.
func TestAReminderLeavesTheQuestionCurrent(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	_, review, id := d.proposed("Субботник в пятницу", "15:00", "26.11 15:00")
	d.advanceTo(msk(11, 26, 14, 59))
	d.pressNow(chief, review, "🚀 Опубликовать сейчас")
	q := d.lastSays(chief, "Опубликовать сейчас?")
	d.advanceTo(msk(11, 26, 15, 0))
	d.expect(chief, "Наступило предложенное время поста #"+id)
	u := d.pressNow(chief, q, "Да, опубликовать")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Публикую") {
		t.Fatalf("yes to publish now answered %q; the chat:\n%s", text, d.dump(chief))
	}
	d.expect(moderator, "Пост #"+id+" опубликован")
	d.quiet()
	if n := d.inChannel("Субботник в пятницу"); n != 1 {
		t.Fatalf("the channel has %q, want the post once", d.channelTexts())
	}
}

// TestAReminderLeavesCardsAndAnswersCurrent: the reminder of a proposed
// time changes nothing anybody acts on: a time the chief editor is typing
// is taken, a button of a card drawn before it works, and the author may
// still withdraw from her card.
func TestAReminderLeavesCardsAndAnswersCurrent(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	_, typed, idTyped := d.proposed("Субботник в пятницу", "15:00", "26.11 15:00")
	mine, pressed, idPressed := d.proposed("Ярмарка в субботу", "15:00", "26.11 15:00")
	changes := pressed.CallbackData("✏️ На доработку")
	withdraw := d.fresh(mine).CallbackData("↩️ Вернуть в черновики")
	d.advanceTo(msk(11, 26, 14, 58))
	d.pressNow(chief, typed, "На время")
	d.lastSays(chief, "Когда опубликовать пост #"+idTyped)
	d.advanceTo(msk(11, 26, 15, 0))
	d.expect(chief, "Наступило предложенное время поста #"+idTyped)
	d.expect(chief, "Наступило предложенное время поста #"+idPressed)
	d.quiet()

	d.say(chief, "завтра 10:00")
	d.lastSays(chief, "Одобрено. Публикация: 27.11 10:00")
	d.expect(moderator, "ваш пост #"+idTyped+" одобрен. Публикация: 27.11 10:00")

	d.forge(chief, pressed, changes) // a card drawn before the reminder
	d.lastSays(chief, "Что поправить в посте #"+idPressed)
	d.say(chief, "/cancel")
	if text, _ := d.answerOf(d.forge(moderator, mine, withdraw)); !strings.Contains(text, "Пост #"+idPressed+" снова черновик") {
		t.Fatalf("the author's withdrawal after the reminder answered %q", text)
	}
}

// TestStaleAnswerClosesThePublishNowQuestion: a yes to «Опубликовать
// сейчас?» after the author withdrew the post is refused, and the question
// loses its buttons and says why, so it is not pressed again.
func TestStaleAnswerClosesThePublishNowQuestion(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	mine, id := d.draft(moderator, "Субботник в пятницу")
	d.pressNow(moderator, mine, "Отправить на согласование")
	review := d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	d.pressNow(chief, review, "🚀 Опубликовать сейчас")
	q := d.lastSays(chief, "Опубликовать сейчас?")
	d.pressNow(moderator, mine, "Вернуть в черновики")
	withdrawn := "Автор (Ирина) вернул пост #" + id + " в черновики"
	if text, _ := d.answerOf(d.pressNow(chief, q, "Да, опубликовать")); !strings.Contains(text, withdrawn) {
		t.Fatalf("a stale yes answered %q", text)
	}
	if m := d.fresh(q); len(m.Buttons()) != 0 || !strings.Contains(m.Text, withdrawn) {
		t.Fatalf("the question after a stale answer:\n%s", d.dumpMsg(m))
	}
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("a withdrawn post was published: %q", d.channelTexts())
	}
}

// TestPublishNowQuestionNotSentIsSaid: when «Опубликовать сейчас?» cannot be
// sent, the press says so; nothing changes, and the next press asks.
func TestPublishNowQuestionNotSentIsSaid(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, _ := d.submitted("Субботник в пятницу")
	d.tg.FailNext("sendMessage", 1, 400)
	if text, _ := d.answerOf(d.pressNow(chief, review, "🚀 Опубликовать сейчас")); !strings.Contains(text, "Не удалось задать вопрос «Опубликовать сейчас?»") {
		t.Fatalf("a question that was not sent answered %q", text)
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "на согласовании") {
		t.Fatalf("the post moved:\n%s", d.dumpMsg(m))
	}
	d.pressNow(chief, review, "🚀 Опубликовать сейчас")
	d.lastSays(chief, "Опубликовать сейчас?")
}
