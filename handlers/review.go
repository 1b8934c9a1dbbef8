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

// onButton handles a press: parse strictly, check the presser's role on
// the page the item belongs to, and only then act.
func (d *Desk) onButton(ctx context.Context, q *tgbotapi.CallbackQuery) {
	if q.From == nil {
		return
	}
	pr, perr := parsePress(q.Data)
	var p who
	var err error
	var view *pressedView
	if perr == nil && postButtons[pr.act] && pr.pageID != "" && !isSubscriberButton(q.Data) {
		p, view, err = d.readPress(ctx, q.From, pr)
	} else {
		p, err = d.person(ctx, q.From)
	}
	answer := ""
	defer func() {
		if err := d.tg.Answer(ctx, q.ID, answer, answer != ""); err != nil {
			d.log.Debug("answer callback", "err", err)
		}
	}()
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if isSubscriberButton(q.Data) {
		answer = d.subscriberPress(ctx, p, q)
		return
	}
	if isChannelButton(q.Data) {
		answer = d.onChannelPress(ctx, p, q)
		return
	}
	if isForgetButton(q.Data) {
		answer = d.forgetPress(ctx, p, q)
		return
	}
	if perr != nil {
		answer = p.t.T("button_stale")
		return
	}
	messageID := 0
	if q.Message != nil {
		messageID = q.Message.MessageID
	}
	switch {
	case pr.act == btnInvite:
		answer = d.onInvitePress(ctx, p, pr)
	case pr.act == btnTeam:
		answer = d.onTeamPress(ctx, p, pr, messageID)
	case pr.act == btnSwitchPage:
		answer = d.onSwitchPage(ctx, p, pr)
	case pr.act == btnOpen:
		answer = d.onOpen(ctx, p, pr.postID)
	case pr.act == btnQuality:
		answer = d.onQuality(ctx, p, pr.postID)
	case adminButtons[pr.act]:
		answer = d.onAdminPress(ctx, p, pr, messageID)
	case pr.act == btnAudit || pr.act == btnAuditCSV:
		answer = d.onAuditPress(ctx, p, pr)
	case pr.act == btnRevoke:
		answer = d.onRevokePress(ctx, p, pr, messageID)
	default:
		answer = d.onPostPress(ctx, p, pr, view)
	}
}

// pressedView is a post button's post as read with the person.
type pressedView struct {
	v   redaktor.PostView
	err error
}

// readPress reads the person and the post of a post button that names
// its page in one round trip.
func (d *Desk) readPress(ctx context.Context, from *tgbotapi.User, pr press) (who, *pressedView, error) {
	r, err := d.store.ReadPress(ctx, from.ID, pr.postID, pr.pageID, pr.act == btnHistory)
	if err != nil {
		// personOf only builds the person to answer; err is the one reported.
		p, perr := d.personOf(ctx, from, redaktor.User{}, redaktor.Session{}, false, err)
		if perr != nil && !errors.Is(perr, err) {
			d.log.Warn("save person", "user", from.ID, "err", perr)
		}
		return p, nil, err
	}
	p, err := d.personOf(ctx, from, r.User, r.Session, r.Waiting, r.UserErr)
	return p, &pressedView{v: r.View, err: r.ViewErr}, err
}

// actor is the person as they stand on the post's page.
func (d *Desk) actor(ctx context.Context, p who, post redaktor.Post) (redaktor.Actor, redaktor.Page, error) {
	page, role, err := d.store.Membership(ctx, post.PageID, p.ID)
	if err != nil {
		return redaktor.Actor{}, redaktor.Page{}, err
	}
	return redaktor.Actor{UserID: p.ID, Name: p.Name, Role: role}, page, nil
}

// pressedPost is the post of a post button with its page and the
// person's role there (and its history for History): read with the
// person when the button names the page, as every card drawn now does.
func (d *Desk) pressedPost(ctx context.Context, p who, pr press, read *pressedView) (redaktor.PostView, error) {
	if read != nil {
		return read.v, read.err
	}
	post, err := d.store.Post(ctx, pr.postID)
	if err != nil {
		return redaktor.PostView{}, err
	}
	actor, page, err := d.actor(ctx, p, post)
	return redaktor.PostView{Post: post, Page: page, Role: actor.Role}, err
}

