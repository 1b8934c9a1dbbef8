package intake_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/intake"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

const wait = 20 * time.Second

// recorder is a handler that counts how often each update was handled;
// before runs first and may panic or block.
type recorder struct {
	mu     sync.Mutex
	n      map[int]int
	by     map[string]int
	before func(ctx context.Context, u tgbotapi.Update, attempt int)
}

func newRecorder() *recorder { return &recorder{n: map[int]int{}, by: map[string]int{}} }

func (r *recorder) handler(name string) intake.Handler { return named{r, name} }

type named struct {
	r    *recorder
	name string
}

func (h named) Handle(ctx context.Context, u tgbotapi.Update) error {
	h.r.mu.Lock()
	attempt := h.r.n[u.UpdateID] + 1
	before := h.r.before
	h.r.mu.Unlock()
	if before != nil {
		before(ctx, u, attempt)
	}
	h.r.mu.Lock()
	h.r.n[u.UpdateID]++
	h.r.by[h.name]++
	h.r.mu.Unlock()
	// Cut off, a real handler's Telegram calls fail with its context's
	// error; one that returns nil handled the update, however late.
	return context.Cause(ctx)
}

func (r *recorder) count(id int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[id]
}

func (r *recorder) handled() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.n)
}

// fakeNotices records whom the intake told what.
type fakeNotices struct {
	mu          sync.Mutex
	unavailable []int
	failed      []int
}

func (f *fakeNotices) Unavailable(_ context.Context, u tgbotapi.Update) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unavailable = append(f.unavailable, u.UpdateID)
}

func (f *fakeNotices) Failed(_ context.Context, u tgbotapi.Update) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failed = append(f.failed, u.UpdateID)
}

func (f *fakeNotices) lists() ([]int, []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.unavailable...), append([]int(nil), f.failed...)
}

// replica is one bot process: a poller (while it holds the lease) and an
// intake, sharing the test's Redis and fake Telegram.
type replica struct {
	name string
	stop func()
}

type replicaOpts struct {
	intake  intake.Config
	poll    intake.PollConfig
	lease   intake.Lease // default: the store
	notices intake.Notices
}

func startReplica(t *testing.T, srv *bottest.Server, store *storage.Store, h intake.Handler, o replicaOpts) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL(), Logger: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	if o.lease == nil {
		o.lease = store
	}
	if o.poll.Notices == nil {
		o.poll.Notices = o.notices
	}
	if o.intake.Consumer == "" {
		o.intake.Consumer = o.poll.Owner
	}
	in := intake.New(store, h, o.notices, nil, testLog(t), o.intake)
	var wg sync.WaitGroup
	wg.Go(func() { _ = intake.Poll(ctx, c, store, o.lease, o.poll) })
	wg.Go(func() { _ = in.Run(ctx) })
	r := &replica{name: o.poll.Owner}
	r.stop = func() { cancel(); wg.Wait(); r.stop = func() {} }
	t.Cleanup(func() { r.stop() })
	return r
}

