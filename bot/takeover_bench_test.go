package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// BenchmarkIntakeTakeoverAfterKill: two processes consume a stream of
// 1,000 updates from 1,000 people; one of them (a subprocess, this test
// binary run as TestIntakeChildProcess) is killed with SIGKILL while it
// holds updates. Reported: the seconds from the kill until every update
// was answered, the updates answered twice (those whose answer the killed
// process sent and could not acknowledge: the desk's handlers are
// idempotent, this benchmark's echo handler is not), and the updates
// never answered (lost; must be 0).
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test -run '^$' -bench TakeoverAfterKill -benchtime 1x ./bot
func BenchmarkIntakeTakeoverAfterKill(b *testing.B) {
	for range b.N {
		takeoverOnce(b)
	}
}

// takeoverUpdates is how many updates each run hands the two processes;
// one handling takes takeoverWork and up to as much again (a few Telegram
// calls), spread so that the handlings do not end in waves.
const (
	takeoverUpdates = 1000
	takeoverWork    = 200 * time.Millisecond
	childEnv        = "REDAKTOR_INTAKE_CHILD"
)

func takeoverOnce(b *testing.B) {
	store, r := storagetest.Store(b)
	if r.Mini != nil {
		b.Skip("needs TEST_REDIS_URL: the embedded Redis lets keys lapse only when told to, so a killed process would look alive forever")
	}
	ctx := context.Background()
	if err := store.EnsureStream(ctx); err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	answered := map[int64]int{}
	byChild := 0
	var killedAt time.Time        // zero until the kill
	beforeKill := map[int64]int{} // answers before the kill, per update
	answers := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id, _ := strconv.ParseInt(req.URL.Query().Get("id"), 10, 64)
		mu.Lock()
		answered[id]++
		if killedAt.IsZero() {
			beforeKill[id]++
		}
		if req.URL.Query().Get("by") == "child" {
			byChild++
		}
		mu.Unlock()
	}))
	defer answers.Close()
	count := func() (unique, child int) {
		mu.Lock()
		defer mu.Unlock()
		return len(answered), byChild
	}

	ids := make([]int64, takeoverUpdates)
	payloads := make([][]byte, takeoverUpdates)
	for i := range takeoverUpdates {
		ids[i] = int64(5000 + i)
		payloads[i] = updateJSON(b, ids[i], int64(100000+i))
	}
	if _, err := store.AddUpdates(ctx, ids, payloads); err != nil {
		b.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestIntakeChildProcess$")
	child.Env = append(os.Environ(), childEnv+"=1", "CHILD_REDIS_URL="+r.URL, "CHILD_PREFIX="+r.Prefix,
		"CHILD_ANSWER_URL="+answers.URL)
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	// The child reads first, so that it holds a good share when killed.
	waitUntil(b, "the child answering", 60*time.Second, func() bool { _, c := count(); return c >= 50 })
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	survivor := bot.NewIntake(store, answerer{answers.URL, "survivor"}, nil, nil, slog.New(slog.DiscardHandler),
		bot.IntakeConfig{Consumer: "survivor"})
	done := make(chan struct{})
	go func() { defer close(done); _ = survivor.Run(runCtx) }()
	defer func() { stop(); <-done }()

	waitUntil(b, "the survivor answering", 60*time.Second, func() bool { n, c := count(); return n-c >= 50 })
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		b.Fatal(err)
	}
	killed := time.Now()
	mu.Lock()
	killedAt = killed
	mu.Unlock()
	_ = child.Wait()
	atKill, _ := count()
	b.ResetTimer()
	deadline := killed.Add(3 * time.Minute)
	for {
		if n, _ := count(); n == takeoverUpdates {
			break
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	took := time.Since(killed)
	b.StopTimer()
	mu.Lock()
	twice, lost, doubledLive := 0, 0, 0
	for _, id := range ids {
		if beforeKill[id] > 1 {
			doubledLive++ // answered twice while both processes lived
		}
		switch n := answered[id]; {
		case n == 0:
			lost++
		case n > 1:
			twice++
		}
	}
	mu.Unlock()
	b.ReportMetric(took.Seconds(), "s-kill-to-all-answered")
	b.ReportMetric(float64(takeoverUpdates-atKill), "unanswered-at-kill")
	b.ReportMetric(float64(twice), "answered-twice")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(doubledLive), "answered-twice-before-kill")
	if doubledLive > 0 {
		b.Errorf("%d updates answered twice while both processes were alive", doubledLive)
	}
	if lost > 0 {
		b.Errorf("%d updates never answered", lost)
	}
}

// TestIntakeChildProcess is the process BenchmarkIntakeTakeoverAfterKill
// kills: it runs an intake until it is killed. Skipped in a normal run.
func TestIntakeChildProcess(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("run by BenchmarkIntakeTakeoverAfterKill")
	}
	ctx := context.Background()
	c, err := storage.Connect(ctx, os.Getenv("CHILD_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	store := storage.New(c, os.Getenv("CHILD_PREFIX"))
	in := bot.NewIntake(store, answerer{os.Getenv("CHILD_ANSWER_URL"), "child"}, nil, nil,
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), bot.IntakeConfig{Consumer: "child"})
	_ = in.Run(ctx) // until killed
}

// answerer answers an update after its handling time, by a call to url.
type answerer struct{ url, by string }

func (a answerer) Handle(ctx context.Context, u tgbotapi.Update) {
	select {
	case <-time.After(takeoverWork + time.Duration(u.UpdateID*7919%1000)*takeoverWork/1000):
	case <-ctx.Done():
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/?id=%d&by=%s", a.url, u.UpdateID, a.by), nil)
	if err != nil {
		return
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
	}
}

func updateJSON(b testing.TB, id, from int64) []byte {
	u := map[string]any{"update_id": id, "message": map[string]any{
		"message_id": 1, "date": time.Now().Unix(), "text": "hello",
		"from": map[string]any{"id": from, "is_bot": false, "first_name": "P"},
		"chat": map[string]any{"id": from, "type": "private"}}}
	raw, err := json.Marshal(u)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func waitUntil(b testing.TB, what string, bound time.Duration, cond func() bool) {
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
