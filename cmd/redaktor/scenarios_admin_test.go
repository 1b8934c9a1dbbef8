package main

import (
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/bot/bottest"
)

// ---- helpers of the admin scenarios ----

// adminCard opens the admin's card of the school's page from /pages.
func (d *desk) adminCard() bottest.Sent {
	d.t.Helper()
	d.say(admin, "/pages")
	d.pressNow(admin, d.lastSays(admin, "МБОУ СОШ №4"), "1. МБОУ СОШ №4")
	return d.lastSays(admin, "Страница №", "МБОУ СОШ №4")
}

// inviteLink has the person press the role on /invite and returns the
// /start payload of the link they get.
func (d *desk) inviteLink(from int64, role, linkText string) string {
	d.t.Helper()
	d.say(from, "/invite")
	d.pressNow(from, d.last(from), role)
	return joinLink(d.t, d.expect(from, linkText))
}

// ---- admin scenarios ----

// TestAdminOnNoTeamApprovesAPost: the district admin, on no page's team,
// finds the page in /pages with its chief editors, channel and waiting
// posts, steps in as its chief editor and approves a moderator's post,
// which is published. Nobody else can press the admin's buttons.
func TestAdminOnNoTeamApprovesAPost(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, id := d.submitted("Субботник в пятницу")

	d.say(admin, "/pages")
	list := d.lastSays(admin, "Все страницы района: 1", "1. МБОУ СОШ №4", "Шеф-редакторы: Анна",
		"Канал: @usman_school4", "Последняя публикация: ещё не было", "Ждут согласования: 1")
	d.refusedForged(chief, list, "ao:1")
	d.refusedForged(stranger, list, "aw:1")

	card := d.adminCard()
	d.pressNow(admin, card, "Работать как шеф-редактор")
	d.lastSays(admin, "Текущая страница — «МБОУ СОШ №4»", "шеф-редактор")
	d.say(admin, "/pending")
	d.pressNow(admin, d.lastSays(admin, "#"+id), "Открыть #"+id)
	own := d.expect(admin, "Пост #"+id+" ·", "на согласовании")
	d.pressNow(admin, own, "Одобрить на ближайшее свободное время")

	d.expect(moderator, "Екатерина: ваш пост #"+id+" одобрен")
	if m := d.fresh(review); !strings.Contains(m.Text, "запланирован") {
		t.Fatalf("the chief editor's card did not follow the admin's approval:\n%s", m.Text)
	}
	d.say(admin, "/team")
	if team := d.last(admin).Text; strings.Contains(team, "Екатерина") {
		t.Fatalf("stepping in put the admin on the team:\n%s", team)
	}
	d.advanceTo(msk(11, 26, 14, 0))
	d.expect(moderator, "Пост #"+id+" опубликован")
	if n := d.inChannel("Субботник в пятницу"); n != 1 {
		t.Fatalf("the channel has %q", d.channelTexts())
	}
}

// TestArchivedPageHoldsPublication: while the page is archived its due
// post is not published (the chief editors are told why), the team is
// told of the archive and the restore, and after the restore Retry
// publishes the post once. The log keeps every step.
func TestArchivedPageHoldsPublication(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	review, id := d.submitted("Субботник в пятницу")
	d.pressNow(chief, review, "Одобрить на ближайшее свободное время")

	card := d.adminCard()
	d.pressNow(admin, card, "В архив")
	confirm := d.lastSays(admin, "Отправить страницу «МБОУ СОШ №4» в архив?")
	d.pressNow(admin, confirm, "Да, в архив")
	d.expect(chief, "отправил страницу «МБОУ СОШ №4» в архив")
	d.expect(moderator, "отправил страницу «МБОУ СОШ №4» в архив")
	card = d.fresh(confirm) // the question became the page's card
	if !strings.Contains(card.Text, "В архиве с") || !hasButton(card, "Восстановить") {
		t.Fatalf("the admin's card does not show the archive:\n%s", d.dumpMsg(card))
	}
	d.say(chief, "/pages")
	d.lastSays(chief, "МБОУ СОШ №4", "в архиве")

	d.advanceTo(msk(11, 26, 14, 0))
	failed := d.expect(chief, "Пост #"+id+" для «МБОУ СОШ №4» не опубликован", "страница в архиве")
	if n := len(d.channelPosts()); n != 0 {
		t.Fatalf("an archived page published: %q", d.channelTexts())
	}
	if n := d.count(moderator, "опубликован в"); n != 0 {
		t.Fatalf("the author was told of a publication")
	}

	d.pressNow(admin, card, "Восстановить")
	d.expect(chief, "«МБОУ СОШ №4» восстановлена")
	d.pressNow(chief, failed, "Повторить")
	d.expect(moderator, "Пост #"+id+" опубликован") // told after the channel got it
	if n := d.inChannel("Субботник в пятницу"); n != 1 || len(d.channelPosts()) != 1 {
		t.Fatalf("the channel has %q, want the post once", d.channelTexts())
	}
	d.say(chief, "/audit")
	d.lastSays(chief, "Екатерина: страница отправлена в архив", "Екатерина: страница восстановлена",
		"редактор (бот): пост опубликован (#"+id+")")
}

