package intake_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/handlers"
	"github.com/redaktor/redaktor/intake"
	"github.com/redaktor/redaktor/quality"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The intake benchmarks run the real path of an update: bottest (answering
// at once unless a benchmark says otherwise) → getUpdates → persisted to
// the Redis stream → confirmed → read by the intake → handlers.Desk →
// Redis and Telegram calls → acknowledged. b.N updates arrive from
// benchUsers people, as one burst or, in IntakeDraftsAtRate, at a steady
// rate.
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379 go test -run '^$' -bench Intake -benchtime 20000x ./bot
//
// Reported: updates/s (wall time from the first getUpdates to the last
// acknowledgement), handler latency p50/p99 (Desk.Handle alone), queue
// latency p50/p99 (from the update's arrival at bottest to the end of its
// handling, so it includes waiting in the burst), and Redis round trips
// per update (every process command and pipeline: poller, intake, desk).

const benchUsers = 500

type benchDesk struct {
	srv    *bottest.Server
	store  *storage.Store
	redis  storagetest.Redis
	trips  atomic.Int64
	h      *timing
	stop   func()
	pageID string
}

// timing wraps the desk and records when each update ended and how long
// its handling took.
type timing struct {
	h     intake.Handler
	mu    sync.Mutex
	took  []time.Duration
	ended map[int]time.Time
	n     atomic.Int64
}

func (t *timing) Handle(ctx context.Context, u tgbotapi.Update) error {
	start := time.Now()
	err := t.h.Handle(ctx, u)
	end := time.Now()
	t.mu.Lock()
	t.took = append(t.took, end.Sub(start))
	t.ended[u.UpdateID] = end
	t.mu.Unlock()
	t.n.Add(1)
	return err
}

func (t *timing) reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.took, t.ended = t.took[:0], map[int]time.Time{}
	t.n.Store(0)
}

// newBenchDesk starts the desk; maxInFlight 0 is the intake's default.
func newBenchDesk(b *testing.B, maxInFlight int) *benchDesk {
	b.Helper()
	return newBench(b, maxInFlight, func(tg *bot.Client, store *storage.Store, log *slog.Logger) intake.Handler {
		texts, err := handlers.LoadTexts()
		if err != nil {
			b.Fatal(err)
		}
		advice, err := quality.LoadSet()
		if err != nil {
			b.Fatal(err)
		}
		return handlers.New(tg, store, texts, time.Now, log, handlers.Config{Quality: advice})
	})
}

