package intake_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/intake"
	"github.com/redaktor/redaktor/pace"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// These tests run intakes on the stream directly, without a poller: the
// updates are added to the stream as the poller would.

type handlerFunc func(ctx context.Context, u tgbotapi.Update) error

func (f handlerFunc) Handle(ctx context.Context, u tgbotapi.Update) error { return f(ctx, u) }

// liveStore opens the test's Redis; the embedded one lets keys expire with
// the clock, as a real one does (liveness keys must lapse by themselves).
func liveStore(tb testing.TB) (*storage.Store, storagetest.Redis) {
	tb.Helper()
	store, r := storagetest.Store(tb)
	if r.Mini != nil {
		r.Mini.ClockTTL(true)
	}
	if err := store.EnsureStream(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return store, r
}

// queueUpdates adds n text updates, ids first to first+n-1, from chats
// chats (chat ids 1000+first and up), and returns their ids.
func queueUpdates(tb testing.TB, store *storage.Store, first, n, chats int) []int {
	tb.Helper()
	var ids []int
	for start := 0; start < n; start += 100 {
		var batch []int64
		var payloads [][]byte
		for i := start; i < min(n, start+100); i++ {
			id, chat := first+i, 1000+first+i%chats
			batch = append(batch, int64(id))
			payloads = append(payloads, fmt.Appendf(nil,
				`{"update_id":%d,"message":{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"U"},"text":"message %d"}}`,
				id, id, time.Now().Unix(), chat, chat, id))
			ids = append(ids, id)
		}
		if _, err := store.AddUpdates(context.Background(), batch, payloads); err != nil {
			tb.Fatal(err)
		}
	}
	return ids
}

// runConsumer runs an intake until the returned stop is called (or the
// test ends).
func runConsumer(tb testing.TB, inbox intake.Inbox, h intake.Handler, notices intake.Notices, cfg intake.Config) (stop func()) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	in := intake.New(inbox, h, notices, nil, testLog(tb), cfg)
	done := make(chan struct{})
	go func() { defer close(done); _ = in.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	tb.Cleanup(stop)
	return stop
}

// waitUntil waits for cond, checked whenever changed is signalled (or
// every few milliseconds for what Redis alone knows).
func waitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// answers counts the completed handlings of each update.
type answers struct {
	mu   sync.Mutex
	n    map[int]int
	last time.Time
}

func newAnswers() *answers { return &answers{n: map[int]int{}} }

func (a *answers) add(id int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n[id]++
	a.last = time.Now()
}

func (a *answers) count(id int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n[id]
}

func (a *answers) distinct() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.n)
}

// twice lists the updates answered more than once, and those not answered.
func (a *answers) check(ids []int) (twice, missing []int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range ids {
		switch a.n[id] {
		case 0:
			missing = append(missing, id)
		case 1:
		default:
			twice = append(twice, id)
		}
	}
	return twice, missing
}

var errPassing = errors.New("redis: connection reset (a passing failure)")

// An error that may pass is tried again with backoff; one that will not
// is told to the sender at once and the update acknowledged; one that
// keeps failing is set aside after MaxAttempts and its sender told.
func TestHandlerErrorsAreRetriedToldOrSetAside(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	ids := queueUpdates(t, store, 1, 3, 3)
	lasting, passing, failing := ids[0], ids[1], ids[2]
	var mu sync.Mutex
	tries := map[int]int{}
	done := newAnswers()
	h := handlerFunc(func(_ context.Context, u tgbotapi.Update) error {
		mu.Lock()
		tries[u.UpdateID]++
		n := tries[u.UpdateID]
		mu.Unlock()
		switch {
		case u.UpdateID == lasting:
			return errors.New("telegram sendMessage: 400 Bad Request: message text is empty")
		case u.UpdateID == passing && n < 3, u.UpdateID == failing:
			return fmt.Errorf("save draft: %w", errPassing)
		}
		done.add(u.UpdateID)
		return nil
	})
	notices := &fakeNotices{}
	runConsumer(t, store, h, notices, intake.Config{Consumer: "a", MaxAttempts: 3, RetryBackoff: 10 * time.Millisecond,
		Transient: func(err error) bool { return errors.Is(err, errPassing) }})
	waitUntil(t, "the stream drained", drained(t, store))
	// The sender of an update set aside is told after it left the stream.
	waitUntil(t, "two senders told", func() bool { _, told := notices.lists(); return len(told) >= 2 })
	mu.Lock()
	if tries[lasting] != 1 || tries[passing] != 3 || tries[failing] != 3 {
		t.Errorf("tried lasting %d, passing %d, failing %d times; want 1, 3, 3", tries[lasting], tries[passing], tries[failing])
	}
	mu.Unlock()
	if done.count(passing) != 1 {
		t.Errorf("the update whose error passed was handled %d times, want 1", done.count(passing))
	}
	_, told := notices.lists()
	slices.Sort(told)
	if fmt.Sprint(told) != fmt.Sprint([]int{lasting, failing}) {
		t.Errorf("told %v, want the lasting failure %d and the set-aside %d", told, lasting, failing)
	}
	dead, err := store.DeadUpdates(context.Background(), 10)
	if err != nil || fmt.Sprint(dead) != fmt.Sprint([]int64{int64(failing)}) {
		t.Errorf("set aside %v, %v; want only %d", dead, err, failing)
	}
}

