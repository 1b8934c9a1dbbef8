package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// routerStore is what routing an update reads: the person with their
// session, in one round trip, or with the post of the button they pressed.
type routerStore interface {
	UserSession(ctx context.Context, userID int64) (redaktor.User, redaktor.Session, bool, error)
	ReadPress(ctx context.Context, userID int64, postID, pageID string, withHistory bool) (redaktor.Press, error)
	RefreshUser(ctx context.Context, u redaktor.User) error
}

// Router handles one update (intake.Handler): it loads the person once,
// then hands a command, a button press, an answer the bot waited for or
// new content to the feature it belongs to.
//
// An error it returns means the update was not handled, and nothing the
// person would see twice was done before it: the intake handles the update
// again later, and after its last attempt tells the person something went
// wrong. What the person asked for but the bot cannot do is answered here
// instead. A failure about a side item (telling a third person, decorating
// a card) is logged where it happens and the handling goes on.
type Router struct {
	*base
	store       routerStore
	drafts      *Drafts
	review      *Review
	team        *Team
	subscribers *Subscribers
	advice      *Advice
	adminDesk   *Admin
	audit       *Audit
	channels    *Channels
	privacy     *Privacy
	plan        *Plan
	stray       *Stray
	reminders   *Reminders
	afterpub    *AfterPub
}

// Handle routes one update.
func (r *Router) Handle(ctx context.Context, u tgbotapi.Update) error {
	switch {
	case u.CallbackQuery != nil:
		return r.onButton(ctx, u.UpdateID, u.CallbackQuery)
	case u.MyChatMember != nil && u.MyChatMember.Chat.Type == "channel":
		return r.channels.onChannelMembership(ctx, u.MyChatMember)
	case u.MyChatMember != nil:
		return r.subscribers.onMyChatMember(ctx, u.MyChatMember)
	case u.Message != nil && u.Message.Chat != nil && u.Message.Chat.IsPrivate() && u.Message.From != nil:
		return r.onMessage(ctx, u.UpdateID, u.Message)
	}
	return nil
}

// person loads the sender, keeping the record of a team member fresh.
func (r *Router) person(ctx context.Context, from *tgbotapi.User) (who, error) {
	u, se, waiting, err := r.store.UserSession(ctx, from.ID)
	return r.personOf(ctx, from, u, se, waiting, err)
}

