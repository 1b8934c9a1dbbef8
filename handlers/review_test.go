package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
)

// draftOf puts a moderator's draft #7 in memStore.
func draftOf(t *testing.T, s *memStore) redaktor.Post {
	t.Helper()
	post, err := redaktor.NewPost("7", "1", redaktor.Actor{UserID: modID, Name: "Ирина", Role: redaktor.RoleModerator},
		redaktor.Content{Text: "Субботник в субботу в 10:00."}, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s.posts[post.ID] = post
	return post
}

// The author submits their draft: it waits for review, the press is
// answered, and the chief editor gets the preview and a review card.
func TestSubmitTellsTheChiefEditor(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	post := draftOf(t, s)
	d, tg := newTestDesk(t, s)
	if err := d.Handle(context.Background(), pressOf(s, modID, postData(btnSubmit, post))); err != nil {
		t.Fatal(err)
	}
	ru := d.texts.For("ru")
	if got := s.posts["7"].Status; got != redaktor.StatusPending {
		t.Errorf("post is %s, want pending", got)
	}
	if len(tg.answers) != 1 || tg.answers[0] != ru.T("submitted") {
		t.Errorf("answered %q, want %q", tg.answers, ru.T("submitted"))
	}
	if len(tg.content) != 1 || tg.content[0] != chiefID {
		t.Errorf("previews to %v, want the chief editor", tg.content)
	}
	var card sent
	for _, m := range tg.texts {
		if m.chat == modID {
			t.Errorf("the author was sent %q", m.text)
		}
		if m.kb != nil {
			card = m
		}
	}
	if card.chat != chiefID || !strings.Contains(buttonLabels(card), ru.T("btn_approve_slot")) {
		t.Errorf("review card %q to %d with %q, want the chief editor's with approval", card.text, card.chat, buttonLabels(card))
	}
}

// A press on a card drawn before the post moved on changes nothing and
// says what happened since.
func TestStaleCardPressChangesNothing(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	stale := draftOf(t, s)
	post := stale
	post.Rev++ // it moved on since the card was drawn
	post.Turn = post.Rev
	s.posts[post.ID] = post
	d, tg := newTestDesk(t, s)
	if err := d.Handle(context.Background(), pressOf(s, modID, postData(btnDelete, stale))); err != nil {
		t.Fatal(err)
	}
	if n := s.count("SavePost"); n != 0 {
		t.Errorf("saved %d times, want none", n)
	}
	if s.posts["7"].Status != redaktor.StatusDraft {
		t.Errorf("post is %s, want still a draft", s.posts["7"].Status)
	}
	if want := d.review.staleAnswer(d.texts.For("ru"), post, s.page, modID); len(tg.answers) != 1 || tg.answers[0] != want {
		t.Errorf("answered %q, want %q", tg.answers, want)
	}
}

// Approving for the next free slot when the queue cannot be read returns
// the error for the intake to handle the press again: the chief editor is
// not told the queue is full, and the post waits unchanged for the retry.
func TestApproveForNextSlotWhenQueueUnreadIsHandledAgain(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	post := draftOf(t, s)
	post.Status = redaktor.StatusPending
	s.posts[post.ID] = post
	d, tg := newTestDesk(t, s)
	down := errors.New("redis: i/o timeout")
	s.fail["ScheduledTimes"] = down
	u := pressOf(s, chiefID, postData(btnApproveSlot, post))
	if err := d.Handle(context.Background(), u); !errors.Is(err, down) {
		t.Fatalf("Handle: %v, want the store's error", err)
	}
	if len(tg.answers) != 0 || s.count("SavePost") != 0 {
		t.Fatalf("answered %q after %d saves, want no answer and the post unchanged", tg.answers, s.count("SavePost"))
	}
	delete(s.fail, "ScheduledTimes")
	if err := d.Handle(context.Background(), u); err != nil { // the intake's retry
		t.Fatalf("handled again: %v", err)
	}
	if got := s.posts[post.ID].Status; got != redaktor.StatusScheduled {
		t.Errorf("post is %s after the retry, want scheduled", got)
	}
}

// A proposed time that passed while the card still showed it (no reminder
// moved the post on) is refused with the reason, and nothing is saved.
func TestApproveForAProposedTimeThatPassed(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	post := draftOf(t, s)
	post.Status = redaktor.StatusPending
	post.ProposedAt = time.Date(2026, 11, 26, 8, 30, 0, 0, time.UTC) // the desk's clock says 9:00
	s.posts[post.ID] = post
	d, tg := newTestDesk(t, s)
	if err := d.Handle(context.Background(), pressOf(s, chiefID, postData(btnApproveProposed, post))); err != nil {
		t.Fatal(err)
	}
	want := d.texts.For("ru").T("proposed_passed_answer", map[string]any{"When": "26.11 11:30"}) // the page is in Moscow
	if len(tg.answers) != 1 || tg.answers[0] != want {
		t.Errorf("answered %q, want %q", tg.answers, want)
	}
	if n := s.count("SavePost"); n != 0 || s.posts[post.ID].Status != redaktor.StatusPending {
		t.Errorf("saved %d times, post is %s; want it still pending", n, s.posts[post.ID].Status)
	}
	// A moderator forging the press is refused as such, whatever the time.
	tg.answers = nil
	if err := d.Handle(context.Background(), pressOf(s, modID, postData(btnApproveProposed, post))); err != nil {
		t.Fatal(err)
	}
	if len(tg.answers) != 1 || tg.answers[0] != d.texts.For("ru").T("not_allowed") {
		t.Errorf("the moderator was answered %q", tg.answers)
	}
}

// A reminder saved between the read of a press and its save changes
// nothing the person acted on: the change is made on the post as it is
// then, not refused as stale. Any other change in that moment is refused.
func TestAReminderBetweenReadAndSaveIsNoConflict(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		action  redaktor.Change
		applied bool
	}{
		{"a reminder", redaktor.Change{Action: redaktor.ActRemind, Actor: redaktor.System}, true},
		{"a request for changes", redaktor.Change{Action: redaktor.ActRequestChanges, Comment: "фото",
			Actor: redaktor.Actor{UserID: chiefID, Name: "Анна", Role: redaktor.RoleChief}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newMemStore()
			post := draftOf(t, s)
			post.Status = redaktor.StatusPending
			s.posts[post.ID] = post
			s.beforeSave = func(posts map[string]redaktor.Post) {
				next, _, err := redaktor.Apply(posts[post.ID], tc.action, post.UpdatedAt)
				if err != nil {
					t.Error(err)
				}
				posts[post.ID] = next
			}
			d, tg := newTestDesk(t, s)
			if err := d.Handle(context.Background(), pressOf(s, modID, postData(btnWithdraw, post))); err != nil {
				t.Fatal(err)
			}
			got := s.posts[post.ID]
			if withdrawn := got.Status == redaktor.StatusDraft; withdrawn != tc.applied {
				t.Fatalf("after %s the post is %s; want withdrawn %v", tc.name, got.Status, tc.applied)
			}
			if !tc.applied {
				return
			}
			want := d.texts.For("ru").T("withdrawn", map[string]any{"ID": post.ID})
			if len(tg.answers) != 1 || tg.answers[0] != want {
				t.Fatalf("answered %q, want %q", tg.answers, want)
			}
		})
	}
}