// A reply that waits long for its turn under Telegram's limit is not cut
// off by the handling deadline, nor handled twice; a handler stuck on its
// own is.
func TestPacerWaitDoesNotCountAgainstTheDeadline(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	const waiter, stuck = 1, 2
	queueUpdates(t, store, waiter, 1, 1)
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var waiterTries, stuckTries int
	var waiterCut bool
	done := newAnswers()
	h := handlerFunc(func(ctx context.Context, u tgbotapi.Update) error {
		switch u.UpdateID {
		case waiter:
			mu.Lock()
			waiterTries++
			mu.Unlock()
			pace.Waited(ctx, 30*time.Second) // its turn in the pacer comes in 30 s
			close(started)
			select {
			case <-release:
			case <-ctx.Done():
			}
			mu.Lock()
			waiterCut = ctx.Err() != nil
			mu.Unlock()
		case stuck:
			mu.Lock()
			stuckTries++
			first := stuckTries == 1
			mu.Unlock()
			if first {
				<-ctx.Done() // stuck on its own: cut off after HandleTimeout
				close(release)
				return ctx.Err()
			}
		}
		done.add(u.UpdateID)
		return nil
	})
	runConsumer(t, store, h, nil, intake.Config{Consumer: "a", HandleTimeout: 200 * time.Millisecond, RetryBackoff: time.Millisecond})
	<-started
	queueUpdates(t, store, stuck, 1, 1) // from another chat, begun after the waiter
	waitUntil(t, "both handled", func() bool { return done.count(waiter) == 1 && done.count(stuck) == 1 })
	waitUntil(t, "the stream drained", drained(t, store))
	mu.Lock()
	defer mu.Unlock()
	if waiterCut || waiterTries != 1 {
		t.Errorf("the reply waiting for its turn: cut off %v, tried %d times; want not cut off, once", waiterCut, waiterTries)
	}
	if stuckTries != 2 {
		t.Errorf("the stuck handler was tried %d times, want 2 (cut off once)", stuckTries)
	}
}

// stallable is an Inbox whose liveness beats can be held up, like a
// process whose beat cannot reach Redis in time.
type stallable struct {
	intake.Inbox
	mu      sync.Mutex
	stalled chan struct{} // non-nil: beats wait for it to close
}

func (s *stallable) stall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stalled = make(chan struct{})
}

func (s *stallable) resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.stalled)
	s.stalled = nil
}

