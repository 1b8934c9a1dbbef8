// Command benchbroadcast measures announcements to subscribers: the real
// broadcaster, a real Redis, and bot/bottest enforcing Telegram's limits
// (global per second, one message a second per chat) with 429 answers.
//
//	go run ./cmd/benchbroadcast                     # every scenario, ~3 minutes
//	go run ./cmd/benchbroadcast -scenarios 30/s     # one of: 1k, 100k, 30/s
//	go run ./cmd/benchbroadcast -redis redis://host:6379 -scale 0.1
//
// Each scenario runs in its own process (so its peak memory is its own),
// talking to a fake Telegram in a third process (so the fake's memory,
// which keeps every message, is not counted). Figures are printed as a
// Markdown table for docs/benchmarks.md.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/broadcast"
	"github.com/redaktor/redaktor/pace"
	"github.com/redaktor/redaktor/storage"
)

// pageSpec is one page in a scenario: subscribers first..first+n-1, its
// post announced after a delay.
type pageSpec struct {
	Name   string
	First  int64
	N      int64
	After  time.Duration
	Urgent bool
}

type scenario struct {
	Name  string
	Rate  int
	Pages []pageSpec
}

func scenarios(scale float64) []scenario {
	n := func(v int64) int64 { return max(1, int64(float64(v)*scale)) }
	return []scenario{
		{Name: "1k", Rate: 1000, Pages: []pageSpec{{Name: "A", First: 1, N: n(1000)}}},
		{Name: "100k", Rate: 1000, Pages: []pageSpec{
			{Name: "A", First: 1, N: n(100000)},
			{Name: "B", First: 200001, N: n(20000), After: 5 * time.Second},
			{Name: "C", First: 1, N: 100, After: 15 * time.Second, Urgent: true},
		}},
		{Name: "30/s", Rate: 30, Pages: []pageSpec{
			{Name: "A", First: 1, N: n(600)},
			{Name: "B", First: 200001, N: n(300), After: 3 * time.Second},
			{Name: "C", First: 1, N: 10, After: 8 * time.Second, Urgent: true},
		}},
	}
}

// result is what one scenario measured.
type result struct {
	Scenario   string
	Rate       int
	Subs       int64 // deliveries expected
	Delivered  int64
	Duplicates int64
	Missing    int64
	Got429     int64
	Achieved   float64 // sends per second, first to last send
	Fraction   float64 // Achieved / Rate
	PeakSecond int     // most sends in any 1-second window
	PeakHeapMB float64
	PeakRSSMB  float64
	Shares     map[string]float64 // while A and B both ran
	UrgentMs   float64            // announce → first delivery of the urgent post
	Resent     int64
	Took       time.Duration
}

func main() {
	serve := flag.Bool("serve", false, "internal: run the fake Telegram")
	one := flag.String("scenario", "", "internal: run one scenario")
	list := flag.String("scenarios", "1k,100k,30/s", "scenarios to run, comma-separated")
	redisURL := flag.String("redis", envOr("REDIS_URL", "redis://127.0.0.1:6379"), "Redis for the broadcast state")
	scale := flag.Float64("scale", 1, "scale the number of subscribers (0.1 for a quick look)")
	rate := flag.Int("rate", 0, "internal: the fake's global limit")
	flag.Parse()

	var err error
	switch {
	case *serve:
		err = serveFake(*rate)
	case *one != "":
		err = runScenario(*one, *redisURL, *scale)
	default:
		err = orchestrate(strings.Split(*list, ","), *redisURL, *scale)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchbroadcast:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// orchestrate runs each scenario in a fresh process and prints the table.
func orchestrate(names []string, redisURL string, scale float64) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var results []result
	for _, name := range names {
		fmt.Fprintf(os.Stderr, "scenario %s...\n", name)
		cmd := exec.Command(self, "-scenario", name, "-redis", redisURL, "-scale", fmt.Sprint(scale))
		cmd.Stderr = os.Stderr
		out, err := cmd.Output()
		if err != nil {
			return fmt.Errorf("scenario %s: %w", name, err)
		}
		var r result
		if err := json.Unmarshal(out, &r); err != nil {
			return fmt.Errorf("scenario %s answered %q: %w", name, out, err)
		}
		results = append(results, r)
	}
	fmt.Printf("Machine: %d CPUs, %s, Go %s. Command: `go run ./cmd/benchbroadcast`\n\n", runtime.NumCPU(), runtime.GOOS+"/"+runtime.GOARCH, runtime.Version())
	fmt.Println("| scenario | limit | deliveries | achieved | of limit | busiest second | 429s | duplicates | missing | peak heap | peak RSS | shares A/B | urgent first delivery | took |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range results {
		shares := "—"
		if len(r.Shares) == 2 {
			shares = fmt.Sprintf("%.2f / %.2f", r.Shares["A"], r.Shares["B"])
		}
		urgent := "—"
		if r.UrgentMs > 0 {
			urgent = fmt.Sprintf("%.0f ms", r.UrgentMs)
		}
		fmt.Printf("| %s | %d/s | %d | %.1f/s | %.3f | %d | %d | %d | %d | %.1f MB | %.1f MB | %s | %s | %s |\n",
			r.Scenario, r.Rate, r.Subs, r.Achieved, r.Fraction, r.PeakSecond, r.Got429, r.Duplicates, r.Missing,
			r.PeakHeapMB, r.PeakRSSMB, shares, urgent, r.Took.Round(time.Second))
	}
	return nil
}

// fake is the fake Telegram running in its own process.
type fake struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
	url string
	tok string
}

