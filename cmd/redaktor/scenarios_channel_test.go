package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/redaktor/redaktor/bot/bottest"
)

// The library's channel in these tests; Пётр (stranger) becomes the
// library's chief editor and created this channel.
const libraryChannel int64 = -1001234500001

// library creates a second page, «Библиотека», with Пётр as its chief
// editor and its own channel (not linked), and returns its page id.
func (d *desk) library() string {
	d.t.Helper()
	d.tg.AddChannel(libraryChannel, "Библиотека Усмани", "usman_library")
	d.tg.SetMember(libraryChannel, stranger, bottest.StatusCreator)
	d.say(admin, "/newpage Библиотека")
	d.say(stranger, "/start "+joinLink(d.t, d.lastSays(admin, "t.me/redaktor_test_bot?start=")))
	d.expect(stranger, "шеф-редактор", "Библиотека")
	d.say(stranger, "/invite")
	return d.pageOf(stranger)
}

// linkChannel has a person send /channel and then ref as the answer.
func (d *desk) linkChannel(from int64, ref string) {
	d.t.Helper()
	d.say(from, "/channel")
	d.say(from, ref)
}

// TestChannelHijackRefused: the chief editor of another page gives the
// school's channel. Not running that channel, he is refused without being
// told whose it is; running it too, he is told it is the school's. Either
// way his posts never reach the school's channel.
func TestChannelHijackRefused(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.library()
	schoolID := strconv.FormatInt(channel, 10)

	d.linkChannel(stranger, schoolID)
	refusal := d.lastSays(stranger, "только его владелец или администратор")
	if strings.Contains(refusal.Text, "уже подключён") || strings.Contains(refusal.Text, "Усмани") {
		t.Fatalf("someone who does not run the channel is told its name or whose it is:\n%s", refusal.Text)
	}

	// He administers the school's channel as well (the district's press
	// officer): told which page holds it, and still refused.
	d.tg.SetMember(channel, stranger, bottest.StatusAdministrator)
	d.say(stranger, schoolID)
	d.lastSays(stranger, "уже подключён к странице «МБОУ СОШ №4»", "отключить")
	d.handled(d.tg.Send(stranger, bottest.ForwardedFrom(channel, 7), bottest.Text("пост школы")))
	d.lastSays(stranger, "уже подключён к странице «МБОУ СОШ №4»")
	d.say(stranger, "https://t.me/usman_school4")
	d.lastSays(stranger, "уже подключён к странице «МБОУ СОШ №4»")

	// The library's post goes nowhere: the library has no channel.
	d.say(stranger, "/cancel")
	card, id := d.draft(stranger, "Новые книги в библиотеке")
	d.publishNow(stranger, card, "Опубликовать сейчас")
	d.expect(stranger, "Пост #"+id+" для «Библиотека» не опубликован", "не подключён канал") // decided before any send
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("the school's channel got the library's post: %q", d.channelTexts())
	}
	// The school still has its channel.
	d.say(chief, "/channel")
	d.lastSays(chief, "подключён канал «МБОУ СОШ №4 г. Усмани»", "@usman_school4")
}

// TestChannelNeedsItsAdmin: only the channel's creator or an administrator
// links it; a subscriber of the channel, or someone not in it, is told who
// can.
func TestChannelNeedsItsAdmin(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.teamWithoutChannel()
	d.say(chief, "/channel")
	for _, status := range []string{bottest.StatusLeft, bottest.StatusMember} {
		d.tg.SetMember(channel, chief, status)
		d.handled(d.tg.Send(chief, bottest.ForwardedFrom(channel, 5), bottest.Text("пост")))
		d.lastSays(chief, "Этот канал может подключить только его владелец или администратор")
	}
	d.say(chief, "/channel")
	d.lastSays(chief, "Подключаем канал к странице «МБОУ СОШ №4»") // still none linked

	d.tg.SetMember(channel, chief, bottest.StatusAdministrator)
	d.handled(d.tg.Send(chief, bottest.ForwardedFrom(channel, 5), bottest.Text("пост")))
	d.lastSays(chief, "Канал «МБОУ СОШ №4 г. Усмани» подключён к странице «МБОУ СОШ №4»")
}

