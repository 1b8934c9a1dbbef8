package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot/bottest"
)

// channelTexts are the texts (or captions) of the channel's messages.
func (d *desk) channelTexts() []string {
	var out []string
	for _, m := range d.channelPosts() {
		out = append(out, m.Text)
	}
	return out
}

// inChannel counts the channel's messages whose text contains s.
func (d *desk) inChannel(s string) int {
	n := 0
	for _, m := range d.channelPosts() {
		if strings.Contains(m.Text, s) {
			n++
		}
	}
	return n
}

// history presses History on a card and returns the history text.
func (d *desk) history(from int64, card bottest.Sent) string {
	d.t.Helper()
	d.pressNow(from, card, "История")
	return d.lastSays(from, "История поста").Text
}

// toldBesides collects what a person was told, in answers to the presses
// and in messages other than the card (whose last line names the last
// actor anyway).
func (d *desk) toldBesides(chat int64, card bottest.Sent, before int, ups ...tgbotapi.Update) string {
	var b strings.Builder
	for _, u := range ups {
		text, _ := d.answerOf(u)
		b.WriteString(text + "\n")
	}
	for i, m := range d.tg.Messages(chat) {
		if i >= before && m.MessageID != card.MessageID {
			b.WriteString(m.Text + "\n")
		}
	}
	return b.String()
}

// TestTwoChiefsApproveAtOnce: of two simultaneous approvals exactly one
// takes effect, the post goes out once, and the other chief editor is told
// who acted.
func TestTwoChiefsApproveAtOnce(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.addChief2()
	anna, _ := d.submitted("Субботник в пятницу")
	boris := d.expect(chief2, "Post #1 ·", "waiting for approval")
	annaBefore, borisBefore := len(d.tg.Messages(chief)), len(d.tg.Messages(chief2))

	ups := d.together(func() []tgbotapi.Update {
		return []tgbotapi.Update{
			d.pressAsync(chief, anna, "Одобрить на ближайшее свободное время"),
			d.pressAsync(chief2, boris, "Approve for the next free time"),
		}
	})

	// What each was told, before anything else is said to them.
	toldAnna := d.toldBesides(chief, anna, annaBefore, ups[0])
	toldBoris := d.toldBesides(chief2, boris, borisBefore, ups[1])

	hist := d.history(chief, anna)
	if n := strings.Count(hist, ": одобрено на"); n != 1 {
		t.Fatalf("history has %d approvals, want 1:\n%s", n, hist)
	}
	winner, told := "Анна", toldBoris
	if strings.Contains(hist, "Boris: одобрено") {
		winner, told = "Boris", toldAnna
	}
	if !strings.Contains(told, winner) {
		t.Fatalf("the chief editor who lost the race was not told %s acted; told:\n%s", winner, told)
	}
	if strings.Contains(told, "Approved. Publication") || strings.Contains(told, "Одобрено. Публикация") {
		t.Fatalf("the loser was told her approval took effect:\n%s", told)
	}
	d.expect(moderator, "ваш пост #1 одобрен", "26.11 14:00")
	if n := d.count(moderator, "ваш пост #1 одобрен"); n != 1 {
		t.Fatalf("the author was told %d times about the approval", n)
	}

	d.advanceTo(msk(11, 26, 14, 0))
	d.expect(moderator, "Пост #1 опубликован")
	d.quiet()
	if n := d.inChannel("Субботник в пятницу"); n != 1 || len(d.channelPosts()) != 1 {
		t.Fatalf("the channel has %q, want the post once", d.channelTexts())
	}
}

