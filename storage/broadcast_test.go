package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

var fastPace = redaktor.Pace{Interval: time.Microsecond, MaxAhead: time.Second, ChatGap: time.Microsecond}

func TestSubscriptionsAndInactiveSubscribers(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	// Pages "1" and "2", numbered as the desk numbers them: Follows asks
	// every page made.
	for _, want := range []string{"1", "2"} {
		if got, err := s.NextID(ctx, "page"); err != nil || got != want {
			t.Fatalf("page id %q %v, want %q", got, err, want)
		}
	}
	for _, u := range []int64{5, 6, 7} {
		if already, err := s.Subscribe(ctx, "1", u, u == 6); err != nil || already {
			t.Fatalf("subscribe %d: already %v err %v", u, already, err)
		}
	}
	if already, _ := s.Subscribe(ctx, "1", 5, false); !already {
		t.Fatal("a second subscribe is not reported as already")
	}
	if _, err := s.Subscribe(ctx, "2", 5, false); err != nil {
		t.Fatal(err)
	}
	pages, err := s.DeactivateSubscriber(ctx, 5)
	if err != nil || len(pages) != 2 {
		t.Fatalf("deactivated on %v (%v), want both pages", pages, err)
	}
	if a, i, _ := s.SubscriberCounts(ctx, "1"); a != 2 || i != 1 {
		t.Fatalf("page 1: %d active %d inactive, want 2 and 1", a, i)
	}
	if pages, _ := s.ReactivateSubscriber(ctx, 5); len(pages) != 2 {
		t.Fatalf("reactivated on %v, want both pages", pages)
	}
	if ok, _ := s.Unsubscribe(ctx, "1", 6); !ok {
		t.Fatal("unsubscribe reports nothing to do")
	}
	// Nothing of 6 stays on the page: not in the language list either.
	if en, _ := r.Client.SMembers(ctx, "{"+r.Prefix+"}:page:1:subs:en").Result(); len(en) != 0 {
		t.Fatalf("the English list keeps %v after /stop", en)
	}
	if f, _ := s.Follows(ctx, 6); len(f) != 0 {
		t.Fatalf("6 still follows %v", f)
	}
	if a, i, _ := s.SubscriberCounts(ctx, "1"); a != 2 || i != 0 {
		t.Fatalf("page 1: %d active %d inactive, want 2 and 0", a, i)
	}
	if f, _ := s.Follows(ctx, 5); len(f) != 2 || f[0] != "1" || f[1] != "2" {
		t.Fatalf("follows %v", f)
	}

	code, err := s.SubscribeCode(ctx, "1", func() string { return "abc" })
	if err != nil || code != "abc" {
		t.Fatalf("code %q %v", code, err)
	}
	if again, _ := s.SubscribeCode(ctx, "1", func() string { return "zzz" }); again != "abc" {
		t.Fatalf("the code changed to %q", again)
	}
	if _, err := s.SubscribeCode(ctx, "2", func() string { return "abc" }); !errors.Is(err, redaktor.ErrConflict) {
		t.Fatalf("a taken code: %v, want a conflict", err)
	}
	if p, err := s.PageByCode(ctx, "abc"); err != nil || p != "1" {
		t.Fatalf("page by code %q %v", p, err)
	}
	if _, err := s.PageByCode(ctx, "nope"); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
}

