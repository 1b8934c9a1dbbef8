package handlers

import (
	"context"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// Approval in one tap (issue 13): approving for the author's proposed
// time, and «Опубликовать сейчас?» asked once before a post goes out at
// once. Every press is checked against the post's page and revision in
// onPostPress first, and the change itself again by redaktor.Apply.

// may tells, by a dry run of the change, whether the person may make it
// now; the answer is the refusal to give when not.
func (r *Review) may(t tr, post redaktor.Post, c redaktor.Change) (answer string, ok bool) {
	if _, _, err := redaktor.Apply(post, c, r.now()); err != nil {
		return refusal(t, err, post), false
	}
	return "", true
}

// proposedAhead reports whether the post has a proposed time still to come.
func proposedAhead(post redaktor.Post, now time.Time) bool {
	return !post.ProposedAt.IsZero() && post.ProposedAt.After(now)
}

// approveProposed approves the post for the time its author proposed, as
// the card showed it (the press carries the post's revision, and only a
// new proposal changes the time, which moves the revision on).
func (r *Review) approveProposed(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, actor redaktor.Actor) (string, error) {
	c := redaktor.Change{Action: redaktor.ActApprove, Actor: actor, At: post.ProposedAt}
	if answer, ok := r.may(p.t, post, c); !ok {
		return answer, nil
	}
	loc, now := r.pageLoc(page), r.now()
	if !proposedAhead(post, now) {
		// The card was drawn before the time passed: redraw it without
		// the button.
		r.refreshCards(ctx, post, page)
		if post.ProposedAt.IsZero() {
			return p.t.T("action_invalid"), nil
		}
		return proposedPassed(p.t, post, loc, now), nil
	}
	next, ok, err := r.change(ctx, p, post, c)
	if !ok {
		return "", err
	}
	r.notifyApproved(ctx, next, page, p)
	return p.t.T("approved_for", map[string]any{"When": formatTime(c.At, loc, now)}), nil
}

func proposedPassed(t tr, post redaktor.Post, loc *time.Location, now time.Time) string {
	return t.T("proposed_passed_answer", map[string]any{"When": formatTime(post.ProposedAt, loc, now)})
}

// askPublishNow asks «Опубликовать сейчас?» under a post the person may
// publish now; nothing changes until they say yes.
func (r *Review) askPublishNow(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, actor redaktor.Actor, urgent bool) (string, error) {
	if answer, ok := r.may(p.t, post, redaktor.Change{Action: redaktor.ActPublishNow, Actor: actor, Urgent: urgent}); !ok {
		return answer, nil
	}
	data := map[string]any{"ID": post.ID, "Snippet": snippet(p.t, post.Content, 60)}
	question, yesKey, yesAct := p.t.T("publish_now_ask", data), "btn_publish_now_yes", btnNowYes
	if urgent {
		question, yesKey, yesAct = p.t.T("publish_urgent_ask", data)+"\n"+p.t.T("urgent_means"), "btn_publish_urgent_yes", btnUrgentYes
	}
	if page.ID != "" && !page.HasChannel() {
		question += "\n\n" + p.t.T("card_no_channel")
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T(yesKey), postData(yesAct, post)),
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_publish_now_no"), postData(btnNowNo, post)),
	))
	if _, err := r.tg.SendText(ctx, p.ID, question, &kb); err != nil {
		// Without the question nothing can be answered: the press says so,
		// rather than leave the person waiting for it.
		r.log.Warn("ask publish now", "post", post.ID, "chat", p.ID, "err", err)
		return p.t.T("publish_now_ask_failed"), nil
	}
	return "", nil
}

// publishNow is the yes to «Опубликовать сейчас?»: the post is due at once.
// The question loses its buttons, so it is answered once.
func (r *Review) publishNow(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, actor redaktor.Actor, urgent bool, messageID int) (string, error) {
	next, ok, err := r.change(ctx, p, post, redaktor.Change{Action: redaktor.ActPublishNow, Actor: actor, Urgent: urgent})
	if !ok {
		return "", err
	}
	r.notifyApproved(ctx, next, page, p)
	answer := p.t.T("publishing_now")
	if urgent {
		answer = p.t.T("publishing_urgent")
	}
	r.closeQuestion(ctx, p, messageID, p.t.T("publish_now_done", map[string]any{"ID": post.ID})+"\n"+answer)
	return answer, nil
}

// keepFromNow is the no to «Опубликовать сейчас?»: nothing changes.
func (r *Review) keepFromNow(ctx context.Context, p who, post redaktor.Post, page redaktor.Page, actor redaktor.Actor, messageID int) (string, error) {
	if answer, ok := r.may(p.t, post, redaktor.Change{Action: redaktor.ActPublishNow, Actor: actor}); !ok {
		return answer, nil
	}
	answer := p.t.T("publish_now_kept", map[string]any{"ID": post.ID, "Status": p.t.T("status_" + string(post.Status))})
	r.closeQuestion(ctx, p, messageID, answer)
	return answer, nil
}

// closeQuestion replaces an answered question with what came of it, without
// buttons. A question that cannot be edited keeps its buttons, whose
// revision is spent: a second press is answered as stale.
func (r *Review) closeQuestion(ctx context.Context, p who, messageID int, text string) {
	if messageID == 0 {
		return
	}
	if err := r.tg.EditText(ctx, p.ID, messageID, text, nil); err != nil {
		r.log.Debug("close the publish now question", "chat", p.ID, "err", err)
	}
}

// momentText is a typed moment as the confirmation shows it: «завтра»
// spelled out when a bare time was taken for tomorrow, since the person
// may have meant today.
func momentText(t tr, m redaktor.Moment, loc *time.Location, now time.Time) string {
	when := formatTime(m.At, loc, now)
	if m.NextDay {
		return t.T("when_tomorrow", map[string]any{"When": when})
	}
	return when
}