// TestStaleButtons: a button of a revision that has passed changes
// nothing and answers with the post's current state.
func TestStaleButtons(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	modCard, id := d.draft(moderator, "Субботник в пятницу")
	submitData := modCard.CallbackData("📤 Отправить на согласование") // revision 1
	d.pressNow(moderator, modCard, "Отправить на согласование")
	review := d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	rev2 := review // its buttons carry revision 2
	publishNow := rev2.CallbackData("🚀 Опубликовать сейчас")
	reject := rev2.CallbackData("⛔ Отклонить")
	u := d.pressNow(chief, review, "Одобрить на ближайшее свободное время")
	if text, _ := d.answerOf(u); !strings.Contains(text, "26.11 14:00") {
		t.Fatalf("approval answered %q", text)
	}
	if hasButton(d.fresh(review), "Отклонить") {
		t.Fatalf("the card of a scheduled post still offers Reject")
	}

	cases := []struct {
		from int64
		card bottest.Sent
		data string
	}{
		{chief, review, publishNow},
		{chief, review, reject},
		{moderator, modCard, submitData},
	}
	for _, c := range cases {
		before := len(d.tg.Messages(c.from))
		u := d.forge(c.from, c.card, c.data)
		text, alert := d.answerOf(u)
		if !alert || !strings.Contains(text, "Пост #"+id+" уже запланирован") {
			t.Fatalf("stale %q answered %q (alert %v), want the current state", c.data, text, alert)
		}
		for _, m := range d.tg.Messages(c.from)[before:] {
			if m.MessageID != c.card.MessageID && strings.Contains(m.Text, "Почему пост") {
				t.Fatalf("stale Reject asked for a reason: %q", m.Text)
			}
		}
	}

	// Still scheduled for 14:00, nothing published, nothing in the history.
	if m := d.fresh(review); !strings.Contains(m.Text, "Публикация: 26.11 14:00") {
		t.Fatalf("the card changed:\n%s", m.Text)
	}
	hist := d.history(chief, review)
	for _, s := range []string{"решено опубликовать сейчас", "отклонено"} {
		if strings.Contains(hist, s) {
			t.Fatalf("a stale button acted (%q):\n%s", s, hist)
		}
	}
	if n := strings.Count(hist, "отправлено на согласование"); n != 1 {
		t.Fatalf("the post was submitted %d times:\n%s", n, hist)
	}
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("a stale Publish now published: %q", d.channelTexts())
	}
}

// TestModeratorCannotApprove: a moderator's forged approval is refused and
// the post still waits.
func TestModeratorCannotApprove(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, id := d.submitted("Субботник в пятницу")
	modCard := d.expect(moderator, "Пост #"+id+" ·", "на согласовании")
	for _, act := range []string{"ap", "pn", "rj", "at"} {
		data := review.CallbackData(labelFor(act))
		if data == "" {
			t.Fatalf("no %s button on the review card:\n%s", act, d.dumpMsg(review))
		}
		before := len(d.tg.Messages(moderator))
		u := d.forge(moderator, modCard, data)
		told := d.toldBesides(moderator, modCard, before, u)
		if !strings.Contains(told, "У вас нет прав на это действие") {
			t.Fatalf("forged %q by the moderator: told %q, want a refusal", data, told)
		}
		if strings.Contains(told, "Одобрено") || strings.Contains(told, "Публикую") || strings.Contains(told, "Когда опубликовать") || strings.Contains(told, "Почему") {
			t.Fatalf("forged %q by the moderator was taken: %q", data, told)
		}
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "Статус: на согласовании") {
		t.Fatalf("the review card changed:\n%s", m.Text)
	}
	d.say(chief, "/pending")
	d.lastSays(chief, "1 пост ждёт согласования")
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("the channel got %q", d.channelTexts())
	}
}

func labelFor(act string) string {
	return map[string]string{
		"ap": "✅ Одобрить на ближайшее свободное время", "pn": "🚀 Опубликовать сейчас",
		"rj": "⛔ Отклонить", "at": "🕒 На время…",
	}[act]
}

// TestUnsupportedContent: what cannot be a channel post is answered and
// makes no draft.
func TestUnsupportedContent(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	for _, k := range []bottest.Kind{bottest.KindSticker, bottest.KindLocation, bottest.KindPoll, bottest.KindVoice, bottest.KindContact, bottest.KindVideoNote} {
		t.Run(string(k), func(t *testing.T) {
			d.handled(d.tg.Send(moderator, bottest.Media(k)))
			d.lastSays(moderator, "Такое сообщение нельзя сделать постом")
		})
	}
	if n := d.count(moderator, "Пост #"); n != 0 {
		t.Fatalf("the moderator got %d draft cards", n)
	}
	d.say(moderator, "/drafts")
	d.lastSays(moderator, "У вас нет открытых постов")
	// The first real post is #1: nothing was made of the others.
	_, id := d.draft(moderator, "Настоящий пост")
	if id != "1" {
		t.Fatalf("the first real post is #%s", id)
	}
}

