package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// A read leaves out the people it is told to skip and takes at most
// PerUser of one person's albums, paging past the rest: an album behind
// hundreds of others is read.
func TestReadyAlbumsPagesPastBusyPeople(t *testing.T) {
	ctx := context.Background()
	s, _ := storagetest.Store(t)
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	const quiet = time.Second
	const a, b, c int64 = 1, 2, 3
	add := func(user int64, n int, at time.Time) {
		for i := range n {
			it := redaktor.AlbumItem{UserID: user, MessageID: i + 1, Media: redaktor.Media{Kind: redaktor.MediaPhoto, FileID: "f"}}
			if err := s.AddAlbumItem(ctx, user, fmt.Sprintf("g%d", i), it, at.Add(time.Duration(i)*time.Millisecond), quiet); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(a, 300, t0)
	add(b, 300, t0.Add(time.Second))
	add(c, 2, t0.Add(2*time.Second))
	now := t0.Add(time.Hour)
	users := func(ready []redaktor.ReadyAlbum) map[int64]int {
		n := map[int64]int{}
		for _, r := range ready {
			n[r.UserID]++
		}
		return n
	}

	tests := []struct {
		name string
		pick redaktor.AlbumPick
		want map[int64]int
	}{
		{"the oldest first", redaktor.AlbumPick{Limit: 200}, map[int64]int{a: 200}},
		{"past the busy", redaktor.AlbumPick{Limit: 200, Skip: func(u int64) bool { return u != c }}, map[int64]int{c: 2}},
		{"a few of each", redaktor.AlbumPick{Limit: 200, PerUser: 10}, map[int64]int{a: 10, b: 10, c: 2}},
		{"a few of each, up to the limit", redaktor.AlbumPick{Limit: 15, PerUser: 10}, map[int64]int{a: 10, b: 5}},
	}
	for _, tc := range tests {
		ready, err := s.ReadyAlbums(ctx, now, tc.pick)
		if err != nil {
			t.Fatal(err)
		}
		if got := users(ready); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: albums per person %v, want %v", tc.name, got, tc.want)
		}
	}

	// One person's albums come in the order they were sent.
	ready, err := s.ReadyAlbums(ctx, now, redaktor.AlbumPick{Limit: 5, Skip: func(u int64) bool { return u == a }})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range ready {
		if r.UserID != b || r.Items[0].MessageID != i+1 {
			t.Errorf("album %d read: user %d, message %d; want user %d's message %d", i+1, r.UserID, r.Items[0].MessageID, b, i+1)
		}
	}
}
