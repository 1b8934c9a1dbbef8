package reminders_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/reminders"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// told counts what the reminders asked to be sent.
type told struct {
	mu                       sync.Mutex
	digests, waiting, passed int
	waitingIDs               [][]string
}

func (t *told) Waiting(_ context.Context, _ redaktor.Page, _ int, ws []reminders.Waiting) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.waiting++
	var ids []string
	for _, w := range ws {
		ids = append(ids, w.Post.ID)
	}
	t.waitingIDs = append(t.waitingIDs, ids)
}

func (t *told) ProposalPassed(context.Context, redaktor.Page, redaktor.Post) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.passed++
}

func (t *told) Digest(context.Context, redaktor.Page, reminders.Digest) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.digests++
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

var msk = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		panic(err)
	}
	return loc
}()

func at(day, h, m int) time.Time { return time.Date(2026, 11, day, h, m, 0, 0, msk) }

// pending stores a moderator's post sent for approval at sent, with a
// proposed time (zero: none).
func pending(t *testing.T, s *storage.Store, pageID string, sent, proposed time.Time) redaktor.Post {
	t.Helper()
	ctx := context.Background()
	author := redaktor.Actor{UserID: 11, Name: "Ирина", Role: redaktor.RoleModerator}
	id, err := s.NextID(ctx, "post")
	if err != nil {
		t.Fatal(err)
	}
	p, err := redaktor.NewPost(id, pageID, author, redaktor.Content{Text: "Субботник"}, sent)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
		t.Fatal(err)
	}
	changes := []redaktor.Change{{Action: redaktor.ActSubmit, Actor: author}}
	if !proposed.IsZero() {
		changes = append([]redaktor.Change{{Action: redaktor.ActPropose, Actor: author, At: proposed}}, changes...)
	}
	for _, c := range changes {
		next, ev, err := redaktor.Apply(p, c, sent)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SavePost(ctx, p, next, ev); err != nil {
			t.Fatal(err)
		}
		p = next
	}
	return p
}

// Four processes tick at the same moments, minute by minute through a
// Friday morning: the digest goes out once, the proposed time that passed
// in the night is told in it (not on its own), and the post that crosses
// 4 working hours at 12:00 is reminded of once.
func TestProcessesTellEachThingOnce(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	pageID, err := s.NextID(ctx, "page")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: pageID, Title: "Школа", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	night := pending(t, s, pageID, at(26, 17, 59), at(26, 23, 0)) // 1 minute waited on Thursday
	crossing := pending(t, s, pageID, at(27, 8, 0), time.Time{})

	c := &clock{now: at(27, 8, 0)}
	rec := &told{}
	var procs []*reminders.Reminders
	for range 4 {
		procs = append(procs, reminders.New(s, rec, c.Now, slog.New(slog.DiscardHandler), reminders.Config{Location: msk}))
	}
	for m := at(27, 8, 0); !m.After(at(27, 12, 30)); m = m.Add(time.Minute) {
		c.Set(m)
		var wg sync.WaitGroup
		for _, p := range procs {
			wg.Go(func() {
				if err := p.Tick(ctx); err != nil {
					t.Errorf("tick at %s: %v", m, err)
				}
			})
		}
		wg.Wait()
		rec.mu.Lock()
		early := m.Before(at(27, 8, 30)) && rec.digests+rec.passed+rec.waiting > 0
		rec.mu.Unlock()
		if early {
			t.Fatalf("something was sent at %s, before the morning digest", m.Format("15:04"))
		}
	}
	if rec.digests != 1 || rec.passed != 0 {
		t.Fatalf("digests %d, passed proposed times told on their own %d; want 1 and 0", rec.digests, rec.passed)
	}
	// The night post waited 4 working hours at 11:59 on Friday, the other
	// at 12:00: two reminders, one per crossing (each listing those waiting long).
	if rec.waiting != 2 {
		t.Fatalf("%d reminders of waiting posts, want 2: %v", rec.waiting, rec.waitingIDs)
	}
	if got := rec.waitingIDs[1]; len(got) != 2 || got[1] != crossing.ID || got[0] != night.ID {
		t.Fatalf("the second reminder lists %v, want [%s %s]", got, night.ID, crossing.ID)
	}
	p, err := s.Post(ctx, night.ID)
	if err != nil || !p.Reminded {
		t.Fatalf("the night post's passed time is not recorded as told: %+v, %v", p, err)
	}
}
