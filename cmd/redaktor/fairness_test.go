package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage"
)

const (
	noPages     = "Это сообщение никто не прочитает"
	floodNotice = "слишком много сообщений"
)

// drained waits until every update Telegram delivered was acknowledged:
// handled, or dropped by the flood limit (which leaves no log line).
func (d *desk) drained(sent int) {
	d.t.Helper()
	st := storage.New(d.redis(), d.env["REDIS_PREFIX"])
	if !waitUntil(func() bool {
		depth, err := st.QueueDepths(context.Background())
		return err == nil && d.tg.Confirmed() >= sent && depth["updates_waiting"] == 0 && depth["updates_in_flight"] == 0
	}) {
		d.t.Fatalf("the updates were not all acknowledged; confirmed %d of %d", d.tg.Confirmed(), sent)
	}
}

// newFloodDesk is newDesk with the flood limit on, at its default.
func newFloodDesk(t *testing.T) *desk {
	t.Helper()
	d := newDesk(t)
	d.stop()
	delete(d.env, "FLOOD_LIMIT")
	d.start()
	return d
}

func count(msgs []bottest.Sent, part string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, part) {
			n++
		}
	}
	return n
}

// A stranger who sends 100 messages at once is answered for the first 30,
// told once that they send too much, and the rest is dropped; somebody
// else is answered as usual; after the pause the stranger is answered
// again.
func TestFloodingStrangerIsToldOnceAndOthersAreAnswered(t *testing.T) {
	t.Parallel()
	d := newFloodDesk(t)
	var last int
	for i := range 100 {
		last = d.tg.SendText(stranger, fmt.Sprintf("сообщение %d", i)).UpdateID
	}
	d.say(chief, "/help")
	d.expect(chief, "Команды:")
	d.drained(last)

	msgs := d.tg.Messages(stranger)
	if n := count(msgs, floodNotice); n != 1 {
		t.Errorf("the stranger was told %d times that they send too much, want once; the chat has:\n%s", n, d.dump(stranger))
	}
	if n := count(msgs, noPages); n != 30 {
		t.Errorf("the stranger got %d answers, want 30 (the limit)", n)
	}
	for _, who := range []int64{admin, chief, moderator} {
		if n := count(d.tg.Messages(who), floodNotice); n != 0 {
			t.Errorf("user %d was told about somebody else's flood", who)
		}
	}

	d.clock.Advance(61 * time.Second)
	d.say(stranger, "снова здравствуйте")
	if n := count(d.tg.Messages(stranger), noPages); n != 31 {
		t.Errorf("after the pause the stranger got %d answers in all, want 31", n)
	}
}

// A stranger's album is answered once, and nothing of it is kept.
func TestStrangersAlbumIsAnsweredOnceAndNotBuffered(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	ups := d.tg.SendAlbum(stranger, "Фото", bottest.KindPhoto, bottest.KindPhoto, bottest.KindPhoto, bottest.KindPhoto)
	for _, u := range ups {
		d.handled(u)
	}
	if n := count(d.tg.Messages(stranger), noPages); n != 1 {
		t.Errorf("the stranger got %d answers to one album, want 1; the chat has:\n%s", n, d.dump(stranger))
	}
	keys, err := d.redis().Keys(context.Background(), "{"+d.env["REDIS_PREFIX"]+"}:album*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		t.Errorf("the stranger's album left keys in Redis: %v", keys)
	}
}
