package storage_test

import (
	"context"
	"maps"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// HeldCards answers what Cards read per post would for one chat: the
// message of each card it holds, and nothing of posts it holds none of.
func TestHeldCardsAreTheChatsCardsOfThePosts(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	cards := []struct {
		post string
		card redaktor.Card
	}{
		{"7", redaktor.Card{ChatID: 20, MessageID: 5}},
		{"7", redaktor.Card{ChatID: 30, MessageID: 6}},
		{"8", redaktor.Card{ChatID: 20, MessageID: 9}},
		{"9", redaktor.Card{ChatID: 30, MessageID: 4}}, // another's only
	}
	for _, c := range cards {
		if err := s.SetCard(ctx, "1", c.post, c.card); err != nil {
			t.Fatal(err)
		}
	}
	held, err := s.HeldCards(ctx, 20, []string{"7", "8", "9", "404"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"7": 5, "8": 9}; !maps.Equal(held, want) {
		t.Errorf("held %v, want %v", held, want)
	}
	if held, err := s.HeldCards(ctx, 20, nil); err != nil || len(held) != 0 {
		t.Errorf("of no posts: %v, %v", held, err)
	}
}
