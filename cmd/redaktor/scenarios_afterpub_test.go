package main

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot/bottest"
)

// Residents subscribed to the page in these tests.
const (
	resident1 int64 = 601 // Russian Telegram
	resident2 int64 = 602 // English Telegram
	resident3 int64 = 603 // blocks the bot after the publication
)

// residents subscribes three residents through the page's link; with
// copies, the page is first switched to copies (no channel shown).
func (d *desk) residents(copies bool) {
	d.t.Helper()
	d.tg.AddUser(resident1, "Ольга", "olga", "ru")
	d.tg.AddUser(resident2, "Sam", "sam", "en")
	d.tg.AddUser(resident3, "Нина", "nina", "ru")
	d.say(chief, "/subscribers")
	card := d.expect(chief, "Подписчики страницы")
	if copies {
		d.press(chief, card, "Не показывать канал")
	}
	code := subscribeLink.FindStringSubmatch(card.Text)[1]
	for _, r := range []int64{resident1, resident2, resident3} {
		d.say(r, "/start "+code)
	}
}

// publishedNow publishes the chief editor's own post of text at once and
// waits until the subscribers got it; it returns the post's card.
func (d *desk) publishedNow(id, text string, subscribers int) bottest.Sent {
	d.t.Helper()
	d.say(chief, text)
	d.publishNow(chief, d.expect(chief, "Пост #"+id, "черновик"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	n := strconv.Itoa(subscribers)
	d.expect(chief, "Пост #"+id+" опубликован", "Подписчикам доставлено "+n+" из "+n)
	return d.openCard(chief, id, "Статус: опубликован")
}

// openCard opens a post's card anew (as a list's button does) and
// returns it once it shows parts: the cards already shown are redrawn on
// every change, but that is a side effect a test need not wait for.
func (d *desk) openCard(from int64, id string, parts ...string) bottest.Sent {
	d.t.Helper()
	u, _ := d.tg.LastMessage(from)
	msg := u.Message
	who := tgbotapi.User{ID: from, FirstName: "Тест", LanguageCode: "ru"}
	d.handled(d.tg.PushUpdate(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "open-" + strconv.FormatInt(from, 10) + "-" + strconv.Itoa(len(d.tg.Calls())), From: &who, Message: &msg,
		ChatInstance: "test", Data: "op:" + id}}))
	return d.expect(from, append([]string{"Пост #" + id + " ·"}, parts...)...)
}

// channelPost is the channel's message whose text contains s.
func (d *desk) channelPost(s string) (bottest.Sent, bool) {
	for _, m := range d.channelPosts() {
		if strings.Contains(m.Text, s) {
			return m, true
		}
	}
	return bottest.Sent{}, false
}

// forwards are the messages in a chat forwarded from the channel.
func (d *desk) forwards(chat int64) []bottest.Sent {
	var out []bottest.Sent
	for _, m := range d.tg.Messages(chat) {
		if m.Message.ForwardFromChat != nil && m.Message.ForwardFromChat.ID == channel {
			out = append(out, m)
		}
	}
	return out
}