// TestDemotedChiefsInvitesAndRevoke: demoting a chief editor revokes the
// links he made and redraws his cards with a moderator's buttons; /invite
// lists open links with Revoke; a revoked link lets nobody in.
func TestDemotedChiefsInvitesAndRevoke(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.addChief2()
	_, id := d.submitted("Субботник в пятницу")
	borisCard := d.expect(chief2, "Post #"+id+" ·", "waiting for approval")
	borisLink := d.inviteLink(chief2, "moderator", "Invite link (moderator")

	d.say(chief, "/team")
	u := d.pressNow(chief, d.lastSays(chief, "Boris — шеф-редактор"), "Boris → модератор")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Отозвано 1 приглашение") {
		t.Fatalf("the demotion answered %q", text)
	}
	if m := d.fresh(borisCard); hasButton(m, "Approve") || !hasButton(m, "History") {
		t.Fatalf("the demoted chief editor's card is not a moderator's:\n%s", d.dumpMsg(m))
	}
	d.say(stranger, "/start "+borisLink)
	d.lastSays(stranger, "приглашение отозвано")
	d.say(stranger, "/pending")
	d.lastSays(stranger, "команда вам недоступна")

	annaLink := d.inviteLink(chief, "модератор", "Ссылка-приглашение (модератор")
	d.say(chief, "/invite")
	menu := d.lastSays(chief, "Открыто 1 приглашение", "1. модератор — от Анна")
	d.refusedForged(moderator, menu, *menu.Buttons()[2].CallbackData)
	u = d.pressNow(chief, menu, "Отозвать №1")
	if text, _ := d.answerOf(u); !strings.Contains(text, "Приглашение отозвано") {
		t.Fatalf("revoke answered %q", text)
	}
	if m := d.fresh(menu); strings.Contains(m.Text, "Открыто") || hasButton(m, "Отозвать") {
		t.Fatalf("the list still shows the revoked invite:\n%s", d.dumpMsg(m))
	}
	d.say(stranger, "/start "+annaLink)
	d.lastSays(stranger, "приглашение отозвано")
}

// TestRemovedMemberCardsAndNotices: a moderator taken off the team loses
// the buttons of his cards, hears nothing more of his post (no reviewer
// comment, no card update) and, opening his old invite again, is not told
// he is a member; nobody is told he joined again.
func TestRemovedMemberCardsAndNotices(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.teamWithoutChannel()
	link := startLink.FindStringSubmatch(d.expect(chief, "Ссылка-приглашение (модератор").Text)[1]
	own, id := d.draft(moderator, "Субботник в пятницу")
	d.pressNow(moderator, own, "Отправить на согласование")
	review := d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	if !hasButton(d.fresh(own), "История") {
		t.Fatalf("the author's card has no History before the removal:\n%s", d.dumpMsg(d.fresh(own)))
	}

	d.say(chief, "/team")
	d.pressNow(chief, d.lastSays(chief, "Ирина — модератор"), "Убрать: Ирина")
	d.expect(moderator, "Вас убрали из команды «МБОУ СОШ №4»")
	stripped := d.fresh(own)
	if len(stripped.Buttons()) != 0 {
		t.Fatalf("the removed moderator's card kept its buttons:\n%s", d.dumpMsg(stripped))
	}
	before := len(d.tg.Messages(moderator))

	d.pressNow(chief, review, "На доработку")
	d.say(chief, "Добавьте фото с прошлого субботника")
	d.lastSays(chief, "Автор больше не в команде") // the press and the answer were handled whole
	if after := len(d.tg.Messages(moderator)); after != before {
		t.Fatalf("the removed moderator was told:\n%s", d.last(moderator).Text)
	}
	if m := d.fresh(own); m.Text != stripped.Text || len(m.Buttons()) != 0 {
		t.Fatalf("the removed moderator's card was updated:\n%s", d.dumpMsg(m))
	}

	chiefBefore := len(d.tg.Messages(chief))
	d.say(moderator, "/start "+link)
	d.lastSays(moderator, "уже использована")
	for _, m := range d.tg.Messages(moderator) {
		if strings.Contains(m.Text, "Вы модератор") && m.MessageID > stripped.MessageID {
			t.Fatalf("a person off the team was told he is a member:\n%s", m.Text)
		}
	}
	if n := len(d.tg.Messages(chief)); n != chiefBefore {
		t.Fatalf("reopening the invite told the chief editor:\n%s", d.last(chief).Text)
	}
}

