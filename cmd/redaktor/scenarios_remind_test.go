package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
)

// ---- reminders and the morning digest (issue 13) ----
//
// The desk's clock starts on Thursday 26.11.2026, 12:00 in Moscow. Each
// step moves it and waits for a whole scheduler tick there (d.at), which
// runs the reminders first; nothing sleeps.

const (
	waitingLong  = "ждут согласования дольше"
	goodMorning  = "Доброе утро"
	proposalGone = "Наступило предложенное время поста #"
	authorTold   = "Предложенное вами время поста #"
)

// at moves the clock to a moment (never back) and waits for the
// reminders' pass of its minute and a whole tick at it: what the reminders
// would send then has been sent.
func (d *desk) at(t time.Time) {
	d.t.Helper()
	d.advanceTo(t)
	d.remindersPassed(1)
	d.quiet()
}

// remindersPassed waits until the reminders of n processes went through
// every page in the clock's minute (storage.Store.PassDone counts them): a
// tick that began before the clock moved does not count.
func (d *desk) remindersPassed(n int) {
	d.t.Helper()
	minute := d.clock.Now().Truncate(time.Minute)
	key := d.key("reminders:pass:" + strconv.FormatInt(minute.UnixMilli(), 10))
	if !waitUntil(func() bool {
		c, err := d.rdb.Get(context.Background(), key).Int()
		return err == nil && c >= n
	}) {
		d.t.Fatalf("the reminders of %d processes did not go through the pages at %s", n, minute)
	}
}

// unchangedAt moves the clock to each moment and fails if anyone of chats
// got a message there.
func (d *desk) unchangedAt(chats []int64, moments ...time.Time) {
	d.t.Helper()
	for _, m := range moments {
		before := map[int64]int{}
		for _, c := range chats {
			before[c] = len(d.tg.Messages(c))
		}
		d.at(m)
		for _, c := range chats {
			if msgs := d.tg.Messages(c); len(msgs) != before[c] {
				d.t.Fatalf("chat %d got a message at %s (%s):\n%s", c, m.Format("Mon 02.01 15:04"), m.Location(), msgs[len(msgs)-1].Text)
			}
		}
	}
}

// proposedAt makes a moderator's draft and proposes a time for it, which
// submits it; it returns the post id.
func (d *desk) proposedAt(text, when string) string {
	d.t.Helper()
	card, id := d.draft(moderator, text)
	d.pressNow(moderator, card, "Предложить время")
	d.say(moderator, when)
	d.lastSays(moderator, "Предложено время", "Пост #"+id+" отправлен на согласование")
	d.expect(chief, "Пост #"+id+" ·", "на согласовании")
	return id
}

// TestWaitingReminderCountsWorkingHours: a post sent for approval on
// Friday at 17:00 has waited 4 working hours (Monday to Friday,
// 08:00–18:00) on Monday at 11:00: the chief editor is reminded then, once,
// with a button that opens the card, and nobody hears a thing at night.
func TestWaitingReminderCountsWorkingHours(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.at(msk(11, 27, 17, 0))
	_, id := d.submitted("Субботник в субботу у школы")

	// The chief editor's own post goes out on Sunday at 10:00.
	own, sunday := d.draft(chief, "Выставка рисунков в воскресенье")
	d.pressNow(chief, own, "На время")
	d.say(chief, "29.11 10:00")
	d.expect(chief, "Публикация: 29.11 10:00")

	team := []int64{chief, moderator}
	d.unchangedAt(team, msk(11, 27, 18, 0), msk(11, 27, 21, 0), msk(11, 28, 3, 0), msk(11, 28, 8, 29))
	// The weekend has no working hours, so no reminder. Saturday publishes
	// nothing: no digest (the post waits for Monday's). Sunday publishes:
	// its digest tells that and the post waiting.
	d.unchangedAt(team, msk(11, 28, 8, 30), msk(11, 28, 12, 0), msk(11, 29, 8, 29))
	d.advanceTo(msk(11, 29, 8, 30))
	d.expect(chief, goodMorning, "10:00 · #"+sunday, "#"+id)
	d.at(msk(11, 29, 10, 0))
	d.expect(chief, "Пост #"+sunday+" опубликован")
	d.at(msk(11, 29, 12, 0))
	d.unchangedAt(team, msk(11, 29, 22, 0), msk(11, 30, 4, 0), msk(11, 30, 8, 0), msk(11, 30, 8, 29))
	d.advanceTo(msk(11, 30, 8, 30))
	d.expect(chief, goodMorning+"! «МБОУ СОШ №4» сегодня, 30.11", "#"+id)
	d.at(msk(11, 30, 10, 59))
	if n := d.count(chief, waitingLong); n != 0 {
		t.Fatalf("reminded before 4 working hours passed:\n%s", d.dump(chief))
	}

	d.advanceTo(msk(11, 30, 11, 0))
	m := d.expect(chief, waitingLong+" 4 рабочих часов", "#"+id, "Ирина", "ждёт с 27.11 17:00", "Субботник")
	if !hasButton(m, "Открыть #"+id) {
		t.Fatalf("the reminder has no button to open the post:\n%s", d.dumpMsg(m))
	}
	d.at(msk(11, 30, 11, 1))
	d.at(msk(11, 30, 17, 0))
	if n := d.count(chief, waitingLong); n != 1 {
		t.Fatalf("the chief editor was reminded %d times, want once:\n%s", n, d.dump(chief))
	}
	if n := d.count(moderator, waitingLong); n != 0 {
		t.Fatalf("the moderator got the chief editors' reminder")
	}
	d.pressNow(chief, m, "Открыть #"+id)
	d.lastSays(chief, "Пост #"+id+" ·", "на согласовании")
}