// A chief editor corrects a wrong date in a published post: the channel
// message is edited, and the residents' forwards (which Telegram does not
// let anyone edit) are replaced silently by a forward of the corrected
// post. A resident who blocked the bot is counted as not reached; the card
// and the history say what happened.
func TestChiefEditsAPublishedPost(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.residents(false)
	card := d.publishedNow("1", "Родительское собрание в пятницу, 27.11, в 18:00.", 3)
	d.tg.Block(resident3)

	if !hasButton(card, "Изменить текст") || !hasButton(card, "Удалить из канала") {
		t.Fatalf("the published card offers no Edit and Delete:\n%s", d.dump(chief))
	}
	if !strings.Contains(card.Text, "Изменить текст или удалить пост можно до 28.11") {
		t.Fatalf("the card does not say until when: %s", card.Text)
	}
	d.press(chief, card, "Изменить текст")
	d.expect(chief, "Пришлите новый текст поста #1")
	d.say(chief, "Родительское собрание в четверг, 26.11, в 18:00.")
	d.expect(chief, "Меняю текст в канале и у подписчиков")
	d.expect(chief, "Пост #1: готово", "канал ✓", "подписчики 2 из 3")

	post, ok := d.channelPost("собрание")
	if !ok || post.Text != "Родительское собрание в четверг, 26.11, в 18:00." || post.Edits != 1 {
		t.Fatalf("the channel post is %q after %d edits", post.Text, post.Edits)
	}
	for _, r := range []int64{resident1, resident2} {
		fw := d.forwards(r)
		if len(fw) != 1 || fw[0].Text != post.Text || !fw[0].Silent {
			t.Fatalf("resident %d has %d forwards, want one silent forward of the corrected post:\n%s", r, len(fw), d.dump(r))
		}
		if fw[0].Message.ForwardFromMessageID != post.MessageID {
			t.Fatalf("resident %d: the forward is of message %d, want %d", r, fw[0].Message.ForwardFromMessageID, post.MessageID)
		}
	}
	if fw := d.forwards(resident3); len(fw) != 1 || !strings.Contains(fw[0].Text, "пятницу") {
		t.Fatalf("the resident who blocked the bot: %d forwards", len(fw))
	}
	card = d.openCard(chief, "1", "Изменено: канал ✓, подписчики 2 из 3")
	if !strings.Contains(d.history(chief, card), "Анна: изменён текст опубликованного поста (версия 2)") {
		t.Fatalf("history:\n%s", d.dump(chief))
	}
}

