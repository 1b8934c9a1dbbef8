package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/bot/bottest"
)

// The resident of the privacy scenario: an id, name and username found
// nowhere else, so any trace of them in Redis is theirs.
const (
	resident         int64 = 7300451
	residentName           = "Светлана"
	residentUsername       = "svetlana_k_forget"
)

// A person subscribes, joins the team as a moderator, makes drafts (one
// approved, one left unsubmitted, an album still being put together) and
// then asks /forgetme. The team's history keeps the actions with
// «бывший участник», and a minute later no key of the bot's prefix holds
// their id, name or username anywhere: key names, members, fields, values,
// list elements, stream entries.
func TestForgetMeLeavesNoTrace(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.tg.AddUser(resident, residentName, residentUsername, "ru")
	d.setUp()

	// Subscribes through the page's link, then joins as a moderator.
	d.say(chief, "/subscribers")
	link := subscribeLink.FindStringSubmatch(d.expect(chief, "Подписчики страницы").Text)[1]
	d.say(resident, "/start "+link)
	d.expect(resident, "Вы подписались")
	d.say(chief, "/invite")
	invites := len(d.tg.Messages(chief))
	d.press(chief, d.expect(chief, "Кого приглашаем"), "модератор")
	if !waitUntil(func() bool { return len(d.tg.Messages(chief)) > invites }) {
		t.Fatal("no invite link")
	}
	d.say(resident, "/start "+joinLink(t, d.last(chief)))
	d.expect(resident, "Вы модератор")

	// Drafts: one submitted and approved, one kept, an album in the buffer,
	// and a text check waiting (a session).
	card, approvedID := d.draft(resident, "Субботник в пятницу")
	d.pressNow(resident, card, "Отправить на согласование")
	review := d.expect(chief, "Пост #"+approvedID+" ·", "на согласовании", residentName)
	d.pressNow(chief, review, "Одобрить на ближайшее свободное время")
	d.draft(resident, "Черновик про библиотеку")
	ups := d.tg.SendAlbum(resident, "Фото с субботника", bottest.KindPhoto, bottest.KindPhoto)
	d.handled(ups[len(ups)-1])
	d.say(resident, "/check")

	// /privacy and /forgetme are offered to everyone.
	d.say(resident, "/privacy")
	d.expect(resident, "Что бот хранит о вас", "Имя и имя пользователя подписчиков не хранятся", "7 дней")
	d.say(resident, "/help")
	d.expect(resident, "/forgetme", "/privacy")

	// The scan below finds them while they are known.
	rdb := d.redis()
	prefix := "{" + d.env["REDIS_PREFIX"] + "}:"
	before := tracesOf(t, rdb, prefix+"*", resident, residentName, residentUsername)
	for _, want := range []string{"user:" + itoa(int(resident)), "page:1:subs: ", "page:1:members: ", ":history: "} {
		if !strings.Contains(strings.Join(before, "\n"), want) {
			t.Fatalf("before /forgetme the scan finds no %q in:\n%s", want, strings.Join(before, "\n"))
		}
	}

	// "Keep" keeps; "Delete everything" deletes.
	d.say(resident, "/forgetme")
	d.pressNow(resident, d.expect(resident, "Удалить всё, что бот знает о вас?"), "Не удалять")
	d.expect(resident, "ничего не удалено")
	if role := d.roleOf(resident); role != "moderator" {
		t.Fatalf("after Keep the resident is %q", role)
	}
	d.say(resident, "/forgetme")
	d.pressNow(resident, d.expect(resident, "Удалить всё, что бот знает о вас?"), "Удалить всё")
	d.expect(resident, "бот удалил всё, что знал о вас")

	// The team's history keeps the actions without the name.
	hist := d.history(chief, d.fresh(review))
	if strings.Contains(hist, residentName) || !strings.Contains(hist, "бывший участник: создан черновик") ||
		!strings.Contains(hist, "бывший участник: отправлено на согласование") || !strings.Contains(hist, "Анна: одобрено") {
		t.Fatalf("the history reads:\n%s", hist)
	}
	d.say(chief, "/team")
	if team := d.last(chief).Text; strings.Contains(team, residentName) {
		t.Fatalf("the team still lists the resident:\n%s", team)
	}

	// A minute later (on the test clock) and once every update in flight
	// is handled, nothing of them is left.
	d.clock.Advance(time.Minute)
	if !waitUntil(func() bool { return rdb.XLen(context.Background(), prefix+"updates").Val() == 0 }) {
		t.Fatal("updates are left unhandled in the intake stream")
	}
	if traces := tracesOf(t, rdb, prefix+"*", resident, residentName, residentUsername); len(traces) > 0 {
		t.Fatalf("after /forgetme Redis still holds the resident:\n%s", strings.Join(traces, "\n"))
	}

	// Writing again is as a stranger: no subscription, no team.
	d.say(resident, "/subscriptions")
	d.expect(resident, "У вас нет подписок")
}