// TestMorningDigestInEachPagesTimeZone: at 08:30 of each page's own time
// zone its team gets the day: the chief editors what is published today
// (with times) and every post waiting, the moderators their own posts
// only. The post waiting long is told in the digest, not again on its own.
func TestMorningDigestInEachPagesTimeZone(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	ctx := context.Background()

	// Page A, Moscow: the moderator's post for Friday 10:00, the chief
	// editor's own for 15:00, and one of the moderator's waiting.
	review, first := d.submitted("Концерт ко Дню матери в актовом зале")
	d.pressNow(chief, review, "На время")
	d.say(chief, "27.11 10:00")
	d.expect(chief, "Одобрено. Публикация: 27.11 10:00")
	_, waiting := d.submitted("Субботник в субботу у школы")
	own, chiefs := d.draft(chief, "Родительское собрание в пятницу в 18:00")
	d.pressNow(chief, own, "На время")
	d.say(chief, "27.11 15:00")
	d.expect(chief, "Публикация: 27.11 15:00")

	// Page B, Yekaterinburg (two hours ahead), run by Boris in English.
	d.say(admin, "/newpage Библиотека")
	d.say(chief2, "/start "+joinLink(t, d.expect(admin, "t.me/redaktor_test_bot?start=")))
	d.expect(chief2, "You are the chief editor")
	pageB := ""
	pages, err := d.store.AllPages(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if p.Title == "Библиотека" {
			pageB = p.ID
		}
	}
	// No command sets a page's time zone yet (pages take TIMEZONE).
	if _, err := d.store.EditPage(ctx, pageB, func(p *redaktor.Page) bool { p.TimeZone = "Asia/Yekaterinburg"; return true }); err != nil {
		t.Fatal(err)
	}
	libCard, lib := d.draft(chief2, "The library is open on Friday until 19:00")
	d.pressNow(chief2, libCard, "For a time")
	d.say(chief2, "27.11 12:00")
	d.expect(chief2, "27.11 12:00")

	everyone := []int64{chief, moderator, chief2}
	d.unchangedAt(everyone, msk(11, 26, 23, 0), msk(11, 27, 6, 29))
	d.unchangedAt([]int64{chief, moderator}, msk(11, 27, 6, 30)) // 08:30 in Yekaterinburg
	d.expect(chief2, "Good morning! “Библиотека” today, 27.11", "In the channel today:", "12:00 · #"+lib)
	d.unchangedAt(everyone, msk(11, 27, 7, 0), msk(11, 27, 8, 29))

	d.advanceTo(msk(11, 27, 8, 30))
	dg := d.expect(chief, goodMorning+"! «МБОУ СОШ №4» сегодня, 27.11", "Сегодня в канале:",
		"10:00 · #"+first, "15:00 · #"+chiefs, "Ждёт согласования 1 пост:", "#"+waiting+" · Ирина · ждёт с 26.11 12:00")
	if !hasButton(dg, "Открыть #"+waiting) {
		t.Fatalf("the digest has no button to open the waiting post:\n%s", d.dumpMsg(dg))
	}
	mine := d.expect(moderator, goodMorning+"! Ваши посты на странице «МБОУ СОШ №4» сегодня", "10:00 · #"+first, "#"+waiting)
	if strings.Contains(mine.Text, "#"+chiefs) || strings.Contains(mine.Text, "Родительское") {
		t.Fatalf("the moderator's digest shows the chief editor's post:\n%s", mine.Text)
	}
	d.at(msk(11, 27, 8, 31))
	d.at(msk(11, 27, 13, 0))
	for _, c := range []struct {
		chat  int64
		words string
	}{{chief, goodMorning}, {moderator, goodMorning}, {chief2, "Good morning"}} {
		if n := d.count(c.chat, c.words); n != 1 {
			t.Fatalf("chat %d got %d digests, want one:\n%s", c.chat, n, d.dump(c.chat))
		}
	}
	// The post has waited 6 working hours by 08:30: the digest told it.
	if n := d.count(chief, waitingLong); n != 0 {
		t.Fatalf("a reminder came on top of the digest:\n%s", d.dump(chief))
	}
}