func startFake(rate int, users [][2]int64) (*fake, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve", "-rate", strconv.Itoa(rate))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	f := &fake{cmd: cmd, in: in, out: bufio.NewReaderSize(outPipe, 1<<20)}
	line, err := f.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("fake telegram: %w", err)
	}
	if _, err := fmt.Sscan(line, &f.url, &f.tok); err != nil {
		return nil, fmt.Errorf("fake telegram said %q", line)
	}
	for _, r := range users {
		if _, err := f.ask(fmt.Sprintf("users %d %d", r[0], r[1])); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (f *fake) ask(cmd string) (string, error) {
	if _, err := fmt.Fprintln(f.in, cmd); err != nil {
		return "", err
	}
	return f.out.ReadString('\n')
}

func (f *fake) stop() {
	_ = f.in.Close()
	_ = f.cmd.Wait()
}

// serveFake runs bottest with Telegram's limits until stdin closes. It is a
// test server, so it runs inside testing.Benchmark for a testing.TB.
func serveFake(rate int) error {
	var err error
	testing.Benchmark(func(b *testing.B) {
		srv := bottest.New(b, bottest.WithRateLimits(bottest.Limits{Global: rate, PerChat: 1, PrivateBurst: 1}))
		fmt.Println(srv.URL(), srv.Token())
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			f := strings.Fields(in.Text())
			switch f[0] {
			case "users":
				lo, _ := strconv.ParseInt(f[1], 10, 64)
				hi, _ := strconv.ParseInt(f[2], 10, 64)
				for u := lo; u <= hi; u++ {
					srv.AddUser(u, "Житель", "", "ru")
				}
				fmt.Println("ok")
			case "channel":
				id, _ := strconv.ParseInt(f[1], 10, 64)
				srv.AddChannel(id, "Канал "+f[1], "")
				fmt.Println("ok")
			case "calls":
				// One line per forward: unix nanos, chat, from chat, HTTP code.
				st := srv.Stats()
				calls := srv.Calls("forwardMessage")
				w := bufio.NewWriterSize(os.Stdout, 1<<20)
				fmt.Fprintln(w, len(calls), st.RateLimited)
				for _, c := range calls {
					code := 200
					if c.Err != nil {
						code = c.Err.Code
					}
					fmt.Fprintln(w, c.Time.UnixNano(), c.ChatID, c.Params["from_chat_id"], code)
				}
				err = w.Flush()
			}
		}
	})
	return err
}

// finals collects the final reports.
type finals struct {
	mu   sync.Mutex
	done map[string]redaktor.Broadcast
}

func (f *finals) BroadcastProgress(_ context.Context, b redaktor.Broadcast, _ redaktor.Page, final bool) {
	if !final {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.done[b.PostID] = b
}

func (f *finals) StopButton(string, string) bot.Keyboard { return nil }

func (f *finals) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.done)
}

