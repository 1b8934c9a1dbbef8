package handlers

import (
	"context"
	"errors"
	"testing"
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