func TestTakeAndRecordResumeWithoutRepeats(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	for u := int64(1); u <= 5; u++ {
		if _, err := s.Subscribe(ctx, "1", u, false); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	created, err := s.StartBroadcast(ctx, redaktor.Broadcast{PostID: "9", PageID: "1", From: -100, MessageIDs: []int{4}}, now)
	if err != nil || !created {
		t.Fatalf("start: %v %v", created, err)
	}
	if again, _ := s.StartBroadcast(ctx, redaktor.Broadcast{PostID: "9", PageID: "1"}, now); again {
		t.Fatal("a repeated start created it again")
	}
	retries := redaktor.Retries{Max: 2, Base: time.Second, Cap: time.Second}
	take := func() redaktor.Grant {
		t.Helper()
		g, err := s.Take(ctx, "9", "1", now, time.Minute, time.Minute, fastPace)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	// 1 delivered (recorded twice: counted once), 2 taken and never recorded
	// (its sender died), 3 blocked, 4 a 5xx twice (fails for good), 5 delivered.
	outcomes := map[int64]redaktor.SendOutcome{1: redaktor.SendDelivered, 3: redaktor.SendInactive, 4: redaktor.SendRetry, 5: redaktor.SendDelivered}
	for range 5 {
		g := take()
		if g.Kind != redaktor.GrantSend {
			t.Fatalf("grant %+v, want a send", g)
		}
		if o, ok := outcomes[g.UserID]; ok {
			for range 2 {
				if err := s.Record(ctx, "9", "1", g.UserID, o, now, now, retries); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if g := take(); g.Kind != redaktor.GrantIdle {
		t.Fatalf("with 2 leased and 4 waiting for a retry: %+v, want idle", g)
	}
	now = now.Add(2 * time.Second) // 4's retry is due
	if g := take(); g.UserID != 4 || g.Resend {
		t.Fatalf("grant %+v, want the retry of 4", g)
	}
	if err := s.Record(ctx, "9", "1", 4, redaktor.SendRetry, now, now, retries); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute) // 2's lease ran out
	if g := take(); g.Kind != redaktor.GrantIdle {
		t.Fatalf("grant %+v when 2's lease ran out, want idle: its holder is given a grace", g)
	}
	now = now.Add(time.Minute) // the grace is over: the holder is dead
	g := take()
	if g.UserID != 2 || !g.Resend {
		t.Fatalf("grant %+v, want 2 again, marked as a possible repeat", g)
	}
	if err := s.Record(ctx, "9", "1", 2, redaktor.SendDelivered, now, now, retries); err != nil {
		t.Fatal(err)
	}
	if g := take(); g.Kind != redaktor.GrantDone {
		t.Fatalf("grant %+v, want done", g)
	}
	if g := take(); g.Kind != redaktor.GrantGone {
		t.Fatalf("grant %+v after done, want gone", g)
	}
	b, err := s.Broadcast(ctx, "9")
	if err != nil {
		t.Fatal(err)
	}
	want := redaktor.Broadcast{PostID: "9", PageID: "1", From: -100, MessageIDs: []int{4}, Total: 5,
		Delivered: 3, Inactive: 1, Failed: 1, Resent: 1, StartedAt: b.StartedAt, FinishedAt: b.FinishedAt}
	if b.PostID != want.PostID || b.Total != 5 || b.Delivered != 3 || b.Inactive != 1 || b.Failed != 1 || b.Resent != 1 || b.Running || b.Remaining() != 0 {
		t.Fatalf("record %+v, want %+v", b, want)
	}
	if a, i, _ := s.SubscriberCounts(ctx, "1"); a != 4 || i != 1 {
		t.Fatalf("after the broadcast %d active %d inactive, want 4 and 1", a, i)
	}
	if list, _ := s.ActiveBroadcasts(ctx); len(list) != 0 {
		t.Fatalf("still active: %v", list)
	}
}

func TestPacerBooksSlotsOneIntervalApart(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	// The pacer reads Redis's clock, so the test cannot stop it; instead
	// its intervals are long next to how long a call can take on a busy
	// machine (nobody waits them out), and each booked slot is placed
	// within the real time its call took.
	p := redaktor.Pace{Interval: 10 * time.Second, MaxAhead: 25 * time.Second}
	type booking struct {
		wait          time.Duration
		ok            bool
		before, after time.Time
	}
	var got []booking
	for range 4 {
		b := booking{before: time.Now()}
		w, ok, err := s.Acquire(ctx, 1, p)
		if err != nil {
			t.Fatal(err)
		}
		b.wait, b.ok, b.after = w, ok, time.Now()
		got = append(got, b)
	}
	// Slots 0, 10, 20 s are booked; the fourth (30 s) is past MaxAhead
	// unless the calls took over 5 s.
	if got[3].ok {
		t.Fatalf("bookings %+v: the fourth should be refused", got)
	}
	// A slot is its call's moment plus the wait: between the earliest and
	// the latest the call may have read Redis's clock (1 ms for rounding).
	for i := 1; i < 3; i++ {
		if !got[i].ok {
			t.Fatalf("bookings %+v: slot %d refused", got, i)
		}
		least := got[i].before.Add(got[i].wait).Sub(got[i-1].after.Add(got[i-1].wait)) - time.Millisecond
		most := got[i].after.Add(got[i].wait).Sub(got[i-1].before.Add(got[i-1].wait)) + time.Millisecond
		if p.Interval < least || p.Interval > most {
			t.Fatalf("bookings %+v: slots %d and %d are %v to %v apart, want %v", got, i-1, i, least, most, p.Interval)
		}
	}
}

// A record of a send that comes late (it waited in its sender's journal
// while Redis was away) wins, whatever happened to the lease meanwhile, and
// a second sender is not handed a person whose send was recorded.
func TestLateRecordOfASendWins(t *testing.T) {
	retries := redaktor.Retries{Max: 3, Base: time.Second, Cap: time.Second}
	for _, tc := range []struct {
		name string
		// meanwhile happens after the first holder's lease ran out and
		// before its record lands; it returns the second sender's grant.
		meanwhile func(t *testing.T, take func() redaktor.Grant, advance func(time.Duration)) redaktor.Grant
		// second is what the second sender records after the late one.
		second redaktor.SendOutcome
	}{
		{name: "within the grace: nobody else is handed the person",
			meanwhile: func(t *testing.T, take func() redaktor.Grant, _ func(time.Duration)) redaktor.Grant {
				if g := take(); g.Kind != redaktor.GrantIdle {
					t.Fatalf("grant %+v, want idle: the holder is given a grace", g)
				}
				return redaktor.Grant{}
			}},
		{name: "after the grace: re-taken, then the late record, then the second sender's",
			meanwhile: func(t *testing.T, take func() redaktor.Grant, advance func(time.Duration)) redaktor.Grant {
				take()
				advance(time.Minute)
				g := take()
				if g.UserID != 1 || !g.Resend {
					t.Fatalf("grant %+v, want 1 again as a possible repeat", g)
				}
				return g
			}, second: redaktor.SendDelivered},
		{name: "after the grace: the second sender met a 429 first",
			meanwhile: func(t *testing.T, take func() redaktor.Grant, advance func(time.Duration)) redaktor.Grant {
				take()
				advance(time.Minute)
				g := take()
				return g
			}, second: redaktor.SendLater},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := storagetest.Store(t)
			ctx := context.Background()
			if _, err := s.Subscribe(ctx, "1", 1, false); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			if _, err := s.StartBroadcast(ctx, redaktor.Broadcast{PostID: "9", PageID: "1", From: -100, MessageIDs: []int{4}}, now); err != nil {
				t.Fatal(err)
			}
			take := func() redaktor.Grant {
				t.Helper()
				g, err := s.Take(ctx, "9", "1", now, time.Minute, time.Minute, fastPace)
				if err != nil {
					t.Fatal(err)
				}
				return g
			}
			record := func(o redaktor.SendOutcome) {
				t.Helper()
				if err := s.Record(ctx, "9", "1", 1, o, now, now, retries); err != nil {
					t.Fatal(err)
				}
			}
			if g := take(); g.UserID != 1 {
				t.Fatalf("grant %+v, want 1", g)
			}
			now = now.Add(2 * time.Minute) // Redis was away; the lease ran out
			second := tc.meanwhile(t, take, func(d time.Duration) { now = now.Add(d) })
			if tc.second == redaktor.SendLater {
				record(redaktor.SendLater) // the second sender's 429 lands first
			}
			record(redaktor.SendDelivered) // the first sender's journal drains
			if second.UserID != 0 && tc.second != redaktor.SendLater {
				record(tc.second)
			}
			for range 3 {
				now = now.Add(2 * time.Minute)
				if g := take(); g.Kind == redaktor.GrantSend {
					t.Fatalf("grant %+v: sent again after its send was recorded", g)
				}
			}
			b, err := s.Broadcast(ctx, "9")
			if err != nil {
				t.Fatal(err)
			}
			if b.Running || b.Delivered != 1 || b.Failed != 0 {
				t.Fatalf("record %+v, want done with 1 delivered", b)
			}
		})
	}
}

// A record of a send that lands after the subscriber's /forgetme (it
// waited in a sender's journal) writes nothing about them: not in the
// broadcast's done set, not among the page's inactive subscribers. The
// other subscriber's late record still counts.
func TestRecordAfterForgetWritesNothingAboutThePerson(t *testing.T) {
	retries := redaktor.Retries{Max: 3, Base: time.Second, Cap: time.Second}
	for _, o := range []redaktor.SendOutcome{redaktor.SendDelivered, redaktor.SendInactive, redaktor.SendFailed} {
		t.Run(string(o), func(t *testing.T) {
			ctx := context.Background()
			s, r := storagetest.Store(t)
			page, err := s.NextID(ctx, "page")
			if err != nil {
				t.Fatal(err)
			}
			post, err := s.NextID(ctx, "post")
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []int64{1, 2} {
				if _, err := s.Subscribe(ctx, page, u, false); err != nil {
					t.Fatal(err)
				}
			}
			now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
			if _, err := s.StartBroadcast(ctx, redaktor.Broadcast{PostID: post, PageID: page, From: -100, MessageIDs: []int{4}}, now); err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if g, err := s.Take(ctx, post, page, now, time.Minute, time.Minute, fastPace); err != nil || g.Kind != redaktor.GrantSend {
					t.Fatalf("grant %+v %v, want a send", g, err)
				}
			}
			now = now.Add(2 * time.Minute) // Redis was away; the leases ran out
			if err := s.ForgetUser(ctx, 1); err != nil {
				t.Fatal(err)
			}
			for _, u := range []int64{1, 2} { // the journal drains, twice for a lost answer
				for range 2 {
					if err := s.Record(ctx, post, page, u, o, now, now, retries); err != nil {
						t.Fatal(err)
					}
				}
			}
			done := r.Client.SMembers(ctx, "{"+r.Prefix+"}:bc:"+post+":done").Val()
			if len(done) != 1 || done[0] != "2" {
				t.Fatalf("done set %v, want only the subscriber not forgotten", done)
			}
			if gone := r.Client.SIsMember(ctx, "{"+r.Prefix+"}:page:"+page+":gone", "1").Val(); gone {
				t.Fatal("the forgotten subscriber is back among the inactive")
			}
			if ok, _ := s.Subscribed(ctx, page, 1); ok {
				t.Fatal("the forgotten subscriber is subscribed again")
			}
			if g, err := s.Take(ctx, post, page, now, time.Minute, time.Minute, fastPace); err != nil || g.Kind != redaktor.GrantDone {
				t.Fatalf("grant %+v %v, want the broadcast done (nobody to send to again)", g, err)
			}
			b, err := s.Broadcast(ctx, post)
			if err != nil {
				t.Fatal(err)
			}
			if n := b.Delivered + b.Inactive + b.Failed; n != 1 {
				t.Fatalf("record %+v: %d outcomes counted, want the one of subscriber 2", b, n)
			}
		})
	}
}
