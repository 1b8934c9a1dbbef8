package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The people of a school's page in these tests.
const (
	admin     int64 = 100
	chief     int64 = 200
	chief2    int64 = 201
	moderator int64 = 300
	stranger  int64 = 400
	channel   int64 = -1001234567890
)

// desk is the whole program running against the fake Telegram and a test
// Redis, with a clock the test moves.
type desk struct {
	t     *testing.T
	tg    *bottest.Server
	clock *bottest.FakeClock
	logs  *syncBuffer
	env   map[string]string
	stop  func()
}

const wait = 10 * time.Second

// start runs the program; restart the same desk with start(d.env) again.
func newDesk(t *testing.T) *desk {
	t.Helper()
	tg := bottest.New(t)
	tg.AddUser(admin, "Екатерина", "ekaterina", "ru")
	tg.AddUser(chief, "Анна", "anna_director", "ru")
	tg.AddUser(chief2, "Boris", "boris", "en")
	tg.AddUser(moderator, "Ирина", "irina", "ru")
	tg.AddUser(stranger, "Пётр", "petr", "ru")
	tg.AddChannel(channel, "МБОУ СОШ №4 г. Усмани", "usman_school4")
	tg.SetMember(channel, chief, bottest.StatusCreator) // only who runs a channel may link it
	r := storagetest.Open(t)
	d := &desk{t: t, tg: tg, logs: &syncBuffer{},
		clock: bottest.NewFakeClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)),
		env: map[string]string{
			"BOT_TOKEN": tg.Token(), "TELEGRAM_API_URL": tg.URL(), "REDIS_URL": r.URL,
			"REDIS_PREFIX": r.Prefix, "ADMIN_IDS": strconv.FormatInt(admin, 10),
			"TIMEZONE": "Europe/Moscow", "LOG_LEVEL": "debug",
			// The clock stands still unless a test moves it, so every
			// update of a scenario would count within one flood window:
			// the flood limit is off but in the tests of it (fairness_test).
			"FLOOD_LIMIT": "0",
		}}
	d.start()
	t.Cleanup(func() { d.stop() })
	return d
}

func (d *desk) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(k string) string { return d.env[k] }, d.logs, d.clock.Now) }()
	d.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				d.t.Errorf("run: %v", err)
			}
		case <-time.After(30 * time.Second):
			d.t.Errorf("run did not stop")
		}
		d.stop = func() {}
	}
	if !waitUntil(func() bool { return strings.Contains(d.logs.String(), "redaktor is running") }) {
		d.t.Fatalf("the bot did not start polling; logs:\n%s", d.logs.String())
	}
}

// say sends text from a person and waits until the bot has handled it.
func (d *desk) say(from int64, text string) {
	d.t.Helper()
	u := d.tg.SendText(from, text)
	d.handled(u)
}

// album sends an album, waits until every item is buffered, and lets the
// quiet moment pass so the next tick assembles it.
func (d *desk) album(from int64, caption string, kinds ...bottest.Kind) {
	d.t.Helper()
	ups := d.tg.SendAlbum(from, caption, kinds...)
	d.handled(ups[len(ups)-1])
	d.clock.Advance(2 * time.Second)
}

// handled waits until the intake handled the update (confirmation to
// Telegram only means it was stored in Redis).
func (d *desk) handled(u tgbotapi.Update) {
	d.t.Helper()
	mark := `"msg":"update handled","update_id":` + strconv.Itoa(u.UpdateID) + `,`
	if !waitUntil(func() bool { return strings.Contains(d.logs.String(), mark) }) {
		d.t.Fatalf("update %d not handled; confirmed %d; logs:\n%s", u.UpdateID, d.tg.Confirmed(), d.logs.String())
	}
}

// expect waits for a message of the bot in a chat containing all parts and
// returns it.
func (d *desk) expect(chat int64, parts ...string) bottest.Sent {
	d.t.Helper()
	var found bottest.Sent
	ok := false
	cond := func() bool {
		msgs := d.tg.Messages(chat)
		for i := len(msgs) - 1; i >= 0; i-- {
			if containsAll(msgs[i].Text, parts) {
				found, ok = msgs[i], true
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(wait)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if !ok {
		d.t.Fatalf("chat %d: no message with %q; the chat has:\n%s", chat, parts, d.dump(chat))
	}
	return found
}

func (d *desk) dump(chat int64) string {
	var b strings.Builder
	for _, m := range d.tg.Messages(chat) {
		b.WriteString("---- " + string(m.Kind) + " " + m.Text + "\n")
		for _, btn := range m.Buttons() {
			if btn.CallbackData != nil {
				b.WriteString("   [" + btn.Text + "] " + *btn.CallbackData + "\n")
			}
		}
	}
	return b.String()
}

// press presses the button whose text contains label on message m.
func (d *desk) press(from int64, m bottest.Sent, label string) {
	d.t.Helper()
	for _, b := range m.Buttons() {
		if strings.Contains(b.Text, label) && b.CallbackData != nil {
			d.handled(d.tg.Press(from, m.ChatID, m.MessageID, *b.CallbackData))
			return
		}
	}
	d.t.Fatalf("no button %q on message:\n%s", label, m.Text)
}

func hasButton(m bottest.Sent, label string) bool {
	for _, b := range m.Buttons() {
		if strings.Contains(b.Text, label) {
			return true
		}
	}
	return false
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

var startLink = regexp.MustCompile(`\?start=(i_[A-Za-z0-9_-]+)`)

// joinLink extracts the /start payload from a message with an invite link.
func joinLink(t *testing.T, m bottest.Sent) string {
	t.Helper()
	got := startLink.FindStringSubmatch(m.Text)
	if got == nil {
		t.Fatalf("no invite link in %q", m.Text)
	}
	return got[1]
}

// teamWithoutChannel creates the page and brings in the chief editor and
// the moderator.
func (d *desk) teamWithoutChannel() {
	d.t.Helper()
	d.say(admin, "/newpage МБОУ СОШ №4")
	d.say(chief, "/start "+joinLink(d.t, d.expect(admin, "t.me/redaktor_test_bot?start=")))
	d.expect(chief, "шеф-редактор", "МБОУ СОШ №4")
	d.say(chief, "/invite")
	d.press(chief, d.expect(chief, "Кого приглашаем"), "модератор")
	d.say(moderator, "/start "+joinLink(d.t, d.expect(chief, "Ссылка-приглашение (модератор")))
	d.expect(moderator, "Вы модератор")
}

// setUp is teamWithoutChannel plus the linked channel: the state most
// scenarios start from.
func (d *desk) setUp() {
	d.t.Helper()
	d.teamWithoutChannel()
	d.say(chief, "/channel")
	d.handled(d.tg.Send(chief, bottest.ForwardedFrom(channel, 5), bottest.Text("старый пост")))
	d.expect(chief, "подключён")
}

// channelPosts returns the successful sends to the channel.
func (d *desk) channelPosts() []bottest.Sent { return d.tg.Messages(channel) }

// syncBuffer collects logs from the program's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func waitUntil(cond func() bool) bool {
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// redis is a client of the desk's Redis for assertions on its keys, closed
// with the test.
func (d *desk) redis() redis.UniversalClient {
	d.t.Helper()
	c, err := storage.Connect(context.Background(), d.env["REDIS_URL"])
	if err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() { _ = c.Close() })
	return c
}
