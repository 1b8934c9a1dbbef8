package handlers

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// After publication: for 48 hours a published post's card offers Edit and
// Delete to its author and the chief editors. A chief editor's edit and
// every removal are stored with a job (storage/afterpub.go) that
// afterpub_run.go carries to the channel and the subscribers; a
// moderator's edit waits on the post for a chief editor, like a draft.

// Buttons of a published post (post buttons: act:postID:rev:pageID).
const (
	btnEditPub     = "pe" // edit the text: asks for it
	btnRemovePub   = "pd" // take the post down: asks for a reason
	btnRemoveErr   = "x1" // take it down: a mistake in the post
	btnRemoveOld   = "x2" // … it is no longer true
	btnRemoveTwice = "x3" // … it was published twice
	btnApproveEdit = "ea" // apply a moderator's edit
	btnEditChanges = "ec" // send it back with a comment
	btnEditReject  = "er" // refuse it with a comment
)

var afterpubButtons = map[string]bool{
	btnEditPub: true, btnRemovePub: true, btnRemoveErr: true, btnRemoveOld: true, btnRemoveTwice: true,
	btnApproveEdit: true, btnEditChanges: true, btnEditReject: true,
}

// removeReasons are the short reasons offered, by button.
var removeReasons = map[string]string{btnRemoveErr: "ap_reason_error", btnRemoveOld: "ap_reason_old", btnRemoveTwice: "ap_reason_twice"}

// afterpubStore is what editing and taking down published posts keeps.
type afterpubStore interface {
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	SetSession(ctx context.Context, userID int64, se redaktor.Session) error
	SaveAfterPub(ctx context.Context, old, next redaktor.Post, ev redaktor.Event, job redaktor.AfterPubJob) error
	afterpubJobs
}

// AfterPub edits and takes down published posts.
type AfterPub struct {
	*news
	review *Review
	store  afterpubStore
	// tg edits and deletes; nil when the Telegram client cannot (the
	// desk's unit tests): the buttons are then not offered.
	tg   afterpubTelegram
	kick chan struct{}
}

func newAfterPub(n *news, review *Review, store afterpubStore, tg Telegram) *AfterPub {
	a := &AfterPub{news: n, review: review, store: store, kick: make(chan struct{}, 1)}
	if t, ok := tg.(afterpubTelegram); ok {
		a.tg = t
	}
	return a
}

// onPress handles the buttons of a published post. The role on the post's
// page, the revision and the 48 hours are checked on every press.
func (a *AfterPub) onPress(ctx context.Context, p who, pr press, read *pressedView) (string, error) {
	v, err := a.review.pressedPost(ctx, p, pr, read)
	if isNotFound(err) {
		return p.t.T("button_stale"), nil
	}
	if err != nil {
		return "", err
	}
	post, page := v.Post, v.Page
	actor := redaktor.Actor{UserID: p.ID, Name: p.Name, Role: v.Role}
	if actor.Role == "" || !redaktor.MayRead(post, actor) || a.tg == nil {
		return p.t.T("not_allowed"), nil
	}
	if !post.Current(pr.rev) {
		a.refreshCards(ctx, post, page)
		return a.staleAnswer(p.t, post, page, p.ID), nil
	}
	if post.Status == redaktor.StatusPublished && !post.Changeable(a.now()) {
		a.refreshCards(ctx, post, page) // the buttons go
		return p.t.T("ap_too_late"), nil
	}
	switch pr.act {
	case btnEditPub:
		action := redaktor.ActProposeEdit
		if actor.Role == redaktor.RoleChief {
			action = redaktor.ActEditPublished
		}
		return a.ask(ctx, p, post, redaktor.Change{Action: action, Actor: actor}, redaktor.SessionEditPublished, a.editPrompt(p.t, post))
	case btnRemovePub:
		return a.askReason(ctx, p, post, actor)
	case btnRemoveErr, btnRemoveOld, btnRemoveTwice:
		return "", a.remove(ctx, p, post, actor, p.t.T(removeReasons[pr.act]))
	case btnApproveEdit:
		_, ok, err := a.review.changeSaving(ctx, p, post, redaktor.Change{Action: redaktor.ActApproveEdit, Actor: actor},
			a.saveWithJob(redaktor.OpEdit, p.ID))
		if !ok {
			return "", err
		}
		a.Kick()
		if post.Revised != nil && post.Revised.By != p.ID {
			a.notifyUser(ctx, post.Revised.By, "ap_notify_edit_approved", map[string]any{"ID": post.ID, "Name": p.Name})
		}
		return p.t.T("ap_editing"), nil
	case btnEditChanges:
		return a.ask(ctx, p, post, redaktor.Change{Action: redaktor.ActEditChanges, Actor: actor}, redaktor.SessionEditChanges, p.t.T("ask_changes", map[string]any{"ID": post.ID}))
	case btnEditReject:
		return a.ask(ctx, p, post, redaktor.Change{Action: redaktor.ActRejectEdit, Actor: actor}, redaktor.SessionEditReject, p.t.T("ap_ask_edit_reject", map[string]any{"ID": post.ID}))
	}
	return p.t.T("button_stale"), nil
}

