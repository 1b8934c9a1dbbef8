package redaktor

import (
	"errors"
	"testing"
	"time"
)

func publishedPost(t *testing.T) Post {
	t.Helper()
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	p, err := NewPost("1", "1", Actor{UserID: 11, Name: "Ирина", Role: RoleModerator}, Content{Text: "Собрание в пятницу"}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Change{
		{Action: ActSubmit, Actor: Actor{UserID: 11, Role: RoleModerator}},
		{Action: ActPublishNow, Actor: Actor{UserID: 21, Role: RoleChief}},
		{Action: ActClaim, Actor: System},
		{Action: ActPublished, Actor: System, MessageIDs: []int{5}},
	} {
		if p, _, err = Apply(p, c, now); err != nil {
			t.Fatalf("%s: %v", c.Action, err)
		}
	}
	return p
}

// Who may change a published post, how, and for how long.
func TestChangesAfterPublication(t *testing.T) {
	p := publishedPost(t)
	at := p.PublishedAt.Add(time.Hour)
	author := Actor{UserID: 11, Name: "Ирина", Role: RoleModerator}
	other := Actor{UserID: 12, Name: "Олег", Role: RoleModerator}
	boss := Actor{UserID: 21, Name: "Анна", Role: RoleChief}
	text := &Content{Text: "Собрание в четверг"}

	if _, _, err := Apply(p, Change{Action: ActEditPublished, Actor: author, Content: text}, at); !errors.Is(err, ErrForbidden) {
		t.Fatalf("the author edits directly: %v", err)
	}
	for _, a := range []Actor{other, boss} {
		if _, _, err := Apply(p, Change{Action: ActProposeEdit, Actor: a, Content: text}, at); !errors.Is(err, ErrForbidden) {
			t.Fatalf("%s proposes an edit of another's post: %v", a.Name, err)
		}
	}
	if _, _, err := Apply(p, Change{Action: ActRemove, Actor: other}, at); !errors.Is(err, ErrForbidden) {
		t.Fatalf("another moderator removes: %v", err)
	}
	if _, _, err := Apply(p, Change{Action: ActApproveEdit, Actor: boss}, at); !errors.Is(err, ErrConflict) {
		t.Fatalf("approving an edit nobody proposed: %v", err)
	}

	proposed, ev, err := Apply(p, Change{Action: ActProposeEdit, Actor: author, Content: text}, at)
	if err != nil || proposed.Revised == nil || proposed.Content.Text != "Собрание в пятницу" || ev.Action != ActProposeEdit {
		t.Fatalf("propose: %+v %v", proposed.Revised, err)
	}
	applied, ev, err := Apply(proposed, Change{Action: ActApproveEdit, Actor: boss}, at)
	if err != nil || applied.Content.Text != "Собрание в четверг" || applied.Revised != nil || applied.Version != 2 || ev.Version != 2 {
		t.Fatalf("approve: %+v %v", applied, err)
	}
	if applied.Status != StatusPublished || !applied.Changeable(at) {
		t.Fatalf("an edited post is %s", applied.Status)
	}
	removed, ev, err := Apply(applied, Change{Action: ActRemove, Actor: author, Comment: "ошибка"}, at)
	if err != nil || removed.Status != StatusRemoved || ev.Note != "ошибка" || removed.Status.Open() {
		t.Fatalf("remove: %s %v", removed.Status, err)
	}
	if _, _, err := Apply(removed, Change{Action: ActEditPublished, Actor: boss, Content: text}, at); !errors.Is(err, ErrConflict) {
		t.Fatalf("editing a removed post: %v", err)
	}

	late := p.PublishedAt.Add(ChangeWindow)
	if p.Changeable(late) {
		t.Fatal("changeable after 48 hours")
	}
	if _, _, err := Apply(p, Change{Action: ActEditPublished, Actor: boss, Content: text}, late); !errors.Is(err, ErrTooLate) {
		t.Fatalf("an edit after 48 hours: %v", err)
	}
	if _, _, err := Apply(p, Change{Action: ActRemove, Actor: boss}, late.Add(-time.Second)); err != nil {
		t.Fatalf("a removal within 48 hours: %v", err)
	}
}
