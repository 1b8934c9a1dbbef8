package main

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot/bottest"
)

// ---- helpers shared by the scenario files ----

// moscow is the pages' time zone in these tests.
var moscow = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return loc
}()

// people are the harness's users as Telegram would describe them in a
// forged update.
var people = map[int64]tgbotapi.User{
	admin:     {ID: admin, FirstName: "Екатерина", UserName: "ekaterina", LanguageCode: "ru"},
	chief:     {ID: chief, FirstName: "Анна", UserName: "anna_director", LanguageCode: "ru"},
	chief2:    {ID: chief2, FirstName: "Boris", UserName: "boris", LanguageCode: "en"},
	moderator: {ID: moderator, FirstName: "Ирина", UserName: "irina", LanguageCode: "ru"},
	stranger:  {ID: stranger, FirstName: "Пётр", UserName: "petr", LanguageCode: "ru"},
}

var forgedSeq atomic.Int64

// forgeAsync queues a callback query no button of the bot offered: what a
// modified client can send for any message it holds. It does not wait.
func (d *desk) forgeAsync(from int64, m bottest.Sent, data string) tgbotapi.Update {
	d.t.Helper()
	u := people[from]
	msg := m.Message
	return d.tg.PushUpdate(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
		ID:           "forged-" + strconv.FormatInt(forgedSeq.Add(1), 10),
		From:         &u,
		Message:      &msg,
		ChatInstance: "forged",
		Data:         data,
	}})
}

// forge sends a forged callback query and waits until it is handled.
func (d *desk) forge(from int64, m bottest.Sent, data string) tgbotapi.Update {
	d.t.Helper()
	u := d.forgeAsync(from, m, data)
	d.handled(u)
	return u
}

// pressAsync presses a button on the message as it is now, without waiting.
func (d *desk) pressAsync(from int64, m bottest.Sent, label string) tgbotapi.Update {
	d.t.Helper()
	m = d.fresh(m)
	for _, b := range m.Buttons() {
		if strings.Contains(b.Text, label) && b.CallbackData != nil {
			return d.tg.Press(from, m.ChatID, m.MessageID, *b.CallbackData)
		}
	}
	d.t.Fatalf("no button %q on message:\n%s", label, m.Text)
	return tgbotapi.Update{}
}

// together has the bot fetch the updates push queues in one getUpdates
// batch, so they are handled at the same moment (in parallel across chats),
// as when two people press at once.
func (d *desk) together(push func() []tgbotapi.Update) []tgbotapi.Update {
	d.t.Helper()
	entered, release := make(chan struct{}), make(chan struct{})
	var enter, free sync.Once
	unblock := func() { free.Do(func() { close(release) }) }
	remove := d.tg.Intercept(func(method string, _ map[string]string) *bottest.APIError {
		if method == "getUpdates" {
			enter.Do(func() { close(entered); <-release })
		}
		return nil
	})
	defer remove()
	defer unblock()
	d.tg.SendText(admin, "/help") // ends the poll in flight; the next one waits
	select {
	case <-entered:
	case <-time.After(wait):
		d.t.Fatalf("the bot did not poll again")
	}
	ups := push()
	unblock()
	remove()
	for _, u := range ups {
		d.handled(u)
	}
	return ups
}

// pressNow presses a button on the message as it is now (after edits) and
// waits until the press is handled.
func (d *desk) pressNow(from int64, m bottest.Sent, label string) tgbotapi.Update {
	d.t.Helper()
	u := d.pressAsync(from, m, label)
	d.handled(u)
	return u
}

// pressData presses the button whose callback data starts with prefix.
func (d *desk) pressData(from int64, m bottest.Sent, prefix string) tgbotapi.Update {
	d.t.Helper()
	m = d.fresh(m)
	for _, b := range m.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, prefix) {
			u := d.tg.Press(from, m.ChatID, m.MessageID, *b.CallbackData)
			d.handled(u)
			return u
		}
	}
	d.t.Fatalf("no button with data %q on message:\n%s", prefix, d.dumpMsg(m))
	return tgbotapi.Update{}
}

