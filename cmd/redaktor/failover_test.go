package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor/storage/storagetest"
)

// follow is how long after the Redis primary serving the desk died the bot
// must work again (issue 11): its replica is promoted within a few seconds,
// and the bot must not wait for its Redis client's minute-long refresh.
const follow = 10 * time.Second

// The primary that serves the desk's keys dies; its replica is promoted by
// the Redis Cluster or by the sentinels. A post falls due and people write
// to the bot right after: within 10 s of the kill the post is in the
// channel and every message is answered, each exactly once.
func TestBotFollowsARedisFailover(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// start gives the desk's Redis and what kills the primary that
		// serves the keys of the prefix.
		start func(t *testing.T) (storagetest.Redis, func())
	}{
		{name: "cluster", start: func(t *testing.T) (storagetest.Redis, func()) {
			c := storagetest.StartCluster(t)
			r := c.Open(t)
			return r, func() { c.KillPrimaryOf("{" + r.Prefix + "}:due") }
		}},
		{name: "sentinel", start: func(t *testing.T) (storagetest.Redis, func()) {
			s := storagetest.StartSentinel(t)
			return s.Open(t), s.KillMaster
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, kill := tc.start(t)
			d := newDeskOn(t, r)
			d.setUp()
			d.say(moderator, "Спортзал открыт после ремонта.")
			d.press(moderator, d.expect(moderator, "Пост #1", "черновик"), "Отправить на согласование")
			d.press(chief, d.expect(chief, "Пост #1", "на согласовании"), "На время")
			d.say(chief, "завтра 10:00")
			d.expect(chief, "Одобрено. Публикация: 27.11 10:00")

			kill()
			killed := time.Now()
			due := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC) // 10:00 in Moscow
			d.clock.Advance(due.Sub(d.clock.Now()))
			news := []string{"Кружок робототехники набирает учеников.", "В субботу — день открытых дверей.", "Столовая работает до 16:00."}
			for _, text := range news {
				d.tg.SendText(moderator, text)
			}

			published := d.within(killed, "the post due to be published", func() bool { return len(d.channelPosts()) > 0 })
			answered := d.within(killed, "the moderator's messages to be made drafts", func() bool {
				return len(draftCards(d)) == len(news)
			})
			t.Logf("%s failover: the post published %.1f s and the last message answered %.1f s after the kill",
				tc.name, published.Seconds(), answered.Seconds())

			d.quiet() // whatever a tick would still do has been done
			if posts := d.channelPosts(); len(posts) != 1 || posts[0].Text != "Спортзал открыт после ремонта." {
				t.Errorf("the channel has %d messages, want the post once:\n%s", len(posts), d.dump(channel))
			}
			if n := countMessages(d, moderator, "Пост #1 опубликован"); n != 1 {
				t.Errorf("the author was told %d times the post was published, want once", n)
			}
			for _, text := range news {
				if n := countMessages(d, moderator, text); n != 1 {
					t.Errorf("%q previewed %d times, want once", text, n)
				}
			}
			if cards := draftCards(d); len(cards) != len(news) || !sameSet(cards, []string{"#2", "#3", "#4"}) {
				t.Errorf("draft cards %v, want posts #2, #3 and #4 once each:\n%s", cards, d.dump(moderator))
			}
		})
	}
}

// within waits until done holds and returns how long after since it was
// seen; it fails the test if that is not within follow of since.
func (d *desk) within(since time.Time, what string, done func() bool) time.Duration {
	d.t.Helper()
	deadline := since.Add(follow)
	for !done() {
		if time.Now().After(deadline) {
			d.t.Fatalf("waited %s after the kill for %s, want the bot back within %s; logs:\n%s",
				time.Since(since).Round(time.Millisecond), what, follow, d.logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(since)
}

// draftCards are the post numbers of the draft cards the moderator has.
func draftCards(d *desk) []string {
	var nums []string
	for _, m := range d.tg.Messages(moderator) {
		if strings.Contains(m.Text, "Статус: черновик") {
			num, _, _ := strings.Cut(strings.TrimPrefix(m.Text, "📝 Пост "), " ")
			nums = append(nums, num)
		}
	}
	return nums
}

// countMessages counts the chat's messages containing part.
func countMessages(d *desk, chat int64, part string) int {
	n := 0
	for _, m := range d.tg.Messages(chat) {
		if strings.Contains(m.Text, part) {
			n++
		}
	}
	return n
}

func sameSet(got, want []string) bool {
	return strings.Join(slices.Sorted(slices.Values(got)), ",") == strings.Join(want, ",")
}
