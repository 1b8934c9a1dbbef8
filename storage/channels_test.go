package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

const (
	schoolChannel  int64 = -1001000000001
	libraryChannel int64 = -1001000000002
)

func twoPages(t *testing.T) *storage.Store {
	t.Helper()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	for _, p := range []redaktor.Page{{ID: "1", Title: "Школа"}, {ID: "2", Title: "Библиотека"}} {
		if _, err := s.NextID(ctx, "page"); err != nil { // pages are numbered as the bot numbers them
			t.Fatal(err)
		}
		if err := s.SavePage(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestChannelBelongsToOnePage(t *testing.T) {
	t.Parallel()
	s := twoPages(t)
	ctx := context.Background()
	school := redaktor.Channel{ID: schoolChannel, Title: "Школа №4", Username: "school4"}

	page, err := s.LinkChannel(ctx, "1", school)
	if err != nil || page.ChannelID != schoolChannel || page.ChannelUsername != "school4" {
		t.Fatalf("link: %+v, %v", page, err)
	}
	if again, err := s.LinkChannel(ctx, "1", school); err != nil || again.ChannelID != schoolChannel {
		t.Fatalf("linking the same channel again: %+v, %v", again, err)
	}
	_, err = s.LinkChannel(ctx, "2", school)
	var taken *redaktor.ChannelTakenError
	if !errors.As(err, &taken) || taken.PageID != "1" || !errors.Is(err, redaktor.ErrConflict) {
		t.Fatalf("the other page linked a held channel: %v", err)
	}
	if p, _ := s.Page(ctx, "2"); p.HasChannel() {
		t.Fatalf("refused page got the channel: %+v", p)
	}
	if ok, _ := s.OwnsChannel(ctx, "2", schoolChannel); ok {
		t.Fatal("page 2 may post to page 1's channel")
	}
	if ok, _ := s.OwnsChannel(ctx, "1", schoolChannel); !ok {
		t.Fatal("page 1 may not post to its own channel")
	}

	// Unlinking with the wrong channel changes nothing.
	if _, err := s.UnlinkChannel(ctx, "1", libraryChannel); !errors.Is(err, redaktor.ErrChannelNotLinked) {
		t.Fatalf("unlink of a channel the page does not have: %v", err)
	}
	if _, err := s.UnlinkChannel(ctx, "2", schoolChannel); !errors.Is(err, redaktor.ErrChannelNotLinked) {
		t.Fatalf("page 2 unlinked page 1's channel: %v", err)
	}
	if holder, _ := s.ChannelPage(ctx, schoolChannel); holder != "1" {
		t.Fatalf("holder after refused unlinks = %q", holder)
	}

	page, err = s.UnlinkChannel(ctx, "1", schoolChannel)
	if err != nil || page.HasChannel() {
		t.Fatalf("unlink: %+v, %v", page, err)
	}
	if holder, _ := s.ChannelPage(ctx, schoolChannel); holder != "" {
		t.Fatalf("unlinked channel still held by %q", holder)
	}
	if _, err := s.LinkChannel(ctx, "2", school); err != nil {
		t.Fatalf("the other page cannot link a freed channel: %v", err)
	}
}

func TestRelinkReleasesTheOldChannel(t *testing.T) {
	t.Parallel()
	s := twoPages(t)
	ctx := context.Background()
	if _, err := s.LinkChannel(ctx, "1", redaktor.Channel{ID: schoolChannel, Title: "old"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkChannel(ctx, "1", redaktor.Channel{ID: libraryChannel, Title: "new"}); err != nil {
		t.Fatal(err)
	}
	if holder, _ := s.ChannelPage(ctx, schoolChannel); holder != "" {
		t.Fatalf("old channel still held by %q", holder)
	}
	if holder, _ := s.ChannelPage(ctx, libraryChannel); holder != "1" {
		t.Fatalf("new channel held by %q", holder)
	}
	if _, err := s.LinkChannel(ctx, "2", redaktor.Channel{ID: schoolChannel}); err != nil {
		t.Fatalf("freed channel: %v", err)
	}
}

// Many pages linking one channel at once: exactly one wins, and the index
// and the pages agree.
func TestConcurrentLinksOneWinner(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	const n = 8
	ids := []string{"1", "2", "3", "4", "5", "6", "7", "8"}
	for _, id := range ids {
		if err := s.SavePage(ctx, redaktor.Page{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, id := range ids {
		wg.Go(func() { _, errs[i] = s.LinkChannel(ctx, id, redaktor.Channel{ID: schoolChannel}) })
	}
	wg.Wait()
	holder, _ := s.ChannelPage(ctx, schoolChannel)
	winners := 0
	for i, id := range ids {
		p, _ := s.Page(ctx, id)
		switch {
		case errs[i] == nil:
			winners++
			if id != holder || p.ChannelID != schoolChannel {
				t.Fatalf("winner %s, holder %q, page %+v", id, holder, p)
			}
		case p.HasChannel():
			t.Fatalf("loser %s has the channel: %+v (%v)", id, p, errs[i])
		}
	}
	if winners != 1 {
		t.Fatalf("%d pages linked the channel", winners)
	}
}

// A page saved with a channel before the index existed keeps publishing:
// its first check claims the channel, and nobody else may then.
func TestOwnsChannelClaimsAnUnheldChannel(t *testing.T) {
	t.Parallel()
	s := twoPages(t)
	ctx := context.Background()
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", ChannelID: schoolChannel}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.OwnsChannel(ctx, "1", schoolChannel); err != nil || !ok {
		t.Fatalf("legacy page: %v, %v", ok, err)
	}
	if ok, _ := s.OwnsChannel(ctx, "2", schoolChannel); ok {
		t.Fatal("a second page claimed the same channel")
	}
	if _, err := s.LinkChannel(ctx, "2", redaktor.Channel{ID: schoolChannel}); err == nil {
		t.Fatal("a second page linked the claimed channel")
	}
}

// Two pages saved with the same channel before the index existed (one took
// it while links were unchecked): neither may post there, until whoever
// runs the channel links it again.
func TestOwnsChannelRefusesAChannelTwoPagesName(t *testing.T) {
	t.Parallel()
	s := twoPages(t)
	ctx := context.Background()
	for _, id := range []string{"1", "2"} {
		if err := s.SavePage(ctx, redaktor.Page{ID: id, ChannelID: schoolChannel}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"1", "2"} {
		if ok, err := s.OwnsChannel(ctx, id, schoolChannel); err != nil || ok {
			t.Fatalf("page %s may post to a channel two pages name: %v, %v", id, ok, err)
		}
	}
	if _, err := s.LinkChannel(ctx, "1", redaktor.Channel{ID: schoolChannel}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.OwnsChannel(ctx, "1", schoolChannel); !ok {
		t.Fatal("the page that linked the channel again may not post there")
	}
	if ok, _ := s.OwnsChannel(ctx, "2", schoolChannel); ok {
		t.Fatal("the other page may still post there")
	}
}

// Unlinking keeps the rest of the page as last saved; a page that does not
// exist links nothing.
func TestUnlinkKeepsThePage(t *testing.T) {
	t.Parallel()
	s := twoPages(t)
	ctx := context.Background()
	if _, err := s.LinkChannel(ctx, "1", redaktor.Channel{ID: schoolChannel}); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Page(ctx, "1")
	p.Title = "Школа №4 им. Пушкина"
	if err := s.SavePage(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.UnlinkChannel(ctx, "1", schoolChannel)
	if err != nil || got.Title != p.Title {
		t.Fatalf("unlink: %+v, %v", got, err)
	}
	if _, err := s.LinkChannel(ctx, "9", redaktor.Channel{ID: schoolChannel}); !errors.Is(err, redaktor.ErrNotFound) {
		t.Fatalf("link to a missing page: %v", err)
	}
}

// A claim whose page no longer has the channel (the page deleted, or saved
// over by a write that read it before the link) does not lock the channel
// away forever: the next page to link it takes it over.
func TestStaleClaimIsTakenOver(t *testing.T) {
	t.Parallel()
	s := twoPages(t)
	ctx := context.Background()
	if _, err := s.LinkChannel(ctx, "1", redaktor.Channel{ID: schoolChannel}); err != nil {
		t.Fatal(err)
	}
	// A rename that read page 1 before the link writes it back.
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа, новое имя"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkChannel(ctx, "2", redaktor.Channel{ID: schoolChannel}); err != nil {
		t.Fatalf("stale claim kept: %v", err)
	}
	if holder, _ := s.ChannelPage(ctx, schoolChannel); holder != "2" {
		t.Fatalf("holder %q", holder)
	}
	// The claim is checked against the whole id: page 1 saved over with a
	// channel whose id starts with the claimed one's has not the claimed one.
	short := schoolChannel / 10 // "-100100000000", a prefix of "-1001000000001"
	if _, err := s.LinkChannel(ctx, "1", redaktor.Channel{ID: short}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkChannel(ctx, "2", redaktor.Channel{ID: short}); err == nil {
		t.Fatal("a held channel was taken over")
	}
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", ChannelID: schoolChannel}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkChannel(ctx, "2", redaktor.Channel{ID: short}); err != nil {
		t.Fatalf("stale claim on a prefix id kept: %v", err)
	}
}
