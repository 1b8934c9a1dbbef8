package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// newPacedDesk is newDesk with Telegram's flood limits on in the fake (a
// send over them is answered 429 with retry_after) and the desk's
// messages paced per chat, as in production.
func newPacedDesk(t *testing.T) *desk {
	t.Helper()
	d := newDeskOn(t, storagetest.Open(t), bottest.WithRateLimits(bottest.Limits{}))
	d.stop()
	d.env["CHAT_PACING"] = "on"
	d.start()
	return d
}

// subscribeResidents subscribes n new people through the page's link.
func (d *desk) subscribeResidents(n int) []int64 {
	d.t.Helper()
	d.say(chief, "/subscribers")
	link := subscribeLink.FindStringSubmatch(d.expect(chief, "Подписчики страницы").Text)[1]
	var out []int64
	for i := range n {
		id := int64(7001 + i)
		d.tg.AddUser(id, "Житель", "", "ru")
		d.say(id, "/start "+link)
		d.expect(id, "Вы подписались")
		out = append(out, id)
	}
	return out
}

// publishUrgent makes the chief editor's text a post and publishes it at
// once, urgent.
func (d *desk) publishUrgent(id, text string) {
	d.t.Helper()
	d.say(chief, text)
	d.publishNow(chief, d.expect(chief, "Пост #"+id, "черновик"), "Срочно")
	d.clock.Advance(time.Second)
}

// startAnother runs a second process of the program on the same Redis and
// Telegram, until the test ends.
func (d *desk) startAnother() {
	d.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	env := maps(d.env)
	go func() { done <- run(ctx, func(k string) string { return env[k] }, io.Discard, d.clock.Now) }()
	d.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				d.t.Errorf("the second process: %v", err)
			}
		case <-time.After(30 * time.Second):
			d.t.Errorf("the second process did not stop")
		}
	})
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// waitLong is waitUntil for what takes Telegram's limits to pass (a
// message a second in a chat).
func waitLong(cond func() bool) bool {
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// reportEdits are the successful edits of one message, in order.
func (d *desk) reportEdits(chat int64, messageID int) []bottest.Call {
	var out []bottest.Call
	for _, c := range d.tg.Calls("editMessageText") {
		if c.OK() && c.ChatID == chat && c.Params["message_id"] == strconv.Itoa(messageID) {
			out = append(out, c)
		}
	}
	return out
}

// The chief editor gets one message of a publication: where and when it
// was published, then the delivery to the subscribers edited into it
// (at most every few seconds) while a subscriber's copy is still on its
// way, ending as the report. «Заблокировали бота» is explained in the
// first report that has it; the next report counts without explaining.
func TestPublicationIsOneMessageEditedIntoTheReport(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	residents := d.subscribeResidents(5)
	d.tg.Block(residents[0])
	slow := strconv.FormatInt(residents[4], 10)
	release := make(chan struct{})
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free)
	remove := d.tg.Intercept(func(method string, p map[string]string) *bottest.APIError {
		if strings.HasPrefix(method, "forwardMessage") && p["chat_id"] == slow {
			<-release
		}
		return nil
	})
	defer remove()

	d.publishUrgent("1", "Завтра в школе день открытых дверей.")
	progress := d.expect(chief, "Пост #1 опубликован в канале «МБОУ СОШ №4»", "t.me/usman_school4/", "Подписчикам: 4 из 5…")
	free()
	defer func() {
		if t.Failed() {
			for _, c := range d.tg.Calls("editMessageText", "sendMessage") {
				if c.ChatID == chief {
					t.Logf("%s %s %v: %s", c.Time.Format("15:04:05.000"), c.Method, c.Err, c.Params["text"])
				}
			}
		}
	}()
	report := d.expect(chief, "Пост #1 опубликован в канале", "⚡ Срочно.",
		"Подписчикам доставлено 4 из 5 за", "1 подписчик заблокировал бота.", "«Заблокировали бота» значит")
	if report.MessageID != progress.MessageID {
		t.Fatalf("the report came as a new message; the chat has:\n%s", d.dump(chief))
	}
	if n := countMessages(d, chief, "опубликован в канале"); n != 1 {
		t.Fatalf("%d messages of the publication, want one; the chat has:\n%s", n, d.dump(chief))
	}
	// Progress edits (the ones still counting, «…») come at most every
	// few seconds (5 s, all processes together).
	var at []time.Time
	for _, c := range d.reportEdits(chief, report.MessageID) {
		if strings.HasSuffix(strings.TrimSpace(strings.SplitN(c.Params["text"], "\n", 3)[1]), "…") {
			at = append(at, c.Time)
		}
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 4*time.Second {
			t.Errorf("progress edits %d and %d came %s apart, want at most one every few seconds", i-1, i, gap)
		}
	}

	// Another subscriber blocks the bot: the next report counts them,
	// without the explanation the chief editor has had.
	d.tg.Block(residents[1])
	d.publishUrgent("2", "Родительское собрание в четверг.")
	second := d.expect(chief, "Пост #2 опубликован в канале", "Подписчикам доставлено 3 из 4 за", "1 подписчик заблокировал бота.")
	if strings.Contains(second.Text, "значит") {
		t.Errorf("the second report explains «заблокировали бота» again:\n%s", second.Text)
	}
}

