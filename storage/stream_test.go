package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
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
	ok, err := s.DeadLetter(ctx, e, "failed 3 times")
	if err != nil || !ok {
		t.Fatalf("DeadLetter = %v, %v", ok, err)
	}
	if ok, err := s.DeadLetter(ctx, e, "failed 3 times"); err != nil || ok {
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
	if err := s.TouchUpdates(ctx, "a", got); err != nil {
		t.Fatal(err)
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
