package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// partitioned is a process's view of Redis that can be cut off, as when
// the process is killed: from then on none of its calls reach Redis, so
// its liveness key lapses and nothing it finished is acknowledged.
type partitioned struct {
	*storage.Store
	cut atomic.Bool
}

var errCut = errors.New("process killed")

func (p *partitioned) BeatConsumer(ctx context.Context, consumer string, ttl time.Duration) error {
	if p.cut.Load() {
		return errCut
	}
	return p.Store.BeatConsumer(ctx, consumer, ttl)
}

func (p *partitioned) AckUpdates(ctx context.Context, entries []storage.StreamEntry) error {
	if p.cut.Load() {
		return errCut
	}
	return p.Store.AckUpdates(ctx, entries)
}

func (p *partitioned) ForgetConsumer(ctx context.Context, consumer string) error {
	if p.cut.Load() {
		return errCut
	}
	return p.Store.ForgetConsumer(ctx, consumer)
}

// runIntake runs an intake on in until the test ends (or stop is called).
func runIntake(t *testing.T, in bot.Inbox, h bot.Handler, obs bot.Observer, cfg bot.IntakeConfig) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	intake := bot.NewIntake(in, h, nil, obs, testLog(t), cfg)
	done := make(chan struct{})
	go func() { defer close(done); _ = intake.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func addUpdates(t *testing.T, store *storage.Store, first, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	payloads := make([][]byte, n)
	for i := range n {
		ids[i] = int64(first + i)
		payloads[i] = updateJSON(t, ids[i], int64(1000+i))
	}
	if _, err := store.AddUpdates(context.Background(), ids, payloads); err != nil {
		t.Fatal(err)
	}
	return ids
}

// The updates a killed process held are taken over as soon as its
// liveness lapses, long before the reclaim idle time.
func TestDeadProcessUpdatesAreTakenOverAtOnce(t *testing.T) {
	store, r := storagetest.Store(t)
	if err := store.EnsureStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	held := make(chan struct{}, 3)
	a := &partitioned{Store: store}
	rec.before = func(ctx context.Context, u tgbotapi.Update, _ int) {
		if !a.cut.Load() { // a's handlers never end: its process is killed
			held <- struct{}{}
			<-ctx.Done()
			panic("killed")
		}
	}
	stopA := runIntake(t, a, rec.handler("a"), nil, bot.IntakeConfig{Consumer: "a",
		AliveTTL: 300 * time.Millisecond, MaxInFlight: 4, ShutdownTimeout: time.Millisecond})
	addUpdates(t, store, 1, 3)
	for range 3 {
		<-held
	}
	a.cut.Store(true)
	if r.Mini != nil { // the embedded Redis expires keys on its own clock only
		r.Mini.FastForward(300 * time.Millisecond)
	}
	// b would reclaim only after an hour; the victim is taken over anyway.
	runIntake(t, store, rec.handler("b"), nil, bot.IntakeConfig{Consumer: "b",
		AliveTTL: 300 * time.Millisecond, HandleTimeout: time.Hour, ReclaimIdle: time.Hour})
	waitFor(t, "a's updates handled by b", func() bool { return rec.handled() == 3 })
	stopA()
	for id := 1; id <= 3; id++ {
		if n := rec.count(id); n != 1 {
			t.Errorf("update %d handled %d times, want 1", id, n)
		}
	}
}

// A live process's update is never taken over, however long its handler
// takes: the others see its liveness and leave the update to it.
func TestLiveSlowProcessKeepsItsUpdate(t *testing.T) {
	store, _ := storagetest.Store(t)
	if err := store.EnsureStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	const ttl = 100 * time.Millisecond
	rec := newRecorder()
	started := make(chan struct{})
	rec.before = func(ctx context.Context, u tgbotapi.Update, _ int) {
		if u.UpdateID == 1 {
			close(started)
			// Slow: twenty liveness periods, in which b looks for orphans
			// sixty times and would reclaim anything idle for 50 ms.
			time.Sleep(20 * ttl)
		}
	}
	runIntake(t, store, rec.handler("a"), nil, bot.IntakeConfig{Consumer: "a", AliveTTL: ttl})
	addUpdates(t, store, 1, 1)
	<-started
	runIntake(t, store, rec.handler("b"), nil, bot.IntakeConfig{Consumer: "b", AliveTTL: ttl,
		HandleTimeout: 50 * time.Millisecond, ReclaimIdle: 50 * time.Millisecond})
	addUpdates(t, store, 2, 20) // b is working
	waitFor(t, "every update handled", func() bool { return rec.handled() == 21 })
	waitFor(t, "the stream drained", drained(t, store))
	if n := rec.count(1); n != 1 {
		t.Fatalf("the slow update was handled %d times, want 1", n)
	}
}

// outcomes counts the intake's outcomes.
type outcomes struct {
	mu sync.Mutex
	n  map[string]int
}

func (o *outcomes) Persisted(string, int, int) {}
func (o *outcomes) Handled(outcome string, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n == nil {
		o.n = map[string]int{}
	}
	o.n[outcome]++
}

func (o *outcomes) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprint(o.n)
}

func (o *outcomes) get(outcome string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n[outcome]
}

