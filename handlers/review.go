package handlers

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// reviewStore is what reviewing posts keeps in Redis.
type reviewStore interface {
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	SavePost(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error
	SetSession(ctx context.Context, userID int64, se redaktor.Session) error
	ScheduledTimes(ctx context.Context, pageID string, from, to time.Time) (map[int64]bool, error)
	PendingPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error)
	QueuedPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error)
	EditPage(ctx context.Context, pageID string, change func(p *redaktor.Page) bool) (redaktor.Page, error)
}

// Review is the way of a post from draft to the queue: the buttons of its
// card, the answers they ask for (a time, a comment), the chief editor's
// lists (/pending, /queue) and the page's posting slots (/slots).
type Review struct {
	*news
	store reviewStore
}

// pressedView is a post button's post as read with the person.
type pressedView struct {
	v   redaktor.PostView
	err error
}

// actor is the person as they stand on the post's page.
// actor is the person as they stand on the post's page.
func (r *Review) actor(ctx context.Context, p who, post redaktor.Post) (redaktor.Actor, redaktor.Page, error) {
	page, role, err := r.base.store.Membership(ctx, post.PageID, p.ID)
	if err != nil {
		return redaktor.Actor{}, redaktor.Page{}, err
	}
	return redaktor.Actor{UserID: p.ID, Name: p.Name, Role: role}, page, nil
}

// pressedPost is the post of a post button with its page and the
// person's role there (and its history for History): read with the
// person when the button names the page, as every card drawn now does.
func (r *Review) pressedPost(ctx context.Context, p who, pr press, read *pressedView) (redaktor.PostView, error) {
	if read != nil {
		return read.v, read.err
	}
	post, err := r.store.Post(ctx, pr.postID)
	if err != nil {
		return redaktor.PostView{}, err
	}
	actor, page, err := r.actor(ctx, p, post)
	return redaktor.PostView{Post: post, Page: page, Role: actor.Role}, err
}

func (r *Review) onOpen(ctx context.Context, p who, postID string) (string, error) {
	post, err := r.store.Post(ctx, postID)
	if isNotFound(err) {
		return p.t.T("button_stale"), nil
	}
	if err != nil {
		return "", err
	}
	actor, page, err := r.actor(ctx, p, post)
	if err != nil {
		return "", err
	}
	if !redaktor.MayRead(post, actor) {
		return p.t.T("not_allowed"), nil
	}
	r.showPostAs(ctx, p, actor.Role, post, page, true, nil)
	return "", nil
}

