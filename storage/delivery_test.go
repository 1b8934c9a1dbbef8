package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/storage/storagetest"
)

// A part of a channel post is sent by one holder only: another claimer
// that meets an unrecorded send waits a grace (its holder may be alive and
// cut off from Redis); a record that lands meanwhile wins; only a mark
// still there after the grace is sent again.
func TestPartIsSentOnceWhileItsRecordIsLate(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	const chat, grace = -100, time.Minute
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	begin := func(part int) (send, resend bool, sent []int, wait time.Duration) {
		t.Helper()
		st, err := s.BeginPart(ctx, "7", chat, part, now, grace)
		if err != nil {
			t.Fatal(err)
		}
		return st.Send, st.Resend, st.Sent, st.Wait
	}
	if send, _, _, _ := begin(0); !send {
		t.Fatal("a fresh part is not handed out")
	}
	// The holder's record waits in its journal; the lease runs out and a
	// second claimer comes.
	now = now.Add(3 * time.Minute)
	if send, _, _, wait := begin(0); send || wait != grace {
		t.Fatalf("second claimer: send %v wait %v, want a wait of the grace", send, wait)
	}
	if send, _, _, wait := begin(0); send || wait != grace {
		t.Fatalf("second claimer again: send %v wait %v, want the rest of the grace", send, wait)
	}
	if err := s.EndPart(ctx, "7", chat, 0, []int{41, 42}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * grace)
	if send, _, sent, _ := begin(0); send || !slices.Equal(sent, []int{41, 42}) {
		t.Fatalf("after the late record: send %v sent %v, want the recorded ids", send, sent)
	}
	if d, err := s.Delivery(ctx, "7", chat); err != nil || !slices.Equal(d.Sent[0], []int{41, 42}) || len(d.InFlight) != 0 {
		t.Fatalf("delivery %+v %v", d, err)
	}

	// A holder that died: its mark is resent once the grace is over.
	begin(1)
	now = now.Add(3 * time.Minute)
	begin(1)
	if d, _ := s.Delivery(ctx, "7", chat); !slices.Equal(d.InFlight, []int{1}) {
		t.Fatalf("in flight %v, want part 1 while it waits", d.InFlight)
	}
	now = now.Add(grace)
	if send, resend, _, _ := begin(1); !send || !resend {
		t.Fatalf("after the grace: send %v resend %v, want a resend", send, resend)
	}

	// A send that failed clears its own mark: the next try needs no grace.
	// Another holder's mark, and a record, are left alone.
	first, err := s.BeginPart(ctx, "7", chat, 2, now, grace)
	if err != nil || !first.Send {
		t.Fatalf("part 2: %+v %v", first, err)
	}
	if err := s.AbortPart(ctx, "7", chat, 2, "someone else's"); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Delivery(ctx, "7", chat); !slices.Contains(d.InFlight, 2) {
		t.Fatal("an abort with another mark cleared the part")
	}
	if err := s.AbortPart(ctx, "7", chat, 2, first.Mark); err != nil {
		t.Fatal(err)
	}
	if send, resend, _, _ := begin(2); !send || resend {
		t.Fatalf("after a failed send: send %v resend %v, want a plain send", send, resend)
	}
	if err := s.AbortPart(ctx, "7", chat, 0, first.Mark); err != nil {
		t.Fatal(err)
	}
	if _, _, sent, _ := begin(0); len(sent) != 2 {
		t.Fatalf("abort removed a record: %v", sent)
	}
}

// Requeue hands a post being published back to the claimers at a time: a
// leased one at once, a due one earlier, never one nobody is publishing.
func TestRequeue(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	due := "{" + r.Prefix + "}:due"
	r.Client.ZAdd(ctx, due, redis.Z{Score: float64(now.UnixMilli()), Member: "1"})
	if ids, err := s.ClaimDue(ctx, now, time.Minute, 10); err != nil || !slices.Equal(ids, []string{"1"}) {
		t.Fatalf("claim %v %v", ids, err)
	}
	later := now.Add(time.Minute)
	for range 2 { // a repeated run changes nothing more
		if err := s.Requeue(ctx, "1", later); err != nil {
			t.Fatal(err)
		}
	}
	if ids, _ := s.ClaimDue(ctx, now, time.Minute, 10); len(ids) != 0 {
		t.Fatalf("claimed %v before its time", ids)
	}
	if err := s.Requeue(ctx, "1", now); err != nil { // brought forward
		t.Fatal(err)
	}
	if err := s.Requeue(ctx, "1", later); err != nil { // never pushed back
		t.Fatal(err)
	}
	if ids, _ := s.ClaimDue(ctx, now, time.Minute, 10); !slices.Equal(ids, []string{"1"}) {
		t.Fatalf("claimed %v, want 1 again", ids)
	}
	if err := s.Requeue(ctx, "2", now); err != nil { // nobody publishes 2
		t.Fatal(err)
	}
	if n := r.Client.ZCard(ctx, due).Val(); n != 0 {
		t.Fatalf("%d posts due, want none: a requeue never adds a post", n)
	}
}