// fresh is the message in its current state.
func (d *desk) fresh(m bottest.Sent) bottest.Sent {
	d.t.Helper()
	cur, ok := d.tg.Message(m.ChatID, m.MessageID)
	if !ok {
		d.t.Fatalf("message %d in chat %d is gone", m.MessageID, m.ChatID)
	}
	return cur
}

func (d *desk) dumpMsg(m bottest.Sent) string {
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	for _, btn := range m.Buttons() {
		if btn.CallbackData != nil {
			b.WriteString("   [" + btn.Text + "] " + *btn.CallbackData + "\n")
		}
	}
	return b.String()
}

// answerOf returns the bot's answerCallbackQuery for a press.
func (d *desk) answerOf(u tgbotapi.Update) (text string, alert bool) {
	d.t.Helper()
	var call bottest.Call
	found := waitUntil(func() bool {
		for _, c := range d.tg.Calls("answerCallbackQuery") {
			if c.Params["callback_query_id"] == u.CallbackQuery.ID {
				call = c
				return true
			}
		}
		return false
	})
	if !found {
		d.t.Fatalf("the press %q was never answered", u.CallbackQuery.Data)
	}
	return call.Params["text"], call.Params["show_alert"] == "true"
}

// count is how many of the bot's messages in a chat contain all parts.
func (d *desk) count(chat int64, parts ...string) int {
	n := 0
	for _, m := range d.tg.Messages(chat) {
		if containsAll(m.Text, parts) {
			n++
		}
	}
	return n
}

// last is the bot's newest message in a chat; after d.say it is the reply.
func (d *desk) last(chat int64) bottest.Sent {
	d.t.Helper()
	m, ok := d.tg.LastMessage(chat)
	if !ok {
		d.t.Fatalf("chat %d has no messages of the bot", chat)
	}
	return m
}

// lastSays asserts the bot's newest message in a chat contains all parts.
func (d *desk) lastSays(chat int64, parts ...string) bottest.Sent {
	d.t.Helper()
	m := d.last(chat)
	if !containsAll(m.Text, parts) {
		d.t.Fatalf("chat %d: the last message is\n%s\nwant it to contain %q", chat, m.Text, parts)
	}
	return m
}

var cardID = regexp.MustCompile(`(?:Пост|Post) #(\d+) ·`)

// draft sends text as a new post and returns its card and id.
func (d *desk) draft(from int64, text string) (bottest.Sent, string) {
	d.t.Helper()
	d.say(from, text)
	card := d.last(from)
	got := cardID.FindStringSubmatch(card.Text)
	if got == nil {
		d.t.Fatalf("no draft card after %q; the chat has:\n%s", text, d.dump(from))
	}
	return card, got[1]
}

// submitted makes a moderator's draft and submits it; it returns the
// chief editor's review card and the post id.
func (d *desk) submitted(text string) (bottest.Sent, string) {
	d.t.Helper()
	card, id := d.draft(moderator, text)
	d.pressNow(moderator, card, "Отправить на согласование")
	return d.expect(chief, "Пост #"+id+" ·", "на согласовании"), id
}

// advanceTo moves the fake clock to a wall time in Moscow.
func (d *desk) advanceTo(t time.Time) {
	d.t.Helper()
	if dt := t.Sub(d.clock.Now()); dt > 0 {
		d.clock.Advance(dt)
	}
}

func msk(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, moscow)
}

// pageOf reads the page id from the chief editor's invite buttons.
func (d *desk) pageOf(chiefID int64) string {
	d.t.Helper()
	m := d.expect(chiefID, "Кого приглашаем")
	for _, b := range m.Buttons() {
		if b.CallbackData != nil && strings.HasPrefix(*b.CallbackData, "iv:") {
			parts := strings.Split(*b.CallbackData, ":")
			return parts[len(parts)-1]
		}
	}
	d.t.Fatalf("no invite button on %q", m.Text)
	return ""
}

