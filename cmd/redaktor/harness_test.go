package main

import (
	"bytes"
	"context"
	"flag"
	"os"
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
	// rdb and store read the desk's Redis for waits and assertions.
	rdb   redis.UniversalClient
	store *storage.Store
	probe int
}

const wait = 10 * time.Second

// newDesk runs the program on the test Redis (storagetest.Open); restart
// the same desk with d.start().
func newDesk(t *testing.T) *desk {
	t.Helper()
	return newDeskOn(t, storagetest.Open(t))
}

// newDeskOn runs the program on the Redis r, the fake Telegram built with
// opts (its flood limits, say).
func newDeskOn(t *testing.T, r storagetest.Redis, opts ...bottest.Option) *desk {
	t.Helper()
	tg := bottest.New(t, opts...)
	tg.AddUser(admin, "Екатерина", "ekaterina", "ru")
	tg.AddUser(chief, "Анна", "anna_director", "ru")
	tg.AddUser(chief2, "Boris", "boris", "en")
	tg.AddUser(moderator, "Ирина", "irina", "ru")
	tg.AddUser(stranger, "Пётр", "petr", "ru")
	tg.AddChannel(channel, "МБОУ СОШ №4 г. Усмани", "usman_school4")
	tg.SetMember(channel, chief, bottest.StatusCreator) // only who runs a channel may link it
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
			// Likewise the pacer spaces messages to one chat in real time:
			// off but in the tests of it (scenarios_sending_test).
			"CHAT_PACING": "off",
		}}
	rdb, err := storage.Connect(context.Background(), r.URL)
	if err != nil {
		t.Fatal(err)
	}
	d.rdb, d.store = rdb, storage.New(rdb, r.Prefix)
	d.start()
	t.Cleanup(func() {
		d.stop()
		_ = rdb.Close()
	})
	return d
}

func (d *desk) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	exited := make(chan struct{})
	// The program is running once its intake told Telegram it polls
	// (deleteWebhook comes before the first getUpdates, which is recorded
	// only when its long poll ends).
	began := len(d.tg.Calls("deleteWebhook"))
	go func() {
		done <- run(ctx, func(k string) string { return d.env[k] }, d.logs, d.clock.Now)
		close(exited)
	}()
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
	started := func() bool {
		select {
		case <-exited:
			return true
		default:
			return len(d.tg.Calls("deleteWebhook")) > began
		}
	}
	if !waitUntil(started) || isClosed(exited) {
		d.t.Fatalf("the bot did not start polling; logs:\n%s", d.logs.String())
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
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

// handled waits until the intake handled the update: its id is among the
// handled ones in Redis (the intake's record that skips a redelivery), which
// is written after the handler returned. Confirmation to Telegram only
// means the update was stored.
func (d *desk) handled(u tgbotapi.Update) {
	d.t.Helper()
	done := func() bool {
		ok, err := d.store.WasHandled(context.Background(), int64(u.UpdateID))
		return err == nil && ok
	}
	if !waitUntil(done) {
		d.t.Fatalf("update %d not handled; confirmed %d; logs:\n%s", u.UpdateID, d.tg.Confirmed(), d.logs.String())
	}
}

// quiet waits for a whole scheduler tick that starts after the call, and
// until nothing is left due, being published or to be reminded of at the
// desk's clock: what the scheduler would still do before the clock moves
// has been done. A test asserting that something does NOT happen calls it
// first. The tick is seen through a probe: an id of no post put in the due
// set, which a tick's claim takes and drops (reminders come first in a
// tick, so they are done too).
func (d *desk) quiet() {
	d.t.Helper()
	ctx := context.Background()
	d.probe++
	probe := "probe-" + strconv.Itoa(d.probe)
	if err := d.rdb.ZAdd(ctx, d.key("due"), redis.Z{Score: 0, Member: probe}).Err(); err != nil {
		d.t.Fatal(err)
	}
	now := strconv.FormatInt(d.clock.Now().UnixMilli(), 10)
	still := func() (int64, error) {
		var n int64
		for _, c := range []struct{ key, max string }{{"due", now}, {"leased", "+inf"}, {"reminders", now}} {
			k, err := d.rdb.ZCount(ctx, d.key(c.key), "-inf", c.max).Result()
			if err != nil {
				return 0, err
			}
			n += k
		}
		return n, nil
	}
	if !waitUntil(func() bool { n, err := still(); return err == nil && n == 0 }) {
		due, _ := d.rdb.ZRangeWithScores(ctx, d.key("due"), 0, -1).Result()
		leased, _ := d.rdb.ZRangeWithScores(ctx, d.key("leased"), 0, -1).Result()
		reminders, _ := d.rdb.ZRangeWithScores(ctx, d.key("reminders"), 0, -1).Result()
		d.t.Fatalf("the scheduler did not settle at %s: due %v, leased %v, reminders %v", d.clock.Now(), due, leased, reminders)
	}
}

// key is the desk's Redis key of that name.
func (d *desk) key(name string) string { return "{" + d.env["REDIS_PREFIX"] + "}:" + name }

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
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// redis is a client of the desk's Redis for assertions on its keys.
func (d *desk) redis() redis.UniversalClient { return d.rdb }

// wholePrograms is how many tests of this package run at once unless
// -parallel says otherwise. A whole-program test spends most of its time
// waiting for the program's loops (the scheduler ticks once a second, the
// album loop twice), not on a core, so the default of GOMAXPROCS (two on
// the machines the suite must be fast on) would leave those waits in a row.
const wholePrograms = 8

func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		if err := flag.Set("test.parallel", strconv.Itoa(wholePrograms)); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