// TestApproveAtTimeAnswers: an unreadable or past time gets examples and
// the question stays open; a good time approves.
func TestApproveAtTimeAnswers(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, id := d.submitted("Субботник в пятницу")
	d.pressNow(chief, review, "На время")
	d.lastSays(chief, "Когда опубликовать пост #"+id)

	for _, c := range []struct{ text, want string }{
		{"когда-нибудь потом", "Не понял время."},
		{"вчера в 10", "Это время уже прошло."},
		{"сегодня 10:00", "Это время уже прошло."},
		{"25.11.2026 18:30", "Это время уже прошло."},
	} {
		d.say(chief, c.text)
		m := d.lastSays(chief, c.want, "Примеры: 18:30, завтра 10:00")
		if strings.Contains(m.Text, "Одобрено") {
			t.Fatalf("%q approved the post", c.text)
		}
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "Статус: на согласовании") {
		t.Fatalf("a bad time changed the post:\n%s", m.Text)
	}
	d.say(chief, "завтра 10:00")
	d.lastSays(chief, "Одобрено. Публикация: 27.11 10:00")
	if m := d.fresh(review); !strings.Contains(m.Text, "Публикация: 27.11 10:00") {
		t.Fatalf("the card does not show the time:\n%s", m.Text)
	}
	// The question is closed: the next text is not a time. Short and
	// soon after, it is asked about first (issue 13); Yes makes a draft.
	d.say(chief, "18:00")
	q := d.lastSays(chief, "«18:00» — сделать из этого черновик")
	d.pressNow(chief, q, "Да, сделать черновик")
	got := cardID.FindStringSubmatch(d.lastSays(chief, "Пост #").Text)
	if got == nil || got[1] == id {
		t.Fatalf("the text after approval did not become a new draft:\n%s", d.dump(chief))
	}
}

// TestLongCaptionSplit: a photo with a caption over 1024 characters is
// warned about and published as the photo, then the text with its
// formatting.
func TestLongCaptionSplit(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	text := "Важно: " + strings.TrimSpace(strings.Repeat("Субботник пройдёт в пятницу у школы. ", 40))
	if n := len([]rune(text)); n <= 1024 {
		t.Fatalf("test text is only %d characters", n)
	}
	bold := tgbotapi.MessageEntity{Type: "bold", Offset: 0, Length: 6}
	italic := tgbotapi.MessageEntity{Type: "italic", Offset: 1100, Length: 9}
	d.handled(d.tg.Send(moderator, bottest.Media(bottest.KindPhoto), bottest.Text(text), bottest.Entities(bold, italic)))
	card := d.lastSays(moderator, "Пост #1 ·", "Подпись длиннее 1024 символов")
	d.pressNow(moderator, card, "Отправить на согласование")
	review := d.expect(chief, "Пост #1 ·", "на согласовании", "Подпись длиннее 1024 символов")

	d.publishNow(chief, review, "Опубликовать сейчас")
	d.expect(moderator, "Пост #1 опубликован")
	d.quiet()
	posts := d.channelPosts()
	if len(posts) != 2 {
		t.Fatalf("the channel has %d messages, want the photo and the text:\n%s", len(posts), d.dump(channel))
	}
	if posts[0].Kind != bottest.KindPhoto || posts[0].Text != "" {
		t.Fatalf("first message: %s with caption %q, want a photo without caption", posts[0].Kind, posts[0].Text)
	}
	if posts[1].Kind != bottest.KindText || posts[1].Text != text {
		t.Fatalf("second message: %s %q, want the whole text", posts[1].Kind, posts[1].Text)
	}
	for _, want := range []tgbotapi.MessageEntity{bold, italic} {
		found := false
		for _, e := range posts[1].Entities {
			found = found || e.Type == want.Type && e.Offset == want.Offset && e.Length == want.Length
		}
		if !found {
			t.Fatalf("the published text lost %+v; it has %+v", want, posts[1].Entities)
		}
	}
}