// addChief2 brings Boris (English) in as a second chief editor.
func (d *desk) addChief2() {
	d.t.Helper()
	d.say(chief, "/invite")
	d.pressNow(chief, d.last(chief), "шеф-редактор")
	d.say(chief2, "/start "+joinLink(d.t, d.expect(chief, "Ссылка-приглашение (шеф-редактор")))
	d.expect(chief2, "You are the chief editor")
}

// ---- team scenarios ----

// TestInviteLinks: a link works once, expires after 72 hours, and a
// made-up one is unknown; none of them lets the opener in.
func TestInviteLinks(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.say(admin, "/newpage МБОУ СОШ №4")
	first := joinLink(t, d.expect(admin, "t.me/redaktor_test_bot?start="))
	d.say(chief, "/start "+first)
	d.expect(chief, "Вы шеф-редактор")

	// The same link a second time, by somebody else.
	d.say(stranger, "/start "+first)
	d.lastSays(stranger, "уже использована")

	// A moderator invite that is opened after 73 hours.
	d.say(chief, "/invite")
	d.press(chief, d.expect(chief, "Кого приглашаем"), "модератор")
	late := joinLink(t, d.expect(chief, "Ссылка-приглашение (модератор"))
	d.clock.Advance(73 * time.Hour)
	d.say(moderator, "/start "+late)
	d.lastSays(moderator, "истёк")

	// A code nobody issued.
	d.say(stranger, "/start i_NoSuchInviteCode")
	d.lastSays(stranger, "Такого приглашения нет")

	// Nobody of them got in.
	for _, who := range []int64{stranger, moderator} {
		d.say(who, "Пост, которого не должно быть")
		d.lastSays(who, "никто не прочитает")
	}
	d.say(chief, "/team")
	team := d.last(chief)
	if strings.Contains(team.Text, "Пётр") || strings.Contains(team.Text, "Ирина") {
		t.Fatalf("the team has people who never joined:\n%s", team.Text)
	}
}

// TestNewPageRefusals: only admins create pages, and a title is needed.
func TestNewPageRefusals(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	cases := []struct {
		name string
		from int64
		text string
		want string
	}{
		{"stranger", stranger, "/newpage Моя страница", "Создавать страницы могут только администраторы"},
		{"moderator", moderator, "/newpage Моя страница", "Создавать страницы могут только администраторы"},
		{"admin without a title", admin, "/newpage", "Напишите название страницы после команды"},
		{"admin with spaces only", admin, "/newpage    ", "Напишите название страницы после команды"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d.say(c.from, c.text)
			m := d.lastSays(c.from, c.want)
			if strings.Contains(m.Text, "?start=") {
				t.Fatalf("a refusal carries an invite link: %q", m.Text)
			}
		})
	}
	// No page came of it: the admin's first real page gets the first link.
	for _, m := range d.tg.Messages(admin) {
		if strings.Contains(m.Text, "?start=") {
			t.Fatalf("an invite link was issued: %q", m.Text)
		}
	}
}

// TestChannelRightsNamed: linking a channel where the bot lacks rights
// names exactly what is missing; once fixed, the same forward links it.
func TestChannelRightsNamed(t *testing.T) {
	t.Parallel()
	const (
		notAdmin = "бот не администратор канала"
		post     = "публикация сообщений"
		edit     = "редактирование сообщений"
		del      = "удаление сообщений"
	)
	all := []string{notAdmin, post, edit, del}
	cases := []struct {
		name   string
		rights bottest.Rights
		want   []string
	}{
		{"no delete", bottest.Rights{Status: bottest.StatusAdministrator, CanPostMessages: true, CanEditMessages: true}, []string{del}},
		{"no post nor edit", bottest.Rights{Status: bottest.StatusAdministrator, CanDeleteMessages: true}, []string{post, edit}},
		{"not an admin", bottest.Rights{Status: bottest.StatusMember}, []string{notAdmin}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := newDesk(t)
			d.teamWithoutChannel()
			d.tg.SetBotRights(channel, c.rights)
			d.say(chief, "/channel")
			d.handled(d.tg.Send(chief, bottest.ForwardedFrom(channel, 5), bottest.Text("старый пост")))
			m := d.lastSays(chief, "не хватает прав")
			for _, r := range all {
				want := false
				for _, w := range c.want {
					want = want || w == r
				}
				if strings.Contains(m.Text, r) != want {
					t.Errorf("missing-rights message names %q: %v, want %v:\n%s", r, !want, want, m.Text)
				}
			}
			if strings.Contains(m.Text, "подключён") {
				t.Fatalf("the channel was linked without rights:\n%s", m.Text)
			}

			// Fix the rights and forward again: linked.
			d.tg.SetBotRights(channel, bottest.AdminRights())
			d.handled(d.tg.Send(chief, bottest.ForwardedFrom(channel, 6), bottest.Text("другой пост")))
			d.lastSays(chief, "подключён")
		})
	}
}

