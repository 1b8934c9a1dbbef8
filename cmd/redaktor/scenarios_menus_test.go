package main

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot/bottest"
)

// Issue 13, «Texts people understand»: menus and /help that fit the
// person, parents never told about teams, /slots that waits for nothing,
// /queue with one line per post, and a late short answer asked about
// before it becomes a draft.

// menu is the command menu a person sees in their chat with the bot, as
// their Telegram app picks it (their chat's own, else the default).
func (d *desk) menu(chat int64, lang string) []string {
	var out []string
	for _, c := range d.tg.Menu(chat, lang) {
		out = append(out, c.Command)
	}
	return out
}

// ownMenu is the menu set for a person's chat alone (getMyCommands with
// the chat's scope); empty when they see the default one.
func (d *desk) ownMenu(chat int64) []tgbotapi.BotCommand {
	return d.tg.Commands(tgbotapi.BotCommandScope{Type: "chat", ChatID: chat}, "")
}

func (d *desk) wantMenu(who string, chat int64, lang string, has, lacks []string) {
	d.t.Helper()
	got := d.menu(chat, lang)
	for _, c := range has {
		if !slices.Contains(got, c) {
			d.t.Errorf("the %s's menu lacks /%s: %v", who, c, got)
		}
	}
	for _, c := range lacks {
		if slices.Contains(got, c) {
			d.t.Errorf("the %s's menu has /%s: %v", who, c, got)
		}
	}
}

var (
	publicMenu = []string{"subscriptions", "stop", "forgetme", "help"}
	// teamWords are what a parent must never read: teams, roles, invites.
	teamWords = []string{"приглаш", "в команд", "команду", "командой", "шеф-редактор", "модератор", "invite", "team", "chief editor"}
)

// TestMenusFitThePerson: the admin, a chief editor, a moderator and a
// stranger each see their own menu and /help; a moderator made chief
// editor gets the chief editor's; a removed member and a person who asked
// to be forgotten go back to the default one; English speakers get theirs
// in English.
func TestMenusFitThePerson(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()

	// The admin's menu is set beside the intake at start.
	if !waitUntil(func() bool { return len(d.ownMenu(admin)) > 0 }) {
		t.Fatal("the admin got no menu of their own")
	}
	d.wantMenu("admin", admin, "ru", []string{"newpage", "pages", "slots", "invite", "help"}, []string{"subscriptions", "stop"})
	d.wantMenu("chief editor", chief, "ru", []string{"pending", "queue", "plan", "slots", "invite", "channel", "subscribers", "audit", "help"},
		[]string{"newpage", "stop"})
	d.wantMenu("moderator", moderator, "ru", []string{"drafts", "plan", "check", "team", "help"},
		[]string{"newpage", "invite", "slots", "channel", "subscribers", "audit"})
	if got := d.menu(stranger, "ru"); !slices.Equal(got, publicMenu) {
		t.Errorf("the stranger's menu is %v, want %v", got, publicMenu)
	}
	if own := d.ownMenu(stranger); len(own) != 0 {
		t.Errorf("the stranger has a menu of their own: %+v", own)
	}
	// A parent's /start costs no menu call: they never had one of their own.
	d.say(stranger, "/start")
	d.say(stranger, "/start")
	for _, c := range d.tg.Calls("deleteMyCommands", "setMyCommands") {
		if strings.Contains(c.Params["scope"], strconv.FormatInt(stranger, 10)) {
			t.Errorf("a parent's /start called %s: %v", c.Method, c.Params)
		}
	}

	help := func(chat int64) string {
		d.say(chat, "/help")
		return d.last(chat).Text
	}
	if h := help(admin); !strings.Contains(h, "/newpage") || !strings.Contains(h, "/pages") {
		t.Errorf("the admin's /help:\n%s", h)
	}
	if h := help(chief); !strings.Contains(h, "/invite") || !strings.Contains(h, "/slots") || strings.Contains(h, "/newpage") {
		t.Errorf("the chief editor's /help:\n%s", h)
	}
	if h := help(moderator); !strings.Contains(h, "/drafts") || strings.Contains(h, "/invite") || strings.Contains(h, "/slots") {
		t.Errorf("the moderator's /help:\n%s", h)
	}
	if h := help(stranger); !strings.Contains(h, "/subscriptions") || strings.Contains(h, "/drafts") {
		t.Errorf("the stranger's /help:\n%s", h)
	}

	// The moderator becomes chief editor: the menu follows at once.
	d.say(chief, "/team")
	d.pressData(chief, d.lastSays(chief, "Ирина — модератор"), "tm:c:")
	d.expect(moderator, "шеф-редактор")
	d.wantMenu("promoted moderator", moderator, "ru", []string{"invite", "slots", "subscribers", "audit"}, []string{"newpage"})
	if h := help(moderator); !strings.Contains(h, "/invite") {
		t.Errorf("the promoted moderator's /help:\n%s", h)
	}

	// Removed from the team: back to a parent's menu and /help.
	d.say(chief, "/team")
	d.pressData(chief, d.lastSays(chief, "Ирина — шеф-редактор"), "tm:x:")
	d.expect(moderator, "Вас убрали из команды")
	if own := d.ownMenu(moderator); len(own) != 0 {
		t.Errorf("the removed member keeps a menu of their own: %+v", own)
	}
	if got := d.menu(moderator, "ru"); !slices.Equal(got, publicMenu) {
		t.Errorf("the removed member's menu is %v, want %v", got, publicMenu)
	}
	if h := help(moderator); strings.Contains(h, "/drafts") {
		t.Errorf("the removed member's /help:\n%s", h)
	}

	// An English speaker: the default menu in English before joining,
	// the chief editor's in English after.
	if got := d.tg.Menu(chief2, "en"); len(got) == 0 || got[0].Description != "My subscriptions" {
		t.Errorf("the English default menu: %+v", got)
	}
	d.addChief2()
	own := d.ownMenu(chief2)
	if i := slices.IndexFunc(own, func(c tgbotapi.BotCommand) bool { return c.Command == "invite" }); i < 0 || own[i].Description != "Invite to the team" {
		t.Errorf("the English chief editor's menu: %+v", own)
	}

	// Forgotten at their request: their own menu goes.
	d.say(chief2, "/forgetme")
	d.pressNow(chief2, d.last(chief2), "Delete")
	d.expect(chief2, "deleted everything")
	if own := d.ownMenu(chief2); len(own) != 0 {
		t.Errorf("a forgotten person keeps a menu of their own: %+v", own)
	}
}