// TestChannelByLink: a t.me link names the channel, in any of the forms
// people copy; an invite link to a private channel is answered with the
// way that works.
func TestChannelByLink(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.teamWithoutChannel()
	d.say(chief, "/channel")
	d.lastSays(chief, "https://t.me/")
	for _, invite := range []string{"https://t.me/+AbCdEfGh123", "t.me/joinchat/AbCdEfGh123"} {
		d.say(chief, invite)
		d.lastSays(chief, "ссылка-приглашение", "Перешлите сюда любой пост из канала")
	}
	d.say(chief, "http://t.me/Usman_School4")
	d.lastSays(chief, "Канал «МБОУ СОШ №4 г. Усмани» подключён")

	d.say(chief, "/channel")
	card := d.lastSays(chief, "подключён канал «МБОУ СОШ №4 г. Усмани» (@usman_school4)")
	if !hasButton(card, "Отключить канал") {
		t.Fatalf("no Unlink on the channel card:\n%s", d.dumpMsg(card))
	}
	d.say(chief, "/cancel")

	// A page post's link and the channel's @name work too.
	for _, ref := range []string{"https://t.me/usman_school4/15", "@usman_school4"} {
		d.linkChannel(chief, ref)
		d.lastSays(chief, "Канал «МБОУ СОШ №4 г. Усмани» подключён")
	}
}

// TestUnlinkFreesTheChannel: the school's chief editor unlinks the channel
// (the other chief editor is told); then the library may link it, and the
// school may not take it back.
func TestUnlinkFreesTheChannel(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.addChief2()
	d.library()
	d.tg.SetMember(channel, stranger, bottest.StatusAdministrator)
	d.linkChannel(stranger, "@usman_school4")
	d.lastSays(stranger, "уже подключён к странице «МБОУ СОШ №4»")

	d.say(chief, "/channel")
	card := d.last(chief)
	d.pressNow(chief, card, "Отключить канал")
	if m := d.fresh(card); !strings.Contains(m.Text, "отключён от страницы «МБОУ СОШ №4»") || len(m.Buttons()) != 0 {
		t.Fatalf("the channel card after Unlink:\n%s", d.dumpMsg(m))
	}
	d.expect(chief2, "Анна unlinked the channel “МБОУ СОШ №4 г. Усмани” from “МБОУ СОШ №4”")

	d.say(stranger, "@usman_school4")
	d.lastSays(stranger, "Канал «МБОУ СОШ №4 г. Усмани» подключён к странице «Библиотека»")

	d.linkChannel(chief, "@usman_school4")
	d.lastSays(chief, "уже подключён к странице «Библиотека»")

	// The library's chief links his own channel instead: the school's is
	// free again.
	d.linkChannel(stranger, "@usman_library")
	d.lastSays(stranger, "«Библиотека Усмани» подключён к странице «Библиотека»")
	d.say(chief, "@usman_school4")
	d.lastSays(chief, "Канал «МБОУ СОШ №4 г. Усмани» подключён к странице «МБОУ СОШ №4»")

	// The page's log names who linked and who unlinked the channel.
	d.say(chief, "/audit")
	log := d.expect(chief, "Журнал «МБОУ СОШ №4»")
	for _, line := range []string{"Анна: канал подключён", "Анна: канал отключён"} {
		if !strings.Contains(log.Text, line) {
			t.Fatalf("/audit lacks %q:\n%s", line, log.Text)
		}
	}
}