// TestNothingSentFrom21: what falls due after 21:00 (a proposed time of
// 21:05; a post that crossed 4 working hours at 16:00, seen first at 21:01
// as after a restart) is not sent at night, nor before 08:30, and comes in
// the morning digest.
func TestNothingSentFrom21(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	_, waiting := d.submitted("Субботник в субботу у школы")
	late := d.proposedAt("Вечерний концерт в актовом зале", "21:05")
	d.unchangedAt([]int64{chief, moderator}, msk(11, 26, 21, 1), msk(11, 26, 21, 5), msk(11, 26, 21, 6),
		msk(11, 26, 22, 0), msk(11, 26, 22, 59), msk(11, 26, 23, 1), msk(11, 27, 8, 0), msk(11, 27, 8, 29))
	d.advanceTo(msk(11, 27, 8, 30))
	d.expect(chief, goodMorning, "#"+waiting, "#"+late, "предложенное время 26.11 21:05 прошло")
	d.expect(moderator, goodMorning, "#"+late, "предложенное время 26.11 21:05 прошло")
	d.at(msk(11, 27, 8, 31))
	d.at(msk(11, 27, 12, 0))
	if n := d.count(chief, waitingLong) + d.count(chief, proposalGone+late) + d.count(moderator, authorTold+late); n != 0 {
		t.Fatalf("told on its own besides the digest:\n%s", d.dump(chief))
	}
}

// TestProposedTimePassedTellsAuthorOnce: the author hears once that the
// time they proposed passed unapproved; one that passes at night is told
// in the morning digest, and not on its own too.
func TestProposedTimePassedTellsAuthorOnce(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	id := d.proposedAt("Субботник в пятницу", "15:00")
	d.advanceTo(msk(11, 26, 15, 0).Add(30 * time.Second))
	d.expect(moderator, authorTold+id+" (26.11 15:00", "не опубликован")
	d.expect(chief, proposalGone+id)
	d.at(msk(11, 26, 15, 1))
	d.at(msk(11, 26, 16, 30))
	if n := d.count(moderator, authorTold+id); n != 1 {
		t.Fatalf("the author was told %d times, want once:\n%s", n, d.dump(moderator))
	}

	night := d.proposedAt("Ночной пост о дежурстве", "23:30")
	d.unchangedAt([]int64{chief, moderator}, msk(11, 26, 23, 31), msk(11, 27, 4, 0), msk(11, 27, 8, 29))
	d.advanceTo(msk(11, 27, 8, 30))
	d.expect(moderator, goodMorning, "#"+night, "предложенное время 26.11 23:30 прошло")
	d.expect(chief, goodMorning, "#"+night, "предложенное время 26.11 23:30 прошло")
	d.at(msk(11, 27, 8, 31))
	d.at(msk(11, 27, 12, 0))
	if n := d.count(moderator, authorTold+night) + d.count(chief, proposalGone+night); n != 0 {
		t.Fatalf("the passed time was told on its own besides the digest:\n%s", d.dump(moderator))
	}
	if n := d.count(moderator, goodMorning); n != 1 {
		t.Fatalf("the author got %d digests, want one", n)
	}
}