// newBench starts the intake with the handler made by handler, on a page
// with benchUsers moderators.
func newBench(b *testing.B, maxInFlight int, handler func(*bot.Client, *storage.Store, *slog.Logger) intake.Handler) *benchDesk {
	b.Helper()
	srv := bottest.New(b)
	store, r := storagetest.Store(b)
	d := &benchDesk{srv: srv, store: store, redis: r, pageID: "1"}
	storage.Observe(r.Client, func(string, error) { d.trips.Add(1) })
	ctx := context.Background()
	if err := store.SavePage(ctx, redaktor.Page{ID: d.pageID, Title: "МБОУ СОШ №4", TimeZone: "Europe/Moscow"}); err != nil {
		b.Fatal(err)
	}
	for i := range benchUsers {
		id := int64(1000 + i)
		srv.AddUser(id, fmt.Sprintf("Модератор%d", i), fmt.Sprintf("mod%d", i), "ru")
		inv := redaktor.Invite{Code: fmt.Sprintf("bench%d", i), PageID: d.pageID, Role: redaktor.RoleModerator,
			ExpiresAt: time.Now().Add(time.Hour)}
		if err := store.SaveInvite(ctx, inv); err != nil {
			b.Fatal(err)
		}
		if _, _, err := store.RedeemInvite(ctx, inv.Code, id, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	seedPublished(b, store, d.pageID)
	runCtx, cancel := context.WithCancel(ctx)
	log := slog.New(slog.DiscardHandler)
	tg, err := bot.New(runCtx, srv.Token(), bot.Options{APIURL: srv.URL(), Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	d.h = &timing{h: handler(tg, store, log), ended: map[int]time.Time{}}
	in := intake.New(store, d.h, nil, nil, log, intake.Config{Consumer: "bench", MaxInFlight: maxInFlight})
	var wg sync.WaitGroup
	wg.Go(func() { _ = intake.Poll(runCtx, tg, store, store, intake.PollConfig{Owner: "bench"}) })
	wg.Go(func() { _ = in.Run(runCtx) })
	d.stop = func() { cancel(); wg.Wait() }
	b.Cleanup(d.stop)
	return d
}

// benchPublished is how many posts the benchmark page published in the
// last 30 days (two a day, as an active school page does): every draft's
// card compares the draft with them, so they are part of a draft's cost.
const benchPublished = 60

var benchTopics = []string{
	"Родительское собрание в %d классе состоится в четверг в 18:00 в актовом зале.",
	"Поздравляем победителей муниципального этапа олимпиады по математике, %d призёров!",
	"Внимание: с понедельника меняется расписание звонков, первый урок в 8:%02d.",
	"Библиотека приглашает на встречу с писателем, вход свободный, мест %d.",
	"Итоги акции «Сдай макулатуру»: собрано %d килограммов, спасибо всем участникам.",
}

func seedPublished(b *testing.B, store *storage.Store, pageID string) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	for i := range benchPublished {
		at := now.Add(-time.Duration(i) * 12 * time.Hour)
		text := fmt.Sprintf(benchTopics[i%len(benchTopics)], 10+i)
		p, err := redaktor.NewPost(fmt.Sprintf("p%d", i), pageID,
			redaktor.Actor{UserID: 1000, Name: "Модератор", Role: redaktor.RoleModerator},
			redaktor.Content{Text: text}, at.Add(-time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		p.Status, p.PublishAt, p.PublishedAt, p.MessageIDs = redaktor.StatusPublished, at, at, []int{i + 1}
		if err := store.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
			b.Fatal(err)
		}
	}
}

// run pushes the updates made by push (all at once, or rate per second
// when rate > 0), waits until all are handled, and reports the figures.
func (d *benchDesk) run(b *testing.B, n, rate int, push func(i int) tgbotapi.Update) {
	d.h.reset()
	trips0 := d.trips.Load()
	cpu0, redis0 := processCPU(), redisCPU(d.redis)
	arrived := make(map[int]time.Time, n)
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		if rate > 0 { // offered load: update i arrives at i/rate
			if at := start.Add(time.Duration(i) * time.Second / time.Duration(rate)); time.Until(at) > 0 {
				time.Sleep(time.Until(at))
			}
		}
		u := push(i)
		arrived[u.UpdateID] = time.Now()
	}
	deadline := time.Now().Add(5 * time.Minute)
	for d.h.n.Load() < int64(n) {
		if time.Now().After(deadline) {
			b.Fatalf("handled %d of %d", d.h.n.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
	wall := time.Since(start)
	b.StopTimer()
	trips := d.trips.Load() - trips0
	cpu, redisUsed := processCPU()-cpu0, redisCPU(d.redis)-redis0

	d.h.mu.Lock()
	took := slices.Clone(d.h.took)
	var queued []time.Duration
	for id, end := range d.h.ended {
		if a, ok := arrived[id]; ok {
			queued = append(queued, end.Sub(a))
		}
	}
	d.h.mu.Unlock()
	b.ReportMetric(float64(n)/wall.Seconds(), "updates/s")
	b.ReportMetric(ms(pct(took, 50)), "handler-p50-ms")
	b.ReportMetric(ms(pct(took, 99)), "handler-p99-ms")
	b.ReportMetric(ms(pct(queued, 50)), "queue-p50-ms")
	b.ReportMetric(ms(pct(queued, 99)), "queue-p99-ms")
	b.ReportMetric(float64(trips)/float64(n), "redis-trips/update")
	// CPU per update, which run-to-run noise on a shared machine moves far
	// less than the wall time: the test process (bot and bottest) and, for
	// a real Redis, the Redis server.
	b.ReportMetric(float64(cpu.Microseconds())/float64(n), "process-cpu-µs/update")
	if d.redis.Mini == nil {
		b.ReportMetric(float64(redisUsed.Microseconds())/float64(n), "redis-cpu-µs/update")
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time the Redis server has used (INFO cpu); 0 for
// the embedded one, which runs in this process.
func redisCPU(r storagetest.Redis) time.Duration {
	if r.Mini != nil {
		return 0
	}
	info, err := r.Client.Info(context.Background(), "cpu").Result()
	if err != nil {
		return 0
	}
	var total float64
	for line := range strings.Lines(info) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_sys" || k == "used_cpu_user") {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkIntakeDrafts: each update is a moderator's text that becomes a
// draft (the preview and the card are sent back).
func BenchmarkIntakeDrafts(b *testing.B) {
	d := newBenchDesk(b, 0)
	d.run(b, b.N, 0, func(i int) tgbotapi.Update {
		return d.srv.SendText(int64(1000+i%benchUsers), fmt.Sprintf("Субботник в школе №%d: приходите в субботу в 10:00.", i))
	})
}

// BenchmarkIntakeDraftsAtRate: drafts arriving at a steady rate, as
// people send them, rather than in one burst: the latencies are what a
// person waits at that load (queue latency: arrival at bottest to the end
// of handling, including getUpdates and the stream).
func BenchmarkIntakeDraftsAtRate(b *testing.B) {
	for _, rate := range []int{1000, 2000, 3000} {
		b.Run(strconv.Itoa(rate), func(b *testing.B) {
			d := newBenchDesk(b, 0)
			d.run(b, b.N, rate, func(i int) tgbotapi.Update {
				return d.srv.SendText(int64(1000+i%benchUsers), fmt.Sprintf("Субботник в школе №%d: приходите в субботу в 10:00.", i))
			})
		})
	}
}

// BenchmarkIntakeDraftsInFlight: drafts in a burst with fewer or more
// updates handled at once (MaxInFlight) against an instant bottest.
func BenchmarkIntakeDraftsInFlight(b *testing.B) {
	for _, inFlight := range []int{16, 32, 64, 256} {
		b.Run(fmt.Sprintf("inflight=%d", inFlight), func(b *testing.B) {
			d := newBenchDesk(b, inFlight)
			d.run(b, b.N, 0, func(i int) tgbotapi.Update {
				return d.srv.SendText(int64(1000+i%benchUsers), fmt.Sprintf("Субботник в школе №%d: приходите в субботу в 10:00.", i))
			})
		})
	}
}

// BenchmarkIntakeDraftsSlowTelegram: drafts in a burst while every Bot API
// call takes 50 ms, as calls to api.telegram.org do: the handlers then
// mostly wait, and how many may run at once (MaxInFlight) decides the
// throughput. getUpdates waits too, so one poller brings at most 100
// updates per 50 ms.
func BenchmarkIntakeDraftsSlowTelegram(b *testing.B) {
	for _, inFlight := range []int{64, 256} {
		b.Run(fmt.Sprintf("inflight=%d", inFlight), func(b *testing.B) {
			d := newBenchDesk(b, inFlight)
			d.srv.SetLatency(50 * time.Millisecond)
			d.run(b, b.N, 0, func(i int) tgbotapi.Update {
				return d.srv.SendText(int64(1000+i%benchUsers), fmt.Sprintf("Субботник в школе №%d: приходите в субботу в 10:00.", i))
			})
		})
	}
}

// BenchmarkIntakePresses: each update is a press of History on a draft's
// card (the post and its history are read, a message is sent).
func BenchmarkIntakePresses(b *testing.B) {
	d := newBenchDesk(b, 0)
	press := d.historyPresses(b)
	d.run(b, b.N, 0, press)
}

// BenchmarkIntakePressesAtRate: History presses arriving at a steady rate;
// queue latency is what the person waits.
func BenchmarkIntakePressesAtRate(b *testing.B) {
	for _, rate := range []int{2000, 4000} {
		b.Run(strconv.Itoa(rate), func(b *testing.B) {
			d := newBenchDesk(b, 0)
			press := d.historyPresses(b)
			d.run(b, b.N, rate, press)
		})
	}
}

// historyPresses makes one draft per person and returns presses of History
// on their cards, person after person.
func (d *benchDesk) historyPresses(b *testing.B) func(i int) tgbotapi.Update {
	b.Helper()
	b.StopTimer()
	d.run(b, benchUsers, 0, func(i int) tgbotapi.Update {
		return d.srv.SendText(int64(1000+i), "Черновик для нажатий.")
	})
	type card struct {
		user  int64
		msgID int
		data  string
	}
	var cards []card
	for i := range benchUsers {
		user := int64(1000 + i)
		for _, m := range d.srv.Messages(user) {
			for _, btn := range m.Buttons() {
				if btn.CallbackData != nil && strings.HasPrefix(*btn.CallbackData, "hi:") {
					cards = append(cards, card{user, m.MessageID, *btn.CallbackData})
				}
			}
		}
	}
	if len(cards) < benchUsers {
		b.Fatalf("found %d cards with History, want %d", len(cards), benchUsers)
	}
	return func(i int) tgbotapi.Update {
		c := cards[i%len(cards)]
		return d.srv.Press(c.user, c.user, c.msgID, c.data)
	}
}

// BenchmarkIntakeFloor is the least a draft can cost: the intake, and a
// handler that makes a draft's two Bot API calls (the preview, then the
// card with its buttons, copied from a real draft) and nothing else: no
// Redis, no desk. No desk can handle drafts faster than this on the same
// machine.
func BenchmarkIntakeFloor(b *testing.B) {
	// The card of a real draft, to send the same bytes.
	d := newBenchDesk(b, 0)
	b.StopTimer()
	d.run(b, 1, 0, func(i int) tgbotapi.Update {
		return d.srv.SendText(1000, "Субботник в школе №1: приходите в субботу в 10:00.")
	})
	msgs := d.srv.Messages(1000)
	if len(msgs) < 2 || msgs[len(msgs)-1].Keyboard == nil {
		b.Fatalf("no card among %d messages", len(msgs))
	}
	card := msgs[len(msgs)-1]
	d.stop()

	f := newBench(b, 0, func(tg *bot.Client, _ *storage.Store, _ *slog.Logger) intake.Handler {
		return twoSends{tg: tg, card: card.Text, kb: card.Keyboard}
	})
	f.run(b, b.N, 0, func(i int) tgbotapi.Update {
		return f.srv.SendText(int64(1000+i%benchUsers), fmt.Sprintf("Субботник в школе №%d: приходите в субботу в 10:00.", i))
	})
}

type twoSends struct {
	tg   *bot.Client
	card string
	kb   bot.Keyboard
}

func (h twoSends) Handle(ctx context.Context, u tgbotapi.Update) error {
	chat := u.Message.Chat.ID
	if _, err := h.tg.SendText(ctx, chat, u.Message.Text, nil); err != nil {
		return err
	}
	_, err := h.tg.SendText(ctx, chat, h.card, h.kb)
	return err
}

type nopHandler struct{}

func (nopHandler) Handle(context.Context, tgbotapi.Update) error { return nil }

// BenchmarkIntakeOnly: the intake's own cost, with a handler that does
// nothing: getUpdates, persist, confirm, read, acknowledge.
func BenchmarkIntakeOnly(b *testing.B) {
	srv := bottest.New(b)
	store, r := storagetest.Store(b)
	d := &benchDesk{srv: srv, store: store, redis: r}
	storage.Observe(r.Client, func(string, error) { d.trips.Add(1) })
	for i := range benchUsers {
		srv.AddUser(int64(1000+i), fmt.Sprintf("U%d", i), fmt.Sprintf("u%d", i), "ru")
	}
	ctx, cancel := context.WithCancel(context.Background())
	tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL()})
	if err != nil {
		b.Fatal(err)
	}
	d.h = &timing{h: nopHandler{}, ended: map[int]time.Time{}}
	in := intake.New(store, d.h, nil, nil, nil, intake.Config{Consumer: "bench"})
	var wg sync.WaitGroup
	wg.Go(func() { _ = intake.Poll(ctx, tg, store, store, intake.PollConfig{Owner: "bench"}) })
	wg.Go(func() { _ = in.Run(ctx) })
	b.Cleanup(func() { cancel(); wg.Wait() })
	d.run(b, b.N, 0, func(i int) tgbotapi.Update {
		return srv.SendText(int64(1000+i%benchUsers), "hi")
	})
}