func (d *Desk) onOpen(ctx context.Context, p who, postID string) string {
	post, err := d.store.Post(ctx, postID)
	if isNotFound(err) {
		return p.t.T("button_stale")
	}
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	actor, page, err := d.actor(ctx, p, post)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if !redaktor.MayRead(post, actor) {
		return p.t.T("not_allowed")
	}
	d.showPostAs(ctx, p, actor.Role, post, page, true, nil)
	return ""
}

func (d *Desk) onPostPress(ctx context.Context, p who, pr press, read *pressedView) string {
	v, err := d.pressedPost(ctx, p, pr, read)
	if isNotFound(err) {
		return p.t.T("button_stale")
	}
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	post, page := v.Post, v.Page
	actor := redaktor.Actor{UserID: p.ID, Name: p.Name, Role: v.Role}
	if actor.Role == "" {
		return p.t.T("not_allowed")
	}
	if pr.act == btnHistory {
		if !redaktor.MayRead(post, actor) {
			return p.t.T("not_allowed")
		}
		d.showHistory(ctx, p, post, page, v.History)
		return ""
	}
	if pr.rev != post.Rev {
		d.refreshCards(ctx, post, page)
		return d.staleAnswer(p.t, post, page)
	}
	switch pr.act {
	case btnSubmit:
		if next, ok := d.change(ctx, p, post, redaktor.Change{Action: redaktor.ActSubmit, Actor: actor}); ok {
			d.notifyChiefs(ctx, next, page)
			return p.t.T("submitted")
		}
	case btnDelete:
		if _, ok := d.change(ctx, p, post, redaktor.Change{Action: redaktor.ActDelete, Actor: actor}); ok {
			return p.t.T("deleted")
		}
	case btnCancel:
		if _, ok := d.change(ctx, p, post, redaktor.Change{Action: redaktor.ActCancel, Actor: actor}); ok {
			d.notifyAuthor(ctx, post, "notify_cancelled", map[string]any{"Name": p.Name})
			return p.t.T("done")
		}
	case btnPublishNow, btnUrgent:
		urgent := pr.act == btnUrgent
		if next, ok := d.change(ctx, p, post, redaktor.Change{Action: redaktor.ActPublishNow, Actor: actor, Urgent: urgent}); ok {
			d.notifyApproved(ctx, next, page, p)
			if urgent {
				return p.t.T("publishing_urgent")
			}
			return p.t.T("publishing_now")
		}
	case btnRetry:
		if _, ok := d.change(ctx, p, post, redaktor.Change{Action: redaktor.ActRetry, Actor: actor}); ok {
			return p.t.T("publishing_now")
		}
	case btnApproveSlot:
		at, ok := d.nextSlot(ctx, page)
		if !ok {
			return p.t.T("no_free_slot")
		}
		if next, ok := d.change(ctx, p, post, redaktor.Change{Action: redaktor.ActApprove, Actor: actor, At: at}); ok {
			d.notifyApproved(ctx, next, page, p)
			return p.t.T("approved_for", map[string]any{"When": formatTime(at, d.pageLoc(page), d.now())})
		}
	case btnApproveAt, btnPropose, btnReschedule, btnChanges, btnReject, btnNewVersion:
		return d.askFor(ctx, p, pr, post, actor)
	}
	return ""
}

// askFor checks the press is allowed now, then waits for the person's text.
func (d *Desk) askFor(ctx context.Context, p who, pr press, post redaktor.Post, actor redaktor.Actor) string {
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
		return "" // only the presses listed above come here
	}
	// A dry run of the change tells whether it may happen at all, before the
	// person types anything.
	probe := redaktor.Change{Action: action, Actor: actor, At: d.now().Add(time.Hour), Comment: "-",
		Content: &redaktor.Content{Text: "-"}}
	if _, _, err := redaktor.Apply(post, probe, d.now()); err != nil {
		return d.refusal(p.t, err, post)
	}
	se := redaktor.Session{Kind: k.session, PostID: post.ID, Rev: post.Rev, PageID: post.PageID}
	if err := d.store.SetSession(ctx, p.ID, se); err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	prompt := p.t.T(k.prompt, map[string]any{"ID": post.ID})
	if action == redaktor.ActApprove || action == redaktor.ActReschedule {
		prompt += "\n" + p.t.T("ask_time_urgent_hint")
	}
	d.reply(ctx, p, prompt+"\n"+p.t.T("cancel_hint"))
	return ""
}

