package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/redaktor/redaktor/storage/storagetest"
)

// One writer holds a post's report at a time; another that asks meanwhile
// makes the holder write again before it gives the claim back, once.
func TestReportClaimMakesItsHolderWriteAgain(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if ok, err := s.ClaimReport(ctx, "7", "a", time.Minute); err != nil || !ok {
		t.Fatalf("the first claim: %v, %v", ok, err)
	}
	if ok, err := s.ClaimReport(ctx, "7", "b", time.Minute); err != nil || ok {
		t.Fatalf("a second writer's claim while the first holds it: %v, %v", ok, err)
	}
	if again, err := s.ReleaseReport(ctx, "7", "a", time.Minute); err != nil || !again {
		t.Fatalf("the holder's release after a second writer asked: again %v, %v; want to write again", again, err)
	}
	if ok, err := s.ClaimReport(ctx, "7", "b", time.Minute); err != nil || ok {
		t.Fatalf("the claim is still the holder's while it writes again: %v, %v", ok, err)
	}
	if again, err := s.ReleaseReport(ctx, "7", "a", time.Minute); err != nil || !again {
		t.Fatalf("asked during the second writing: again %v, %v", again, err)
	}
	if again, err := s.ReleaseReport(ctx, "7", "a", time.Minute); err != nil || again {
		t.Fatalf("nobody asked: again %v, %v; want the claim given back", again, err)
	}
	if ok, err := s.ClaimReport(ctx, "7", "b", time.Minute); err != nil || !ok {
		t.Fatalf("a claim after the release: %v, %v", ok, err)
	}
	// A release by a writer whose claim lapsed and was taken leaves it.
	if again, err := s.ReleaseReport(ctx, "7", "a", time.Minute); err != nil || again {
		t.Fatalf("a stale release: %v, %v", again, err)
	}
	if ok, _ := s.ClaimReport(ctx, "7", "c", time.Minute); ok {
		t.Fatal("a stale release gave back another writer's claim")
	}

	if err := s.SetReportMessage(ctx, "7", 200, 41); err != nil {
		t.Fatal(err)
	}
	if err := s.ExplainInReport(ctx, "7", 200); err != nil {
		t.Fatal(err)
	}
	msgs, explained, err := s.ReportMessages(ctx, "7")
	if err != nil || len(msgs) != 1 || msgs[200] != 41 || len(explained) != 1 || !explained[200] {
		t.Fatalf("report messages %v, explained %v, %v", msgs, explained, err)
	}
	for i, want := range []bool{true, false} {
		if first, err := s.FirstTold(ctx, 200, "blocked"); err != nil || first != want {
			t.Fatalf("told %d: first %v, %v", i, first, err)
		}
	}
}