// With copies (the page does not show its channel) the residents' copies
// are edited in place and keep their Unsubscribe button in each one's
// language; a photo's caption is edited as a caption, and the card says
// that photos cannot be replaced yet.
func TestEditReachesCopiesInPlace(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.residents(true)
	d.handled(d.tg.Send(chief, bottest.Media(bottest.KindPhoto), bottest.Text("Выставка рисунков до 30.11.")))
	d.publishNow(chief, d.expect(chief, "Пост #1", "черновик"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	d.expect(chief, "Пост #1 опубликован", "Подписчикам доставлено 3 из 3")
	card := d.openCard(chief, "1", "Статус: опубликован", "Заменить фото или видео пока нельзя")

	before := map[int64]bottest.Sent{}
	for _, r := range []int64{resident1, resident2, resident3} {
		before[r] = d.last(r)
	}
	d.press(chief, card, "Изменить текст")
	d.expect(chief, "Пришлите новую подпись к посту #1", "Заменить фото или видео пока нельзя")
	d.handled(d.tg.Send(chief, bottest.Media(bottest.KindPhoto), bottest.Text("Другое фото")))
	d.expect(chief, "Пришлите только текст")
	d.say(chief, "Выставка рисунков продлена до 5.12.")
	d.expect(chief, "Пост #1: готово", "канал ✓", "подписчики 3 из 3")

	if post, _ := d.channelPost("Выставка"); post.Text != "Выставка рисунков продлена до 5.12." || post.Kind != bottest.KindPhoto {
		t.Fatalf("the channel post: %s %q", post.Kind, post.Text)
	}
	for r, old := range before {
		m, _ := d.tg.Message(r, old.MessageID)
		if m.Deleted || m.Text != "Выставка рисунков продлена до 5.12." || m.Edits != 1 {
			t.Fatalf("resident %d's copy: deleted %v, %q after %d edits", r, m.Deleted, m.Text, m.Edits)
		}
		want := "Отписаться"
		if r == resident2 {
			want = "Unsubscribe"
		}
		if !hasButton(m, want) {
			t.Fatalf("resident %d's copy lost its button: %+v", r, m.Buttons())
		}
		if n := len(d.tg.Messages(r)); n != 2 { // the welcome and the copy: nothing new
			t.Fatalf("resident %d has %d messages:\n%s", r, n, d.dump(r))
		}
	}
}

// A moderator's edit goes to the chief editor like a draft: the card shows
// the new text against the published one; nothing changes until the
// chief editor applies it. A second edit is sent back for changes.
func TestModeratorEditGoesToReview(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.subscribeStranger()

	d.say(moderator, "Кружок робототехники начинается 1 декабря.")
	d.press(moderator, d.expect(moderator, "Пост #1", "черновик"), "Отправить на согласование")
	d.publishNow(chief, d.expect(chief, "Пост #1", "на согласовании"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	d.expect(chief, "Пост #1 опубликован", "Подписчикам доставлено 1 из 1")

	mine := d.openCard(moderator, "1", "Статус: опубликован")
	d.press(moderator, mine, "Изменить текст")
	d.say(moderator, "Кружок робототехники начинается 2 декабря.")
	d.expect(moderator, "Новый текст поста #1 отправлен шеф-редактору")
	d.expect(chief, "Ирина: предложена правка опубликованного поста #1")
	review := d.expect(chief, "Пост #1", "Ирина: предложен новый текст", "«Кружок робототехники начинается 2 декабря.»",
		"Сейчас опубликовано:", "«Кружок робототехники начинается 1 декабря.»")
	if post, _ := d.channelPost("Кружок"); post.Edits != 0 {
		t.Fatalf("the channel changed before approval: %q", post.Text)
	}

	d.press(chief, review, "Применить новый текст")
	d.expect(chief, "Пост #1: готово", "канал ✓", "подписчики 1 из 1")
	d.expect(moderator, "Анна: ваш новый текст поста #1 применён")
	if post, _ := d.channelPost("Кружок"); post.Text != "Кружок робототехники начинается 2 декабря." {
		t.Fatalf("the channel post after approval: %q", post.Text)
	}
	if fw := d.forwards(stranger); len(fw) != 1 || fw[0].Text != "Кружок робототехники начинается 2 декабря." {
		t.Fatalf("the subscriber's forwards:\n%s", d.dump(stranger))
	}

	// A second edit, sent back with a comment: the channel keeps the text.
	d.press(moderator, d.openCard(moderator, "1", "Изменено: канал ✓"), "Изменить текст")
	d.say(moderator, "Кружок робототехники начинается 3 декабря.")
	d.press(chief, d.expect(chief, "Пост #1", "«Кружок робототехники начинается 3 декабря.»"), "На доработку")
	d.say(chief, "Дата верная, второго")
	d.expect(moderator, "Анна: ваша правка поста #1 возвращена на доработку", "Дата верная, второго")
	if post, _ := d.channelPost("Кружок"); post.Text != "Кружок робототехники начинается 2 декабря." {
		t.Fatalf("a refused edit reached the channel: %q", post.Text)
	}
}

// Delete asks for a reason; a short one is a press. The channel message
// and the subscribers' messages go; the author is told why.
func TestRemoveAPublishedPostWithAReason(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.subscribeStranger()
	d.say(moderator, "Экскурсия в музей 29.11.")
	d.press(moderator, d.expect(moderator, "Пост #1", "черновик"), "Отправить на согласование")
	d.publishNow(chief, d.expect(chief, "Пост #1", "на согласовании"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	d.expect(chief, "Пост #1 опубликован", "Подписчикам доставлено 1 из 1")
	if len(d.forwards(stranger)) != 1 {
		t.Fatalf("the subscriber did not get the post")
	}

	d.press(chief, d.openCard(chief, "1", "Статус: опубликован"), "Удалить из канала")
	ask := d.expect(chief, "Удалить пост #1 из канала и у подписчиков?", "напишите")
	if _, ok := d.channelPost("Экскурсия"); !ok {
		t.Fatalf("the post went before a reason was given")
	}
	d.press(chief, ask, "Удалить: ошибка в посте")
	d.expect(chief, "Пост #1: готово", "канал ✓", "подписчики 1 из 1")
	if _, ok := d.channelPost("Экскурсия"); ok {
		t.Fatalf("the channel post is still there")
	}
	if n := len(d.forwards(stranger)); n != 0 {
		t.Fatalf("the subscriber still has %d forwards", n)
	}
	d.expect(moderator, "Анна: ваш пост #1 удалён из канала и у подписчиков", "ошибка в посте")
	card := d.openCard(chief, "1", "удалён из канала", "Удалено: канал ✓, подписчики 1 из 1")
	if hasButton(card, "Изменить текст") || hasButton(card, "Удалить из канала") {
		t.Fatalf("a removed post still offers changes: %+v", card.Buttons())
	}
	if h := d.history(chief, card); !strings.Contains(h, "Анна: запрошено удаление поста из канала и у подписчиков — «ошибка в посте»") {
		t.Fatalf("history:\n%s", h)
	}
}

// The author takes their own post down with a typed reason.
func TestAuthorRemovesWithATypedReason(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(moderator, "Спектакль переносится.")
	d.press(moderator, d.expect(moderator, "Пост #1", "черновик"), "Отправить на согласование")
	d.publishNow(chief, d.expect(chief, "Пост #1", "на согласовании"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	d.press(moderator, d.openCard(moderator, "1", "Статус: опубликован"), "Удалить из канала")
	d.expect(moderator, "Удалить пост #1 из канала")
	d.say(moderator, "Перенос отменили")
	d.expect(moderator, "Пост #1: готово", "канал ✓")
	if _, ok := d.channelPost("Спектакль"); ok {
		t.Fatalf("the channel post is still there")
	}
	d.openCard(chief, "1", "удалён из канала")
}

// After 48 hours the card offers no changes, and a press of an old card's
// button (or a forged one) is answered that the time has passed; nothing
// changes.
func TestNoChangesAfter48Hours(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(chief, "Приём документов до 1 декабря.")
	d.publishNow(chief, d.expect(chief, "Пост #1", "черновик"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	old := d.openCard(chief, "1", "Статус: опубликован")
	edit := old.CallbackData("✏️ Изменить текст")
	if edit == "" {
		t.Fatalf("no Edit on the published card: %+v", old.Buttons())
	}
	d.clock.Advance(redaktor.ChangeWindow)
	d.quiet()

	u := d.tg.Press(chief, chief, old.MessageID, edit)
	d.handled(u)
	if answer, _ := d.answerOf(u); !strings.Contains(answer, "Время изменить этот пост прошло") {
		t.Fatalf("a press after 48 h is answered %q", answer)
	}
	for _, data := range []string{strings.Replace(edit, "pe:", "pd:", 1), strings.Replace(edit, "pe:", "x1:", 1)} {
		// Forged: the card lost these buttons when it was redrawn.
		from := tgbotapi.User{ID: chief, FirstName: "Анна", LanguageCode: "ru"}
		msg := old.Message
		u := d.tg.PushUpdate(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
			ID: "late-" + data, From: &from, Message: &msg, ChatInstance: "forged", Data: data}})
		d.handled(u)
		if answer, _ := d.answerOf(u); !strings.Contains(answer, "прошло") && !strings.Contains(answer, "устарела") {
			t.Fatalf("%s after 48 h is answered %q", data, answer)
		}
	}
	if se, waiting, err := d.store.Session(ctxT, chief); err == nil && waiting {
		t.Fatalf("the bot waits for %s", se.Kind)
	}
	redrawn, _ := d.tg.Message(chief, old.MessageID)
	if hasButton(redrawn, "Изменить текст") || hasButton(redrawn, "Удалить из канала") {
		t.Fatalf("the card still offers changes after 48 h: %+v", redrawn.Buttons())
	}
	if post, _ := d.channelPost("Приём"); post.Edits != 0 || post.Deleted {
		t.Fatalf("the channel post changed")
	}
}

// Telegram refuses for a while (429) to forward the replacement to a
// subscriber: the job is taken up again and finishes, and
// nothing is done twice: the channel post is edited once, every resident
// gets one replacement.
func TestAnEditInterruptedIsNotDoneTwice(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.residents(false)
	card := d.publishedNow("1", "Каток открывается в субботу.", 3)

	var failed atomic.Int32
	remove := d.tg.Intercept(func(method string, p map[string]string) *bottest.APIError {
		if method == "forwardMessage" && p["chat_id"] == strconv.FormatInt(resident2, 10) && failed.Add(1) <= 4 {
			return bottest.ErrorFor(429)
		}
		return nil
	})
	defer remove()
	before := len(d.tg.Calls("forwardMessage"))
	d.press(chief, card, "Изменить текст")
	d.say(chief, "Каток открывается в воскресенье.")
	d.expect(chief, "Пост #1: готово", "канал ✓", "подписчики 3 из 3")

	if failed.Load() < 5 {
		t.Fatalf("the fault was not met: %d forwards to resident 2", failed.Load())
	}
	if post, _ := d.channelPost("Каток"); post.Edits != 1 {
		t.Fatalf("the channel post was edited %d times", post.Edits)
	}
	per := map[string]int{}
	for _, c := range d.tg.Calls("forwardMessage")[before:] {
		if c.OK() {
			per[c.Params["chat_id"]]++
		}
	}
	for _, r := range []int64{resident1, resident2, resident3} {
		if n := per[strconv.FormatInt(r, 10)]; n != 1 {
			t.Fatalf("resident %d got %d replacements, want 1 (all: %v)", r, n, per)
		}
		if fw := d.forwards(r); len(fw) != 1 || fw[0].Text != "Каток открывается в воскресенье." {
			t.Fatalf("resident %d:\n%s", r, d.dump(r))
		}
	}
	if n := d.count(chief, "Пост #1: готово"); n != 1 {
		t.Fatalf("the chief editor was told %d times", n)
	}
}

// An edit made while the post is still being sent to subscribers: the
// channel changes at once; the residents are reached once the broadcast
// is over, so the one still waiting gets the corrected post and the one
// who got the old text gets it replaced: each ends with one forward of the
// corrected post.
func TestEditDuringTheBroadcast(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.residents(false)
	var held atomic.Bool
	remove := d.tg.Intercept(func(method string, p map[string]string) *bottest.APIError {
		if method == "forwardMessage" && p["chat_id"] == strconv.FormatInt(resident2, 10) && held.CompareAndSwap(false, true) {
			return bottest.ErrorFor(502) // tried again 2 s later by the desk's clock
		}
		return nil
	})
	defer remove()
	d.say(chief, "Каникулы начинаются 28.12.")
	d.publishNow(chief, d.expect(chief, "Пост #1", "черновик"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	if !waitUntil(func() bool { return len(d.forwards(resident1)) == 1 && len(d.forwards(resident3)) == 1 }) {
		t.Fatalf("the broadcast did not reach the first residents:\n%s", d.dump(resident1))
	}

	d.press(chief, d.openCard(chief, "1", "Статус: опубликован"), "Изменить текст")
	d.say(chief, "Каникулы начинаются 29.12.")
	d.expect(chief, "Пост #1", "Изменяется: канал ✓")
	if post, _ := d.channelPost("Каникулы"); post.Text != "Каникулы начинаются 29.12." {
		t.Fatalf("the channel post during the broadcast: %q", post.Text)
	}
	if n := d.count(chief, "Пост #1: готово"); n != 0 {
		t.Fatal("the job finished before the broadcast")
	}

	d.clock.Advance(3 * time.Second)
	d.expect(chief, "Пост #1 опубликован", "Подписчикам доставлено 3 из 3")
	d.expect(chief, "Пост #1: готово", "канал ✓", "подписчики 3 из 3")
	for _, r := range []int64{resident1, resident2, resident3} {
		if fw := d.forwards(r); len(fw) != 1 || fw[0].Text != "Каникулы начинаются 29.12." {
			t.Fatalf("resident %d:\n%s", r, d.dump(r))
		}
	}
}

// The page sends to its channel only (no broadcast record), and its
// channel is changed after the publication: removing the post must not
// delete messages of the new channel.
func TestRemovalAfterTheChannelChangedStaysInTheOldChannel(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(chief, "/subscribers")
	d.press(chief, d.expect(chief, "Подписчики страницы"), "Не отправлять подписчикам")
	d.say(chief, "Каток открывается в субботу.")
	d.publishNow(chief, d.expect(chief, "Пост #1", "черновик"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	d.expect(chief, "Пост #1 опубликован")
	const other int64 = -1009999900001
	d.tg.AddChannel(other, "Новый канал школы", "school4_new")
	d.tg.SetMember(other, chief, bottest.StatusCreator)
	for i := range 3 {
		d.tg.ChannelPost(other, bottest.Text("пост нового канала "+strconv.Itoa(i)))
	}
	d.say(chief, "/channel")
	d.say(chief, strconv.FormatInt(other, 10))
	d.expect(chief, "Новый канал школы", "подключён")
	card := d.openCard(chief, "1", "Статус: опубликован")
	d.press(chief, card, "Удалить из канала")
	d.press(chief, d.expect(chief, "Удалить пост #1"), "ошибка в посте")
	d.expect(chief, "Пост #1: готово")
	for _, c := range d.tg.Calls("deleteMessage") {
		if c.Params["chat_id"] == strconv.FormatInt(other, 10) {
			t.Errorf("a message %s of the new channel was deleted", c.Params["message_id"])
		}
	}
}

// The channel post cannot be edited (a channel admin deleted it by hand,
// or the edit is refused): an edit must not take the residents' posts
// away, nor report «подписчики 3 из 3» for forwards that still show the
// old text.
func TestEditWhoseChannelEditFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, refusal string
		gone          bool // the channel post is gone: forwarding it fails too
	}{
		{"deleted by hand", "Bad Request: message to edit not found", true},
		{"edit refused", "Bad Request: message can't be edited", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newDesk(t)
			d.setUp()
			d.residents(false)
			card := d.publishedNow("1", "Каток открывается в субботу.", 3)
			ch := strconv.FormatInt(channel, 10)
			remove := d.tg.Intercept(func(method string, p map[string]string) *bottest.APIError {
				if strings.HasPrefix(method, "editMessage") && p["chat_id"] == ch {
					return &bottest.APIError{Code: 400, Description: tc.refusal}
				}
				if tc.gone && strings.HasPrefix(method, "forwardMessage") && p["from_chat_id"] == ch {
					return &bottest.APIError{Code: 400, Description: "Bad Request: message to forward not found"}
				}
				return nil
			})
			defer remove()
			d.press(chief, card, "Изменить текст")
			d.say(chief, "Каток открывается в воскресенье.")
			done := d.expect(chief, "Пост #1: готово")
			if strings.Contains(done.Text, "подписчики 3 из 3") {
				t.Errorf("told the edit reached 3 residents, whose forward still shows the old text: %q", done.Text)
			}
			for _, r := range []int64{resident1, resident2} {
				if len(d.forwards(r)) == 0 {
					t.Errorf("resident %d lost the post to an edit:\n%s", r, d.dump(r))
				}
			}
		})
	}
}

// A forward held up longer than the job's one-minute lease (Telegram
// slow, a long retry_after): the second process takes the job up while the
// first is still at it, and the resident gets the replacement twice.
func TestSlowForwardIsNotRepeatedByTheOtherProcess(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.residents(false)
	card := d.publishedNow("1", "Каток открывается в субботу.", 3)
	d.startAnother()
	r1 := strconv.FormatInt(resident1, 10)
	held, release := make(chan struct{}), make(chan struct{})
	var once, freeOnce sync.Once
	free := func() { freeOnce.Do(func() { close(release) }) }
	t.Cleanup(free)
	remove := d.tg.Intercept(func(method string, p map[string]string) *bottest.APIError {
		if strings.HasPrefix(method, "forwardMessage") && p["chat_id"] == r1 {
			once.Do(func() { close(held); <-release })
		}
		return nil
	})
	defer remove()
	before := len(d.tg.Calls("forwardMessage"))
	d.press(chief, card, "Изменить текст")
	d.say(chief, "Каток открывается в воскресенье.")
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the job did not reach resident 1")
	}
	d.clock.Advance(2 * time.Minute)
	waitUntil(func() bool { return d.count(chief, "Пост #1: готово") > 0 })
	free()
	d.expect(chief, "Пост #1: готово")
	toR1 := func() int {
		n := 0
		for _, c := range d.tg.Calls("forwardMessage")[before:] {
			if c.OK() && c.Params["chat_id"] == r1 {
				n++
			}
		}
		return n
	}
	waitUntil(func() bool { return toR1() > 0 }) // the first process's forward, released
	n := toR1()
	if n != 1 {
		t.Errorf("resident 1 got %d replacements, want 1:\n%s", n, d.dump(resident1))
	}
	waitUntil(func() bool { return d.count(chief, "Пост #1: готово") > 1 })
	if n := d.count(chief, "Пост #1: готово"); n != 1 {
		t.Errorf("the chief editor was told %d times", n)
	}
}

// Under per-chat pacing (CHAT_PACING, as in production) and Telegram's
// flood limits in the fake, an edit and then a removal reach the channel
// and every resident once, and Telegram never has to answer 429: the
// forwards, tried once, are paced like every other send.
func TestEditAndRemovalUnderChatPacing(t *testing.T) {
	t.Parallel()
	d := newPacedDesk(t)
	d.setUp()
	d.residents(false)
	card := d.publishedNow("1", "Каток открывается в субботу.", 3)
	before := len(d.tg.Calls("forwardMessage"))

	d.press(chief, card, "Изменить текст")
	d.say(chief, "Каток открывается в воскресенье.")
	d.expect(chief, "Пост #1: готово", "канал ✓", "подписчики 3 из 3")
	per := map[string]int{}
	for _, c := range d.tg.Calls("forwardMessage")[before:] {
		if c.OK() {
			per[c.Params["chat_id"]]++
		}
	}
	for _, r := range []int64{resident1, resident2, resident3} {
		if n := per[strconv.FormatInt(r, 10)]; n != 1 {
			t.Errorf("resident %d got %d replacements, want 1", r, n)
		}
		if fw := d.forwards(r); len(fw) != 1 || fw[0].Text != "Каток открывается в воскресенье." {
			t.Errorf("resident %d after the edit:\n%s", r, d.dump(r))
		}
	}

	card = d.openCard(chief, "1", "Изменено: канал ✓, подписчики 3 из 3")
	d.press(chief, card, "Удалить из канала")
	d.press(chief, d.expect(chief, "Удалить пост #1"), "ошибка в посте")
	waitUntil(func() bool { return d.count(chief, "Пост #1: готово") > 1 })
	if n := d.count(chief, "Пост #1: готово"); n != 2 {
		t.Fatalf("told %d times «готово», want once for the edit and once for the removal:\n%s", n, d.dump(chief))
	}
	for _, r := range []int64{resident1, resident2, resident3} {
		if fw := d.forwards(r); len(fw) != 0 {
			t.Errorf("resident %d still has the post after its removal:\n%s", r, d.dump(r))
		}
	}
	if post, ok := d.channelPost("Каток"); ok && !post.Deleted {
		t.Errorf("the channel post is still there")
	}
	if st := d.tg.Stats(); st.RateLimited != 0 {
		t.Errorf("Telegram answered 429 %d times", st.RateLimited)
	}
}