// onAnswer takes the text the bot asked for.
func (d *Desk) onAnswer(ctx context.Context, p who, se redaktor.Session, m *tgbotapi.Message) {
	switch {
	case se.Kind == redaktor.SessionChannel:
		d.onChannelAnswer(ctx, p, se, m)
		return
	case se.Kind == redaktor.SessionCheck:
		d.endSession(ctx, p)
		d.checkMessage(ctx, p, m)
		return
	case se.Kind == redaktor.SessionSlots:
		d.onSlotsAnswer(ctx, p, se, m.Text)
		return
	case se.Kind == redaktor.SessionRename:
		d.onRenameAnswer(ctx, p, se, m)
		return
	case se.Kind == redaktor.SessionNewPage:
		// The page was not created; the message is read as any other.
		d.endSession(ctx, p)
		d.onContent(ctx, p, m, nil)
		return
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		d.reply(ctx, p, p.t.T("answer_text_expected")+"\n"+p.t.T("cancel_hint"))
		return
	}
	post, err := d.store.Post(ctx, se.PostID)
	if err != nil {
		d.endSession(ctx, p)
		d.fail(ctx, p, err)
		return
	}
	actor, page, err := d.actor(ctx, p, post)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	// The post may have moved on while the person was typing.
	if post.Rev != se.Rev {
		d.endSession(ctx, p)
		d.reply(ctx, p, d.staleAnswer(p.t, post, page))
		return
	}
	var c redaktor.Change
	action, _ := se.Kind.Action()
	switch se.Kind {
	case redaktor.SessionApproveAt, redaktor.SessionPropose, redaktor.SessionReschedule:
		urgent := false
		if se.Kind != redaktor.SessionPropose { // a chief editor's decision
			text, urgent = d.urgentWord(text)
		}
		at, ok := d.parseTimeAnswer(ctx, p, page, text)
		if !ok {
			return // the session stays: the person tries again
		}
		c = redaktor.Change{Action: action, Actor: actor, At: at, Urgent: urgent}
	case redaktor.SessionRequestChanges, redaktor.SessionReject:
		c = redaktor.Change{Action: action, Actor: actor, Comment: limitRunes(text, 1000)}
	default:
		d.endSession(ctx, p)
		return
	}
	next, ok := d.change(ctx, p, post, c)
	d.endSession(ctx, p)
	if !ok {
		return
	}
	switch c.Action {
	case redaktor.ActApprove, redaktor.ActReschedule:
		d.notifyApproved(ctx, next, page, p)
		reply := p.t.T("approved_for", map[string]any{"When": formatTime(c.At, d.pageLoc(page), d.now())})
		if next.Urgent {
			reply += "\n" + p.t.T("approved_urgent")
		}
		d.reply(ctx, p, reply)
	case redaktor.ActPropose:
		d.reply(ctx, p, p.t.T("proposed", map[string]any{"When": formatTime(c.At, d.pageLoc(page), d.now())}))
	case redaktor.ActRequestChanges, redaktor.ActReject:
		if d.notifyVerdict(ctx, next, page, p) {
			d.reply(ctx, p, p.t.T("verdict_sent"))
		} else {
			d.reply(ctx, p, p.t.T("verdict_author_left"))
		}
	}
}