// onPostPress handles a post button; messageID is the message pressed on
// (0 when unknown), which a «publish now?» question edits once answered.
func (r *Review) onPostPress(ctx context.Context, p who, pr press, read *pressedView, messageID int) (string, error) {
	v, err := r.pressedPost(ctx, p, pr, read)
	if isNotFound(err) {
		return p.t.T("button_stale"), nil
	}
	if err != nil {
		return "", err
	}
	post, page := v.Post, v.Page
	actor := redaktor.Actor{UserID: p.ID, Name: p.Name, Role: v.Role}
	if actor.Role == "" {
		return p.t.T("not_allowed"), nil
	}
	if pr.act == btnHistory {
		if !redaktor.MayRead(post, actor) {
			return p.t.T("not_allowed"), nil
		}
		return "", r.showHistory(ctx, p, post, page, v.History)
	}
	if !post.Current(pr.rev) {
		r.refreshCards(ctx, post, page)
		answer := r.staleAnswer(p.t, post, page, p.ID)
		if questionAnswer[pr.act] {
			// The «publish now?» question asked about a post that moved on
			// since: it is closed, not left to be pressed again.
			r.closeQuestion(ctx, p, messageID, answer)
		}
		return answer, nil
	}
	switch pr.act {
	case btnSubmit:
		next, ok, err := r.change(ctx, p, post, redaktor.Change{Action: redaktor.ActSubmit, Actor: actor})
		if ok {
			r.notifyChiefs(ctx, next, page)
			return p.t.T("submitted"), nil
		}
		return "", err
	case btnDelete:
		_, ok, err := r.change(ctx, p, post, redaktor.Change{Action: redaktor.ActDelete, Actor: actor})
		if ok {
			return p.t.T("deleted"), nil
		}
		return "", err
	case btnCancel:
		_, ok, err := r.change(ctx, p, post, redaktor.Change{Action: redaktor.ActCancel, Actor: actor})
		if ok {
			r.notifyAuthor(ctx, post, "notify_cancelled", map[string]any{"Name": p.Name})
			return p.t.T("done"), nil
		}
		return "", err
	case btnPublishNow, btnUrgent:
		return r.askPublishNow(ctx, p, post, page, actor, pr.act == btnUrgent)
	case btnNowYes, btnUrgentYes:
		return r.publishNow(ctx, p, post, page, actor, pr.act == btnUrgentYes, messageID)
	case btnNowNo:
		return r.keepFromNow(ctx, p, post, page, actor, messageID)
	case btnApproveProposed:
		return r.approveProposed(ctx, p, post, page, actor)
	case btnWithdraw:
		_, ok, err := r.change(ctx, p, post, redaktor.Change{Action: redaktor.ActWithdraw, Actor: actor})
		if ok {
			return p.t.T("withdrawn", map[string]any{"ID": post.ID}), nil
		}
		return "", err
	case btnRetry:
		_, ok, err := r.change(ctx, p, post, redaktor.Change{Action: redaktor.ActRetry, Actor: actor})
		if ok {
			return p.t.T("publishing_now"), nil
		}
		return "", err
	case btnApproveSlot:
		at, ok, err := r.nextSlot(ctx, page)
		if err != nil {
			return "", err
		}
		if !ok {
			return p.t.T("no_free_slot"), nil
		}
		next, ok, err := r.change(ctx, p, post, redaktor.Change{Action: redaktor.ActApprove, Actor: actor, At: at})
		if !ok {
			return "", err
		}
		r.notifyApproved(ctx, next, page, p)
		return p.t.T("approved_for", map[string]any{"When": formatTime(at, r.pageLoc(page), r.now())}), nil
	case btnApproveAt, btnPropose, btnReschedule, btnChanges, btnReject, btnNewVersion:
		return r.askFor(ctx, p, pr, post, actor)
	}
	return "", nil
}

// askFor checks the press is allowed now, then waits for the person's text.
func (r *Review) askFor(ctx context.Context, p who, pr press, post redaktor.Post, actor redaktor.Actor) (string, error) {
	kinds := map[string]struct {
		session redaktor.SessionKind
		prompt  string
	}{
		btnApproveAt:  {redaktor.SessionApproveAt, "ask_time"},
		btnPropose:    {redaktor.SessionPropose, "ask_time"},
		btnReschedule: {redaktor.SessionReschedule, "ask_time"},
		btnChanges:    {redaktor.SessionRequestChanges, "ask_changes"},
		btnReject:     {redaktor.SessionReject, "ask_reject"},
		btnNewVersion: {redaktor.SessionNewVersion, "ask_new_version"},
	}
	k := kinds[pr.act]
	action, ok := k.session.Action()
	if !ok {
		return "", nil // only the presses listed above come here
	}
	// A dry run of the change tells whether it may happen at all, before the
	// person types anything.
	probe := redaktor.Change{Action: action, Actor: actor, At: r.now().Add(time.Hour), Comment: "-",
		Content: &redaktor.Content{Text: "-"}}
	if _, _, err := redaktor.Apply(post, probe, r.now()); err != nil {
		return refusal(p.t, err, post), nil
	}
	se := redaktor.Session{Kind: k.session, PostID: post.ID, Rev: post.Rev, PageID: post.PageID}
	if err := r.store.SetSession(ctx, p.ID, se); err != nil {
		return "", err
	}
	if pr.act == btnPropose && post.Status == redaktor.StatusDraft {
		k.prompt = "ask_propose" // the time goes with the submission
	}
	prompt := p.t.T(k.prompt, map[string]any{"ID": post.ID})
	if action == redaktor.ActReject {
		prompt += "\n" + p.t.T("ask_reject_final")
	}
	if action == redaktor.ActApprove || action == redaktor.ActReschedule {
		prompt += "\n" + p.t.T("ask_time_urgent_hint")
	}
	r.reply(ctx, p, prompt+"\n"+p.t.T("cancel_hint"))
	return "", nil
}