// ask checks with a dry run that the change may happen, then waits for
// the person's text.
func (a *AfterPub) ask(ctx context.Context, p who, post redaktor.Post, probe redaktor.Change, kind redaktor.SessionKind, prompt string) (string, error) {
	probe.Comment = "-"
	c := post.Content
	c.Text = "-"
	probe.Content = &c
	if _, _, err := redaktor.Apply(post, probe, a.now()); err != nil {
		return a.refused(p.t, err, post), nil
	}
	se := redaktor.Session{Kind: kind, PostID: post.ID, Rev: post.Rev, PageID: post.PageID}
	if err := a.store.SetSession(ctx, p.ID, se); err != nil {
		return "", err
	}
	a.reply(ctx, p, prompt+"\n"+p.t.T("cancel_hint"))
	return "", nil
}

func (a *AfterPub) refused(t tr, err error, post redaktor.Post) string {
	if errors.Is(err, redaktor.ErrTooLate) {
		return t.T("ap_too_late")
	}
	return refusal(t, err, post)
}

func (a *AfterPub) editPrompt(t tr, post redaktor.Post) string {
	key := "ap_ask_text"
	if post.Content.HasMedia() {
		key = "ap_ask_caption"
	}
	s := t.T(key, map[string]any{"ID": post.ID})
	if post.Content.HasMedia() {
		s += "\n" + t.T("ap_media_later")
	}
	return s
}

// askReason asks whether to take the post down, and why: a short reason
// is one press, a typed one is the answer.
func (a *AfterPub) askReason(ctx context.Context, p who, post redaktor.Post, actor redaktor.Actor) (string, error) {
	if _, _, err := redaktor.Apply(post, redaktor.Change{Action: redaktor.ActRemove, Actor: actor}, a.now()); err != nil {
		return a.refused(p.t, err, post), nil
	}
	se := redaktor.Session{Kind: redaktor.SessionRemoveReason, PostID: post.ID, Rev: post.Rev, PageID: post.PageID}
	if err := a.store.SetSession(ctx, p.ID, se); err != nil {
		return "", err
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, act := range []string{btnRemoveErr, btnRemoveOld, btnRemoveTwice} {
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			p.t.T("ap_btn_remove_because", map[string]any{"Reason": p.t.T(removeReasons[act])}), postData(act, post))))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	a.send(ctx, p.ID, p.t.T("ap_ask_remove", map[string]any{"ID": post.ID})+"\n"+p.t.T("cancel_hint"), &kb)
	return "", nil
}