// TestTeamRoles: the chief editor promotes the moderator and removes a
// member with buttons, the people affected are told, and however two chief
// editors race to demote each other, the page keeps a chief editor.
func TestTeamRoles(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	// Boris joins as a moderator.
	d.say(chief, "/invite")
	d.press(chief, d.last(chief), "модератор")
	d.say(chief2, "/start "+joinLink(t, d.expect(chief, "Ссылка-приглашение (модератор")))
	d.expect(chief2, "You are a moderator")

	d.say(chief, "/team")
	list := d.lastSays(chief, "Команда «МБОУ СОШ №4»", "Анна — шеф-редактор", "Ирина — модератор", "Boris — модератор")
	if hasButton(list, "Анна") {
		t.Fatalf("the chief editor is offered buttons on herself:\n%s", d.dumpMsg(list))
	}

	// Irina becomes a chief editor; she is told.
	u := d.pressNow(chief, list, "Ирина → шеф-редактор")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Готово") {
		t.Fatalf("promotion answered %q", text)
	}
	d.expect(moderator, "Ваша роль на странице «МБОУ СОШ №4» теперь: шеф-редактор")
	if m := d.fresh(list); !strings.Contains(m.Text, "Ирина — шеф-редактор") {
		t.Fatalf("the team list was not updated:\n%s", m.Text)
	}

	// Boris is removed; he is told in English and loses the page.
	d.pressNow(chief, list, "Убрать: Boris")
	d.expect(chief2, "You were removed from the team of")
	if m := d.fresh(list); strings.Contains(m.Text, "Boris") {
		t.Fatalf("Boris is still listed:\n%s", m.Text)
	}
	d.say(chief2, "A post I should not be able to make")
	d.lastSays(chief2, "Nobody will read this message")

	// Anna and Irina, both chief editors, demote each other at once. The
	// role check before the change usually lets only one through; when both
	// pass it, the last-chief guard must refuse the second. The race is
	// repeated a few times so that the guard is met; every round the page
	// must keep exactly one chief editor.
	names := map[int64]string{chief: "Анна", moderator: "Ирина"}
	guarded := false
	for round := 1; round <= 12 && !guarded; round++ {
		told := map[int64]int{chief: d.count(chief, "теперь: модератор"), moderator: d.count(moderator, "теперь: модератор")}
		d.say(chief, "/team")
		annaList := d.lastSays(chief, "Ирина — шеф-редактор")
		d.say(moderator, "/team")
		irinaList := d.lastSays(moderator, "Анна — шеф-редактор")
		ups := d.together(func() []tgbotapi.Update {
			return []tgbotapi.Update{
				d.pressAsync(chief, annaList, "Ирина → модератор"),
				d.pressAsync(moderator, irinaList, "Анна → модератор"),
			}
		})
		a1, _ := d.answerOf(ups[0])
		a2, _ := d.answerOf(ups[1])

		d.say(chief, "/team")
		final := d.last(chief).Text
		if n := strings.Count(final, "— шеф-редактор"); n != 1 {
			t.Fatalf("round %d: the page has %d chief editors, want exactly 1:\n%s\nanswers: %q / %q", round, n, final, a1, a2)
		}
		done, refused := 0, 0
		for _, a := range []string{a1, a2} {
			switch {
			case strings.Contains(a, "Готово"):
				done++
			case strings.Contains(a, "Нельзя: у страницы должен остаться хотя бы один шеф-редактор"):
				refused++
				guarded = true
			case strings.Contains(a, "нет прав"):
				refused++
			}
		}
		if done != 1 || refused != 1 {
			t.Fatalf("round %d: answers %q and %q, want one done and one refused", round, a1, a2)
		}
		// The one demoted is told, once; the survivor is not.
		demoted, survivor := moderator, chief
		if strings.Contains(final, "Анна — модератор") {
			demoted, survivor = chief, moderator
		}
		if !waitUntil(func() bool { return d.count(demoted, "теперь: модератор") == told[demoted]+1 }) {
			t.Fatalf("round %d: %s was not told she is a moderator now", round, names[demoted])
		}
		if d.count(survivor, "теперь: модератор") != told[survivor] {
			t.Fatalf("round %d: the surviving chief editor was told she is a moderator", round)
		}
		// The survivor makes her a chief editor again for the next round.
		d.say(survivor, "/team")
		d.pressNow(survivor, d.last(survivor), names[demoted]+" → шеф-редактор")
	}
	t.Logf("the last-chief guard was met: %v", guarded)
}