func addUsers(srv *bottest.Server, n int) {
	for i := range n {
		srv.AddUser(int64(1000+i), fmt.Sprintf("User%d", i), fmt.Sprintf("user%d", i), "ru")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func drained(t testing.TB, store *storage.Store) func() bool {
	return func() bool {
		d, err := store.QueueDepths(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return d["updates_waiting"] == 0 && d["updates_in_flight"] == 0
	}
}

// Two replicas given 1,000 updates handle each exactly once.
func TestTwoReplicasHandleEachUpdateOnce(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	addUsers(srv, 40)
	rec := newRecorder()
	var ups []tgbotapi.Update
	for i := range 1000 {
		ups = append(ups, srv.SendText(int64(1000+i%40), fmt.Sprintf("message %d", i)))
	}
	for _, name := range []string{"a", "b"} {
		startReplica(t, srv, store, rec.handler(name), replicaOpts{
			poll: intake.PollConfig{Owner: name}, intake: intake.Config{Batch: 16},
		})
	}
	waitFor(t, "1000 updates handled", func() bool { return rec.handled() == 1000 })
	waitFor(t, "the stream drained", drained(t, store))
	for _, u := range ups {
		if n := rec.count(u.UpdateID); n != 1 {
			t.Errorf("update %d handled %d times", u.UpdateID, n)
		}
	}
	waitFor(t, "every update confirmed to Telegram", func() bool { return srv.Pending() == 0 })
	t.Logf("handled by replica: %v", rec.by)
}

// A process stopped while a handler runs (its acknowledgement never
// written) loses nothing: another process takes the update over.
func TestKilledWhileHandlingLosesNothing(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	addUsers(srv, 3)
	rec := newRecorder()
	started := make(chan int, 1)
	victim := srv.SendText(1000, "the one in flight at the crash")
	var once sync.Once
	rec.before = func(ctx context.Context, u tgbotapi.Update, _ int) {
		crash := false
		if u.UpdateID == victim.UpdateID {
			once.Do(func() { crash = true })
		}
		if crash {
			started <- u.UpdateID
			<-ctx.Done() // the process dies before this handler ends
			panic("killed")
		}
	}
	a := startReplica(t, srv, store, rec.handler("a"), replicaOpts{
		poll:   intake.PollConfig{Owner: "a"},
		intake: intake.Config{ShutdownTimeout: time.Millisecond},
	})
	<-started
	a.stop()
	if n := rec.count(victim.UpdateID); n != 0 {
		t.Fatalf("the victim was handled %d times before the crash", n)
	}
	more := []tgbotapi.Update{srv.SendText(1001, "after"), srv.SendText(1002, "the crash")}
	startReplica(t, srv, store, rec.handler("b"), replicaOpts{
		poll:   intake.PollConfig{Owner: "b"},
		intake: intake.Config{}, // the crashed process handed its updates back: taken at once
	})
	waitFor(t, "the victim handled by b", func() bool { return rec.count(victim.UpdateID) == 1 })
	waitFor(t, "the stream drained", drained(t, store))
	for _, u := range append(more, victim) {
		if n := rec.count(u.UpdateID); n != 1 {
			t.Errorf("update %d handled %d times, want 1", u.UpdateID, n)
		}
	}
}

// An update whose handler panics is handled again; after MaxAttempts
// failures it is set aside and its sender is told. A handler that runs out
// of time counts as a failure too.
func TestFailingUpdateIsRetriedThenSetAside(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	addUsers(srv, 3)
	rec := newRecorder()
	var mu sync.Mutex
	attempts := map[int]int{}
	poison := srv.SendText(1000, "poison")
	flaky := srv.SendText(1001, "fails once")
	slow := srv.SendText(1002, "too slow once")
	fine := srv.SendText(1000, "fine, after the poison in the same chat")
	rec.before = func(ctx context.Context, u tgbotapi.Update, _ int) {
		mu.Lock()
		attempts[u.UpdateID]++
		n := attempts[u.UpdateID]
		mu.Unlock()
		switch {
		case u.UpdateID == poison.UpdateID:
			panic("poison")
		case u.UpdateID == flaky.UpdateID && n == 1:
			panic("flaky")
		case u.UpdateID == slow.UpdateID && n == 1:
			<-ctx.Done()
		}
	}
	notices := &fakeNotices{}
	startReplica(t, srv, store, rec.handler("a"), replicaOpts{
		poll: intake.PollConfig{Owner: "a"},
		// 300 ms: short, for the handler stuck once, and long enough for
		// the others to finish in time on a busy machine.
		intake:  intake.Config{HandleTimeout: 300 * time.Millisecond, ReclaimIdle: 300 * time.Millisecond, MaxAttempts: 3, RetryBackoff: 10 * time.Millisecond},
		notices: notices,
	})
	waitFor(t, "the poison set aside", func() bool { _, failed := notices.lists(); return len(failed) > 0 })
	waitFor(t, "the flaky and slow ones handled", func() bool {
		// The slow one returned twice: late the first time (not acknowledged), in time the second.
		return rec.count(flaky.UpdateID) == 1 && rec.count(slow.UpdateID) == 2 && rec.count(fine.UpdateID) == 1
	})
	waitFor(t, "the stream drained", drained(t, store))
	mu.Lock()
	if attempts[poison.UpdateID] != 3 {
		t.Errorf("the poison was tried %d times, want 3", attempts[poison.UpdateID])
	}
	mu.Unlock()
	if _, failed := notices.lists(); fmt.Sprint(failed) != fmt.Sprint([]int{poison.UpdateID}) {
		t.Errorf("told about %v, want only the poison %d", failed, poison.UpdateID)
	}
	dead, err := store.DeadUpdates(context.Background(), 10)
	if err != nil || len(dead) != 1 || dead[0] != int64(poison.UpdateID) {
		t.Errorf("dead letters %v, %v", dead, err)
	}
}

// mortal is a lease whose holder can die: after die, it neither renews
// nor releases, like a killed process.
type mortal struct {
	intake.Lease
	mu   sync.Mutex
	dead bool
}

func (m *mortal) HoldLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	dead := m.dead
	m.mu.Unlock()
	if dead {
		<-ctx.Done()
		return false, ctx.Err()
	}
	return m.Lease.HoldLease(ctx, name, owner, ttl)
}

func (m *mortal) ReleaseLease(ctx context.Context, name, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.dead {
		return nil
	}
	return m.Lease.ReleaseLease(ctx, name, owner)
}

func (m *mortal) die() {
	m.mu.Lock()
	m.dead = true
	m.mu.Unlock()
}

// When the poller dies another replica takes the lease over and polls.
func TestPollerLeaseMovesWhenHolderDies(t *testing.T) {
	srv := bottest.New(t)
	store, r := storagetest.Store(t)
	addUsers(srv, 2)
	rec := newRecorder()
	ctx := context.Background()
	ttl := 300 * time.Millisecond
	lease := &mortal{Lease: store}
	a := startReplica(t, srv, store, rec.handler("a"), replicaOpts{poll: intake.PollConfig{Owner: "a", LeaseTTL: ttl}, lease: lease})
	waitFor(t, "a holds the lease", func() bool { who, _ := store.LeaseHolder(ctx, intake.PollerLease); return who == "a" })
	startReplica(t, srv, store, rec.handler("b"), replicaOpts{poll: intake.PollConfig{Owner: "b", LeaseTTL: ttl}})
	first := srv.SendText(1000, "before")
	waitFor(t, "the first update handled", func() bool { return rec.count(first.UpdateID) == 1 })

	lease.die()
	a.stop()
	if r.Mini != nil {
		r.Mini.FastForward(ttl) // miniredis does not expire keys by itself
	}
	waitFor(t, "b holds the lease", func() bool { who, _ := store.LeaseHolder(ctx, intake.PollerLease); return who == "b" })
	second := srv.SendText(1001, "after")
	waitFor(t, "the second update handled", func() bool { return rec.count(second.UpdateID) == 1 })
}

// killAfterPersist ends the run right after the first batch was stored:
// the poller dies between persisting and confirming.
type killAfterPersist struct {
	intake.Persister
	kill  func()
	mu    sync.Mutex
	added []int
}

func (k *killAfterPersist) AddUpdates(ctx context.Context, ids []int64, payloads [][]byte) (int, error) {
	n, err := k.Persister.AddUpdates(ctx, ids, payloads)
	k.mu.Lock()
	k.added = append(k.added, n)
	k.mu.Unlock()
	if err == nil && k.kill != nil {
		k.kill()
	}
	return n, err
}

// A poller killed after storing a batch and before confirming it: the next
// poller fetches the batch again, and the stream drops it.
func TestPollerKilledBeforeConfirmingDuplicatesNothing(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	addUsers(srv, 2)
	for i := range 5 {
		srv.SendText(int64(1000+i%2), fmt.Sprint(i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	c, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	k := &killAfterPersist{Persister: store, kill: cancel}
	_ = intake.Poll(ctx, c, k, store, intake.PollConfig{Owner: "a"})
	if srv.Pending() != 5 {
		t.Fatalf("%d updates pending at Telegram, want 5 (stored, never confirmed)", srv.Pending())
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	c2, err := bot.New(ctx2, srv.Token(), bot.Options{APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	k2 := &killAfterPersist{Persister: store}
	done := make(chan struct{})
	go func() { defer close(done); _ = intake.Poll(ctx2, c2, k2, store, intake.PollConfig{Owner: "b"}) }()
	waitFor(t, "the batch confirmed", func() bool { return srv.Pending() == 0 })
	cancel2()
	<-done
	if fmt.Sprint(k.added) != "[5]" || k2.added[0] != 0 {
		t.Fatalf("first poller added %v, second %v; want [5] then 0", k.added, k2.added)
	}
	d, err := store.QueueDepths(context.Background())
	if err != nil || d["updates_waiting"] != 5 {
		t.Fatalf("stream holds %v, %v; want 5 updates", d, err)
	}
}

func testLog(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
