package scheduler_test

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/pace"
	"github.com/redaktor/redaktor/scheduler"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// BenchmarkDistrictTen is 10:00 in a district: 500 pages, each with its own
// channel and one post due in the same second, every Bot API call taking
// 50 ms, the desk's sends paced by the shared pacer in Redis at the rate
// (the fake Telegram enforces the same global limit with 429s). The
// scheduler runs as in main: cron ticks every second. It reports when the
// last post was published, counted from the second they fell due, and the
// goal 500 ÷ rate + 2 s. Run once per rate:
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test -run '^$' -bench DistrictTen -benchtime 1x ./scheduler
func BenchmarkDistrictTen(b *testing.B) {
	const pages = 500
	for _, rate := range []int{30, 100, 300} {
		b.Run("rate="+strconv.Itoa(rate), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				d := newDistrict(b, pages, rate, 50*time.Millisecond)
				b.StartTimer()
				last, throttled := d.publishAll(b)
				b.StopTimer()
				b.ReportMetric(last.Seconds(), "s_last")
				b.ReportMetric(float64(pages)/float64(rate)+2, "s_goal")
				b.ReportMetric(float64(throttled), "429s")
			}
		})
	}
}

// district is many pages with one post each, all due at the same time.
type district struct {
	tg    *bottest.Server
	store *storage.Store
	api   *bot.Client
	pacer *pace.Pacer
	due   time.Time
	pages int
	seen  *publications
}

// publications records when each post was published.
type publications struct {
	mu   sync.Mutex
	at   map[string]time.Time
	all  chan struct{}
	want int
}

func (p *publications) Published(_ context.Context, post redaktor.Post, _ redaktor.Page) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.at[post.ID]; ok {
		return
	}
	p.at[post.ID] = time.Now()
	if len(p.at) == p.want {
		close(p.all)
	}
}
func (p *publications) Failed(context.Context, redaktor.Post, redaktor.Page) {}

func newDistrict(b *testing.B, pages, rate int, latency time.Duration) *district {
	b.Helper()
	ctx := context.Background()
	tg := bottest.New(b, bottest.WithRateLimits(bottest.Limits{Global: rate}))
	r := storagetest.Open(b)
	store := storage.New(r.Client, r.Prefix)
	pacer := pace.New(store, pace.Settings{Rate: rate}, pace.SystemClock{}, slog.New(slog.DiscardHandler))
	api, err := bot.New(ctx, tg.Token(), bot.Options{APIURL: tg.URL(), Pacer: pacer})
	if err != nil {
		b.Fatal(err)
	}
	// Due at the start of a second far enough ahead to set everything up.
	due := time.Now().Add(time.Duration(pages)*10*time.Millisecond + 2*time.Second).Truncate(time.Second)
	chief := redaktor.Actor{UserID: 7, Name: "Анна", Role: redaktor.RoleChief}
	for i := range pages {
		pageID := "p" + strconv.Itoa(i)
		ch := -1001000000000 - int64(i)
		tg.AddChannel(ch, "Страница "+pageID, "")
		if err := store.SavePage(ctx, redaktor.Page{ID: pageID, Title: "Страница " + pageID}); err != nil {
			b.Fatal(err)
		}
		if _, err := store.LinkChannel(ctx, pageID, redaktor.Channel{ID: ch, Title: "Страница " + pageID}); err != nil {
			b.Fatal(err)
		}
		id, err := store.NextID(ctx, "post")
		if err != nil {
			b.Fatal(err)
		}
		p, err := redaktor.NewPost(id, pageID, chief, redaktor.Content{Text: "Объявление " + pageID}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if err := store.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
			b.Fatal(err)
		}
		next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActApprove, Actor: chief, At: due}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if err := store.SavePost(ctx, p, next, ev); err != nil {
			b.Fatal(err)
		}
	}
	if time.Now().After(due) {
		b.Fatalf("setup outlasted the due time %v", due)
	}
	tg.SetLatency(latency)
	return &district{tg: tg, store: store, api: api, pacer: pacer, due: due, pages: pages,
		seen: &publications{at: map[string]time.Time{}, all: make(chan struct{}), want: pages}}
}

// publishAll runs the scheduler until every post is published, and returns
// how long after the due time the last one was, and how many sends the
// fake Telegram refused for its flood limit.
func (d *district) publishAll(b *testing.B) (time.Duration, int) {
	b.Helper()
	s := scheduler.New(d.store, d.api, d.seen, nil, time.Now, slog.New(slog.DiscardHandler), scheduler.Config{})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case <-d.seen.all:
	case <-time.After(10 * time.Minute):
		b.Errorf("only %d of %d posts published in 10 minutes", d.published(), d.pages)
	}
	stop()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	var last time.Time
	d.seen.mu.Lock()
	for _, at := range d.seen.at {
		if at.After(last) {
			last = at
		}
	}
	d.seen.mu.Unlock()
	if n := len(d.tg.Calls("sendMessage")); n < d.pages {
		b.Fatalf("%d sends for %d posts", n, d.pages)
	}
	if got := d.uniqueChannelsPosted(); got != d.pages {
		b.Fatalf("%d channels got their post, want %d", got, d.pages)
	}
	return last.Sub(d.due), d.tg.Stats().SendErrors[429]
}

func (d *district) published() int {
	d.seen.mu.Lock()
	defer d.seen.mu.Unlock()
	return len(d.seen.at)
}

// uniqueChannelsPosted counts the channels that hold exactly one message.
func (d *district) uniqueChannelsPosted() int {
	n := 0
	for i := range d.pages {
		if len(d.tg.Messages(-1001000000000-int64(i))) == 1 {
			n++
		}
	}
	return n
}