// refusedForged forges a press with data on m and expects the not-allowed
// alert and no message.
func (d *desk) refusedForged(from int64, m bottest.Sent, data string) {
	d.t.Helper()
	before := len(d.tg.Messages(from))
	u := d.forge(from, m, data)
	text, alert := d.answerOf(u)
	if !alert || !strings.Contains(text, "нет прав") {
		d.t.Fatalf("forged %q answered %q (alert %v), want the not-allowed alert", data, text, alert)
	}
	if after := len(d.tg.Messages(from)); after != before {
		d.t.Fatalf("forged %q made the bot send:\n%s", data, d.last(from).Text)
	}
}

// TestChiefOfAnotherPageIsRefused: a post button carries the page, but the
// role that counts is the one on the post's own page. The chief editor of
// the library, forging the school's post buttons with the library's page
// in them, changes nothing.
func TestChiefOfAnotherPageIsRefused(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	school := d.pageOf(chief)
	d.say(admin, "/newpage Библиотека")
	d.say(stranger, "/start "+joinLink(d.t, d.lastSays(admin, "t.me/redaktor_test_bot?start=")))
	d.expect(stranger, "шеф-редактор", "Библиотека")
	d.say(stranger, "/invite")
	library := d.pageOf(stranger)
	if library == school {
		t.Fatalf("one page for both: %s", library)
	}
	review, id := d.submitted("Субботник в пятницу")
	rev := strings.Split(review.CallbackData("✅ Одобрить на ближайшее свободное время"), ":")[2]
	mine := d.last(stranger)
	for _, act := range []string{"ap", "pn", "rj", "uu", "hi"} {
		d.refusedForged(stranger, mine, act+":"+id+":"+rev+":"+library)
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "на согласовании") {
		t.Fatalf("the review card changed:\n%s", m.Text)
	}
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("the channel got %d messages", n)
	}
}

