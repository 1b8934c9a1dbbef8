package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
	"github.com/redis/go-redis/v9"
)

func payload(id int64) []byte { return fmt.Appendf(nil, `{"update_id":%d}`, id) }

func TestStreamAddsEachUpdateOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	if err := s.EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureStream(ctx); err != nil {
		t.Fatalf("second EnsureStream: %v", err)
	}
	n, err := s.AddUpdates(ctx, []int64{10, 11}, [][]byte{payload(10), payload(11)})
	if err != nil || n != 2 {
		t.Fatalf("AddUpdates = %d, %v; want 2", n, err)
	}
	// A poller that died before confirming fetches 10 and 11 again; a
	// smaller id after a week's silence is new, not a duplicate.
	n, err = s.AddUpdates(ctx, []int64{10, 11, 12, 3}, [][]byte{payload(10), payload(11), payload(12), payload(3)})
	if err != nil || n != 2 {
		t.Fatalf("AddUpdates again = %d, %v; want 2 (12 and 3)", n, err)
	}
	got, err := s.ReadUpdates(ctx, "c1", 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, e := range got {
		ids = append(ids, e.UpdateID)
		if e.Deliveries != 1 || string(e.Payload) != string(payload(e.UpdateID)) {
			t.Fatalf("entry %+v", e)
		}
	}
	if fmt.Sprint(ids) != "[10 11 12 3]" {
		t.Fatalf("read %v, want [10 11 12 3]", ids)
	}
	if err := s.AckUpdates(ctx, got[:3]); err != nil {
		t.Fatal(err)
	}
	if err := s.AckUpdates(ctx, got[:3]); err != nil { // safe twice
		t.Fatal(err)
	}
	for _, id := range []int64{10, 11, 12} {
		if ok, err := s.WasHandled(ctx, id); err != nil || !ok {
			t.Fatalf("WasHandled(%d) = %v, %v", id, ok, err)
		}
	}
	if ok, _ := s.WasHandled(ctx, 3); ok {
		t.Fatal("3 is not handled yet")
	}
	d, err := s.QueueDepths(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d["updates_in_flight"] != 1 || d["updates_waiting"] != 0 {
		t.Fatalf("depths %v, want 1 in flight", d)
	}
}

func TestStreamReclaimCountsDeliveriesAndSetsAsideOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	if err := s.EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUpdates(ctx, []int64{7}, [][]byte{payload(7)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ReadUpdates(ctx, "dead-process", 10, 0); err != nil {
		t.Fatal(err)
	}
	// Nothing is idle for an hour yet.
	got, err := s.ReclaimUpdates(ctx, "c2", time.Hour, 10)
	if err != nil || len(got) != 0 {
		t.Fatalf("reclaim(1h) = %v, %v", got, err)
	}
	var e redaktor.QueuedUpdate
	for attempt := int64(2); attempt <= 3; attempt++ {
		got, err = s.ReclaimUpdates(ctx, "c2", 0, 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("reclaim = %v, %v", got, err)
		}
		e = got[0]
		if e.UpdateID != 7 || e.Deliveries != attempt {
			t.Fatalf("reclaimed %+v, want update 7 delivery %d", e, attempt)
		}
	}
	ok, err := s.DeadLetter(ctx, "c2", e, "failed 3 times")
	if err != nil || !ok {
		t.Fatalf("DeadLetter = %v, %v", ok, err)
	}
	if ok, err := s.DeadLetter(ctx, "c2", e, "failed 3 times"); err != nil || ok {
		t.Fatalf("second DeadLetter = %v, %v; want false", ok, err)
	}
	dead, err := s.DeadUpdates(ctx, 10)
	if err != nil || fmt.Sprint(dead) != "[7]" {
		t.Fatalf("dead = %v, %v", dead, err)
	}
	if got, _ := s.ReclaimUpdates(ctx, "c2", 0, 10); len(got) != 0 {
		t.Fatalf("a set-aside update was reclaimed: %v", got)
	}
	if ok, _ := s.WasHandled(ctx, 7); !ok {
		t.Fatal("a set-aside update must count as done")
	}
}

func TestLease(t *testing.T) {
	ctx := context.Background()
	s, r := storagetest.Store(t)
	ttl := 200 * time.Millisecond
	hold := func(owner string) bool {
		t.Helper()
		ok, err := s.HoldLease(ctx, "poller", owner, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !hold("a") || !hold("a") {
		t.Fatal("a cannot take or extend a free lease")
	}
	if hold("b") {
		t.Fatal("b took a lease a holds")
	}
	if err := s.ReleaseLease(ctx, "poller", "b"); err != nil {
		t.Fatal(err)
	}
	if who, _ := s.LeaseHolder(ctx, "poller"); who != "a" {
		t.Fatalf("b released a's lease: holder %q", who)
	}
	if err := s.ReleaseLease(ctx, "poller", "a"); err != nil {
		t.Fatal(err)
	}
	if !hold("b") {
		t.Fatal("b cannot take a released lease")
	}
	// b dies without releasing: the lease expires and a takes it.
	if r.Mini != nil {
		r.Mini.FastForward(ttl)
	} else {
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if who, _ := s.LeaseHolder(ctx, "poller"); who == "" {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !hold("a") {
		t.Fatal("a cannot take an expired lease")
	}
}

// An entry a process keeps waiting for its chat's turn is touched: others
// do not take it over as stuck, and its delivery count stays.
func TestTouchedUpdateIsNotReclaimed(t *testing.T) {
	ctx := context.Background()
	s, r := storagetest.Store(t)
	if err := s.EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddUpdates(ctx, []int64{7}, [][]byte{payload(7)}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ReadUpdates(ctx, "a", 10, 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("read = %v, %v", got, err)
	}
	id := got[0].ID
	// age makes the entry look a minute idle, as if it had waited that long.
	age := func() {
		if err := r.Client.Do(ctx, "XCLAIM", "{"+r.Prefix+"}:updates", storage.StreamGroup, "a", 0, id,
			"IDLE", time.Minute.Milliseconds(), "RETRYCOUNT", 1, "JUSTID").Err(); err != nil {
			t.Fatal(err)
		}
	}
	age()
	if lost, err := s.TouchOwnUpdates(ctx, "a", got); err != nil || len(lost) != 0 {
		t.Fatalf("touch = lost %v, %v", lost, err)
	}
	if got, err := s.ReclaimUpdates(ctx, "b", 30*time.Second, 10); err != nil || len(got) != 0 {
		t.Fatalf("a touched entry was taken over: %v, %v", got, err)
	}
	age()
	got, err = s.ReclaimUpdates(ctx, "b", 30*time.Second, 10)
	if err != nil || len(got) != 1 || got[0].Deliveries != 2 {
		t.Fatalf("reclaim after a minute = %+v, %v; want the entry at its 2nd delivery", got, err)
	}
}

// The liveness tests share a stream with entries read by named consumers;
// age makes an entry look idle for d, as if it had waited that long, and
// lapse ends a consumer's liveness as its key's time to live would.
type livenessFixture struct {
	t   *testing.T
	s   *storage.Store
	r   storagetest.Redis
	ctx context.Context
}

func newLivenessFixture(t *testing.T, updates ...int64) livenessFixture {
	t.Helper()
	s, r := storagetest.Store(t)
	f := livenessFixture{t: t, s: s, r: r, ctx: context.Background()}
	if err := s.EnsureStream(f.ctx); err != nil {
		t.Fatal(err)
	}
	payloads := make([][]byte, len(updates))
	for i, id := range updates {
		payloads[i] = payload(id)
	}
	if _, err := s.AddUpdates(f.ctx, updates, payloads); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f livenessFixture) read(consumer string, n int64) []redaktor.QueuedUpdate {
	f.t.Helper()
	got, err := f.s.ReadUpdates(f.ctx, consumer, n, 0)
	if err != nil || int64(len(got)) != n {
		f.t.Fatalf("%s read %v, %v; want %d entries", consumer, got, err, n)
	}
	return got
}

func (f livenessFixture) beat(consumer string) {
	f.t.Helper()
	if err := f.s.BeatConsumer(f.ctx, consumer, time.Minute); err != nil {
		f.t.Fatal(err)
	}
}

func (f livenessFixture) age(owner string, e redaktor.QueuedUpdate, d time.Duration) {
	f.t.Helper()
	if err := f.r.Client.Do(f.ctx, "XCLAIM", "{"+f.r.Prefix+"}:updates", storage.StreamGroup, owner, 0, e.ID,
		"IDLE", d.Milliseconds(), "RETRYCOUNT", e.Deliveries, "JUSTID").Err(); err != nil {
		f.t.Fatal(err)
	}
}

func (f livenessFixture) lapse(consumer string) {
	f.t.Helper()
	if err := f.r.Client.Del(f.ctx, "{"+f.r.Prefix+"}:updates:alive:"+consumer).Err(); err != nil {
		f.t.Fatal(err)
	}
}

// takeOver is what a replica does every half second, with the intake's
// default times: 4 s for a consumer that beat, 30 s for one that never did.
func (f livenessFixture) takeOver(consumer string) []int64 {
	f.t.Helper()
	got, err := f.s.TakeOverUpdates(f.ctx, consumer, 4*time.Second, 30*time.Second, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	ids := []int64{}
	for _, e := range got {
		if string(e.Payload) != string(payload(e.UpdateID)) {
			f.t.Fatalf("taken over %+v without its update", e)
		}
		ids = append(ids, e.UpdateID)
	}
	return ids
}

func (f livenessFixture) owner(e redaktor.QueuedUpdate) string {
	f.t.Helper()
	p, err := f.r.Client.XPendingExt(f.ctx, &redis.XPendingExtArgs{Stream: "{" + f.r.Prefix + "}:updates",
		Group: storage.StreamGroup, Start: e.ID, End: e.ID, Count: 1}).Result()
	if err != nil {
		f.t.Fatal(err)
	}
	if len(p) == 0 {
		return ""
	}
	return p[0].Consumer
}

// A live consumer keeps its entries however long they wait, whether it
// beat a moment ago or seconds ago (a process stalled for 3 s); once its
// liveness lapses, entries idle for the liveness time are taken over, at
// their next delivery, by one claimer only, and fresher ones are not; and
// the consumer, back, claims again only what it still holds.
func TestLiveConsumerKeepsItsUpdatesAndALapsedOneLosesThem(t *testing.T) {
	t.Parallel()
	f := newLivenessFixture(t, 7, 8)
	f.beat("a")
	got := f.read("a", 2)
	stuck, fresh := got[0], got[1]
	f.age("a", stuck, time.Hour)
	if ids := f.takeOver("b"); len(ids) != 0 {
		t.Fatalf("b took %v from a live consumer", ids)
	}
	f.lapse("a")
	if ids := f.takeOver("b"); fmt.Sprint(ids) != "[7]" {
		t.Fatalf("b took %v from a lapsed consumer; want [7] (8 is idle for less than the liveness time)", ids)
	}
	if ids := f.takeOver("c"); len(ids) != 0 {
		t.Fatalf("c took %v, already taken over by b", ids)
	}
	if f.owner(stuck) != "b" || f.owner(fresh) != "a" {
		t.Fatalf("owners %q, %q; want b, a", f.owner(stuck), f.owner(fresh))
	}
	// a, back, claims again what it abandoned: only what it still holds.
	f.beat("a")
	again, err := f.s.ClaimOwnUpdates(f.ctx, "a", got)
	if err != nil || len(again) != 1 || again[0].UpdateID != 8 || again[0].Deliveries != 1 || string(again[0].Payload) != string(payload(8)) {
		t.Fatalf("a claimed again %+v, %v; want update 8, its delivery count kept", again, err)
	}
	if f.owner(stuck) != "b" {
		t.Fatalf("a claimed back an update b took over: owner %q", f.owner(stuck))
	}
}

// Touching is never stealing: a consumer whose entry was taken over while
// its liveness lapsed learns that it lost it, the entry stays with the new
// owner, and an acknowledgement of it leaves it there, recorded as handled.
func TestTouchAndAckDoNotTakeBackAnUpdateTakenOver(t *testing.T) {
	t.Parallel()
	f := newLivenessFixture(t, 7, 8)
	f.beat("a")
	got := f.read("a", 2)
	f.age("a", got[0], time.Hour)
	f.lapse("a")
	if ids := f.takeOver("b"); fmt.Sprint(ids) != "[7]" {
		t.Fatalf("b took %v, want [7]", ids)
	}
	f.beat("a") // a comes back
	lost, err := f.s.TouchOwnUpdates(f.ctx, "a", got)
	if err != nil || fmt.Sprint(lost) != fmt.Sprint([]string{got[0].ID}) {
		t.Fatalf("a's touch lost %v, %v; want %s", lost, err, got[0].ID)
	}
	if f.owner(got[0]) != "b" || f.owner(got[1]) != "a" {
		t.Fatalf("after the touch: owners %q, %q; want b, a", f.owner(got[0]), f.owner(got[1]))
	}
	taken, err := f.s.AckOwnUpdates(f.ctx, "a", got)
	if err != nil || fmt.Sprint(taken) != fmt.Sprint([]string{got[0].ID}) {
		t.Fatalf("a's acknowledgement: taken %v, %v; want %s", taken, err, got[0].ID)
	}
	if f.owner(got[0]) != "b" || f.owner(got[1]) != "" {
		t.Fatalf("after the acknowledgement: owners %q, %q; want b, none", f.owner(got[0]), f.owner(got[1]))
	}
	if done, _ := f.s.WasHandled(f.ctx, 7); !done {
		t.Fatal("an update handled by a is not recorded as handled: b would handle it again")
	}
}

// A consumer that never beat is a replica of an older version: its
// entries are taken over by idle time alone, after the long idle time, as
// that version does.
func TestConsumerThatNeverBeatKeepsTheIdleRule(t *testing.T) {
	t.Parallel()
	f := newLivenessFixture(t, 7)
	e := f.read("old", 1)[0]
	f.age("old", e, 10*time.Second)
	if ids := f.takeOver("b"); len(ids) != 0 {
		t.Fatalf("b took %v from an older replica after 10 s", ids)
	}
	f.age("old", e, time.Minute)
	if ids := f.takeOver("b"); fmt.Sprint(ids) != "[7]" {
		t.Fatalf("b took %v after a minute, want [7]", ids)
	}
}

// A consumer stopping cleanly hands its entries back: they are taken over
// at the next look, however fresh, and it leaves the group once they are.
func TestStoppingConsumerHandsItsUpdatesBack(t *testing.T) {
	t.Parallel()
	f := newLivenessFixture(t, 7, 8)
	f.beat("a")
	f.read("a", 2)
	if n, err := f.s.HandBackUpdates(f.ctx, "a"); err != nil || n != 2 {
		t.Fatalf("hand back = %d, %v; want 2", n, err)
	}
	if ids := f.takeOver("b"); fmt.Sprint(ids) != "[7 8]" {
		t.Fatalf("b took %v, want [7 8]", ids)
	}
	consumers, err := f.r.Client.XInfoConsumers(f.ctx, "{"+f.r.Prefix+"}:updates", storage.StreamGroup).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range consumers {
		if c.Name == "a" {
			t.Fatal("a consumer that stopped and whose updates were taken over is still in the group")
		}
	}
}

// A process setting aside an entry another took over from it (its
// liveness lapsed) leaves the entry to the taker.
func TestSetAsideLeavesAnUpdateTakenOverToItsTaker(t *testing.T) {
	t.Parallel()
	f := newLivenessFixture(t, 7)
	f.beat("a")
	e := f.read("a", 1)[0]
	f.lapse("a")
	f.age("a", e, 5*time.Second)
	if ids := f.takeOver("b"); fmt.Sprint(ids) != "[7]" {
		t.Fatalf("b took %v, want [7]", ids)
	}
	if ok, err := f.s.DeadLetter(f.ctx, "a", e, "failed 3 times"); err != nil || ok {
		t.Fatalf("a set aside b's update: %v, %v", ok, err)
	}
	if dead, _ := f.s.DeadUpdates(f.ctx, 10); len(dead) != 0 {
		t.Fatalf("set aside %v, want none", dead)
	}
	if got := f.owner(e); got != "b" {
		t.Fatalf("the update is held by %q, want b", got)
	}
}

// A clean stop counts as a delivery only the entries whose handling began:
// the taker sees the others as never handed out before.
func TestHandBackCountsOnlyBegunUpdatesAsDelivered(t *testing.T) {
	t.Parallel()
	f := newLivenessFixture(t, 7, 8)
	f.beat("a")
	got := f.read("a", 2)
	begun := got[0]
	if _, err := f.s.HandBackUpdates(f.ctx, "a", begun.ID); err != nil {
		t.Fatal(err)
	}
	taken, err := f.s.TakeOverUpdates(f.ctx, "b", 4*time.Second, 30*time.Second, 10)
	if err != nil || len(taken) != 2 {
		t.Fatalf("b took %v, %v", taken, err)
	}
	for _, e := range taken {
		want := int64(1)
		if e.ID == begun.ID {
			want = 2
		}
		if e.Deliveries != want {
			t.Errorf("update %d taken over with %d deliveries, want %d", e.UpdateID, e.Deliveries, want)
		}
	}
}