func runScenario(name, redisURL string, scale float64) error {
	var sc scenario
	for _, s := range scenarios(scale) {
		if s.Name == name {
			sc = s
		}
	}
	if sc.Name == "" {
		return fmt.Errorf("no scenario %q", name)
	}
	ctx := context.Background()
	var ranges [][2]int64
	for _, p := range sc.Pages {
		ranges = append(ranges, [2]int64{p.First, p.First + p.N - 1})
	}
	tg, err := startFake(sc.Rate, ranges)
	if err != nil {
		return err
	}
	defer tg.stop()

	rdb, err := storage.Connect(ctx, redisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "bench" + hex.EncodeToString(b)
	defer removeKeys(rdb, "{"+prefix+"}:*")
	store := storage.New(rdb, prefix)

	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// Wired as in the bot: the channel posts take their turn in the pacer.
	pacer := pace.New(store, pace.Settings{Rate: sc.Rate}, pace.SystemClock{}, log)
	api, err := bot.New(ctx, tg.tok, bot.Options{APIURL: tg.url, Pacer: pacer})
	if err != nil {
		return err
	}
	rep := &finals{done: map[string]redaktor.Broadcast{}}
	bc := broadcast.New(store, api, rep, pacer, time.Now, log, broadcast.Config{})
	channels := map[string]int64{}
	msgs := map[string]int{}
	for i, p := range sc.Pages {
		ch := -1000000000001 - int64(i)
		channels[p.Name] = ch
		if _, err := tg.ask(fmt.Sprintf("channel %d", ch)); err != nil {
			return err
		}
		if err := store.SavePage(ctx, redaktor.Page{ID: p.Name, Title: p.Name, ChannelID: ch}); err != nil {
			return err
		}
		ids := make([]int64, p.N)
		for j := range ids {
			ids[j] = p.First + int64(j)
		}
		if err := store.SubscribeMany(ctx, p.Name, ids); err != nil {
			return err
		}
		if msgs[p.Name], err = api.SendText(ctx, ch, "Объявление страницы "+p.Name, nil); err != nil {
			return err
		}
	}

	// Peak memory of this process while it broadcasts.
	runtime.GC()
	var peakHeap uint64
	sampleCtx, stopSampling := context.WithCancel(ctx)
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peakHeap = max(peakHeap, ms.HeapInuse)
			select {
			case <-sampleCtx.Done():
				return
			case <-t.C:
			}
		}
	}()

	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { _ = bc.Run(runCtx); close(ran) }()

	start := time.Now()
	announced := map[string]time.Time{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range sc.Pages {
		wg.Go(func() {
			time.Sleep(p.After)
			mu.Lock()
			announced[p.Name] = time.Now()
			mu.Unlock()
			post := redaktor.Post{ID: p.Name, PageID: p.Name, Urgent: p.Urgent}
			if err := bc.Announce(ctx, post, redaktor.Page{ID: p.Name, ChannelID: channels[p.Name]}, []int{msgs[p.Name]}); err != nil {
				fmt.Fprintln(os.Stderr, "announce:", err)
			}
		})
	}
	wg.Wait()
	for rep.count() < len(sc.Pages) {
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(start)
	stop()
	<-ran
	stopSampling()
	<-sampled

	res := result{Scenario: sc.Name, Rate: sc.Rate, Took: took, PeakHeapMB: float64(peakHeap) / (1 << 20), PeakRSSMB: peakRSS()}
	for _, p := range sc.Pages {
		res.Resent += rep.done[p.Name].Resent
	}
	if err := analyse(tg, sc, channels, announced, &res); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

type call struct {
	at   int64
	chat int64
	from int64
	code int
}

// analyse reads every forward the fake answered and computes the figures.
func analyse(tg *fake, sc scenario, channels map[string]int64, announced map[string]time.Time, res *result) error {
	if _, err := fmt.Fprintln(tg.in, "calls"); err != nil {
		return err
	}
	var n int
	if _, err := fmt.Fscanln(tg.out, &n, &res.Got429); err != nil {
		return fmt.Errorf("read calls: %w", err)
	}
	calls := make([]call, n)
	for i := range calls {
		c := &calls[i]
		if _, err := fmt.Fscanln(tg.out, &c.at, &c.chat, &c.from, &c.code); err != nil {
			return fmt.Errorf("read call %d: %w", i, err)
		}
	}
	page := map[int64]string{}
	for name, ch := range channels {
		page[ch] = name
	}
	got := map[string]map[int64]int{}
	first, last := map[string]int64{}, map[string]int64{}
	var ok []int64
	for _, c := range calls {
		if c.code != 200 {
			continue
		}
		p := page[c.from]
		if got[p] == nil {
			got[p] = map[int64]int{}
			first[p] = c.at
		}
		got[p][c.chat]++
		last[p] = c.at
		ok = append(ok, c.at)
	}
	for _, p := range sc.Pages {
		res.Subs += p.N
		for u := p.First; u < p.First+p.N; u++ {
			switch k := got[p.Name][u]; {
			case k == 0:
				res.Missing++
			default:
				res.Delivered++
				res.Duplicates += int64(k - 1)
			}
		}
	}
	sort.Slice(ok, func(i, j int) bool { return ok[i] < ok[j] })
	if len(ok) > 1 {
		span := time.Duration(ok[len(ok)-1] - ok[0]).Seconds()
		res.Achieved = float64(len(ok)-1) / span
		res.Fraction = res.Achieved / float64(sc.Rate)
		j := 0
		for i := range ok {
			for ok[i]-ok[j] >= int64(time.Second) {
				j++
			}
			res.PeakSecond = max(res.PeakSecond, i-j+1)
		}
	}
	if _, both := first["B"]; both {
		lo, hi := max(first["A"], first["B"]), min(last["A"], last["B"])
		count := map[string]int{}
		for _, c := range calls {
			if c.code == 200 && c.at >= lo && c.at <= hi && (page[c.from] == "A" || page[c.from] == "B") {
				count[page[c.from]]++
			}
		}
		total := float64(count["A"] + count["B"])
		if total > 0 {
			res.Shares = map[string]float64{"A": float64(count["A"]) / total, "B": float64(count["B"]) / total}
		}
	}
	for _, p := range sc.Pages {
		if p.Urgent {
			if f, ok := first[p.Name]; ok {
				res.UrgentMs = float64(f-announced[p.Name].UnixNano()) / 1e6
			}
		}
	}
	if math.IsNaN(res.Achieved) {
		res.Achieved = 0
	}
	return nil
}

// peakRSS is the process's peak resident memory (Linux), in MB.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func removeKeys(c redis.UniversalClient, pattern string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			c.Del(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		c.Del(ctx, batch...)
	}
}