// urgentWord takes the word "срочно" ("urgent") out of a time answer and
// reports whether it was there; either language's word counts, whatever
// the person's Telegram speaks.
func (d *Desk) urgentWord(text string) (string, bool) {
	words := map[string]bool{}
	for _, lang := range []string{"ru", "en"} {
		words[strings.ToLower(d.texts.For(lang).T("urgent_word"))] = true
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
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// change applies and stores one transition, then brings every card of the
// post up to date. On refusal the person is told why (who acted first, or
// that their role does not allow it); ok is false.
func (d *Desk) change(ctx context.Context, p who, post redaktor.Post, c redaktor.Change) (redaktor.Post, bool) {
	return d.changeSaving(ctx, p, post, c, d.store.SavePost)
}

// changeSaving is change with the store's save given (one that writes
// more in the same step).
func (d *Desk) changeSaving(ctx context.Context, p who, post redaktor.Post, c redaktor.Change,
	save func(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error) (redaktor.Post, bool) {
	next, ev, err := redaktor.Apply(post, c, d.now())
	if err == nil {
		err = save(ctx, post, next, ev)
	}
	if made, ok := errors.AsType[*redaktor.MadeError](err); ok {
		// The update being handled made a post before (it is handled again
		// after a crash): show that one rather than change this one.
		page := d.pageForShow(ctx, post.PageID)
		d.showMade(ctx, p, made.PostID, page)
		return post, false
	}
	if err != nil {
		if errors.Is(err, redaktor.ErrConflict) {
			if cur, rerr := d.store.Post(ctx, post.ID); rerr == nil {
				post = cur
			} else {
				d.log.Warn("read post after a conflict", "post", post.ID, "err", rerr)
			}
		}
		page := d.pageForShow(ctx, post.PageID)
		switch {
		case errors.Is(err, redaktor.ErrConflict) || errors.Is(err, redaktor.ErrForbidden) || errors.Is(err, redaktor.ErrInvalid):
			d.reply(ctx, p, d.refusalFull(p.t, err, post, page))
			d.refreshCards(ctx, post, page)
		default:
			d.fail(ctx, p, err)
		}
		return post, false
	}
	page, err := d.store.Page(ctx, next.PageID)
	if err != nil {
		// The change is saved; only the cards wait for the next change.
		d.log.Warn("read page to refresh cards", "post", next.ID, "page", next.PageID, "err", err)
		return next, true
	}
	d.refreshCards(ctx, next, page)
	return next, true
}

func (d *Desk) refusal(t tr, err error, post redaktor.Post) string {
	switch {
	case errors.Is(err, redaktor.ErrForbidden):
		return t.T("not_allowed")
	case errors.Is(err, redaktor.ErrConflict):
		return t.T("state_now", map[string]any{"Status": t.T("status_" + string(post.Status))})
	}
	return t.T("content_invalid", map[string]any{"Reason": err.Error()})
}

func (d *Desk) refusalFull(t tr, err error, post redaktor.Post, page redaktor.Page) string {
	if errors.Is(err, redaktor.ErrConflict) {
		return d.staleAnswer(t, post, page)
	}
	return d.refusal(t, err, post)
}

// staleAnswer tells who did what to a post since the person's card was drawn.
func (d *Desk) staleAnswer(t tr, post redaktor.Post, page redaktor.Page) string {
	return t.T("stale_card", map[string]any{
		"ID": post.ID, "Status": t.T("status_" + string(post.Status)),
		"Last": d.eventLine(t, post.Last, page)})
}

// nextSlot finds the page's earliest free posting slot.
func (d *Desk) nextSlot(ctx context.Context, page redaktor.Page) (time.Time, bool) {
	now := d.now()
	slots := page.Slots
	if len(slots) == 0 {
		slots = redaktor.DefaultSlots()
	}
	taken, err := d.store.ScheduledTimes(ctx, page.ID, now, now.AddDate(1, 0, 1))
	if err != nil {
		d.log.Warn("read scheduled times", "err", err)
		return time.Time{}, false
	}
	return slots.Next(now, d.pageLoc(page), func(t time.Time) bool { return taken[t.Unix()] })
}

func (d *Desk) cmdPending(ctx context.Context, p who) {
	page, ok := d.chiefPage(ctx, p)
	if !ok {
		return
	}
	list, err := d.store.PendingPosts(ctx, page.ID, 20)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if len(list) == 0 {
		d.reply(ctx, p, p.t.T("pending_empty", map[string]any{"Page": page.Title}))
		return
	}
	d.sendList(ctx, p, p.t.N("pending_title", len(list), map[string]any{"Page": page.Title}), list)
}

// cmdQueue lists scheduled posts in time order, each with Publish now,
// Change time and Cancel.
func (d *Desk) cmdQueue(ctx context.Context, p who) {
	page, ok := d.chiefPage(ctx, p)
	if !ok {
		return
	}
	list, err := d.store.QueuedPosts(ctx, page.ID, 20)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if len(list) == 0 {
		d.reply(ctx, p, p.t.T("queue_empty", map[string]any{"Page": page.Title}))
		return
	}
	var b strings.Builder
	b.WriteString(p.t.N("queue_title", len(list), map[string]any{"Page": page.Title}))
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, post := range list {
		b.WriteString("\n\n" + d.listLine(p.t, post, page))
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
		d.reply(ctx, p, b.String())
		return
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	d.send(ctx, p.ID, b.String(), &kb)
}