// TestParentNeverHearsOfTeams: a parent who subscribes, starts the bot
// and writes to it is told how to reach the page, never about teams or
// invitations; their menu is the default one.
func TestParentNeverHearsOfTeams(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(stranger, "/start")
	d.lastSays(stranger, "контакты")
	d.subscribeStranger()
	d.say(stranger, "/start")
	d.say(stranger, "Здравствуйте! Когда будет родительское собрание в 5 «Б»?")
	d.lastSays(stranger, "никто не прочитает", "контакты на их странице")
	d.say(stranger, "завтра")
	d.lastSays(stranger, "никто не прочитает")
	d.handled(d.tg.Send(stranger, bottest.Media(bottest.KindSticker)))
	d.lastSays(stranger, "никто не прочитает")
	d.say(stranger, "/help")
	d.lastSays(stranger, "/subscriptions", "контакты")
	d.say(stranger, "/drafts")
	d.say(stranger, "/team")
	d.lastSays(stranger, "команда вам недоступна")
	for _, m := range d.tg.Messages(stranger) {
		for _, w := range teamWords {
			if strings.Contains(strings.ToLower(m.Text), w) {
				t.Errorf("a parent was told %q:\n%s", w, m.Text)
			}
		}
	}
	if n := d.count(stranger, "Пост #"); n != 0 {
		t.Errorf("the parent got %d draft cards", n)
	}
	if own := d.ownMenu(stranger); len(own) != 0 {
		t.Errorf("the subscriber has a menu of their own: %+v", own)
	}
}