// onAnswer takes the text a post's button asked for: a time, a comment.
func (r *Review) onAnswer(ctx context.Context, p who, se redaktor.Session, m *tgbotapi.Message) error {
	text := strings.TrimSpace(m.Text)
	if text == "" {
		r.reply(ctx, p, p.t.T("answer_text_expected")+"\n"+p.t.T("cancel_hint"))
		return nil
	}
	post, err := r.store.Post(ctx, se.PostID)
	if isNotFound(err) {
		// Nothing to answer to: the session ends, and the person learns
		// it did not work.
		r.endSession(ctx, p)
		r.log.Warn("the post of a session is gone", "user", p.ID, "post", se.PostID)
		r.reply(ctx, p, p.t.T("error_internal"))
		return nil
	}
	if err != nil {
		return err // the session stays: the answer is taken when handled again
	}
	actor, page, err := r.actor(ctx, p, post)
	if err != nil {
		return err
	}
	// The post may have moved on while the person was typing.
	if !post.Current(se.Rev) {
		r.endSession(ctx, p)
		r.reply(ctx, p, r.staleAnswer(p.t, post, page, p.ID))
		return nil
	}
	var c redaktor.Change
	var moment redaktor.Moment
	action, _ := se.Kind.Action()
	switch se.Kind {
	case redaktor.SessionApproveAt, redaktor.SessionPropose, redaktor.SessionReschedule:
		urgent := false
		if se.Kind != redaktor.SessionPropose { // a chief editor's decision
			text, urgent = urgentWord(r.texts, text)
		}
		var ok bool
		moment, ok = r.parseTimeAnswer(ctx, p, page, text)
		if !ok {
			return nil // the session stays: the person tries again
		}
		if se.Kind == redaktor.SessionPropose && post.Status == redaktor.StatusDraft {
			// A busy moderator expects the time to go with the post: the
			// draft is submitted with it in the same step.
			action = redaktor.ActSubmit
		}
		c = redaktor.Change{Action: action, Actor: actor, At: moment.At, Urgent: urgent}
	case redaktor.SessionRequestChanges, redaktor.SessionReject:
		c = redaktor.Change{Action: action, Actor: actor, Comment: limitRunes(text, 1000)}
	default:
		r.endSession(ctx, p)
		return nil
	}
	next, ok, err := r.change(ctx, p, post, c)
	if err != nil {
		return err // the session stays: the answer is taken when handled again
	}
	r.endSession(ctx, p)
	if !ok {
		return nil
	}
	when := momentText(p.t, moment, r.pageLoc(page), r.now())
	switch c.Action {
	case redaktor.ActApprove, redaktor.ActReschedule:
		r.notifyApproved(ctx, next, page, p)
		reply := p.t.T("approved_for", map[string]any{"When": when})
		if next.Urgent {
			reply += "\n" + p.t.T("approved_urgent")
		}
		r.reply(ctx, p, reply)
	case redaktor.ActSubmit:
		r.notifyChiefs(ctx, next, page)
		r.reply(ctx, p, p.t.T("proposed_submitted", map[string]any{"When": when, "ID": post.ID}))
	case redaktor.ActPropose:
		r.reply(ctx, p, p.t.T("proposed", map[string]any{"When": when}))
	case redaktor.ActRequestChanges, redaktor.ActReject:
		if r.notifyVerdict(ctx, next, page, p) {
			r.reply(ctx, p, p.t.T("verdict_sent"))
		} else {
			r.reply(ctx, p, p.t.T("verdict_author_left"))
		}
	}
	return nil
}