// pacer gives one send a turn every gap, like the shared pacer at the
// bot's message rate; never gives none at all.
type pacer struct {
	mu    sync.Mutex
	next  time.Time
	gap   time.Duration
	never bool
}

func (p *pacer) Wait(ctx context.Context, _ int64) error {
	if p.never {
		<-ctx.Done()
		return ctx.Err()
	}
	p.mu.Lock()
	at := time.Now()
	if p.next.After(at) {
		at = p.next
	}
	p.next = at.Add(p.gap)
	p.mu.Unlock()
	select {
	case <-time.After(time.Until(at)):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// replier answers each update with one message through the paced client.
type replier struct{ tg *bot.Client }

func (r replier) Handle(ctx context.Context, u tgbotapi.Update) {
	_, _ = r.tg.SendText(ctx, u.Message.Chat.ID, fmt.Sprintf("reply to %d", u.UpdateID), nil)
}

// A burst of replies waits for its turns under Telegram's limit far
// longer than the handling deadline: each person still gets one reply,
// and no update is taken for failed and handled again.
func TestWaitingForTurnsIsNotFailing(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	if err := store.EnsureStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	const people = 30
	addUsers(srv, people)
	tg, err := bot.New(context.Background(), srv.Token(), bot.Options{APIURL: srv.URL(), Logger: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	// The last reply waits 30 × 100 ms = 3 s for its turn: three deadlines
	// (each ample for a handling's own work on a busy machine).
	tg.SetLimiter(&pacer{gap: 100 * time.Millisecond})
	obs := &outcomes{}
	runIntake(t, store, replier{tg}, obs, bot.IntakeConfig{Consumer: "a",
		HandleTimeout: time.Second, ReclaimIdle: time.Second})
	addUpdates(t, store, 1, people)
	waitFor(t, "every update handled", func() bool { return obs.get(bot.OutcomeOK) == people })
	waitFor(t, "the stream drained", drained(t, store))
	if n := obs.get(bot.OutcomeRetry); n != 0 {
		t.Errorf("%d updates taken for failed while waiting for their turn", n)
	}
	for i := range people {
		if msgs := srv.Messages(int64(1000 + i)); len(msgs) != 1 {
			t.Errorf("person %d got %d replies, want 1", i, len(msgs))
		}
	}
}

// Waiting for a turn extends the deadline only so far: a handler that
// never gets one fails and is handled again.
func TestWaitingForTurnsIsBounded(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	if err := store.EnsureStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	addUsers(srv, 1)
	tg, err := bot.New(context.Background(), srv.Token(), bot.Options{APIURL: srv.URL(), Logger: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	tg.SetLimiter(&pacer{never: true})
	obs := &outcomes{}
	runIntake(t, store, replier{tg}, obs, bot.IntakeConfig{Consumer: "a",
		HandleTimeout: 50 * time.Millisecond, TurnWaitMax: 100 * time.Millisecond, ReclaimIdle: time.Hour})
	addUpdates(t, store, 1, 1)
	waitFor(t, "the handling failed", func() bool { return obs.get(bot.OutcomeRetry) == 1 })
	if n := obs.get(bot.OutcomeOK); n != 0 {
		t.Fatalf("%d handled without a turn", n)
	}
}

// slowFirstTurn keeps the first send waiting for its turn.
type slowFirstTurn struct {
	wait  time.Duration
	calls atomic.Int32
}

func (s *slowFirstTurn) Wait(ctx context.Context, _ int64) error {
	if s.calls.Add(1) > 1 {
		return nil
	}
	select {
	case <-time.After(s.wait):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// failsFirst replies, and fails its first handling after the reply.
type failsFirst struct {
	tg       *bot.Client
	attempts atomic.Int32
}

func (f *failsFirst) Handle(ctx context.Context, u tgbotapi.Update) {
	_, _ = f.tg.SendText(ctx, u.Message.Chat.ID, "reply", nil)
	if f.attempts.Add(1) == 1 {
		panic("failed after a long wait for its turn")
	}
}

// An update held here while its handling waits long for its turn is not
// counted as delivered again meanwhile: when that handling then fails, it
// is tried again, not set aside as failed too often.
func TestLongTurnWaitDoesNotUseUpAttempts(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	if err := store.EnsureStream(context.Background()); err != nil {
		t.Fatal(err)
	}
	addUsers(srv, 1)
	tg, err := bot.New(context.Background(), srv.Token(), bot.Options{APIURL: srv.URL(), Logger: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	const idle = 200 * time.Millisecond
	tg.SetLimiter(&slowFirstTurn{wait: 10 * idle}) // twenty own-reclaim rounds
	obs := &outcomes{}
	h := &failsFirst{tg: tg}
	runIntake(t, store, h, obs, bot.IntakeConfig{Consumer: "a", HandleTimeout: idle, ReclaimIdle: idle})
	addUpdates(t, store, 1, 1)
	waitFor(t, "the update handled", func() bool { return obs.get(bot.OutcomeOK) == 1 || obs.get(bot.OutcomeDead) > 0 })
	if obs.get(bot.OutcomeDead) != 0 || obs.get(bot.OutcomeRetry) != 1 || h.attempts.Load() != 2 {
		t.Fatalf("outcomes %v after %d attempts; want one failure, then handled", obs, h.attempts.Load())
	}
}
