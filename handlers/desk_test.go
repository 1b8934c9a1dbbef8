package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/redaktor/redaktor"
)

// A moderator's message becomes one draft, and they see its preview and
// its card with the buttons of an author: submit, propose, delete.
func TestDraftIsMadeAndItsCardShown(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	d, tg := newTestDesk(t, s)
	if err := d.Handle(context.Background(), message(s, modID, "Субботник в субботу в 10:00, приходите всей семьёй.")); err != nil {
		t.Fatal(err)
	}
	if len(s.created) != 1 || s.created[0].AuthorID != modID || s.created[0].Status != redaktor.StatusDraft {
		t.Fatalf("drafts made: %+v, want one by the moderator", s.created)
	}
	if len(tg.content) != 1 || tg.content[0] != modID {
		t.Errorf("previews sent to %v, want the moderator's chat", tg.content)
	}
	if len(tg.texts) != 1 {
		t.Fatalf("%d messages, want the card only: %+v", len(tg.texts), tg.texts)
	}
	card := tg.texts[0]
	if card.chat != modID || !strings.Contains(card.text, "#7") {
		t.Errorf("card %q to %d, want post #7 to the moderator", card.text, card.chat)
	}
	ru := d.texts.For("ru")
	if labels := buttonLabels(card); !strings.Contains(labels, ru.T("btn_submit")) || strings.Contains(labels, ru.T("btn_approve_slot")) {
		t.Errorf("the author's card has buttons %q: want submit, and no approval", labels)
	}
	if len(s.cards) != 1 || s.cards[0].ChatID != modID {
		t.Errorf("cards remembered: %+v, want the moderator's", s.cards)
	}
}

// A handling cancelled just after the draft was stored (the intake
// cancels its handlers when its liveness lapses, as in a Redis failover)
// still shows the draft: its preview and card go out, and nothing was
// refused that would have the update handled again and the preview shown
// a second time.
func TestDraftStoredIsShownEvenIfTheHandlingIsCancelled(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	d, tg := newTestDesk(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.stored = cancel
	if err := d.Handle(ctx, message(s, modID, "Субботник в субботу в 10:00, приходите всей семьёй.")); err != nil {
		t.Fatal(err)
	}
	if len(s.created) != 1 {
		t.Fatalf("drafts made: %d, want 1", len(s.created))
	}
	if len(tg.content) != 1 {
		t.Errorf("%d previews sent, want 1", len(tg.content))
	}
	if len(tg.texts) != 1 || !strings.Contains(tg.texts[0].text, "#7") {
		t.Errorf("messages %+v, want the card of post #7", tg.texts)
	}
	if len(s.cards) != 1 {
		t.Errorf("cards remembered: %+v, want the moderator's", s.cards)
	}
}

// A moderator pressing a button only a chief editor may press (a card
// forwarded to them, or forged data) is refused, and nothing is written:
// every chief editor's button checks the role on the page it names.
func TestModeratorPressOnChiefButtonIsRefused(t *testing.T) {
	t.Parallel()
	for _, data := range []string{
		"iv:chief:1",            // a new invite
		"vr:1:abcdefghijklmnop", // revoke an invite
		"ad:1", "ac:1",          // the audit log, as text and as CSV
		"sa:1", "sc:1", // subscriber settings
		"cu:1:-1001234567890",      // unlink the channel
		"tm:x:1:200", "tm:m:1:200", // take the chief off the team, or make them moderator
		"ao:1", "ax:1", "ay:1", "aw:1", // the admin's page card, archive, act as chief
	} {
		t.Run(data, func(t *testing.T) {
			t.Parallel()
			s := newMemStore()
			d, tg := newTestDesk(t, s) // memStore has no writes but a draft's: a write panics
			if err := d.Handle(context.Background(), pressOf(s, modID, data)); err != nil {
				t.Fatal(err)
			}
			want := d.texts.For("ru").T("not_allowed")
			if len(tg.answers) != 1 || tg.answers[0] != want {
				t.Errorf("answered %q, want %q", tg.answers, want)
			}
			if len(tg.texts) != 0 {
				t.Errorf("the moderator was sent %+v", tg.texts)
			}
		})
	}
}

// A Redis failure while handling is returned to the intake (which handles
// the update again) and not answered: the person sees no "internal error"
// and no half-done work, and a press stays unanswered for the retry.
func TestTransientStoreErrorIsReturnedNotAnswered(t *testing.T) {
	t.Parallel()
	down := errors.New("dial tcp 127.0.0.1:6379: i/o timeout")
	tests := []struct {
		name   string
		failOn string
	}{
		{"reading the sender", "UserSession"},
		{"starting a draft", "StartDraft"},
		{"storing a draft", "CreatePost"},
		{"reading the team", "Team"},
		{"reading a pressed post", "ReadPress"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newMemStore()
			s.fail[tc.failOn] = down
			d, tg := newTestDesk(t, s)
			u := message(s, modID, "Субботник в субботу.")
			switch tc.failOn {
			case "Team":
				u = message(s, modID, "/team")
			case "ReadPress":
				u = pressOf(s, chiefID, "ap:7:3:1")
			}
			err := d.Handle(context.Background(), u)
			if !errors.Is(err, down) {
				t.Fatalf("Handle: %v, want the store's error", err)
			}
			if len(tg.texts) != 0 || len(tg.content) != 0 || len(tg.answers) != 0 {
				t.Errorf("sent %+v, previews %v, answers %q: want nothing", tg.texts, tg.content, tg.answers)
			}
			if len(s.created) != 0 {
				t.Errorf("drafts made: %+v", s.created)
			}
		})
	}
}