// parseTimeAnswer reads a typed time for a page, answering the person when
// it cannot be used. The moment says whether a bare time was taken for
// tomorrow, which the confirmation must spell out.
func (r *Review) parseTimeAnswer(ctx context.Context, p who, page redaktor.Page, text string) (redaktor.Moment, bool) {
	m, err := redaktor.ParseMoment(text, r.now(), r.pageLoc(page))
	switch {
	case errors.Is(err, redaktor.ErrPastTime):
		r.reply(ctx, p, p.t.T("time_past")+"\n"+p.t.T("time_examples"))
		return m, false
	case errors.Is(err, redaktor.ErrTooFarTime):
		r.reply(ctx, p, p.t.T("time_too_far")+"\n"+p.t.T("time_examples"))
		return m, false
	case err != nil:
		r.reply(ctx, p, p.t.T("time_unreadable")+"\n"+p.t.T("time_examples"))
		return m, false
	}
	return m, true
}

// urgentWord takes the word "срочно" ("urgent") out of a time answer and
// reports whether it was there; either language's word counts, whatever
// the person's Telegram speaks.
func urgentWord(texts *Texts, text string) (string, bool) {
	words := map[string]bool{}
	for _, lang := range []string{"ru", "en"} {
		words[strings.ToLower(texts.For(lang).T("urgent_word"))] = true
	}
	var kept []string
	found := false
	for _, f := range strings.Fields(text) {
		word := strings.ToLower(strings.TrimFunc(f, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }))
		switch {
		case words[word]:
			found = true
		case word == "": // a dash or a bracket left alone
		default:
			kept = append(kept, f)
		}
	}
	return strings.Join(kept, " "), found
}

func limitRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}

// change applies and stores one transition, then brings every card of the
// post up to date. On refusal the person is told why (who acted first, or
// that their role does not allow it) and ok is false; err is a failure to
// store it, which the caller returns (nothing was changed).
func (r *Review) change(ctx context.Context, p who, post redaktor.Post, c redaktor.Change) (redaktor.Post, bool, error) {
	return r.changeSaving(ctx, p, post, c, r.store.SavePost)
}