// TestApproveIntoNextSlot: approvals take the page's free slots in order
// (10:00, 14:00, 18:00 Moscow; it is 12:00 now).
func TestApproveIntoNextSlot(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	for _, c := range []struct{ text, when string }{
		{"Первый пост", "26.11 14:00"},
		{"Второй пост", "26.11 18:00"},
		{"Третий пост", "27.11 10:00"},
	} {
		review, id := d.submitted(c.text)
		u := d.pressNow(chief, review, "Одобрить на ближайшее свободное время")
		if text, _ := d.answerOf(u); !strings.Contains(text, "Одобрено. Публикация: "+c.when) {
			t.Fatalf("post %s: approval answered %q, want %s", id, text, c.when)
		}
		if m := d.fresh(review); !strings.Contains(m.Text, "Публикация: "+c.when) {
			t.Fatalf("post %s: the card says\n%s", id, m.Text)
		}
		d.expect(moderator, "ваш пост #"+id+" одобрен. Публикация: "+c.when)
	}
}

// TestQueue: /queue lists scheduled posts in time order with their
// buttons; Cancel keeps a post out of the channel, Publish now sends one
// at once.
func TestQueue(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	// #1 for tomorrow 10:00, #2 for today's 14:00 slot.
	r1, id1 := d.submitted("Пост на завтра")
	d.pressNow(chief, r1, "На время")
	d.say(chief, "завтра 10:00")
	d.lastSays(chief, "Одобрено. Публикация: 27.11 10:00")
	r2, id2 := d.submitted("Пост на сегодня")
	d.pressNow(chief, r2, "Одобрить на ближайшее свободное время")
	// #3 waits for approval; it is used later to know a tick went by.
	r3, id3 := d.submitted("Пост для проверки")

	d.say(chief, "/queue")
	q := d.lastSays(chief, "Очередь «МБОУ СОШ №4»: 2 поста")
	i1, i2 := strings.Index(q.Text, "#"+id1+" ·"), strings.Index(q.Text, "#"+id2+" ·")
	if i1 < 0 || i2 < 0 || i2 > i1 {
		t.Fatalf("the queue is not in time order (#%s at 14:00 first):\n%s", id2, q.Text)
	}
	if strings.Contains(q.Text, "#"+id3+" ·") {
		t.Fatalf("the queue lists a pending post:\n%s", q.Text)
	}
	for _, id := range []string{id1, id2} {
		for _, prefix := range []string{"pn:" + id + ":", "qt:" + id + ":", "qc:" + id + ":"} {
			found := false
			for _, b := range q.Buttons() {
				found = found || b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix)
			}
			if !found {
				t.Fatalf("the queue has no %q button:\n%s", prefix, d.dumpMsg(q))
			}
		}
	}
	if !hasButton(q, "▶️ #"+id2+" сейчас") || !hasButton(q, "🕒 Время") || !hasButton(q, "✖️ Снять") {
		t.Fatalf("the queue's buttons are not labelled:\n%s", d.dumpMsg(q))
	}

	// Cancel #1: the author is told, it leaves the queue.
	u := d.pressData(chief, q, "qc:"+id1+":")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Готово") {
		t.Fatalf("cancel answered %q", text)
	}
	d.expect(moderator, "пост #"+id1+" снят с публикации")
	d.say(chief, "/queue")
	q2 := d.lastSays(chief, "1 пост")
	if strings.Contains(q2.Text, "#"+id1+" ·") {
		t.Fatalf("a cancelled post is still queued:\n%s", q2.Text)
	}

	// Move #2 to 17:30 with Change time; the queue shows the new time.
	d.pressData(chief, q, "qt:"+id2+":")
	d.lastSays(chief, "Когда опубликовать пост #"+id2)
	d.say(chief, "17:30")
	d.lastSays(chief, "Одобрено. Публикация: 26.11 17:30")
	d.say(chief, "/queue")
	q = d.lastSays(chief, "#"+id2+" · 26.11 17:30 ·")

	// Publish #2 now: it goes out within a tick or two.
	d.pressData(chief, q, "pn:"+id2+":")
	u = d.pressNow(chief, d.lastSays(chief, "Опубликовать сейчас?", "#"+id2), "Да, опубликовать")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Публикую") {
		t.Fatalf("publish now answered %q", text)
	}
	d.expect(moderator, "Пост #"+id2+" опубликован")
	if d.inChannel("Пост на сегодня") != 1 {
		t.Fatalf("the channel has %q", d.channelTexts())
	}

	// #1's time passes: it stays out. #3, published after the clock moved,
	// shows that the scheduler ran (it takes due posts oldest first).
	d.advanceTo(msk(11, 27, 10, 5))
	d.publishNow(chief, r3, "Опубликовать сейчас")
	d.expect(moderator, "Пост #"+id3+" опубликован")
	if n := d.inChannel("Пост на завтра"); n != 0 {
		t.Fatalf("a cancelled post was published: %q", d.channelTexts())
	}
	if n := d.inChannel("Пост на сегодня"); n != 1 {
		t.Fatalf("post #%s is in the channel %d times", id2, n)
	}
}

