package reminders_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/reminders"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// racingStore changes the post right after the passed proposed times are
// read, as an author pressing at that moment would.
type racingStore struct {
	*storage.Store
	change func()
}

func (s racingStore) DueProposals(ctx context.Context, now time.Time, limit int64) ([]string, []time.Time, error) {
	ids, at, err := s.Store.DueProposals(ctx, now, limit)
	if s.change != nil {
		s.change()
	}
	return ids, at, err
}

// The author withdraws the post and proposes a later time between the
// read of the index and the read of the post: the old time is not told as
// passed; the new one is, when it passes.
func TestProposalReproposedMeanwhileIsNotTold(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	pageID, err := s.NextID(ctx, "page")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: pageID, Title: "Школа", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	p := pending(t, s, pageID, at(26, 12, 0), at(26, 15, 0))
	author := redaktor.Actor{UserID: 11, Name: "Ирина", Role: redaktor.RoleModerator}
	rs := racingStore{Store: s}
	rs.change = func() {
		rs.change = nil
		cur := p
		for _, c := range []redaktor.Change{
			{Action: redaktor.ActWithdraw, Actor: author},
			{Action: redaktor.ActSubmit, Actor: author, At: at(26, 17, 0)},
		} {
			next, ev, err := redaktor.Apply(cur, c, at(26, 15, 0))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SavePost(ctx, cur, next, ev); err != nil {
				t.Fatal(err)
			}
			cur = next
		}
	}
	c := &clock{now: at(26, 15, 0).Add(30 * time.Second)}
	rec := &told{}
	r := reminders.New(&rs, rec, c.Now, slog.New(slog.DiscardHandler), reminders.Config{Location: msk})
	if err := r.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if rec.passed != 0 {
		t.Fatalf("the author was told the time passed though a later one (17:00) was proposed meanwhile")
	}
	c.Set(at(26, 16, 59))
	if err := r.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if rec.passed != 0 {
		t.Fatalf("told before the new proposed time")
	}
	c.Set(at(26, 17, 0).Add(time.Second))
	if err := r.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if rec.passed != 1 {
		t.Fatalf("the new proposed time passed: told %d times, want once", rec.passed)
	}
}