// changeSaving is change with the store's save given (one that writes
// more in the same step).
func (r *Review) changeSaving(ctx context.Context, p who, post redaktor.Post, c redaktor.Change,
	save func(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error) (redaktor.Post, bool, error) {
	next, ev, err := redaktor.Apply(post, c, r.now())
	if err == nil {
		err = save(ctx, post, next, ev)
	}
	if errors.Is(err, redaktor.ErrConflict) {
		// A reminder saved between the read and the save changed nothing
		// the person acted on: the change is made on the post as it is now.
		if cur, rerr := r.store.Post(ctx, post.ID); rerr == nil && cur.Rev != post.Rev && cur.Current(post.Rev) {
			post = cur
			if next, ev, err = redaktor.Apply(post, c, r.now()); err == nil {
				err = save(ctx, post, next, ev)
			}
		}
	}
	if made, ok := errors.AsType[*redaktor.MadeError](err); ok {
		// The update being handled made a post before (it is handled again
		// after a crash): show that one rather than change this one.
		page := r.pageForShow(ctx, post.PageID)
		return post, false, r.showMade(ctx, p, made.PostID, page)
	}
	refused := errors.Is(err, redaktor.ErrConflict) || errors.Is(err, redaktor.ErrForbidden) || errors.Is(err, redaktor.ErrInvalid)
	if err != nil && !refused {
		return post, false, err
	}
	if refused {
		if errors.Is(err, redaktor.ErrConflict) {
			if cur, rerr := r.store.Post(ctx, post.ID); rerr == nil {
				post = cur
			} else {
				r.log.Warn("read post after a conflict", "post", post.ID, "err", rerr)
			}
		}
		page := r.pageForShow(ctx, post.PageID)
		r.reply(ctx, p, r.refusalFull(p.t, err, post, page, p.ID))
		r.refreshCards(ctx, post, page)
		return post, false, nil
	}
	ctx, cancel := showing(ctx) // the change is saved
	defer cancel()
	page, err := r.base.store.Page(ctx, next.PageID)
	if err != nil {
		// The change is saved; only the cards wait for the next change.
		r.log.Warn("read page to refresh cards", "post", next.ID, "page", next.PageID, "err", err)
		return next, true, nil
	}
	r.refreshCards(ctx, next, page)
	return next, true, nil
}

func refusal(t tr, err error, post redaktor.Post) string {
	switch {
	case errors.Is(err, redaktor.ErrForbidden):
		return t.T("not_allowed")
	case errors.Is(err, redaktor.ErrConflict) && post.Status == redaktor.StatusRejected:
		return t.T("rejected_final_refusal", map[string]any{"ID": post.ID})
	case errors.Is(err, redaktor.ErrConflict):
		return t.T("state_now", map[string]any{"Status": t.T("status_" + string(post.Status))})
	}
	return invalidText(t, err)
}

func (r *Review) refusalFull(t tr, err error, post redaktor.Post, page redaktor.Page, viewer int64) string {
	if errors.Is(err, redaktor.ErrConflict) {
		return r.staleAnswer(t, post, page, viewer)
	}
	return refusal(t, err, post)
}

// nextSlot finds the page's earliest free posting slot; ok is false when
// there is none. A failure to read the queue is returned (the press is
// handled again), not taken for a full queue.
func (r *Review) nextSlot(ctx context.Context, page redaktor.Page) (at time.Time, ok bool, err error) {
	now := r.now()
	slots := page.Slots
	if len(slots) == 0 {
		slots = redaktor.DefaultSlots()
	}
	taken, err := r.store.ScheduledTimes(ctx, page.ID, now, now.AddDate(1, 0, 1))
	if err != nil {
		return time.Time{}, false, err
	}
	at, ok = slots.Next(now, r.pageLoc(page), func(t time.Time) bool { return taken[t.Unix()] })
	return at, ok, nil
}

// cmdPending lists the posts waiting for approval. The whole team sees
// them; only a chief editor gets the buttons that act on them.
func (r *Review) cmdPending(ctx context.Context, p who) error {
	page, role, ok, err := r.memberPage(ctx, p)
	if !ok {
		return err
	}
	list, err := r.store.PendingPosts(ctx, page.ID, 20)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.reply(ctx, p, p.t.T("pending_empty", map[string]any{"Page": page.Title}))
		return nil
	}
	title := p.t.N("pending_title", len(list), map[string]any{"Page": page.Title})
	if role != redaktor.RoleChief {
		r.readOnlyList(ctx, p, title, list, page, role)
		return nil
	}
	r.sendList(ctx, p, title, list)
	return nil
}

// cmdQueue lists scheduled posts in time order, each with Publish now,
// Change time and Cancel for a chief editor; the rest of the team sees
// the list without them.
func (r *Review) cmdQueue(ctx context.Context, p who) error {
	page, role, ok, err := r.memberPage(ctx, p)
	if !ok {
		return err
	}
	list, err := r.store.QueuedPosts(ctx, page.ID, 20)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		r.reply(ctx, p, p.t.T("queue_empty", map[string]any{"Page": page.Title}))
		return nil
	}
	title := p.t.N("queue_title", len(list), map[string]any{"Page": page.Title})
	if role != redaktor.RoleChief {
		r.readOnlyList(ctx, p, title, list, page, role)
		return nil
	}
	var b strings.Builder
	b.WriteString(title)
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, post := range list {
		b.WriteString("\n\n" + r.queueLine(p.t, post, page))
		if !post.FailReason.IsZero() {
			b.WriteString("\n" + p.t.T("card_fail_reason", map[string]any{"Reason": reasonText(p.t, post.FailReason)}))
		}
		switch post.Status {
		case redaktor.StatusScheduled:
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(
				tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_q_publish_now", map[string]any{"ID": post.ID}), postData(btnPublishNow, post)),
				tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_q_reschedule"), postData(btnReschedule, post)),
				tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_q_cancel"), postData(btnCancel, post)),
			))
		case redaktor.StatusFailed:
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(
				tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_retry_id", map[string]any{"ID": post.ID}), postData(btnRetry, post)),
				tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_q_cancel"), postData(btnCancel, post)),
			))
		}
	}
	if len(rows) == 0 {
		r.reply(ctx, p, b.String())
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	r.send(ctx, p.ID, b.String(), &kb)
	return nil
}
