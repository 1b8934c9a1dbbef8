package storage_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// Team answers what Members and a User read per member would: the same
// members in the same order, and each member's record where the bot has
// one.
func TestTeamReadsMembersWithTheirRecords(t *testing.T) {
	t.Parallel()
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа"}); err != nil {
		t.Fatal(err)
	}
	joinTeam(t, s, "1", redaktor.RoleModerator, 30)
	joinTeam(t, s, "1", redaktor.RoleChief, 20)
	joinTeam(t, s, "1", redaktor.RoleModerator, 10) // no record of them
	anna := redaktor.User{ID: 20, Name: "Анна", Lang: "ru"}
	boris := redaktor.User{ID: 30, Name: "Boris", Lang: "en"}
	for _, u := range []redaktor.User{anna, boris} {
		if err := s.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	want, err := s.Members(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	members, users, err := s.Team(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 3 || len(members) != len(want) {
		t.Fatalf("Team: %+v, Members: %+v", members, want)
	}
	for i := range want {
		if members[i] != want[i] {
			t.Errorf("member %d: %+v, want %+v", i, members[i], want[i])
		}
	}
	if users[20] != anna || users[30] != boris {
		t.Errorf("records %+v, want Анна's and Boris's", users)
	}
	if _, ok := users[10]; ok {
		t.Errorf("a member without a record has one: %+v", users[10])
	}
	if m, u, err := s.Team(ctx, "404"); err != nil || len(m) != 0 || len(u) != 0 {
		t.Errorf("a page with no team: %v %v %v", m, u, err)
	}
}

// A member whose record cannot be decoded does not hide the rest of the
// team: Team returns every member and the good records, and an error that
// names the bad one.
func TestTeamSkipsACorruptRecord(t *testing.T) {
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
	members, users, err := s.Team(ctx, "1")
	if !errors.Is(err, redaktor.ErrCorrupt) || !strings.Contains(err.Error(), "user 30") {
		t.Errorf("err %v, want ErrCorrupt naming user 30", err)
	}
	if len(members) != 2 || len(users) != 1 || users[20] != anna {
		t.Errorf("members %+v, records %+v: want both members and Анна's record", members, users)
	}
}