// TestReopeningOwnInviteTellsNobody: a member who opens his used link
// again is told he is on the team already; his inviter hears nothing.
func TestReopeningOwnInviteTellsNobody(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.teamWithoutChannel()
	link := startLink.FindStringSubmatch(d.expect(chief, "Ссылка-приглашение (модератор").Text)[1]
	d.expect(chief, "Ирина теперь в команде")
	before := len(d.tg.Messages(chief))
	d.say(moderator, "/start "+link)
	d.lastSays(moderator, "Вы уже в команде «МБОУ СОШ №4» (модератор)") // say waited for the whole handling
	if n := len(d.tg.Messages(chief)); n != before {
		t.Fatalf("the chief editor was told again:\n%s", d.last(chief).Text)
	}
}

// TestAuditLinesAndCSV: /audit shows the team's actions with names read
// now (a person the bot forgot is a former member), offers the same as a
// CSV file, and is for chief editors and admins only.
func TestAuditLinesAndCSV(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(chief, "/team")
	d.pressNow(chief, d.lastSays(chief, "Ирина — модератор"), "Убрать: Ирина")

	d.say(chief, "/audit")
	log := d.lastSays(chief, "Журнал «МБОУ СОШ №4»",
		"Екатерина: страница создана («МБОУ СОШ №4»)",
		"Анна: вступление в команду (Анна, шеф-редактор)",
		"Анна: приглашение создано (модератор)",
		"Ирина: вступление в команду (Ирина, модератор)",
		"Анна: канал подключён",
		"Анна: исключение из команды (Ирина, модератор)")
	if strings.Index(log.Text, "исключение из команды") > strings.Index(log.Text, "страница создана") {
		t.Fatalf("the log is not newest first:\n%s", log.Text)
	}
	d.pressNow(chief, log, "Скачать CSV")
	var doc bottest.Call
	if !waitUntil(func() bool {
		calls := d.tg.Calls("sendDocument")
		if len(calls) == 1 {
			doc = calls[0]
		}
		return len(calls) == 1
	}) {
		t.Fatal("no CSV document was sent")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(doc.Uploads["document"]), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v\n%s", err, doc.Uploads["document"])
	}
	if doc.ChatID != chief || len(rows) != 8 || strings.Join(rows[0], ",") != "время,кто,действие,участник,роль,пост,примечание" ||
		strings.Join(rows[1][1:5], ",") != "Анна,исключение из команды,Ирина,модератор" {
		t.Fatalf("the CSV (to %d) is:\n%q", doc.ChatID, rows)
	}

	d.say(moderator, "/audit")
	d.lastSays(moderator, "команда вам недоступна")
	d.refusedForged(stranger, log, "ac:1")
	d.refusedForged(moderator, log, "ad:1")

	// The person asks to be forgotten: her record goes (another part of
	// the bot does it); the log shows her as a former member.
	forget(t, d, moderator)
	d.say(admin, "/audit")
	d.lastSays(admin, "Выберите страницу в /pages")
	d.pressNow(admin, d.adminCard(), "Журнал действий")
	adminLog := d.lastSays(admin, "Анна: исключение из команды (бывший участник, модератор)")
	if strings.Contains(adminLog.Text, "Ирина") {
		t.Fatalf("the log names a forgotten person:\n%s", adminLog.Text)
	}
}