// TestRemindSettingIsRespected: a chief editor changes how many working
// hours a post may wait (/remind 6), or turns the reminder off (/remind 0);
// a moderator may read the setting but not change it.
func TestRemindSettingIsRespected(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	d.say(moderator, "/remind 6")
	d.lastSays(moderator, "только шеф-редактор")
	d.say(moderator, "/remind")
	d.lastSays(moderator, "Напоминания «МБОУ СОШ №4»", "дольше 4 рабочих часов",
		"С 21:00 до 8:30 напоминания и сводка не приходят", "отчёты о публикациях приходят в любое время")
	d.say(chief, "/remind пять")
	d.lastSays(chief, "Напишите число рабочих часов от 1 до 50")
	d.say(chief, "/remind 6")
	d.lastSays(chief, "Готово", "дольше 6 рабочих часов")

	_, id := d.submitted("Субботник в пятницу")
	d.at(msk(11, 26, 16, 30))
	if n := d.count(chief, waitingLong); n != 0 {
		t.Fatalf("reminded after 4 hours though the page chose 6:\n%s", d.dump(chief))
	}
	d.advanceTo(msk(11, 26, 18, 0))
	d.expect(chief, waitingLong+" 6 рабочих часов", "#"+id)

	d.say(chief, "/remind 0")
	d.lastSays(chief, "больше не напоминает")
	_, id2 := d.submitted("Второй пост о библиотеке")
	d.at(msk(11, 27, 8, 30))
	d.at(msk(11, 27, 14, 0))
	d.at(msk(11, 30, 12, 0))
	if n := d.count(chief, waitingLong); n != 1 {
		t.Fatalf("reminded of #%s after reminders were turned off:\n%s", id2, d.dump(chief))
	}
	d.say(chief, "/remind")
	d.lastSays(chief, "не напоминать")
}

// TestRemovedMemberAndArchivedPageHearNothing: a member taken off the team
// is not told of their post's passed time nor sent a digest; an archived
// page sends nobody anything.
func TestRemovedMemberAndArchivedPageHearNothing(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	id := d.proposedAt("Субботник в пятницу", "15:00")
	d.say(chief, "/team")
	d.pressNow(chief, d.lastSays(chief, "Команда «МБОУ СОШ №4»"), "Убрать: Ирина")
	d.expect(moderator, "Вас убрали из команды")

	d.unchangedAt([]int64{moderator}, msk(11, 26, 15, 1))
	d.expect(chief, proposalGone+id)
	d.unchangedAt([]int64{moderator}, msk(11, 27, 8, 30), msk(11, 27, 12, 0))
	d.expect(chief, goodMorning, "#"+id)

	card := d.adminCard()
	d.pressNow(admin, card, "В архив")
	d.pressNow(admin, d.lastSays(admin, "в архив?"), "Да, в архив")
	d.expect(chief, "в архив")
	d.unchangedAt([]int64{chief, moderator, admin}, msk(11, 28, 8, 30), msk(11, 30, 12, 0))
}

// TestRemindersOnceAcrossTwoProcesses: two processes on one Redis tick at
// the same moments; the digest, a reminder and a passed proposed time
// each reach their people once.
func TestRemindersOnceAcrossTwoProcesses(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	_, id := d.submitted("Субботник в субботу у школы")
	d.replica()
	both := func(moment time.Time) {
		t.Helper()
		d.advanceTo(moment)
		d.remindersPassed(2)
		d.quiet()
	}
	both(msk(11, 27, 8, 30))
	late := d.proposedAt("Концерт ко Дню матери", "12:00")
	both(msk(11, 27, 12, 0))
	both(msk(11, 27, 12, 30))
	for _, c := range []struct {
		chat  int64
		words string
	}{{chief, goodMorning}, {moderator, goodMorning}, {chief, proposalGone + late}, {moderator, authorTold + late}, {chief, waitingLong}} {
		if n := d.count(c.chat, c.words); n != 1 {
			t.Fatalf("chat %d has %d messages with %q, want one:\n%s", c.chat, n, c.words, d.dump(c.chat))
		}
	}
	// Sent for approval at 08:30, it waited 4 working hours by 12:30; the
	// reminder lists the first post too (told in the digest, still waiting).
	d.expect(chief, waitingLong, "#"+late, "#"+id)
}

// replica runs a second process of the bot on the desk's Redis, Telegram
// and clock, until the test ends; it returns its logs.
func (d *desk) replica() *syncBuffer {
	d.t.Helper()
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(k string) string { return d.env[k] }, logs, d.clock.Now) }()
	d.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				d.t.Errorf("replica: %v", err)
			}
		case <-time.After(30 * time.Second):
			d.t.Errorf("the replica did not stop")
		}
	})
	return logs
}

// TestNoDigestPastItsMorning: a bot down at 08:30 does not send the
// morning digest at 10:00; the post waiting long is reminded of instead.
func TestNoDigestPastItsMorning(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	_, id := d.submitted("Субботник в субботу у школы")
	d.at(msk(11, 27, 10, 0)) // the first tick since Thursday 12:00
	d.expect(chief, waitingLong+" 4 рабочих часов", "#"+id)
	d.at(msk(11, 27, 10, 1))
	if n := d.count(chief, goodMorning) + d.count(moderator, goodMorning); n != 0 {
		t.Fatalf("a morning digest came at 10:00:\n%s", d.dump(chief))
	}
	if n := d.count(chief, waitingLong); n != 1 {
		t.Fatalf("reminded %d times, want once", n)
	}
}