// saveWithJob stores a change together with the job that carries it out.
func (a *AfterPub) saveWithJob(op redaktor.AfterPubOp, by int64) func(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error {
	return func(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error {
		return a.store.SaveAfterPub(ctx, old, next, ev, redaktor.AfterPubJob{Op: op, By: by})
	}
}

// remove takes the post down with a reason; the job does the rest. An
// error is a failure to store it (nothing changed): the intake handles
// the update again.
func (a *AfterPub) remove(ctx context.Context, p who, post redaktor.Post, actor redaktor.Actor, reason string) error {
	_, ok, err := a.review.changeSaving(ctx, p, post, redaktor.Change{Action: redaktor.ActRemove, Actor: actor, Comment: reason},
		a.saveWithJob(redaktor.OpRemove, p.ID))
	if err != nil {
		return err
	}
	if ok {
		a.endSession(ctx, p)
		a.Kick()
		a.reply(ctx, p, p.t.T("ap_removing", map[string]any{"ID": post.ID}))
	}
	return nil
}

// onAnswer takes the text a published post's button asked for.
func (a *AfterPub) onAnswer(ctx context.Context, p who, se redaktor.Session, m *tgbotapi.Message) error {
	post, err := a.store.Post(ctx, se.PostID)
	if isNotFound(err) {
		a.endSession(ctx, p)
		a.reply(ctx, p, p.t.T("button_stale"))
		return nil
	}
	if err != nil {
		return err
	}
	actor, page, err := a.review.actor(ctx, p, post)
	if err != nil {
		return err
	}
	if !post.Current(se.Rev) {
		a.endSession(ctx, p)
		a.reply(ctx, p, a.staleAnswer(p.t, post, page, p.ID))
		return nil
	}
	if !post.Changeable(a.now()) {
		a.endSession(ctx, p)
		a.reply(ctx, p, p.t.T("ap_too_late"))
		return nil
	}
	if actor.Role == "" || !redaktor.MayRead(post, actor) || a.tg == nil {
		a.endSession(ctx, p)
		a.reply(ctx, p, p.t.T("not_allowed"))
		return nil
	}
	text := strings.TrimSpace(m.Text)
	switch se.Kind {
	case redaktor.SessionEditPublished:
		return a.onNewText(ctx, p, post, page, actor, m)
	case redaktor.SessionRemoveReason:
		if text == "" {
			a.reply(ctx, p, p.t.T("answer_text_expected")+"\n"+p.t.T("cancel_hint"))
			return nil
		}
		return a.remove(ctx, p, post, actor, limitRunes(text, 300))
	case redaktor.SessionEditChanges, redaktor.SessionEditReject:
		if text == "" {
			a.reply(ctx, p, p.t.T("answer_text_expected")+"\n"+p.t.T("cancel_hint"))
			return nil
		}
		action, _ := se.Kind.Action()
		proposer := post.Revised
		_, ok, err := a.review.change(ctx, p, post, redaktor.Change{Action: action, Actor: actor, Comment: limitRunes(text, 1000)})
		if err != nil {
			return err
		}
		a.endSession(ctx, p)
		if ok && proposer != nil {
			key := "ap_notify_edit_changes"
			if action == redaktor.ActRejectEdit {
				key = "ap_notify_edit_rejected"
			}
			a.notifyUser(ctx, proposer.By, key, map[string]any{"ID": post.ID, "Name": p.Name, "Comment": limitRunes(text, 1000)})
			a.reply(ctx, p, p.t.T("verdict_sent"))
		}
		return nil
	}
	a.endSession(ctx, p)
	return nil
}

// onNewText takes a published post's new text: a chief editor's replaces
// it at once, a moderator's goes to the chief editors.
func (a *AfterPub) onNewText(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, actor redaktor.Actor, m *tgbotapi.Message) error {
	got, _ := bot.ContentOf(m)
	if got.HasMedia() || strings.TrimSpace(got.Text) == "" {
		a.reply(ctx, p, p.t.T("ap_text_only")+"\n"+p.t.T("ap_media_later")+"\n"+p.t.T("cancel_hint"))
		return nil
	}
	next := post.Content
	next.Text, next.Entities = got.Text, got.Entities
	if _, caption := bodyMessage(post); caption && redaktor.UTF16Len(next.Text) > redaktor.CaptionLimit {
		a.reply(ctx, p, p.t.T("ap_caption_too_long", map[string]any{"Count": redaktor.UTF16Len(next.Text), "Limit": redaktor.CaptionLimit})+"\n"+p.t.T("cancel_hint"))
		return nil
	}
	if next.Text == post.Content.Text && slices.Equal(next.Entities, post.Content.Entities) {
		a.reply(ctx, p, p.t.T("ap_same_text")+"\n"+p.t.T("cancel_hint"))
		return nil
	}
	if actor.Role == redaktor.RoleChief {
		_, ok, err := a.review.changeSaving(ctx, p, post, redaktor.Change{Action: redaktor.ActEditPublished, Actor: actor, Content: &next},
			a.saveWithJob(redaktor.OpEdit, p.ID))
		if err != nil {
			return err
		}
		a.endSession(ctx, p)
		if ok {
			a.Kick()
			a.reply(ctx, p, p.t.T("ap_editing"))
		}
		return nil
	}
	proposed, ok, err := a.review.change(ctx, p, post, redaktor.Change{Action: redaktor.ActProposeEdit, Actor: actor, Content: &next})
	if err != nil {
		return err
	}
	a.endSession(ctx, p)
	if ok {
		a.notifyEditProposed(ctx, proposed, page)
		a.reply(ctx, p, p.t.T("ap_edit_sent", map[string]any{"ID": post.ID}))
	}
	return nil
}

// notifyEditProposed shows the chief editors a moderator's edit: the card
// shows the new text against the published one.
func (a *AfterPub) notifyEditProposed(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	for _, c := range a.chiefs(ctx, post.PageID) {
		if post.Revised != nil && c.ID == post.Revised.By {
			continue
		}
		a.reply(ctx, c, c.t.T("ap_notify_proposed", map[string]any{"ID": post.ID, "Name": c.t.Person(post.Revised.Name), "Page": page.Title}))
		a.showPostTo(ctx, c, post, page, false)
	}
}

// notifyUser tells a person of the team something, in their language.
func (a *AfterPub) notifyUser(ctx context.Context, userID int64, key string, data map[string]any) {
	u, ok := a.userToTell(ctx, userID)
	if !ok {
		return
	}
	a.send(ctx, u.ID, a.texts.For(u.Lang).T(key, data), nil)
}

// Kick makes the runner look for jobs now.
func (a *AfterPub) Kick() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// bodyMessage is which of a published post's messages holds its text, and
// whether as a caption: the text message of a text post, the text sent
// after the media when the caption was too long, else the caption of the
// first media item.
func bodyMessage(post redaktor.Post) (messageID int, caption bool) {
	return bodyOf(post.Content, post.MessageIDs)
}

func bodyOf(c redaktor.Content, ids []int) (messageID int, caption bool) {
	if len(ids) == 0 {
		return 0, false
	}
	ids = slices.Sorted(slices.Values(ids))
	switch {
	case !c.HasMedia():
		return ids[0], false
	case len(ids) > len(c.Media):
		return ids[len(ids)-1], false
	}
	return ids[0], true
}

// changeUntil is when the post can no longer be changed.
func changeUntil(post redaktor.Post) time.Time { return post.PublishedAt.Add(redaktor.ChangeWindow) }
