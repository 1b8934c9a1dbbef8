package main

import (
	"github.com/redaktor/redaktor"
)

// Rows of authzTable for a published post (handlers/afterpub.go): edit
// and take down within 48 hours, a moderator's edit reviewed.

// publishedPost is a post of page A by its author, published now as the
// channel's message 1000+id (page A has no channel here: the channel's
// part of a job fails, which the job reports).
func (w *world) publishedPost() redaktor.Post {
	t := w.d.t
	post := w.newPost(redaktor.StatusScheduled)
	now := w.d.clock.Now()
	for _, c := range []redaktor.Change{{Action: redaktor.ActClaim, Actor: redaktor.System},
		{Action: redaktor.ActPublished, Actor: redaktor.System, MessageIDs: []int{1000 + len(post.ID)}}} {
		next, ev, err := redaktor.Apply(post, c, now)
		if err != nil {
			t.Fatalf("fixture %s: %v", c.Action, err)
		}
		if err := w.st.SavePost(ctxT, post, next, ev); err != nil {
			t.Fatalf("save fixture: %v", err)
		}
		post = next
	}
	return post
}

// editProposed is a published post whose author proposed a new text.
func (w *world) editProposed() redaktor.Post {
	post := w.publishedPost()
	c := post.Content
	c.Text = "Исправленный текст #" + post.ID
	author := redaktor.Actor{UserID: authorID, Name: "Мария", Role: redaktor.RoleModerator}
	next, ev, err := redaktor.Apply(post, redaktor.Change{Action: redaktor.ActProposeEdit, Actor: author, Content: &c}, w.d.clock.Now())
	if err != nil {
		w.d.t.Fatalf("fixture: %v", err)
	}
	if err := w.st.SavePost(ctxT, post, next, ev); err != nil {
		w.d.t.Fatalf("save fixture: %v", err)
	}
	return next
}

func publishedIn(w *world, _ persona) fixture    { return fixture{post: w.publishedPost()} }
func editProposedIn(w *world, _ persona) fixture { return fixture{post: w.editProposed()} }

// onPublished is postPress on a published post; onEditProposed on one
// with an edit waiting.
func onPublished(act, what string, allow who, done func(*world, persona, fixture) bool, saw string) authzRow {
	row := postPress(act, what+" · published", redaktor.StatusPublished, allow, done, saw)
	row.prep = publishedIn
	return row
}

func onEditProposed(act, what string, allow who, done func(*world, persona, fixture) bool, saw string) authzRow {
	row := postPress(act, what+" · published, an edit waits", redaktor.StatusPublished, allow, done, saw)
	row.prep = editProposedIn
	return row
}

// afterpubAnswer is an answer the bot waits for about a published post.
func afterpubAnswer(kind redaktor.SessionKind, what string, prep func(*world, persona) fixture, text string, allow who, saw ...string) authzRow {
	return authzRow{name: "answer: " + what, allow: allow, act: say(text), saw: saw, done: changed,
		prep: func(w *world, p persona) fixture {
			f := prep(w, p)
			w.setSession(p, redaktor.Session{Kind: kind, PostID: f.post.ID, Rev: f.post.Rev, PageID: f.post.PageID})
			return f
		}}
}

// settling waits, once a change was made, for its job to finish and for
// everybody it tells to be told, so that no later row takes it for its
// own doing.
func (r authzRow) settling() authzRow {
	r.after = func(w *world, p persona, f fixture) {
		cur := w.post(f.post.ID)
		if cur.Rev == f.post.Rev || cur.Last.Action == redaktor.ActProposeEdit ||
			cur.Last.Action == redaktor.ActEditChanges || cur.Last.Action == redaktor.ActRejectEdit {
			return // refused, or nothing set going
		}
		told := func(chat int64, parts ...string) func() bool {
			return func() bool { return w.d.count(chat, parts...) > 0 }
		}
		if !waitUntil(told(w.id(p), "Пост #"+f.post.ID+": готово")) {
			w.d.t.Fatalf("the job of post %s never finished:\n%s", f.post.ID, w.d.dump(w.id(p)))
		}
		if w.id(p) == authorID {
			return
		}
		notice := ": изменён текст вашего опубликованного поста #" + f.post.ID
		if cur.Status == redaktor.StatusRemoved {
			notice = ": ваш пост #" + f.post.ID + " удалён"
		}
		if !waitUntil(told(authorID, notice)) {
			w.d.t.Fatalf("the author was not told of post %s:\n%s", f.post.ID, w.d.dump(authorID))
		}
		if cur.Last.Action == redaktor.ActApproveEdit && !waitUntil(told(authorID, ": ваш новый текст поста #"+f.post.ID)) {
			w.d.t.Fatalf("the author was not told the edit of post %s was applied", f.post.ID)
		}
	}
	return r
}

// editors may change a published post: its author and the chief editors.
var editors = authorOnly | chiefs