// TestPermanentFailure: the bot lost the right to post; at the time the
// post is failed, the chief editor is told why with Retry, and Retry after
// the rights are back publishes it once.
func TestPermanentFailure(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, id := d.submitted("Субботник в пятницу")
	d.pressNow(chief, review, "Одобрить на ближайшее свободное время")
	d.tg.SetBotRights(channel, bottest.Rights{Status: bottest.StatusAdministrator, CanEditMessages: true, CanDeleteMessages: true})

	d.advanceTo(msk(11, 26, 14, 0))
	failed := d.expect(chief, "Пост #"+id+" для «МБОУ СОШ №4» не опубликован", "need administrator rights")
	if !hasButton(failed, "Повторить") {
		t.Fatalf("the failure notice has no Retry:\n%s", d.dumpMsg(failed))
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "не удалось опубликовать") {
		t.Fatalf("the card does not show the failure:\n%s", m.Text)
	}
	d.quiet()
	if n := d.count(chief, "не опубликован"); n != 1 {
		t.Fatalf("the chief editor was told %d times", n)
	}
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("the channel has %q", d.channelTexts())
	}

	d.say(chief, "/queue")
	q := d.lastSays(chief, "#"+id+" ·", "не удалось опубликовать", "Причина: ", "need administrator rights")
	if !hasButton(q, "🔁 #"+id+" ещё раз") {
		t.Fatalf("the queue offers no retry for the failed post:\n%s", d.dumpMsg(q))
	}

	d.tg.SetBotRights(channel, bottest.AdminRights())
	u := d.pressNow(chief, failed, "Повторить")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Публикую") {
		t.Fatalf("retry answered %q", text)
	}
	d.expect(moderator, "Пост #"+id+" опубликован")
	d.quiet()
	if n := d.inChannel("Субботник в пятницу"); n != 1 || len(d.channelPosts()) != 1 {
		t.Fatalf("the channel has %q, want the post once", d.channelTexts())
	}
}

// TestTemporaryFailure: Telegram answers 502 a few times at publication;
// the post is still published exactly once.
func TestTemporaryFailure(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		fails int
	}{
		{"the client's retries absorb it", 2},
		{"the scheduler tries again later", 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := newDesk(t)
			d.setUp()
			review, id := d.submitted("Субботник в пятницу")
			d.pressNow(chief, review, "Одобрить на ближайшее свободное время")
			d.tg.FailNext("sendMessage", c.fails, 502)
			d.advanceTo(msk(11, 26, 14, 0))
			if c.fails > 3 {
				// The client gives up after its attempts; the scheduler
				// defers the post by 5 s of the page's clock.
				deferred := func() bool {
					due, err := d.redis().ZScore(context.Background(), d.key("due"), id).Result()
					return err == nil && int64(due) == d.clock.Now().Add(5*time.Second).UnixMilli()
				}
				if !waitUntil(deferred) {
					t.Fatalf("the post was not deferred by 5 s; logs:\n%s", d.logs.String())
				}
				d.clock.Advance(5 * time.Second)
			}
			d.expect(moderator, "Пост #"+id+" опубликован")
			d.quiet()
			if n := d.inChannel("Субботник в пятницу"); n != 1 || len(d.channelPosts()) != 1 {
				t.Fatalf("the channel has %q, want the post once", d.channelTexts())
			}
			failed := 0
			for _, call := range d.tg.Calls("sendMessage") {
				if call.Params["chat_id"] == strconv.FormatInt(channel, 10) && !call.OK() {
					failed++
				}
			}
			if failed != c.fails {
				t.Fatalf("%d failed sends to the channel, want %d", failed, c.fails)
			}
			if n := d.count(chief, "не опубликован"); n != 0 {
				t.Fatalf("a temporary failure was reported as failed")
			}
		})
	}
}