// Two processes deliver one broadcast; whoever writes the publication's
// message first holds its claim while it is being sent, the others (the
// scheduler's notice, the broadcast's progress and its end, in either
// process) ask the holder to write again instead of sending their own:
// the chief editor gets one message, which ends as the report.
func TestPublicationIsOneMessageFromTwoProcesses(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	residents := d.subscribeResidents(5)
	d.startAnother()
	held, release := make(chan struct{}), make(chan struct{})
	var first sync.Once
	var releaseOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free)
	remove := d.tg.Intercept(func(method string, p map[string]string) *bottest.APIError {
		if method == "sendMessage" && p["chat_id"] == strconv.FormatInt(chief, 10) && strings.Contains(p["text"], "опубликован в канале") {
			first.Do(func() {
				close(held)
				<-release
			})
		}
		return nil
	})
	defer remove()

	d.publishUrgent("1", "Завтра в школе день открытых дверей.")
	select {
	case <-held:
	case <-time.After(wait):
		t.Fatalf("no message of the publication was sent; the chat has:\n%s", d.dump(chief))
	}
	ctx := context.Background()
	finished := func() bool {
		state, _ := d.rdb.HGet(ctx, d.key("bc:1"), "state").Result()
		asked, _ := d.rdb.HGet(ctx, d.key("post:1:report"), "dirty").Result()
		return state == "done" && asked == "1"
	}
	if !waitUntil(finished) {
		t.Fatalf("the broadcast did not finish, or nobody asked for the report while it was being sent")
	}
	for _, r := range residents {
		if n := d.forwardsFrom(r); n != 1 {
			t.Fatalf("resident %d got %d forwards, want 1", r, n)
		}
	}
	free()
	d.expect(chief, "Пост #1 опубликован в канале", "Подписчикам доставлено 5 из 5 за")
	if n := countMessages(d, chief, "опубликован в канале"); n != 1 {
		t.Fatalf("%d messages of the publication from two processes, want one; the chat has:\n%s", n, d.dump(chief))
	}
}