// TestBotDemotedChiefsTold: when the channel's owner takes the bot's rights
// away or removes it, every chief editor is told at once in their
// language, and again when the rights come back; the moderator is not
// bothered, and the channel stays linked.
func TestBotDemotedChiefsTold(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.addChief2()

	d.handled(d.tg.ChangeBotRights(channel, chief, bottest.Rights{Status: bottest.StatusAdministrator, CanEditMessages: true, CanDeleteMessages: true}))
	d.lastSays(chief, "больше нет нужных прав", "«МБОУ СОШ №4 г. Усмани»", "публикация сообщений")
	d.lastSays(chief2, "lost rights it needs", "post messages")

	d.handled(d.tg.ChangeBotRights(channel, chief, bottest.Rights{Status: bottest.StatusLeft}))
	d.lastSays(chief, "Бота убрали из канала «МБОУ СОШ №4 г. Усмани»", "@redaktor_test_bot")
	d.lastSays(chief2, "The bot was removed from “МБОУ СОШ №4 г. Усмани”")

	d.handled(d.tg.ChangeBotRights(channel, chief, bottest.AdminRights()))
	d.lastSays(chief, "Права бота в канале «МБОУ СОШ №4 г. Усмани»", "восстановлены")
	d.lastSays(chief2, "are back")

	for _, m := range d.tg.Messages(moderator) {
		if strings.Contains(m.Text, "канал") && strings.Contains(m.Text, "прав") {
			t.Fatalf("the moderator was told: %s", m.Text)
		}
	}
	d.say(chief, "/channel")
	d.lastSays(chief, "подключён канал «МБОУ СОШ №4 г. Усмани»")

	// A channel no page has linked: nobody is told anything.
	d.tg.AddChannel(libraryChannel, "Библиотека Усмани", "usman_library")
	before := len(d.tg.Messages(chief))
	d.handled(d.tg.ChangeBotRights(libraryChannel, chief, bottest.Rights{Status: bottest.StatusLeft}))
	if after := len(d.tg.Messages(chief)); after != before {
		t.Fatalf("told about a channel of no page: %s", d.last(chief).Text)
	}
}

// TestForgedUnlinkChangesNothing: the Unlink button is checked again on the
// press, for the page it names: the chief editor of another page, or the
// school's moderator, forging it changes nothing.
func TestForgedUnlinkChangesNothing(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	school := d.pageOf(chief)
	library := d.library()
	unlink := "cu:" + school + ":" + strconv.FormatInt(channel, 10)

	d.refusedForged(stranger, d.last(stranger), unlink)
	d.refusedForged(moderator, d.last(moderator), unlink)

	// His own page in the button, the school's channel: not his to unlink.
	u := d.forge(stranger, d.last(stranger), "cu:"+library+":"+strconv.FormatInt(channel, 10))
	if text, _ := d.answerOf(u); !strings.Contains(text, "уже не подключён") {
		t.Fatalf("unlinking another page's channel answered %q", text)
	}
	for _, bad := range []string{"cu:" + school, "cu:" + school + ":abc", "cu:" + school + ":5", "cu::" + strconv.FormatInt(channel, 10)} {
		u := d.forge(chief, d.last(chief), bad)
		if text, _ := d.answerOf(u); text == "" {
			t.Fatalf("malformed %q was not answered", bad)
		}
	}

	d.say(chief, "/channel")
	d.lastSays(chief, "подключён канал «МБОУ СОШ №4 г. Усмани»")
	d.tg.SetMember(channel, stranger, bottest.StatusAdministrator)
	d.linkChannel(stranger, "@usman_school4")
	d.lastSays(stranger, "уже подключён к странице «МБОУ СОШ №4»")
}

func TestCancelSaysWhatItCancelled(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(chief, "/cancel")
	d.lastSays(chief, "Отменять нечего")

	d.say(chief, "/channel") // the bot now waits for the channel
	d.say(chief, "/cancel")
	d.lastSays(chief, "отменено")
	// Nothing waits any more.
	d.say(chief, "/cancel")
	d.lastSays(chief, "Отменять нечего")
}