// The only chief editor is asked to hand the page over first, and nothing
// is deleted.
func TestForgetMeLastChiefHandsOverFirst(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.teamWithoutChannel()
	d.say(chief, "/forgetme")
	refusal := d.expect(chief, "единственный шеф-редактор страницы «МБОУ СОШ №4»", "/invite")
	if role := d.roleOf(chief); role != "chief" {
		t.Fatalf("the chief editor is %q after a refused /forgetme", role)
	}
	// A confirmation forged past the question is refused the same way.
	n := len(d.tg.Messages(chief))
	d.forge(chief, refusal, "fg:yes")
	if !waitUntil(func() bool { return len(d.tg.Messages(chief)) > n }) {
		t.Fatal("no answer to the forged confirmation")
	}
	d.lastSays(chief, "единственный шеф-редактор страницы «МБОУ СОШ №4»")
	if role := d.roleOf(chief); role != "chief" {
		t.Fatalf("the chief editor is %q after a forged confirmation", role)
	}
}

// roleOf reads a person's role on the school's page (page 1).
func (d *desk) roleOf(user int64) string {
	d.t.Helper()
	return d.redis().HGet(context.Background(), "{"+d.env["REDIS_PREFIX"]+"}:page:1:members", itoa(int(user))).Val()
}

// tracesOf scans every key matching pattern and returns where the id (as
// a whole number), the name or the username occur: in a key's name, a
// string, a hash's fields and values, a set's or sorted set's members, a
// list's elements, a stream's entries.
func tracesOf(t *testing.T, c redis.UniversalClient, pattern string, id int64, words ...string) []string {
	t.Helper()
	ctx := context.Background()
	idRe := regexp.MustCompile(`(^|[^0-9])` + itoa(int(id)) + `([^0-9]|$)`)
	holds := func(s string) bool {
		if idRe.MatchString(s) {
			return true
		}
		for _, w := range words {
			if strings.Contains(strings.ToLower(s), strings.ToLower(w)) {
				return true
			}
		}
		return false
	}
	var out []string
	iter := c.Scan(ctx, 0, pattern, 500).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		if holds(key) {
			out = append(out, "key "+key)
			continue
		}
		var parts []string
		switch c.Type(ctx, key).Val() {
		case "string":
			parts = []string{c.Get(ctx, key).Val()}
		case "hash":
			for f, v := range c.HGetAll(ctx, key).Val() {
				parts = append(parts, f, v)
			}
		case "set":
			parts = c.SMembers(ctx, key).Val()
		case "zset":
			parts = c.ZRange(ctx, key, 0, -1).Val()
		case "list":
			parts = c.LRange(ctx, key, 0, -1).Val()
		case "stream":
			for _, m := range c.XRange(ctx, key, "-", "+").Val() {
				for f, v := range m.Values {
					parts = append(parts, f, toString(v))
				}
			}
		}
		for _, p := range parts {
			if holds(p) {
				out = append(out, key+": "+p)
			}
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}
