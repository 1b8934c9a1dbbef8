package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
)

// Once an invite is revoked, a failure to redraw the invites is logged
// and the press answered: handled again, it would find the invite gone and
// tell the chief editor the button is stale.
func TestRevokedInviteIsNotHandledAgain(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	s.fail["OpenInvites"] = errors.New("redis: i/o timeout")
	d, tg := newTestDesk(t, s)
	if err := d.Handle(context.Background(), pressOf(s, chiefID, btnRevoke+":1:"+randomCode())); err != nil {
		t.Fatalf("Handle: %v, want the press handled (the invite is revoked)", err)
	}
	if n := s.count("RevokeInvite"); n != 1 {
		t.Errorf("revoked %d times, want once", n)
	}
	if want := d.texts.For("ru").T("invite_revoked_done"); len(tg.answers) != 1 || tg.answers[0] != want {
		t.Errorf("answered %q, want %q", tg.answers, want)
	}
}

// A moderator made chief editor has every card they hold of the page's
// posts redrawn, the cards read in one round trip however many there are.
func TestRoleChangeRedrawsHeldCardsReadingThemOnce(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	post := draftOf(t, s)
	for i, pid := range []string{"7", "8", "9"} {
		p := post
		p.ID = pid
		s.posts[pid] = p
		s.held[pid] = 40 + i
	}
	d, tg := newTestDesk(t, s)
	d.team.memberCardsChanged(context.Background(), s.page, modID, redaktor.RoleChief)
	if n := s.count("HeldCards"); n != 1 {
		t.Errorf("read the held cards %d times, want once", n)
	}
	slices.Sort(tg.edited)
	if want := []int{40, 41, 42}; !slices.Equal(tg.edited, want) {
		t.Errorf("redrew messages %v, want %v", tg.edited, want)
	}
}

// corruptTeam is memStore where the moderator's record cannot be decoded.
type corruptTeam struct{ *memStore }

func (s corruptTeam) Team(ctx context.Context, pageID string) ([]redaktor.Member, map[int64]redaktor.User, error) {
	members, users, err := s.memStore.Team(ctx, pageID)
	if err != nil {
		return nil, nil, err
	}
	delete(users, modID)
	for i := range members {
		if members[i].UserID == modID {
			members[i].Name = ""
		}
	}
	return members, users, fmt.Errorf("read team: %w: user %d", redaktor.ErrCorrupt, modID)
}

// A member record that cannot be decoded hides nobody else: the team list
// is shown (the member by id) and the chief editor still hears the news.
func TestCorruptMemberRecordHidesNobodyElse(t *testing.T) {
	t.Parallel()
	m := newMemStore()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	tg := &fakeTG{}
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	d := New(tg, corruptTeam{m}, texts, now, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{})
	if err := d.Handle(context.Background(), message(m, chiefID, "/team")); err != nil {
		t.Fatalf("/team: %v, want the list", err)
	}
	if len(tg.texts) != 1 || !strings.Contains(tg.texts[0].text, "Анна") || !strings.Contains(tg.texts[0].text, "300") {
		t.Fatalf("sent %+v, want the list with Анна and the moderator by id", tg.texts)
	}
	post := redaktor.Post{ID: "7", PageID: "1", AuthorID: modID, Status: redaktor.StatusPublished, MessageIDs: []int{42}}
	d.Notifier.Published(context.Background(), post, m.page)
	var told bool
	for _, x := range tg.texts[1:] {
		told = told || x.chat == chiefID
	}
	if !told {
		t.Errorf("sent %+v, want the chief editor told of the publication", tg.texts[1:])
	}
}