// TestSlotsShowsAndWaitsForNothing: /slots shows the posting times with
// Change; the post sent next is a draft, not the times. Change asks for
// them.
func TestSlotsShowsAndWaitsForNothing(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(chief, "/slots")
	slots := d.lastSays(chief, "Время публикаций «МБОУ СОШ №4»: ")
	if !hasButton(slots, "Изменить") {
		t.Fatalf("/slots has no Change button:\n%s", d.dumpMsg(slots))
	}
	_, id := d.draft(chief, "Субботник в пятницу: приходите все!")
	if id == "" {
		t.Fatal("the post after /slots made no draft")
	}
	if n := d.count(chief, "Не понял время"); n != 0 {
		t.Fatalf("the post was read as posting times:\n%s", d.dump(chief))
	}

	d.pressNow(chief, slots, "Изменить")
	d.lastSays(chief, "Пришлите новое время публикаций «МБОУ СОШ №4»", "/cancel")
	d.say(chief, "09:15 16:45")
	d.lastSays(chief, "Готово. Время публикаций «МБОУ СОШ №4»", "09:15", "16:45")
	d.say(chief, "Ещё одна новость для канала школы")
	d.lastSays(chief, "Пост #")

	// After Change, a photo or an album is a post: the wait ends, no
	// «Не понял время».
	d.pressNow(chief, slots, "Изменить")
	d.lastSays(chief, "Пришлите новое время публикаций")
	d.handled(d.tg.Send(chief, bottest.Media(bottest.KindPhoto), bottest.Text("Фото с субботника")))
	d.lastSays(chief, "Пост #", "черновик")
	d.pressNow(chief, slots, "Изменить")
	d.lastSays(chief, "Пришлите новое время публикаций")
	d.album(chief, "Альбом с концерта", bottest.KindPhoto, bottest.KindPhoto)
	d.expect(chief, "Пост #4 ·", "черновик") // the album, after the photo (#3)
	d.say(chief, "Новость после альбома")
	d.lastSays(chief, "Пост #", "черновик")
	if n := d.count(chief, "Не понял время"); n != 0 {
		t.Fatalf("a photo or an album was read as posting times:\n%s", d.dump(chief))
	}

	// A moderator pressing Change (forged) is refused and nothing waits.
	u := d.forge(moderator, slots, "sl:"+d.pageOf(chief))
	if text, _ := d.answerOf(u); !strings.Contains(text, "нет прав") {
		t.Fatalf("a moderator's Change answered %q", text)
	}
	d.say(moderator, "10:00 11:00")
	d.lastSays(moderator, "Пост #")
}

var listedTime = regexp.MustCompile(`\d\d\.\d\d \d\d:\d\d|\d\d:\d\d`)

// TestQueueListsEachPostOnce: /queue shows each post once, with one time:
// when it goes out.
func TestQueueListsEachPostOnce(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	r1, id1 := d.submitted("Пост на завтра")
	d.pressNow(chief, r1, "На время")
	d.say(chief, "завтра 10:00")
	d.lastSays(chief, "Одобрено. Публикация: 27.11 10:00")
	r2, id2 := d.submitted("Пост на сегодня")
	d.pressNow(chief, r2, "Одобрить на ближайшее свободное время")

	for _, who := range []int64{chief, moderator} {
		d.say(who, "/queue")
		q := d.lastSays(who, "Очередь «МБОУ СОШ №4»: 2 поста")
		for id, when := range map[string]string{id1: "27.11 10:00", id2: "14:00"} {
			if n := strings.Count(q.Text, "#"+id+" "); n != 1 {
				t.Errorf("post #%s is listed %d times:\n%s", id, n, q.Text)
			}
			for _, line := range strings.Split(q.Text, "\n") {
				if !strings.HasPrefix(line, "#"+id+" ") {
					continue
				}
				if times := listedTime.FindAllString(line, -1); len(times) != 1 || !strings.Contains(times[0], when) {
					t.Errorf("post #%s's line has the times %q, want one, %s:\n%s", id, times, when, q.Text)
				}
			}
		}
	}
}

