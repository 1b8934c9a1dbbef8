package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// Fixtures and checks of the authorization table's rows for the page's
// channel, invites, log, the admin's buttons and /forgetme (issue 10).

// freshPerson is a new person the bot has never heard of, who can press
// and write (a stand-in, a team member acted on).
func (w *world) freshPerson() int64 {
	id := 9000 + w.nextMember.Add(1)
	w.d.tg.AddUser(id, "Участник", "", "ru")
	w.users[id] = tgbotapi.User{ID: id, FirstName: "Участник", LanguageCode: "ru"}
	return id
}

// someoneToForget is a fresh person of p's kind with something the bot
// keeps about them: a session (what it waits for) for everyone, and a
// subscription, a place on page A's team, a draft, a removal. The chief
// editors of A and B act themselves (each is their page's only one, so
// they are refused and nothing changes), and so does the admin.
func someoneToForget(w *world, p persona) fixture {
	var f fixture
	switch p {
	case pChief, pOtherChief:
		return f
	case pAdmin:
		f.before = w.user(p)
		w.setSession(p, redaktor.Session{Kind: "slots", PageID: w.pageA})
		return f
	case pStranger:
		f.as = w.freshPerson()
	case pSubscriber:
		f.as = w.freshPerson()
		if _, err := w.st.Subscribe(ctxT, w.pageA, f.as, false); err != nil {
			w.d.t.Fatalf("subscribe: %v", err)
		}
	case pModerator:
		f.as = w.newMember(redaktor.RoleModerator)
	case pAuthor, pRemoved:
		f.as = w.newMember(redaktor.RoleModerator)
		f.post = w.newPostBy(f.as, "Участник", redaktor.StatusDraft)
		if p == pRemoved {
			if err := w.st.RemoveMember(ctxT, w.pageA, f.as); err != nil {
				w.d.t.Fatalf("remove member: %v", err)
			}
		}
	}
	if err := w.st.SetSession(ctxT, f.as, redaktor.Session{Kind: "slots", PageID: w.pageA}); err != nil {
		w.d.t.Fatalf("set session: %v", err)
	}
	return f
}

// forgetMe is /forgetme and then «Удалить всё» on the question.
func forgetMe(w *world, p persona, _ fixture) string {
	return w.say(p, "/forgetme") + w.forge(p, "fg:yes")
}

// forgotten: nothing the fixture gave the person is left: no record, no
// session, no subscription, no place on a team, no draft.
func forgotten(w *world, p persona, f fixture) bool {
	id := w.id(p)
	_, err := w.st.User(ctxT, id)
	if err != nil && !errors.Is(err, redaktor.ErrNotFound) {
		w.d.t.Fatalf("read user: %v", err)
	}
	_, waiting := w.session(p)
	gone := errors.Is(err, redaktor.ErrNotFound) && !waiting && !w.subscribed(p) &&
		!w.role(w.pageA, id).Valid() && !w.role(w.pageB, id).Valid()
	if f.post.ID != "" {
		_, err := w.st.Post(ctxT, f.post.ID)
		gone = gone && errors.Is(err, redaktor.ErrNotFound)
	}
	return gone
}

// rememberAdmin gives the admin back the record /forgetme deleted (the
// program keeps them an admin: ADMIN_IDS), with page A as their current
// page, for the rows after.
func rememberAdmin(w *world, p persona, f fixture) {
	if p != pAdmin {
		return
	}
	if err := w.st.SaveUser(ctxT, f.before.(redaktor.User)); err != nil {
		w.d.t.Fatalf("save user: %v", err)
	}
}

// footprint is what the bot keeps of the person, as one comparable string.
func footprint(w *world, p persona) fixture {
	return fixture{before: w.footprintOf(p)}
}

func (w *world) footprintOf(p persona) string {
	return fmt.Sprint(w.user(p), w.role(w.pageA, w.id(p)), w.role(w.pageB, w.id(p)), w.subscribed(p), len(w.postsOf(p)))
}

// keptAll: the press took nothing away.
func keptAll(w *world, p persona, f fixture) bool { return w.footprintOf(p) == f.before.(string) }

// channelLinked gives page A the test channel.
func channelLinked(w *world, _ persona) fixture {
	if _, err := w.st.LinkChannel(ctxT, w.pageA, redaktor.Channel{ID: channel, Title: "МБОУ СОШ №4 г. Усмани", Username: "usman_school4"}); err != nil {
		w.d.t.Fatalf("link channel: %v", err)
	}
	return fixture{}
}

