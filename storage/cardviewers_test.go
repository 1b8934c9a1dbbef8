package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// CardViewers answers what Cards and a User and a Role read per card
// would.
func TestCardViewersReadEachViewerWithTheCards(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	joinTeam(t, s, "1", redaktor.RoleChief, 20)
	joinTeam(t, s, "1", redaktor.RoleModerator, 30)
	anna := redaktor.User{ID: 20, Name: "Анна", Lang: "ru"}
	left := redaktor.User{ID: 40, Name: "Пётр", Lang: "ru"} // off the team
	for _, u := range []redaktor.User{anna, left} {
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for chat, msg := range map[int64]int{20: 5, 30: 6, 40: 7} {
		if err := s.SetCard(ctx, "1", "9", redaktor.Card{ChatID: chat, MessageID: msg}); err != nil {
			t.Fatal(err)
		}
	}
	cards, users, roles, err := s.CardViewers(ctx, "9", "1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Cards(ctx, "9")
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 3 || len(cards) != len(want) {
		t.Fatalf("cards %+v, Cards %+v", cards, want)
	}
	got := map[int64]int{}
	for _, c := range cards {
		got[c.ChatID] = c.MessageID
	}
	for _, c := range want {
		if got[c.ChatID] != c.MessageID {
			t.Errorf("card in chat %d: message %d, want %d", c.ChatID, got[c.ChatID], c.MessageID)
		}
	}
	if len(users) != 2 || users[20] != anna || users[40] != left {
		t.Errorf("records %+v, want Анна's and Пётр's (30 has none)", users)
	}
	if len(roles) != 2 || roles[20] != redaktor.RoleChief || roles[30] != redaktor.RoleModerator {
		t.Errorf("roles %+v, want chief 20 and moderator 30 (40 left)", roles)
	}
}

// A viewer whose record cannot be decoded does not keep the other cards
// from being redrawn: CardViewers returns the rest, and an error that
// names the bad record.
func TestCardViewersSkipACorruptRecord(t *testing.T) {
	t.Parallel()
	s, r := storagetest.Store(t)
	ctx := context.Background()
	joinTeam(t, s, "1", redaktor.RoleChief, 20)
	joinTeam(t, s, "1", redaktor.RoleModerator, 30)
	anna := redaktor.User{ID: 20, Name: "Анна", Lang: "ru"}
	if err := s.SaveUser(ctx, anna); err != nil {
		t.Fatal(err)
	}
	if err := r.Client.Set(ctx, "{"+r.Prefix+"}:user:30", "not json", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for chat, msg := range map[int64]int{20: 5, 30: 6} {
		if err := s.SetCard(ctx, "1", "9", redaktor.Card{ChatID: chat, MessageID: msg}); err != nil {
			t.Fatal(err)
		}
	}
	cards, users, roles, err := s.CardViewers(ctx, "9", "1")
	if !errors.Is(err, redaktor.ErrCorrupt) || !strings.Contains(err.Error(), "user 30") {
		t.Errorf("err %v, want ErrCorrupt naming user 30", err)
	}
	if len(cards) != 2 || len(users) != 1 || users[20] != anna || roles[20] != redaktor.RoleChief {
		t.Errorf("cards %+v, records %+v, roles %+v: want both cards and Анна as chief editor", cards, users, roles)
	}
}