func (s *stallable) BeatConsumer(ctx context.Context, consumer string, ttl time.Duration) error {
	s.mu.Lock()
	stalled := s.stalled
	s.mu.Unlock()
	if stalled != nil {
		select {
		case <-stalled:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.Inbox.BeatConsumer(ctx, consumer, ttl)
}

// A live process whose liveness beats are held up longer than their time
// to live cancels its handler before another process can take the update
// over; the update is then handled once, here or there.
func TestProcessWhoseLivenessLapsedCancelsItsHandlers(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	id := queueUpdates(t, store, 1, 1, 1)[0]
	a := &stallable{Inbox: store}
	var mu sync.Mutex
	var events []string
	cancelled := make(chan struct{})
	done := newAnswers()
	h := func(name string) intake.Handler {
		return handlerFunc(func(ctx context.Context, u tgbotapi.Update) error {
			mu.Lock()
			events = append(events, name+" began")
			first := len(events) == 1
			mu.Unlock()
			if first {
				a.stall() // the process's beats stop reaching Redis
				<-ctx.Done()
				mu.Lock()
				events = append(events, fmt.Sprintf("%s cancelled: %v", name, context.Cause(ctx)))
				mu.Unlock()
				close(cancelled)
				return ctx.Err()
			}
			done.add(u.UpdateID)
			return nil
		})
	}
	cfg := intake.Config{AliveTTL: time.Second, RetryBackoff: time.Millisecond}
	cfg.Consumer = "a"
	runConsumer(t, a, h("a"), nil, cfg)
	waitUntil(t, "a began", func() bool { mu.Lock(); defer mu.Unlock(); return len(events) > 0 })
	cfg.Consumer = "b"
	runConsumer(t, store, h("b"), nil, cfg)
	<-cancelled
	a.resume()
	waitUntil(t, "the update handled", func() bool { return done.count(id) == 1 })
	waitUntil(t, "the stream drained", drained(t, store))
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 3 || !strings.HasPrefix(events[1], "a cancelled") || !strings.Contains(events[1], "liveness") {
		t.Fatalf("events %q; want a's handler cancelled for its lapsed liveness before the update was handled again", events)
	}
	if done.count(id) != 1 {
		t.Fatalf("handled %d times, want once", done.count(id))
	}
}

// claimCounter records what a consumer takes over from others.
type claimCounter struct {
	intake.Inbox
	limit  int64
	mu     sync.Mutex
	claims map[string]int
	over   []int64 // claims asked for more than limit
}

func (c *claimCounter) record(got []redaktor.QueuedUpdate, count int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if count > c.limit {
		c.over = append(c.over, count)
	}
	for _, e := range got {
		c.claims[e.ID]++
	}
}

func (c *claimCounter) TakeOverUpdates(ctx context.Context, consumer string, lapsed, old time.Duration, count int64) ([]redaktor.QueuedUpdate, error) {
	got, err := c.Inbox.TakeOverUpdates(ctx, consumer, lapsed, old, count)
	c.record(got, count)
	return got, err
}

// A process taking over more updates than it has room for claims only as
// many as it can handle at once: none waits claimed and unhandled, and
// none is claimed or handled twice.
func TestTakeOverClaimsOnlyWhatCanBeHandled(t *testing.T) {
	t.Parallel()
	store, r := liveStore(t)
	ids := queueUpdates(t, store, 1, 40, 40)
	ctx := context.Background()
	// A process that beat read them all and died.
	if err := store.BeatConsumer(ctx, "gone", time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := store.ReadUpdates(ctx, "gone", 100, 0); err != nil || len(got) != 40 {
		t.Fatalf("read %d, %v", len(got), err)
	}
	if err := r.Client.Del(ctx, "{"+r.Prefix+"}:updates:alive:gone").Err(); err != nil {
		t.Fatal(err)
	}
	const room = 4
	counter := &claimCounter{Inbox: store, limit: room, claims: map[string]int{}}
	done := newAnswers()
	h := handlerFunc(func(_ context.Context, u tgbotapi.Update) error { done.add(u.UpdateID); return nil })
	runConsumer(t, counter, h, nil, intake.Config{Consumer: "b", MaxInFlight: room, AliveTTL: time.Second})
	waitUntil(t, "all handled", func() bool { return done.distinct() == len(ids) })
	waitUntil(t, "the stream drained", drained(t, store))
	if twice, missing := done.check(ids); len(twice)+len(missing) > 0 {
		t.Errorf("handled twice %v, not handled %v", twice, missing)
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	if len(counter.over) > 0 {
		t.Errorf("claims asked for %v entries with room for %d", counter.over, room)
	}
	for id, n := range counter.claims {
		if n != 1 {
			t.Errorf("entry %s claimed %d times", id, n)
		}
	}
}

// takeOverCalls counts a consumer's looks for updates to take over, and
// closes looked once it has looked n times.
type takeOverCalls struct {
	intake.Inbox
	n      int
	mu     sync.Mutex
	calls  int
	claims int
	looked chan struct{}
}

func (c *takeOverCalls) TakeOverUpdates(ctx context.Context, consumer string, lapsed, old time.Duration, count int64) ([]redaktor.QueuedUpdate, error) {
	got, err := c.Inbox.TakeOverUpdates(ctx, consumer, lapsed, old, count)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	c.claims += len(got)
	if c.calls == c.n {
		close(c.looked)
	}
	return got, err
}

// An update being handled by a live process, however long it takes, is
// never taken over by another that looks many times meanwhile.
func TestSlowLiveProcessKeepsItsUpdate(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	id := queueUpdates(t, store, 1, 1, 1)[0]
	const ttl = time.Second
	b := &takeOverCalls{Inbox: store, n: 12, looked: make(chan struct{})} // 12 looks: 1.5 times the liveness time
	done := newAnswers()
	started := make(chan struct{})
	slow := handlerFunc(func(ctx context.Context, u tgbotapi.Update) error {
		close(started)
		select {
		case <-b.looked:
		case <-ctx.Done():
			return ctx.Err()
		}
		done.add(u.UpdateID)
		return nil
	})
	other := handlerFunc(func(_ context.Context, u tgbotapi.Update) error { done.add(u.UpdateID); return nil })
	runConsumer(t, store, slow, nil, intake.Config{Consumer: "a", AliveTTL: ttl})
	<-started
	runConsumer(t, b, other, nil, intake.Config{Consumer: "b", AliveTTL: ttl})
	waitUntil(t, "the slow handling done", func() bool { return done.count(id) == 1 })
	waitUntil(t, "the stream drained", drained(t, store))
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.claims != 0 || done.count(id) != 1 {
		t.Fatalf("b took over %d entries; the update was handled %d times; want none taken, handled once", b.claims, done.count(id))
	}
}