// TestShortAnswerAfterADialogueAsksFirst: «завтра» typed after the time
// was already taken is asked about, not made a draft; No drops it, Yes
// makes it; the same later than the window, or a real post, is a draft at
// once.
func TestShortAnswerAfterADialogueAsksFirst(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	posts := func() int {
		list, err := d.store.UserPosts(context.Background(), chief, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	r, _ := d.submitted("Субботник в пятницу")
	d.pressNow(chief, r, "На время")
	d.say(chief, "завтра 10:00")
	d.lastSays(chief, "Одобрено. Публикация: 27.11 10:00")

	d.say(chief, "завтра")
	q := d.lastSays(chief, "«завтра» — сделать из этого черновик", "разговор уже закончен")
	if n := posts(); n != 0 {
		t.Fatalf("«завтра» became a draft without asking")
	}
	d.pressNow(chief, q, "Нет")
	d.lastSays(chief, "черновик не сделан")
	if n := posts(); n != 0 {
		t.Fatalf("No made a draft")
	}

	d.say(chief, "ок")
	q = d.lastSays(chief, "«ок» — сделать из этого черновик")
	d.pressNow(chief, q, "Да, сделать черновик")
	d.lastSays(chief, "Пост #", "черновик")
	list, err := d.store.UserPosts(context.Background(), chief, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Content.Text != "ок" {
		t.Fatalf("Yes made %d drafts: %+v", len(list), list)
	}
	if m := d.fresh(q); len(m.Buttons()) != 0 {
		t.Errorf("the question keeps its buttons:\n%s", d.dumpMsg(m))
	}

	// The next message is read afresh; the question left open keeps its
	// text: Yes still makes the draft of it.
	d.say(chief, "да")
	q = d.lastSays(chief, "«да» — сделать из этого черновик")
	d.draft(chief, "День открытых дверей в субботу, 10:00–14:00")
	d.pressNow(chief, q, "Да, сделать черновик")
	d.lastSays(chief, "Пост #", "черновик")
	if n := posts(); n != 3 {
		t.Fatalf("%d drafts, want 3: the text asked about was lost", n)
	}
	found := false
	list, err = d.store.UserPosts(context.Background(), chief, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		found = found || p.Content.Text == "да"
	}
	if !found {
		t.Fatalf("Yes after a later message made no draft of «да»: %+v", list)
	}

	// A question older than 10 minutes has lapsed: its Yes changes nothing.
	d.say(chief, "ладно")
	q = d.lastSays(chief, "«ладно» — сделать из этого черновик")
	d.clock.Advance(11 * time.Minute)
	u := d.pressNow(chief, q, "Да, сделать черновик")
	if text, _ := d.answerOf(u); !strings.Contains(text, "устарела") {
		t.Errorf("a lapsed question's Yes answered %q", text)
	}
	if n := posts(); n != 3 {
		t.Fatalf("%d drafts, want 3", n)
	}

	// Well after the dialogue, a short text is a draft at once.
	d.draft(chief, "завтра")

	// After /cancel, too, a short answer is asked about.
	d.say(chief, "/slots")
	d.pressNow(chief, d.last(chief), "Изменить")
	d.say(chief, "/cancel")
	d.say(chief, "10:00")
	d.lastSays(chief, "«10:00» — сделать из этого черновик")
}

// TestMenusAfterAnUpgrade: team members who joined under a version that
// set no menus of their own get theirs when the new version starts,
// without writing to the bot; once, whichever process starts first.
func TestMenusAfterAnUpgrade(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.stop()
	api, err := tgbotapi.NewBotAPIWithClient(d.tg.Token(), d.tg.Endpoint(), http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []int64{chief, moderator} {
		if _, err := api.Request(tgbotapi.NewDeleteMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(who))); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.rdb.Del(context.Background(), d.key("menus:v1")).Err(); err != nil {
		t.Fatal(err)
	}
	d.start()
	if !waitUntil(func() bool { return len(d.ownMenu(chief)) > 0 && len(d.ownMenu(moderator)) > 0 }) {
		t.Fatalf("after the upgrade the team has no menus: chief %v, moderator %v", d.menu(chief, "ru"), d.menu(moderator, "ru"))
	}
	d.wantMenu("chief editor", chief, "ru", []string{"invite", "slots"}, nil)
	d.wantMenu("moderator", moderator, "ru", []string{"drafts"}, []string{"invite"})
	if own := d.ownMenu(stranger); len(own) != 0 {
		t.Errorf("the stranger got a menu of their own: %+v", own)
	}

	// Once all are set, the version is marked (a stop before that would
	// have them set again); started again, they are not set again.
	if !waitUntil(func() bool {
		n, err := d.rdb.Exists(context.Background(), d.key("menus:v1")).Result()
		return err == nil && n == 1
	}) {
		t.Fatal("the team's menus were not marked as set")
	}
	calls := len(d.tg.Calls("setMyCommands"))
	d.stop()
	d.start()
	if !waitUntil(func() bool { return strings.Contains(d.logs.String(), "team menus were set before") }) {
		t.Fatalf("the restart did not look at the team's menus; logs:\n%s", d.logs.String())
	}
	if n := len(d.tg.Calls("setMyCommands")) - calls; n > 3 {
		t.Errorf("a restart set %d menus; want the two default ones and the admin's", n)
	}
}
