package handlers

import (
	"context"
	"errors"
	"slices"
	"testing"

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