// TestStrangerIsRefused: someone on no page cannot make posts, and
// forged buttons change nothing and answer with an alert.
func TestStrangerIsRefused(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	page := d.pageOf(chief)

	d.say(stranger, "Объявление от постороннего")
	mine := d.lastSays(stranger, "Это сообщение никто не прочитает")
	if n := d.count(stranger, "Пост #"); n != 0 {
		t.Fatalf("the stranger got a draft card")
	}

	// The first real post still gets number 1: nothing was created.
	review, id := d.submitted("Субботник в пятницу")
	if id != "1" {
		t.Fatalf("the first real post is #%s, want #1", id)
	}
	rev := strings.Split(review.CallbackData("✅ Одобрить на ближайшее свободное время"), ":")[2]

	forged := []string{
		"ap:1:" + rev,
		"pn:1:" + rev,
		"rj:1:" + rev,
		"hi:1:" + rev,
		"ap:1:" + rev + ":" + page,
		"hi:1:" + rev + ":" + page,
		"op:1",
		"tm:x:" + page + ":" + strconv.FormatInt(moderator, 10),
		"tm:c:" + page + ":" + strconv.FormatInt(stranger, 10),
		"iv:chief:" + page,
		"pg:" + page,
	}
	for _, data := range forged {
		d.refusedForged(stranger, mine, data)
	}

	// Nothing changed: the post still waits, the team is the same.
	if m := d.fresh(review); !strings.Contains(m.Text, "на согласовании") {
		t.Fatalf("the review card changed:\n%s", m.Text)
	}
	d.say(chief, "/pending")
	d.lastSays(chief, "1 пост ждёт согласования")
	d.say(chief, "/team")
	team := d.lastSays(chief, "Ирина — модератор")
	if strings.Contains(team.Text, "Пётр") {
		t.Fatalf("the stranger got on the team:\n%s", team.Text)
	}
	d.quiet()
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("the channel got %d messages", n)
	}
}

// TestCommandMenu: the default menu is set in Russian for everybody and
// in English for English speakers.
func TestCommandMenu(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ru := d.tg.Commands(tgbotapi.BotCommandScope{}, "")
	en := d.tg.Commands(tgbotapi.BotCommandScope{}, "en")
	if len(ru) == 0 || len(ru) != len(en) {
		t.Fatalf("menus: %d Russian and %d English commands:\n%+v\n%+v", len(ru), len(en), ru, en)
	}
	for i := range ru {
		if ru[i].Command != en[i].Command || ru[i].Description == "" || en[i].Description == "" {
			t.Fatalf("command %d: %+v / %+v", i, ru[i], en[i])
		}
		if ru[i].Description == en[i].Description {
			t.Errorf("/%s has the same description in both menus: %q", ru[i].Command, ru[i].Description)
		}
	}
	descr := func(cmds []tgbotapi.BotCommand, name string) string {
		for _, c := range cmds {
			if c.Command == name {
				return c.Description
			}
		}
		t.Fatalf("no /%s in %+v", name, cmds)
		return ""
	}
	// The default menu is a parent's (the team's menus: scenarios_menus_test.go).
	for _, c := range []struct{ name, ru, en string }{
		{"subscriptions", "Мои подписки", "My subscriptions"},
		{"stop", "Отписаться", "Unsubscribe"},
		{"forgetme", "Удалить всё, что бот знает о вас", "Delete everything the bot knows about you"},
		{"help", "Помощь", "Help"},
	} {
		if got := descr(ru, c.name); got != c.ru {
			t.Errorf("Russian /%s: %q, want %q", c.name, got, c.ru)
		}
		if got := descr(en, c.name); got != c.en {
			t.Errorf("English /%s: %q, want %q", c.name, got, c.en)
		}
	}
}

// TestEnglishSpeaker: a person whose Telegram is in English gets English.
func TestEnglishSpeaker(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(chief2, "/start")
	d.lastSays(chief2, "Hello!", "news of the pages")
	d.addChief2()
	d.expect(chief, "Boris теперь в команде «МБОУ СОШ №4»: шеф-редактор")

	d.submitted("Субботник в пятницу")
	d.expect(chief2, "Ирина sent post #1 for “МБОУ СОШ №4” for approval")
	card := d.expect(chief2, "Post #1 ·", "Status: waiting for approval")
	for _, b := range []string{"Approve for the next free time", "For a time…", "Publish now", "Request changes", "Reject", "History"} {
		if !hasButton(card, b) {
			t.Fatalf("the English card lacks %q:\n%s", b, d.dumpMsg(card))
		}
	}
	u := d.pressNow(chief2, card, "Approve for the next free time")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Approved. Publication: 26.11 14:00") {
		t.Fatalf("approval answered %q", text)
	}
	// The moderator still reads Russian.
	d.expect(moderator, "Boris: ваш пост #1 одобрен")

	d.say(chief2, "/help")
	d.lastSays(chief2, "How the desk works")
	d.say(chief2, "/nonsense")
	d.lastSays(chief2, "There is no such command")
	for _, m := range d.tg.Messages(chief2) {
		if strings.ContainsAny(m.Text, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя") &&
			!strings.Contains(m.Text, "МБОУ") && !strings.Contains(m.Text, "Ирина") && !strings.Contains(m.Text, "Субботник") && !strings.Contains(m.Text, "Анна") {
			t.Errorf("Boris got Russian text: %q", m.Text)
		}
	}
}

