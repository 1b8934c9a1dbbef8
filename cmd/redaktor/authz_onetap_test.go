package main

import (
	"time"

	"github.com/redaktor/redaktor"
)

// Rows and fixtures of the authorization table for one-tap approval
// (issue 13).

// approveProposedRow approves a pending post for the time its author
// proposed with it.
func approveProposedRow() authzRow {
	row := postPress("aq", "approve for the proposed time · pending", redaktor.StatusPending, chiefs, changed, "Одобрено").telling(authorOnly)
	row.prep = pendingProposed
	return row
}

// pendingProposed is a post of page A that its author submitted with a
// proposed time two days ahead.
func pendingProposed(w *world, _ persona) fixture {
	post := w.newPost(redaktor.StatusDraft)
	now := w.d.clock.Now()
	author := redaktor.Actor{UserID: authorID, Name: "Мария", Role: redaktor.RoleModerator}
	next, ev, err := redaktor.Apply(post, redaktor.Change{Action: redaktor.ActSubmit, Actor: author, At: now.Add(48 * time.Hour)}, now)
	if err != nil {
		w.d.t.Fatalf("fixture submit: %v", err)
	}
	if err := w.st.SavePost(ctxT, post, next, ev); err != nil {
		w.d.t.Fatalf("save fixture: %v", err)
	}
	return fixture{post: next}
}