// forget deletes a person's record as /forgetme would.
func forget(t *testing.T, d *desk, user int64) {
	t.Helper()
	opt, err := redis.ParseURL(d.env["REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	key := "{" + d.env["REDIS_PREFIX"] + "}:user:" + strconv.FormatInt(user, 10)
	if n, err := rdb.Del(context.Background(), key).Result(); err != nil || n != 1 {
		t.Fatalf("delete %s: %d, %v", key, n, err)
	}
}

// TestNewPageWithAnExistingTitle: /newpage with the title of a page that
// exists (case and spacing aside) shows that page first and creates the
// new one only when the admin presses "Create anyway".
func TestNewPageWithAnExistingTitle(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(admin, "/newpage  мбоу   СОШ №4 ")
	d.expect(admin, "Страница с таким названием уже есть: «МБОУ СОШ №4»")
	d.expect(admin, "Страница №", "Шеф-редакторы: Анна")
	anyway := d.lastSays(admin, "создайте страницу «мбоу   СОШ №4» всё равно")
	d.say(admin, "/pages")
	d.lastSays(admin, "Все страницы района: 1")

	d.pressNow(admin, anyway, "Создать всё равно")
	d.lastSays(admin, "Страница «мбоу   СОШ №4» создана", "?start=")
	d.say(admin, "/pages")
	d.lastSays(admin, "Все страницы района: 2")
	d.pressNow(admin, anyway, "Создать всё равно") // the press is spent
	d.say(admin, "/pages")
	d.lastSays(admin, "Все страницы района: 2")
}

// TestAdminPagesArePaged: a district's pages come ten to a message with
// Next and Back, which edit the message in place.
func TestAdminPagesArePaged(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	for i := 1; i <= 23; i++ {
		d.say(admin, "/newpage Библиотека "+strconv.Itoa(i))
	}
	d.say(admin, "/pages")
	list := d.lastSays(admin, "Все страницы района: 23 (показаны 1–10)", "10. Библиотека 10", "Шеф-редакторы: нет")
	if hasButton(list, "Назад") || strings.Contains(list.Text, "Библиотека 11") {
		t.Fatalf("the first screen:\n%s", d.dumpMsg(list))
	}
	d.pressNow(admin, list, "Дальше")
	d.pressNow(admin, list, "Дальше")
	last := d.fresh(list)
	if !strings.Contains(last.Text, "показаны 21–23") || !strings.Contains(last.Text, "23. Библиотека 23") || hasButton(last, "Дальше") {
		t.Fatalf("the last screen:\n%s", d.dumpMsg(last))
	}
	d.pressNow(admin, list, "Назад")
	if m := d.fresh(list); !strings.Contains(m.Text, "показаны 11–20") {
		t.Fatalf("back from the last screen:\n%s", d.dumpMsg(m))
	}
	d.pressNow(admin, list, "12. Библиотека 12")
	card := d.lastSays(admin, "Страница №12", "Библиотека 12")
	d.pressNow(admin, card, "Переименовать")
	d.say(admin, "Центральная библиотека")
	d.lastSays(admin, "теперь называется «Центральная библиотека»")
	d.say(admin, "/pages")
	second := d.last(admin)
	d.pressNow(admin, second, "Дальше")
	if m := d.fresh(second); !strings.Contains(m.Text, "12. Центральная библиотека") {
		t.Fatalf("the list after the rename:\n%s", m.Text)
	}
}

// TestDirectorLeaves: the page's only chief editor leaves; the admin takes
// her off the team (only an admin may leave a page without a chief
// editor), is sent the page's posts for approval meanwhile, gives a new
// chief-editor link, and her successor runs the page.
func TestDirectorLeaves(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.pressNow(admin, d.adminCard(), "Работать как шеф-редактор")
	d.say(admin, "/team")
	d.pressNow(admin, d.lastSays(admin, "Анна — шеф-редактор"), "Убрать: Анна")
	d.expect(chief, "Вас убрали из команды «МБОУ СОШ №4»")
	d.say(chief, "/pending")
	d.lastSays(chief, "команда вам недоступна")

	// Meanwhile the admin gets what the chief editor would.
	_, waiting := d.submitted2("Книжная выставка")
	d.expect(admin, "На согласование: пост #"+waiting+" ", "автор — Ирина")
	d.expect(admin, "Пост #"+waiting+" ·", "на согласовании")

	card := d.adminCard()
	if !strings.Contains(card.Text, "Шеф-редакторы: нет") {
		t.Fatalf("the card after the director left:\n%s", card.Text)
	}
	d.pressNow(admin, card, "Новая ссылка шеф-редактора")
	link := joinLink(t, d.lastSays(admin, "Ссылка-приглашение (шеф-редактор, «МБОУ СОШ №4»)"))
	d.say(chief2, "/start "+link)
	d.expect(chief2, "You are the chief editor")
	_, id := d.submitted2("Субботник в пятницу")
	d.expect(chief2, "Post #"+id+" ·", "waiting for approval")
}

// submitted2 is submitted for a page whose chief editor is Boris.
func (d *desk) submitted2(text string) (bottest.Sent, string) {
	d.t.Helper()
	card, id := d.draft(moderator, text)
	d.pressNow(moderator, card, "Отправить на согласование")
	return card, id
}