// TestPagesSwitch: a person on two pages chooses where new drafts go.
func TestPagesSwitch(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.say(admin, "/newpage Школа №1")
	school := joinLink(t, d.expect(admin, "«Школа №1» создана"))
	d.say(admin, "/newpage Библиотека")
	library := joinLink(t, d.expect(admin, "«Библиотека» создана"))
	d.say(chief, "/start "+school)
	d.expect(chief, "Вы шеф-редактор страницы «Школа №1»")
	d.say(chief, "/start "+library)
	d.expect(chief, "Вы шеф-редактор страницы «Библиотека»")

	// The page joined last is current.
	d.say(chief, "/pages")
	list := d.lastSays(chief, "✓ Библиотека — шеф-редактор", "Школа №1 — шеф-редактор")
	if hasButton(list, "Перейти: Библиотека") {
		t.Fatalf("offered to switch to the current page:\n%s", d.dumpMsg(list))
	}
	_, id := d.draft(chief, "Книжная выставка")
	d.lastSays(chief, "Пост #"+id+" · Библиотека")

	d.pressNow(chief, list, "Перейти: Школа №1")
	d.lastSays(chief, "Текущая страница — «Школа №1» (вы шеф-редактор)")
	_, id2 := d.draft(chief, "Линейка первого сентября")
	d.lastSays(chief, "Пост #"+id2+" · Школа №1")

	d.say(chief, "/pages")
	d.lastSays(chief, "✓ Школа №1", "  Библиотека")

	// /drafts shows each post under its page.
	d.say(chief, "/drafts")
	drafts := d.last(chief).Text
	if !strings.Contains(drafts, "#"+id+" · Библиотека") || !strings.Contains(drafts, "#"+id2+" · Школа №1") {
		t.Fatalf("drafts do not show the posts on their pages:\n%s", drafts)
	}
}

// TestRemovedChiefCardIsDead: a chief editor removed from the team loses
// the buttons of the review card he holds, and every press checks the
// presser's role again: the card's old button data is refused.
func TestRemovedChiefCardIsDead(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.addChief2()
	review, id := d.submitted("Субботник в пятницу")
	card := d.expect(chief2, "Post #"+id+" ·", "waiting for approval")

	d.say(chief, "/team")
	d.pressNow(chief, d.lastSays(chief, "Boris — шеф-редактор"), "Убрать: Boris")
	d.expect(chief2, "You were removed from the team of")

	if m := d.fresh(card); len(m.Buttons()) != 0 {
		t.Fatalf("the removed chief editor's card kept its buttons:\n%s", d.dumpMsg(m))
	}
	var approve string
	for _, b := range card.Buttons() {
		if strings.Contains(b.Text, "Approve for the next free time") && b.CallbackData != nil {
			approve = *b.CallbackData
		}
	}
	u := d.forge(chief2, card, approve)
	if text, alert := d.answerOf(u); !alert || !strings.Contains(text, "not allowed") {
		t.Fatalf("the removed chief editor's approval answered %q (alert %v)", text, alert)
	}
	if m := d.fresh(review); !strings.Contains(m.Text, "Статус: на согласовании") {
		t.Fatalf("the post changed:\n%s", m.Text)
	}
	if n := d.count(moderator, "одобрен. Публикация"); n != 0 {
		t.Fatalf("the author was told of an approval")
	}
}