// forgeUnlink presses /channel's Unlink for page A's channel.
func forgeUnlink(w *world, p persona, _ fixture) string {
	return w.forge(p, "cu:"+w.pageA+":"+strconv.FormatInt(channel, 10))
}

// openInvite is an invite to page A that the chief editor made and nobody
// used; its code is the fixture's before.
func openInvite(w *world, _ persona) fixture {
	code := fmt.Sprintf("authzvr%09d", w.nextMember.Add(1))
	now := w.d.clock.Now()
	if err := w.st.SaveInvite(ctxT, redaktor.Invite{Code: code, PageID: w.pageA, Role: redaktor.RoleModerator,
		CreatedBy: chief, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		w.d.t.Fatalf("save invite: %v", err)
	}
	return fixture{before: code}
}

// forgeRevoke presses Revoke on page A's open invite; the chief editor of
// page B puts their own page into the data.
func forgeRevoke(w *world, p persona, f fixture) string {
	page := w.pageA
	if p == pOtherChief {
		page = w.pageB
	}
	return w.forge(p, "vr:"+page+":"+f.before.(string))
}

// inviteRevoked: the invite no longer lets anyone in (tried by a newcomer
// in storage; were it not revoked, they join page A, which changes nothing
// later rows look at).
func inviteRevoked(w *world, _ persona, f fixture) bool {
	_, err := w.st.Redeem(ctxT, f.before.(string), w.freshPerson(), w.d.clock.Now())
	return errors.Is(err, redaktor.ErrInviteRevoked)
}

// csvsBefore counts the log files the person was sent.
func csvsBefore(w *world, p persona) fixture { return fixture{before: w.csvs(p)} }

func (w *world) csvs(p persona) int {
	n := 0
	for _, c := range w.d.tg.Calls("sendDocument") {
		if c.ChatID == w.id(p) && strings.Contains(string(c.Uploads["document"]), "время,кто,действие") {
			n++
		}
	}
	return n
}

// csvSent: the person got the log as a CSV file.
func csvSent(w *world, p persona, f fixture) bool { return w.csvs(p) > f.before.(int) }

// chiefInvitesBefore counts page A's open chief editor invites the person made.
func chiefInvitesBefore(w *world, p persona) fixture { return fixture{before: w.chiefInvites(p)} }

func (w *world) chiefInvites(p persona) int {
	open, err := w.st.OpenInvites(ctxT, w.pageA, w.d.clock.Now())
	if err != nil {
		w.d.t.Fatalf("open invites: %v", err)
	}
	n := 0
	for _, inv := range open {
		if inv.Role == redaktor.RoleChief && inv.CreatedBy == w.id(p) {
			n++
		}
	}
	return n
}

// newChiefInvite: page A has one more open chief editor invite, made by
// the person.
func newChiefInvite(w *world, p persona, f fixture) bool { return w.chiefInvites(p) > f.before.(int) }

// renameBack gives page A its title back.
func renameBack(w *world, _ persona, _ fixture) {
	w.updatePageA(redaktor.AuditRenamed, func(pg *redaktor.Page) bool {
		changed := pg.Title != titleA
		pg.Title = titleA
		return changed
	})
}

// archiveA archives page A in storage (nobody is told).
func archiveA(w *world, _ persona) fixture {
	w.updatePageA(redaktor.AuditArchived, func(pg *redaktor.Page) bool {
		pg.Archived, pg.ArchivedAt = true, w.d.clock.Now()
		return true
	})
	return fixture{}
}

// restoreA takes page A out of the archive, if it is there.
func restoreA(w *world, _ persona, _ fixture) {
	w.updatePageA(redaktor.AuditRestored, func(pg *redaktor.Page) bool {
		was := pg.Archived
		pg.Archived, pg.ArchivedAt = false, time.Time{}
		return was
	})
}

func (w *world) updatePageA(action redaktor.AuditAction, change func(pg *redaktor.Page) bool) {
	entry := redaktor.AuditEntry{At: w.d.clock.Now(), ActorID: admin, Action: action}
	if _, err := w.st.UpdatePage(ctxT, w.pageA, entry, change); err != nil {
		w.d.t.Fatalf("update page: %v", err)
	}
}