// personOf is person for a caller that read the user and session (err
// as UserSession's). Only people the bot has a record of (team members,
// who got it when they joined; one removed from their last team keeps it
// for FormerMemberKeep) and the admins are saved: of a subscriber
// or a stranger nothing outlives the handling of their update (issue 10,
// 152-ФЗ); their name lives in memory for this update only.
func (r *Router) personOf(ctx context.Context, from *tgbotapi.User, u redaktor.User, se redaktor.Session, waiting bool, err error) (who, error) {
	if err != nil && !isNotFound(err) {
		return who{User: redaktor.User{ID: from.ID, Lang: from.LanguageCode}, t: r.texts.For(from.LanguageCode)}, err
	}
	known := err == nil
	name := strings.TrimSpace(from.FirstName + " " + from.LastName)
	if name == "" {
		name = from.UserName
	}
	fresh := u
	fresh.ID, fresh.Name, fresh.Username, fresh.Lang = from.ID, name, from.UserName, from.LanguageCode
	p := who{User: fresh, t: r.texts.For(fresh.Lang), known: known || r.admin[from.ID]}
	if waiting {
		p.session = &se
	}
	switch {
	case fresh == u:
	case known:
		if err := r.store.RefreshUser(ctx, fresh); err != nil {
			return p, err
		}
	case r.admin[from.ID]:
		if err := r.base.store.SaveUser(ctx, fresh); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (r *Router) onMessage(ctx context.Context, update int, m *tgbotapi.Message) error {
	p, err := r.person(ctx, m.From)
	if err != nil {
		return fmt.Errorf("read the sender: %w", err)
	}
	p.update = int64(update)
	if m.IsCommand() {
		if err := r.onCommand(ctx, p, m); err != nil {
			return fmt.Errorf("command /%s: %w", m.Command(), err)
		}
		return nil
	}
	switch se := p.session; {
	case se != nil && se.Kind == redaktor.SessionStray:
		// A message after «make a draft of this?» is read afresh; the
		// text asked about stays kept under the question (stray.go).
		r.endSession(ctx, p)
		p.session = nil
		return r.onContent(ctx, p, m)
	case se != nil && se.Kind != redaktor.SessionNewVersion:
		if err := r.onAnswer(ctx, p, *se, m); err != nil {
			return fmt.Errorf("answer to %s: %w", se.Kind, err)
		}
		// Only an answer that ended the wait ends the dialogue: after «Не
		// понял время» the bot still waits.
		if _, after, waiting, err := r.store.UserSession(ctx, p.ID); err != nil && !isNotFound(err) {
			r.log.Warn("read the session after an answer", "user", p.ID, "err", err)
		} else if !waiting || after.Kind != se.Kind {
			r.stray.dialogueEnded(ctx, p)
		}
	default:
		return r.onContent(ctx, p, m)
	}
	return nil
}

// onContent makes a draft (or a new version) of a message; a short text
// that reads as a late answer to a dialogue just ended is asked about
// first (stray.go).
func (r *Router) onContent(ctx context.Context, p who, m *tgbotapi.Message) error {
	if _, ok := bot.ContentOf(m); !ok && !r.admin[p.ID] && p.session == nil {
		// A sticker or a voice message: a parent is told how to reach the
		// page, not which posts the bot takes.
		page, _, err := r.currentPage(ctx, p)
		if err != nil {
			return fmt.Errorf("read the sender's page: %w", err)
		}
		if page.ID == "" {
			r.reply(ctx, p, p.t.T("no_pages"))
			return nil
		}
	}
	if p.session == nil {
		asked, err := r.stray.ask(ctx, p, m)
		if err != nil {
			return fmt.Errorf("stray text: %w", err)
		}
		if asked {
			return nil
		}
	}
	if err := r.drafts.onContent(ctx, p, m, p.session); err != nil {
		return fmt.Errorf("content: %w", err)
	}
	return nil
}

func (r *Router) onCommand(ctx context.Context, p who, m *tgbotapi.Message) error {
	args := strings.TrimSpace(m.CommandArguments())
	switch m.Command() {
	case "start":
		switch {
		case strings.HasPrefix(args, invitePrefix):
			return r.team.joinByInvite(ctx, p, strings.TrimPrefix(args, invitePrefix))
		case strings.HasPrefix(args, subscribePrefix):
			return r.subscribers.subscribeByCode(ctx, p, strings.TrimPrefix(args, subscribePrefix))
		}
		return r.team.cmdStart(ctx, p)
	case "help":
		return r.cmdHelp(ctx, p)
	case "newpage":
		return r.adminDesk.cmdNewPage(ctx, p, args)
	case "invite":
		return r.team.cmdInvite(ctx, p)
	case "channel":
		return r.channels.cmdChannel(ctx, p)
	case "subscribers":
		return r.subscribers.cmdSubscribers(ctx, p)
	case "subscriptions":
		return r.subscribers.cmdSubscriptions(ctx, p)
	case "stop":
		return r.subscribers.cmdStop(ctx, p)
	case "privacy":
		r.privacy.cmdPrivacy(ctx, p)
	case "forgetme":
		return r.privacy.cmdForgetMe(ctx, p)
	case "team":
		return r.team.cmdTeam(ctx, p)
	case "pages":
		if r.admin[p.ID] {
			return r.adminDesk.adminPages(ctx, p, 0, 0)
		}
		return r.team.cmdPages(ctx, p)
	case "audit":
		return r.audit.cmdAudit(ctx, p)
	case "drafts":
		return r.drafts.cmdDrafts(ctx, p)
	case "pending":
		return r.review.cmdPending(ctx, p)
	case "queue":
		return r.review.cmdQueue(ctx, p)
	case "slots":
		return r.review.cmdSlots(ctx, p, args)
	case "plan":
		return r.plan.cmdPlan(ctx, p)
	case "check":
		return r.advice.cmdCheck(ctx, p, m)
	case "stats":
		return r.advice.cmdStats(ctx, p, args)
	case "remind":
		return r.reminders.cmdRemind(ctx, p, args)
	case "cancel":
		if p.session == nil {
			r.reply(ctx, p, p.t.T("cancel_nothing"))
			return nil
		}
		if err := r.base.store.ClearSession(ctx, p.ID); err != nil {
			return err
		}
		r.reply(ctx, p, p.t.T("cancelled"))
		r.stray.dialogueEnded(ctx, p)
	default:
		r.reply(ctx, p, p.t.T("unknown_command"))
	}
	return nil
}

// onAnswer takes the text the bot asked for, by what it waits for.
func (r *Router) onAnswer(ctx context.Context, p who, se redaktor.Session, m *tgbotapi.Message) error {
	switch se.Kind {
	case redaktor.SessionChannel:
		return r.channels.onChannelAnswer(ctx, p, se, m)
	case redaktor.SessionCheck:
		return r.advice.onCheckAnswer(ctx, p, m)
	case redaktor.SessionSlots:
		if m.Text == "" {
			// A photo, an album, a file is no posting time: the wait ends
			// and the message is a post, as after /newpage.
			r.endSession(ctx, p)
			p.session = nil
			return r.drafts.onContent(ctx, p, m, nil)
		}
		return r.review.onSlotsAnswer(ctx, p, se, m.Text)
	case redaktor.SessionRename:
		return r.adminDesk.onRenameAnswer(ctx, p, se, m)
	case redaktor.SessionEditPublished, redaktor.SessionRemoveReason, redaktor.SessionEditChanges, redaktor.SessionEditReject:
		return r.afterpub.onAnswer(ctx, p, se, m)
	case redaktor.SessionNewPage:
		// The page was not created; the message is read as any other.
		r.endSession(ctx, p)
		return r.drafts.onContent(ctx, p, m, nil)
	}
	return r.review.onAnswer(ctx, p, se, m)
}

// onButton handles a press: parse strictly, check the presser's role on
// the page the item belongs to, and only then act. A press whose handling
// failed is not answered: the handling again answers it.
func (r *Router) onButton(ctx context.Context, update int, q *tgbotapi.CallbackQuery) error {
	if q.From == nil {
		return nil
	}
	pr, perr := parsePress(q.Data)
	var p who
	var err error
	var view *pressedView
	if perr == nil && postButtons[pr.act] && pr.pageID != "" && !isSubscriberButton(q.Data) {
		p, view, err = r.readPress(ctx, q.From, pr)
	} else {
		p, err = r.person(ctx, q.From)
	}
	if err != nil {
		return fmt.Errorf("read the presser: %w", err)
	}
	p.update = int64(update) // a press may make a draft (stray.go), once per update
	answer, err := r.press(ctx, p, q, pr, perr, view)
	if err != nil {
		act, _, _ := strings.Cut(q.Data, ":")
		return fmt.Errorf("button %q: %w", act, err)
	}
	if err := r.tg.Answer(ctx, q.ID, answer, answer != ""); err != nil {
		r.log.Debug("answer callback", "err", err)
	}
	return nil
}

// press hands a press to its feature and returns what it is answered.
func (r *Router) press(ctx context.Context, p who, q *tgbotapi.CallbackQuery, pr press, perr error, view *pressedView) (string, error) {
	switch {
	case isSubscriberButton(q.Data):
		return r.subscribers.subscriberPress(ctx, p, q)
	case isChannelButton(q.Data):
		return r.channels.onChannelPress(ctx, p, q)
	case isForgetButton(q.Data):
		return r.privacy.forgetPress(ctx, p, q)
	case isStrayButton(q.Data):
		return r.stray.onPress(ctx, p, q)
	case perr != nil:
		return p.t.T("button_stale"), nil
	}
	messageID := 0
	if q.Message != nil {
		messageID = q.Message.MessageID
	}
	switch {
	case pr.act == btnInvite:
		return r.team.onInvitePress(ctx, p, pr)
	case pr.act == btnTeam:
		return r.team.onTeamPress(ctx, p, pr, messageID)
	case pr.act == btnSwitchPage:
		return r.team.onSwitchPage(ctx, p, pr)
	case pr.act == btnSlots:
		return r.review.onSlotsPress(ctx, p, pr)
	case pr.act == btnRevoke:
		return r.team.onRevokePress(ctx, p, pr, messageID)
	case pr.act == btnOpen:
		return r.review.onOpen(ctx, p, pr.postID)
	case pr.act == btnQuality:
		return r.advice.onQuality(ctx, p, pr.postID)
	case adminButtons[pr.act]:
		return r.adminDesk.onAdminPress(ctx, p, pr, messageID)
	case pr.act == btnAudit || pr.act == btnAuditCSV:
		return r.audit.onAuditPress(ctx, p, pr)
	case afterpubButtons[pr.act]:
		return r.afterpub.onPress(ctx, p, pr, view)
	}
	return r.review.onPostPress(ctx, p, pr, view, messageID)
}

// readPress reads the person and the post of a post button that names
// its page in one round trip.
func (r *Router) readPress(ctx context.Context, from *tgbotapi.User, pr press) (who, *pressedView, error) {
	read, err := r.store.ReadPress(ctx, from.ID, pr.postID, pr.pageID, pr.act == btnHistory)
	if err != nil {
		// personOf only builds the person to answer; err is the one reported.
		p, perr := r.personOf(ctx, from, redaktor.User{}, redaktor.Session{}, false, err)
		if perr != nil && !errors.Is(perr, err) {
			r.log.Warn("save person", "user", from.ID, "err", perr)
		}
		return p, nil, err
	}
	read = adminView(r.admin, from.ID, read)
	p, err := r.personOf(ctx, from, read.User, read.Session, read.Waiting, read.UserErr)
	return p, &pressedView{v: read.View, err: read.ViewErr}, err
}