// The team list reads the members with their names in one round trip,
// however large the team: no read per member.
func TestTeamListReadsMembersOnce(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	d, tg := newTestDesk(t, s)
	if err := d.Handle(context.Background(), message(s, chiefID, "/team")); err != nil {
		t.Fatal(err)
	}
	if n, users := s.count("Team"), s.count("User"); n != 1 || users != 0 {
		t.Errorf("read the team %d times and %d people one by one, want once and none", n, users)
	}
	if len(tg.texts) != 1 {
		t.Fatalf("%d messages, want the list", len(tg.texts))
	}
	list := tg.texts[0]
	if !strings.Contains(list.text, "Анна") || !strings.Contains(list.text, "Ирина") {
		t.Errorf("team list %q, want both members by name", list.text)
	}
	ru := d.texts.For("ru")
	if labels := buttonLabels(list); !strings.Contains(labels, ru.T("team_remove", map[string]any{"Name": "Ирина"})) ||
		strings.Contains(labels, ru.T("team_remove", map[string]any{"Name": "Анна"})) {
		t.Errorf("the chief editor's buttons %q: want to remove the moderator, not themselves", labels)
	}
}

// The scheduler's news of a publication reads the chief editors once and
// tells each, and the author.
func TestPublishedTellsChiefsAndAuthorReadingTheTeamOnce(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	d, tg := newTestDesk(t, s)
	post := redaktor.Post{ID: "7", PageID: "1", AuthorID: modID, Status: redaktor.StatusPublished, MessageIDs: []int{42}}
	s.page.ChannelUsername = "usman_school4"
	d.Notifier.Published(context.Background(), post, s.page)
	if n := s.count("Team"); n != 1 {
		t.Errorf("read the team %d times, want once", n)
	}
	to := map[int64]bool{}
	for _, m := range tg.texts {
		to[m.chat] = true
		if !strings.Contains(m.text, "https://t.me/usman_school4/42") {
			t.Errorf("news %q has no link to the post", m.text)
		}
	}
	if len(tg.texts) != 2 || !to[chiefID] || !to[modID] {
		t.Errorf("told %v in %d messages, want the chief editor and the author once each", to, len(tg.texts))
	}
}

// buttonLabels joins a message's button labels.
func buttonLabels(m sent) string {
	if m.kb == nil {
		return ""
	}
	var out []string
	for _, row := range m.kb.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return strings.Join(out, " | ")
}

// Once a press's change is stored, a failure to show it is logged and the
// press answered: handled again, the press would turn the setting back.
func TestStoredChangeIsNotHandledAgain(t *testing.T) {
	t.Parallel()
	s := newMemStore()
	s.fail["SubscribeCode"] = errors.New("read subscribe code: i/o timeout")
	d, tg := newTestDesk(t, s)
	if err := d.Handle(context.Background(), pressOf(s, chiefID, "sa:1")); err != nil {
		t.Fatalf("Handle: %v, want the press handled (the setting is stored)", err)
	}
	if !s.audience.Off || s.count("SetAudience") != 1 {
		t.Errorf("subscribers off=%v after %d writes, want off after one", s.audience.Off, s.count("SetAudience"))
	}
	if want := d.texts.For("ru").T("done"); len(tg.answers) != 1 || tg.answers[0] != want {
		t.Errorf("answered %q, want %q", tg.answers, want)
	}
}