// After a burst of the bot's messages to the chief editor (two
// /subscribers at once: a card and a QR code each) and a 429 Telegram
// answers to an upload, both QR codes arrive: the upload waited out
// retry_after, and the fake's own per-chat limit never had to refuse
// anything.
func TestSubscribersQRArrivesAfterABurst(t *testing.T) {
	t.Parallel()
	d := newPacedDesk(t)
	d.setUp()
	d.tg.FailNextWith("sendPhoto", 1, &bottest.APIError{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
	first, second := d.tg.SendText(chief, "/subscribers"), d.tg.SendText(chief, "/subscribers")
	d.handled(first)
	d.handled(second)
	photos := func() int {
		n := 0
		for _, m := range d.tg.Messages(chief) {
			if m.Kind == bottest.KindPhoto {
				n++
			}
		}
		return n
	}
	if !waitLong(func() bool { return photos() == 2 }) {
		t.Fatalf("%d QR codes arrived, want 2; the chat has:\n%s", photos(), d.dump(chief))
	}
	if st := d.tg.Stats(); st.RateLimited != 1 {
		t.Fatalf("%d answers 429, want only the one the test asked for", st.RateLimited)
	}
}

// Ten notices to one chief editor at once (ten posts due together on a
// page that has no channel yet) arrive, all of them, spaced by the chat's
// limit: Telegram never has to answer 429.
func TestABurstOfNoticesToAChiefEditorMeetsNo429(t *testing.T) {
	t.Parallel()
	d := newPacedDesk(t)
	d.teamWithoutChannel()
	ctx := context.Background()
	pages, _, err := d.store.UserPages(ctx, chief)
	if err != nil || len(pages) != 1 {
		t.Fatalf("the chief editor's pages: %v, %v", pages, err)
	}
	for i := range 10 {
		d.approvedNow(pages[0].ID, fmt.Sprintf("Объявление номер %d.", i+1))
	}
	before := len(d.tg.Messages(chief))
	d.clock.Advance(time.Second)
	if !waitLong(func() bool { return len(d.tg.Messages(chief))-before >= 10 }) {
		t.Fatalf("%d notices arrived, want 10; the chat has:\n%s\nlogs:\n%s", len(d.tg.Messages(chief))-before, d.dump(chief), d.logs.String())
	}
	var ids []string
	for _, m := range d.tg.Messages(chief)[before:] {
		for i := 1; i <= 10; i++ {
			if strings.Contains(m.Text, "#"+strconv.Itoa(i)+" ") {
				ids = append(ids, strconv.Itoa(i))
			}
		}
	}
	slices.Sort(ids)
	if ids = slices.Compact(ids); len(ids) != 10 {
		t.Errorf("notices of posts %v, want one for each of the ten", ids)
	}
	if st := d.tg.Stats(); st.RateLimited != 0 {
		t.Fatalf("Telegram answered 429 %d times to the burst", st.RateLimited)
	}
}

// approvedNow stores a post of the chief editor's approved for now.
func (d *desk) approvedNow(pageID, text string) {
	d.t.Helper()
	ctx := context.Background()
	id, err := d.store.NextID(ctx, "post")
	if err != nil {
		d.t.Fatal(err)
	}
	now := d.clock.Now()
	actor := redaktor.Actor{UserID: chief, Name: "Анна", Role: redaktor.RoleChief}
	p, err := redaktor.NewPost(id, pageID, actor, redaktor.Content{Text: text}, now)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.store.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
		d.t.Fatal(err)
	}
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActApprove, Actor: actor, At: now}, now)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.store.SavePost(ctx, p, next, ev); err != nil {
		d.t.Fatal(err)
	}
}

// The edit that would turn the publication's message into the report
// fails: the message does not stay at «Подписчикам: 1 из 2…», a sweep
// writes the report a little later.
func TestReportWhoseFinalEditFailedIsWrittenAgain(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()
	residents := d.subscribeResidents(2)
	slow := strconv.FormatInt(residents[1], 10)
	release := make(chan struct{})
	var releaseOnce, failOnce sync.Once
	free := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(free)
	refused := make(chan struct{})
	remove := d.tg.Intercept(func(method string, p map[string]string) *bottest.APIError {
		if strings.HasPrefix(method, "forwardMessage") && p["chat_id"] == slow {
			<-release
		}
		var err *bottest.APIError
		if method == "editMessageText" && p["chat_id"] == strconv.FormatInt(chief, 10) && strings.Contains(p["text"], "доставлено") {
			failOnce.Do(func() {
				err = &bottest.APIError{Code: 400, Description: "Bad Request: message can't be edited"}
				close(refused)
			})
		}
		return err
	})
	defer remove()

	d.publishUrgent("1", "Завтра в школе день открытых дверей.")
	progress := d.expect(chief, "Пост #1 опубликован в канале", "Подписчикам: 1 из 2…")
	free()
	select {
	case <-refused:
	case <-time.After(wait):
		t.Fatalf("the final edit was never tried; the chat has:\n%s", d.dump(chief))
	}
	if m, _ := d.tg.Message(chief, progress.MessageID); !strings.Contains(m.Text, "Подписчикам: 1 из 2…") {
		t.Fatalf("the refused edit changed the message: %q", m.Text)
	}
	marked := func() bool {
		n, _ := d.rdb.ZCard(context.Background(), d.key("report:retry")).Result()
		return n == 1
	}
	if !waitUntil(marked) {
		t.Fatal("the report whose final edit failed was not marked to be written again")
	}
	d.clock.Advance(time.Minute)
	defer func() {
		if t.Failed() {
			t.Log(d.logs.String())
		}
	}()
	report := d.expect(chief, "Пост #1 опубликован в канале", "Подписчикам доставлено 2 из 2 за")
	if report.MessageID != progress.MessageID {
		t.Fatalf("the report came as a new message; the chat has:\n%s", d.dump(chief))
	}
}