// TestDowntime: a post that fell due while the bot was down is published
// once when it comes back, and the chief editor is told it is late.
func TestDowntime(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, id := d.submitted("Субботник в пятницу")
	d.pressNow(chief, review, "Одобрить на ближайшее свободное время")

	d.stop()
	d.advanceTo(msk(11, 26, 15, 0))
	d.start()
	d.expect(chief, "Пост #"+id+" опубликован", "с опозданием", "26.11 14:00")
	d.expect(moderator, "Пост #"+id+" опубликован")
	d.quiet()
	if n := d.inChannel("Субботник в пятницу"); n != 1 || len(d.channelPosts()) != 1 {
		t.Fatalf("the channel has %q, want the post once", d.channelTexts())
	}
}

// TestRestartKeepsDrafts: a draft card made before a restart still works.
func TestRestartKeepsDrafts(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	card, id := d.draft(moderator, "Субботник в пятницу")
	d.stop()
	d.start()
	u := d.pressNow(moderator, card, "Отправить на согласование")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Отправлено на согласование") {
		t.Fatalf("submit after restart answered %q", text)
	}
	d.expect(chief, "Пост #"+id+" ·", "на согласовании", "Ирина")
	d.say(moderator, "/drafts")
	d.lastSays(moderator, "#"+id+" · МБОУ СОШ №4 · на согласовании")
}

// TestPendingPastProposedTime: a post still waiting for approval at its
// proposed time is not published; the chief editor is reminded once.
func TestPendingPastProposedTime(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	card, id := d.draft(moderator, "Субботник в пятницу")
	d.pressNow(moderator, card, "Предложить время")
	d.say(moderator, "15:00") // proposing a time submits the post
	d.lastSays(moderator, "Предложено время: 26.11 15:00")
	d.expect(chief, "Пост #"+id+" ·", "на согласовании", "Предложенное время: 26.11 15:00")

	d.advanceTo(msk(11, 26, 15, 0).Add(30 * time.Second))
	d.expect(chief, "Наступило предложенное время поста #"+id, "26.11 15:00", "не согласован")
	d.quiet()
	d.clock.Advance(time.Hour)
	d.quiet()
	if n := d.count(chief, "Наступило предложенное время"); n != 1 {
		t.Fatalf("the chief editor was reminded %d times, want once", n)
	}
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("an unapproved post was published: %q", d.channelTexts())
	}
	d.say(chief, "/pending")
	d.lastSays(chief, "1 пост ждёт согласования")
}

// TestDraftsAndHistory: /drafts lists the author's posts with their status;
// History tells who did what.
func TestDraftsAndHistory(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	_, id1 := d.draft(moderator, "Черновик о библиотеке")
	review, id2 := d.submitted("Субботник в пятницу")
	d.pressNow(chief, review, "Одобрить на ближайшее свободное время")

	d.say(moderator, "/drafts")
	list := d.lastSays(moderator, "Ваши посты:")
	for _, want := range []string{
		"#" + id1 + " · МБОУ СОШ №4 · черновик", "Черновик о библиотеке",
		"#" + id2 + " · МБОУ СОШ №4 · запланирован", "Субботник в пятницу", "Публикация: 26.11 14:00",
	} {
		if !strings.Contains(list.Text, want) {
			t.Fatalf("/drafts lacks %q:\n%s", want, list.Text)
		}
	}
	if !hasButton(list, "Открыть #"+id1) || !hasButton(list, "Открыть #"+id2) {
		t.Fatalf("/drafts has no open buttons:\n%s", d.dumpMsg(list))
	}
	// The chief editor's own list does not show the moderator's posts.
	d.say(chief, "/drafts")
	d.lastSays(chief, "У вас нет открытых постов")

	hist := d.history(chief, review)
	steps := []string{
		"История поста #" + id2,
		"Ирина: создан черновик",
		"Ирина: отправлено на согласование",
		"Анна: одобрено на 26.11 14:00",
	}
	at := 0
	for _, s := range steps {
		i := strings.Index(hist[at:], s)
		if i < 0 {
			t.Fatalf("history lacks %q (in order):\n%s", s, hist)
		}
		at += i
	}
	// The author sees the same history from her card.
	d.pressNow(moderator, list, "Открыть #"+id2)
	card := d.lastSays(moderator, "Пост #"+id2+" ·", "запланирован")
	if h := d.history(moderator, card); !strings.Contains(h, "Анна: одобрено на 26.11 14:00") {
		t.Fatalf("the author's history:\n%s", h)
	}
}
