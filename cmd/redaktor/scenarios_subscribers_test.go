package main

import (
	"regexp"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot/bottest"
)

var subscribeLink = regexp.MustCompile(`\?start=(s_[A-Za-z0-9_-]+)`)

// forwardsFrom counts the messages in a chat forwarded from the channel.
func (d *desk) forwardsFrom(chat int64) int {
	n := 0
	for _, m := range d.tg.Messages(chat) {
		if m.Message.ForwardFromChat != nil && m.Message.ForwardFromChat.ID == channel {
			n++
		}
	}
	return n
}

// subscribeStranger subscribes the resident through the page's link, as
// the chief editor's /subscribers shows it.
func (d *desk) subscribeStranger() {
	d.say(chief, "/subscribers")
	link := subscribeLink.FindStringSubmatch(d.expect(chief, "Подписчики страницы").Text)[1]
	d.say(stranger, "/start "+link)
	d.expect(stranger, "Вы подписались")
}

// A resident subscribes through the page's public link, the chief editor
// publishes an urgent post, the resident receives it forwarded from the
// channel, the chief editor gets the report, and /stop ends it.
func TestSubscribersReceivePublications(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()

	// Only the chief editor sees the subscribers card.
	d.say(moderator, "/subscribers")
	d.expect(moderator, "шеф-редактор")
	d.say(chief, "/subscribers")
	card := d.expect(chief, "Подписчики страницы «МБОУ СОШ №4»: 0")
	got := subscribeLink.FindStringSubmatch(card.Text)
	if got == nil {
		t.Fatalf("no subscribe link in %q", card.Text)
	}
	if !waitUntil(func() bool {
		for _, m := range d.tg.Messages(chief) {
			if m.Kind == bottest.KindPhoto {
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no QR code photo; the chat has:\n%s", d.dump(chief))
	}

	// The resident (English Telegram: the English text) and the second
	// chief editor subscribe; a repeated open says so.
	d.say(stranger, "/start "+got[1])
	d.expect(stranger, "Вы подписались на «МБОУ СОШ №4»", "/stop")
	d.say(chief2, "/start "+got[1])
	d.expect(chief2, "You are subscribed to “МБОУ СОШ №4”", "/stop")
	d.say(stranger, "/start "+got[1])
	d.expect(stranger, "Вы уже подписаны")
	d.say(chief, "/subscribers")
	d.expect(chief, "Подписчики страницы «МБОУ СОШ №4»: 2")

	// The chief editor's own post, published at once as urgent.
	d.say(chief, "Завтра с 9:00 до 13:00 в школе не будет воды.")
	draft := d.expect(chief, "черновик")
	d.publishNow(chief, draft, "Срочно")
	d.clock.Advance(time.Second)
	if !waitUntil(func() bool { return d.forwardsFrom(stranger) == 1 && d.forwardsFrom(chief2) == 1 }) {
		t.Fatalf("the subscribers did not get the post; stranger's chat:\n%s", d.dump(stranger))
	}
	d.expect(chief, "Пост #1 опубликован", "⚡ Срочно.", "Подписчикам доставлено 2 из 2")

	// /stop ends the subscription; the next post does not come.
	d.say(stranger, "/stop")
	d.expect(stranger, "Вы отписались от «МБОУ СОШ №4»")
	d.say(chief, "Второй пост.")
	d.publishNow(chief, d.expect(chief, "Пост #2", "черновик"), "Срочно")
	d.clock.Advance(time.Second)
	d.expect(chief, "Пост #2 опубликован", "Подписчикам доставлено 1 из 1")
	if n := d.forwardsFrom(stranger); n != 1 {
		t.Fatalf("after /stop the resident got %d posts, want still 1", n)
	}
}

// A subscriber who blocks the bot (my_chat_member) becomes inactive and is
// not sent to; unblocking brings the subscription back.
func TestBlockingTheBotDeactivatesTheSubscriber(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.subscribeStranger()

	member := func(old, new string) tgbotapi.Update {
		return d.tg.PushUpdate(tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{
			Chat:          tgbotapi.Chat{ID: stranger, Type: "private"},
			From:          tgbotapi.User{ID: stranger, FirstName: "Пётр"},
			Date:          int(d.clock.Now().Unix()),
			OldChatMember: tgbotapi.ChatMember{User: &tgbotapi.User{ID: 1}, Status: old},
			NewChatMember: tgbotapi.ChatMember{User: &tgbotapi.User{ID: 1}, Status: new},
		}})
	}
	d.handled(member("member", "kicked"))
	d.say(chief, "/subscribers")
	d.expect(chief, ": 0 (неактивных: 1)")

	d.handled(member("kicked", "member"))
	d.expect(stranger, "Вы снова получаете публикации: «МБОУ СОШ №4»")
	d.say(chief, "/subscribers")
	d.expect(chief, ": 1 (неактивных: 0)")
}

// With copies instead of forwards every announcement carries a button to
// unsubscribe, in the subscriber's language, and pressing it works.
func TestCopiesCarryUnsubscribeInTheSubscribersLanguage(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(chief, "/subscribers")
	card := d.expect(chief, "Подписчики страницы")
	code := subscribeLink.FindStringSubmatch(card.Text)[1]
	d.press(chief, card, "Не показывать канал")
	d.say(stranger, "/start "+code) // Russian Telegram
	d.say(chief2, "/start "+code)   // English Telegram

	d.say(chief, "Библиотека закрыта на санитарный день в пятницу.")
	d.publishNow(chief, d.expect(chief, "Пост #1", "черновик"), "Срочно")
	d.clock.Advance(time.Second)
	d.expect(chief, "Пост #1 опубликован", "Подписчикам доставлено 2 из 2")

	last := func(chat int64) bottest.Sent {
		msgs := d.tg.Messages(chat)
		return msgs[len(msgs)-1]
	}
	ru, en := last(stranger), last(chief2)
	if !hasButton(ru, "Отписаться") || !hasButton(en, "Unsubscribe") {
		t.Fatalf("buttons under the copies: ru %+v, en %+v", ru.Buttons(), en.Buttons())
	}
	d.press(chief2, en, "Unsubscribe")
	d.expect(chief2, "unsubscribed")
	d.say(chief, "/subscribers")
	d.expect(chief, "Подписчики страницы «МБОУ СОШ №4»: 1")
}

// A chief editor approving for a time can mark the post urgent with one
// word in the answer; at its time it goes to subscribers as urgent.
func TestUrgentApprovalForATime(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.subscribeStranger()

	d.say(moderator, "Завтра с 9:00 до 13:00 не будет воды в посёлке.")
	d.press(moderator, d.expect(moderator, "Пост #1", "черновик"), "Отправить на согласование")
	d.press(chief, d.expect(chief, "Пост #1", "на согласовании"), "На время")
	d.expect(chief, "Когда опубликовать пост #1", "«срочно»")
	d.say(chief, "завтра 8:00 срочно")
	d.expect(chief, "Одобрено. Публикация: 27.11 08:00", "⚡ Срочно")
	d.expect(chief, "Пост #1", "⚡ Срочно")

	due := time.Date(2026, 11, 27, 5, 0, 0, 0, time.UTC) // 08:00 in Moscow
	d.clock.Advance(due.Sub(d.clock.Now()))
	d.expect(chief, "Пост #1 опубликован", "⚡ Срочно.", "Подписчикам доставлено 1 из 1")
	if n := d.forwardsFrom(stranger); n != 1 {
		t.Fatalf("the subscriber got %d copies of the urgent post, want 1", n)
	}
}

// An album published to the channel reaches a subscriber as one album
// forwarded from the channel, not as loose photos.
func TestSubscriberGetsAnAlbumForwardedWhole(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.subscribeStranger()

	d.album(chief, "Фотоотчёт с субботника", bottest.KindPhoto, bottest.KindPhoto)
	d.publishNow(chief, d.expect(chief, "Пост #1", "черновик"), "Опубликовать сейчас")
	d.clock.Advance(time.Second)
	d.expect(chief, "Пост #1 опубликован", "Подписчикам доставлено 1 из 1")

	var forwards []bottest.Sent
	for _, m := range d.tg.Messages(stranger) {
		if m.Message.ForwardFromChat != nil && m.Message.ForwardFromChat.ID == channel {
			forwards = append(forwards, m)
		}
	}
	if len(forwards) != 2 || forwards[0].MediaGroupID == "" || forwards[0].MediaGroupID != forwards[1].MediaGroupID {
		t.Fatalf("the subscriber got %d forwards, want one album of 2:\n%s", len(forwards), d.dump(stranger))
	}
	if forwards[0].Text != "Фотоотчёт с субботника" {
		t.Fatalf("album caption %q", forwards[0].Text)
	}
}
