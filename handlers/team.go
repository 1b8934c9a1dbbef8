package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// teamStore is what the team conversations keep in Redis.
type teamStore interface {
	Redeem(ctx context.Context, code string, userID int64, now time.Time) (redaktor.Redeemed, error)
	SaveInvite(ctx context.Context, inv redaktor.Invite) error
	OpenInvites(ctx context.Context, pageID string, now time.Time) ([]redaktor.Invite, error)
	RevokeInvite(ctx context.Context, pageID, code string, by int64, now time.Time) error
	Names(ctx context.Context, userIDs []int64) (map[int64]string, error)
	ChangeMember(ctx context.Context, c redaktor.MemberChange) (int, error)
	MemberCards(ctx context.Context, pageID string, userID int64) ([]string, error)
	Posts(ctx context.Context, ids []string) ([]redaktor.Post, error)
}

// Team is a page's team: joining by an invite link, inviting, the team
// list with its role buttons, and a member's pages (/pages).
type Team struct {
	*cards
	store teamStore
}

// invitePrefix marks a team invite in a /start deep link.
const invitePrefix = "i_"

func (b *base) link(code string) string {
	return "https://t.me/" + b.tg.Username() + "?start=" + invitePrefix + code
}

// cmdStart greets a person as who they are here and sets their menu: a
// parent is told what the bot sends and how to reach the page, never
// about teams (those learn of them by their invite link).
func (tm *Team) cmdStart(ctx context.Context, p who) error {
	kind, err := tm.menuKindOf(ctx, p.ID)
	if err != nil {
		return err
	}
	switch kind {
	case menuAdmin:
		tm.reply(ctx, p, p.t.T("start_admin"))
	case menuPublic:
		tm.reply(ctx, p, p.t.T("start_stranger"))
	default:
		tm.reply(ctx, p, p.t.T("start_member")+"\n\n"+tm.texts.helpText(kind, p.t))
	}
	if kind == menuPublic && !p.known {
		// A parent without a record never had a menu of their own (one
		// removed or forgotten had it taken away then): no call.
		return nil
	}
	tm.refreshMenu(ctx, p.ID, p.Lang)
	return nil
}

func (tm *Team) joinByInvite(ctx context.Context, p who, code string) error {
	r, err := tm.store.Redeem(ctx, code, p.ID, tm.now())
	inv, role := r.Invite, r.Role
	switch {
	case errors.Is(err, redaktor.ErrInviteRevoked):
		tm.reply(ctx, p, p.t.T("invite_revoked"))
		return nil
	case err == nil && r.Again && role == "":
		// They joined with it once and are no longer on the page.
		tm.reply(ctx, p, p.t.T("invite_used"))
		return nil
	case errors.Is(err, redaktor.ErrInviteUsed):
		tm.reply(ctx, p, p.t.T("invite_used"))
		return nil
	case errors.Is(err, redaktor.ErrInviteExpired):
		tm.reply(ctx, p, p.t.T("invite_expired"))
		return nil
	case isNotFound(err):
		tm.reply(ctx, p, p.t.T("invite_unknown"))
		return nil
	case err != nil:
		return err
	case !role.Valid():
		// Their own link, opened again after they left the team: it
		// gives nothing back.
		tm.reply(ctx, p, p.t.T("invite_used"))
		return nil
	}
	// They are on the team now: handled again, the link would count as
	// opened twice. What follows is told whatever fails (and logged).
	page := tm.pageForShow(ctx, inv.PageID)
	p.CurrentPage = inv.PageID
	if err := tm.base.store.SaveUser(ctx, p.User); err != nil {
		tm.log.Warn("make the page joined the current one", "user", p.ID, "page", inv.PageID, "err", err)
	}
	// Their menu is now a team member's (after they are answered).
	defer tm.refreshMenu(ctx, p.ID, p.Lang)
	if r.Again {
		// Opening one's own link again changes nothing and tells nobody.
		tm.reply(ctx, p, p.t.T("invite_again", map[string]any{"Page": page.Title, "Role": roleText(p.t, role)}))
		return nil
	}
	key := "joined_moderator"
	if role == redaktor.RoleChief {
		key = "joined_chief"
	}
	tm.reply(ctx, p, p.t.T(key, map[string]any{"Page": page.Title}))
	// The inviter is told once: not when the person opens the link again
	// (inv is as it was before this opening).
	if inv.CreatedBy != 0 && inv.CreatedBy != p.ID && inv.UsedBy == 0 {
		if u, ok := tm.userToTell(ctx, inv.CreatedBy); ok {
			t := tm.texts.For(u.Lang)
			tm.send(ctx, u.ID, t.T("invite_accepted", map[string]any{"Name": p.Name, "Page": page.Title, "Role": roleText(t, role)}), nil)
		}
	}
	return nil
}

func (tm *Team) cmdInvite(ctx context.Context, p who) error {
	page, ok, err := tm.chiefPage(ctx, p)
	if !ok {
		return err
	}
	return tm.inviteMenu(ctx, p, page, 0)
}

// onInvitePress creates the invite after the role was chosen, checking
// again that the presser is a chief editor of that page.
func (tm *Team) onInvitePress(ctx context.Context, p who, pr press) (string, error) {
	page, answer, ok, err := tm.pressedByChief(ctx, p, pr.pageID)
	if !ok {
		return answer, err
	}
	inv := redaktor.Invite{Code: randomCode(), PageID: page.ID, Role: redaktor.Role(pr.arg),
		CreatedBy: p.ID, CreatedAt: tm.now(), ExpiresAt: tm.now().Add(redaktor.InviteTTL)}
	if err := tm.store.SaveInvite(ctx, inv); err != nil {
		return "", err
	}
	tm.reply(ctx, p, p.t.T("invite_done", map[string]any{
		"Page": page.Title, "Role": roleText(p.t, redaktor.Role(pr.arg)), "Link": tm.link(inv.Code),
		"Until": formatTime(inv.ExpiresAt, tm.pageLoc(page), tm.now())}))
	return "", nil
}

// inviteMenu asks whom to invite and lists the page's open invites, each
// with a button that revokes it. With messageID it redraws that message.
func (tm *Team) inviteMenu(ctx context.Context, p who, page redaktor.Page, messageID int) error {
	open, err := tm.store.OpenInvites(ctx, page.ID, tm.now())
	if err != nil {
		return err
	}
	var makers []int64
	for _, inv := range open {
		makers = append(makers, inv.CreatedBy)
	}
	names, err := tm.store.Names(ctx, makers)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(p.t.T("invite_choose_role", map[string]any{"Page": page.Title}))
	rows := [][]tgbotapi.InlineKeyboardButton{tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("role_moderator"), btnInvite+":"+string(redaktor.RoleModerator)+":"+page.ID),
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("role_chief"), btnInvite+":"+string(redaktor.RoleChief)+":"+page.ID),
	)}
	if len(open) > 0 {
		b.WriteString("\n\n" + p.t.N("invites_open", len(open), nil))
	}
	for i, inv := range open {
		by := names[inv.CreatedBy]
		if by == "" {
			by = p.t.T("audit_former_member")
		}
		fmt.Fprintf(&b, "\n%d. %s", i+1, p.t.T("invite_line", map[string]any{
			"Role": roleText(p.t, inv.Role), "Name": by,
			"Until": formatTime(inv.ExpiresAt, tm.pageLoc(page), tm.now())}))
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			p.t.T("invite_revoke", map[string]any{"N": i + 1, "Role": roleText(p.t, inv.Role)}),
			btnRevoke+":"+page.ID+":"+inv.Code)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	tm.sendOrEdit(ctx, p, messageID, b.String(), &kb)
	return nil
}

// onRevokePress revokes an open invite of the page the button names, for
// a chief editor of that page or an admin.
func (tm *Team) onRevokePress(ctx context.Context, p who, pr press, messageID int) (string, error) {
	page, answer, ok, err := tm.pressedByChief(ctx, p, pr.pageID)
	if !ok {
		return answer, err
	}
	err = tm.store.RevokeInvite(ctx, page.ID, pr.arg, p.ID, tm.now())
	answer = p.t.T("invite_revoked_done")
	switch {
	case errors.Is(err, redaktor.ErrInviteUsed):
		answer = p.t.T("invite_revoke_used")
	case isNotFound(err):
		answer = p.t.T("button_stale")
	case err != nil:
		return "", err
	}
	// The revocation is stored: a failure to redraw the menu is logged and
	// the press answered (handled again, it would find the invite gone and
	// answer it as stale).
	if err := tm.inviteMenu(ctx, p, page, messageID); err != nil {
		tm.log.Warn("show the invites after a revocation", "page", page.ID, "err", err)
	}
	return answer, nil
}

func (tm *Team) cmdTeam(ctx context.Context, p who) error {
	page, role, ok, err := tm.memberPage(ctx, p)
	if !ok {
		return err
	}
	return tm.showTeam(ctx, p, page, role, 0)
}

// showTeam lists the team; a chief editor gets buttons to change roles.
// With messageID it edits the list in place. The members and their names
// come in one round trip.
func (tm *Team) showTeam(ctx context.Context, p who, page redaktor.Page, role redaktor.Role, messageID int) error {
	members, _, err := tm.base.store.Team(ctx, page.ID)
	if err := tm.loggedIfCorrupt(err, "read the team to list", "page", page.ID); err != nil {
		return err
	}
	text, kb := renderTeam(p.t, page, members, p.ID, role)
	if messageID != 0 {
		if err := tm.tg.EditText(ctx, p.ID, messageID, text, kb); err != nil {
			tm.log.Warn("edit team list", "chat", p.ID, "err", err)
		}
		return nil
	}
	tm.send(ctx, p.ID, text, kb)
	return nil
}

// renderTeam draws the team list for viewer, whose role is role.
func renderTeam(t tr, page redaktor.Page, members []redaktor.Member, viewer int64, role redaktor.Role) (string, bot.Keyboard) {
	var b strings.Builder
	b.WriteString(t.T("team_title", map[string]any{"Page": page.Title}))
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, m := range members {
		name := m.Name
		if name == "" {
			name = strconv.FormatInt(m.UserID, 10)
		}
		fmt.Fprintf(&b, "\n• %s — %s", name, roleText(t, m.Role))
		if role != redaktor.RoleChief || m.UserID == viewer {
			continue
		}
		toggle, label := "c", t.T("team_make_chief", map[string]any{"Name": name})
		if m.Role == redaktor.RoleChief {
			toggle, label = "m", t.T("team_make_moderator", map[string]any{"Name": name})
		}
		uid := strconv.FormatInt(m.UserID, 10)
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(label, btnTeam+":"+toggle+":"+page.ID+":"+uid),
			tgbotapi.NewInlineKeyboardButtonData(t.T("team_remove", map[string]any{"Name": name}), btnTeam+":x:"+page.ID+":"+uid),
		))
	}
	if len(rows) == 0 {
		return b.String(), nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	return b.String(), &kb
}

func (tm *Team) onTeamPress(ctx context.Context, p who, pr press, messageID int) (string, error) {
	role, err := tm.base.store.Role(ctx, pr.pageID, p.ID)
	if err != nil {
		return "", err
	}
	if role != redaktor.RoleChief || pr.userID == p.ID {
		return p.t.T("not_allowed"), nil
	}
	change := redaktor.MemberChange{PageID: pr.pageID, UserID: pr.userID, By: p.ID, At: tm.now(),
		MayLeaveNoChief: tm.admin[p.ID]}
	if pr.arg != "x" {
		change.Role = redaktor.Role(roleOf(pr.arg))
	}
	// Handled again, the change finds itself done and is told as done.
	revoked, err := tm.store.ChangeMember(ctx, change)
	switch {
	case errors.Is(err, redaktor.ErrLastChief):
		return p.t.T("team_last_chief"), nil
	case isNotFound(err):
		return p.t.T("team_not_member"), nil
	case err != nil:
		return "", err
	}
	// The change is stored: handled again, a removal would find no
	// member. What follows is done whatever fails (and logged).
	page := tm.pageForShow(ctx, pr.pageID)
	page.ID = pr.pageID // known even when the page could not be read
	if err := tm.showTeam(ctx, p, page, role, messageID); err != nil {
		tm.log.Warn("show the team after a change", "page", pr.pageID, "err", err)
	}
	tm.memberCardsChanged(ctx, page, pr.userID, change.Role)
	tm.refreshMenuOf(ctx, pr.userID)
	if u, ok := tm.userToTell(ctx, pr.userID); ok {
		t := tm.texts.For(u.Lang)
		if pr.arg == "x" {
			tm.send(ctx, u.ID, t.T("team_you_removed", map[string]any{"Page": page.Title}), nil)
		} else {
			tm.send(ctx, u.ID, t.T("team_your_role", map[string]any{"Page": page.Title, "Role": roleText(t, redaktor.Role(roleOf(pr.arg)))}), nil)
		}
	}
	if revoked > 0 {
		return p.t.N("team_invites_revoked", revoked, nil), nil
	}
	return p.t.T("done"), nil
}

func roleOf(toggle string) string {
	if toggle == "c" {
		return string(redaktor.RoleChief)
	}
	return string(redaktor.RoleModerator)
}

// memberCardsChanged redraws every card a person holds of a page's posts
// after their role there changed, with the buttons of the new role. A
// person taken off the team (role "") keeps the cards without buttons,
// and the cards are forgotten: they get no further updates. It is a side
// item of the change: failures are logged.
func (tm *Team) memberCardsChanged(ctx context.Context, page redaktor.Page, userID int64, role redaktor.Role) {
	ids, err := tm.store.MemberCards(ctx, page.ID, userID)
	if err != nil {
		tm.log.Warn("read member cards", "page", page.ID, "user", userID, "err", err)
		return
	}
	posts, err := tm.store.Posts(ctx, ids)
	if err != nil {
		tm.log.Warn("read member cards' posts", "page", page.ID, "user", userID, "err", err)
		return
	}
	if role != "" && tm.admin[userID] {
		role = redaktor.RoleChief // as adminRoles reads it
	}
	held, err := tm.cards.store.HeldCards(ctx, userID, ids)
	if err != nil {
		tm.log.Warn("read the cards held", "page", page.ID, "user", userID, "err", err)
	}
	u, err := tm.base.store.User(ctx, userID)
	if err != nil && !isNotFound(err) {
		tm.log.Warn("read user", "user", userID, "err", err)
	}
	t := tm.texts.For(u.Lang)
	for _, post := range posts {
		msg, ok := held[post.ID]
		if !ok || post.PageID != page.ID {
			continue
		}
		text, kb := tm.card(ctx, t, post, page, userID, role, nil)
		if err := tm.tg.EditText(ctx, userID, msg, text, kb); err != nil {
			tm.log.Debug("redraw card", "chat", userID, "err", err)
		}
	}
	if role != "" {
		return
	}
	if err := tm.cards.store.DropCards(ctx, page.ID, userID, ids); err != nil {
		tm.log.Warn("drop cards", "page", page.ID, "user", userID, "err", err)
	}
}

// cmdPages lists a member's pages with a button to switch to each.
func (tm *Team) cmdPages(ctx context.Context, p who) error {
	pages, roles, err := tm.base.store.UserPages(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		tm.reply(ctx, p, p.t.T("command_unavailable"))
		return nil
	}
	current, _, err := tm.currentPage(ctx, p)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(p.t.T("pages_title"))
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, pg := range pages {
		mark := "  "
		if pg.ID == current.ID {
			mark = "✓ "
		}
		fmt.Fprintf(&b, "\n%s%s — %s", mark, pg.Title, roleText(p.t, roles[i]))
		if pg.Archived {
			b.WriteString(" " + p.t.T("admin_archived_mark"))
		}
		if pg.ID != current.ID {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
				p.t.T("pages_switch", map[string]any{"Page": pg.Title}), btnSwitchPage+":"+pg.ID)))
		}
	}
	var kb bot.Keyboard
	if len(rows) > 0 {
		m := tgbotapi.NewInlineKeyboardMarkup(rows...)
		kb = &m
	}
	tm.send(ctx, p.ID, b.String(), kb)
	return nil
}

func (tm *Team) onSwitchPage(ctx context.Context, p who, pr press) (string, error) {
	role, err := tm.base.store.Role(ctx, pr.pageID, p.ID)
	if err != nil {
		return "", err
	}
	if role == "" {
		return p.t.T("not_allowed"), nil
	}
	page, err := tm.base.store.Page(ctx, pr.pageID)
	if err != nil {
		return "", err
	}
	p.CurrentPage = page.ID
	if err := tm.base.store.SaveUser(ctx, p.User); err != nil {
		return "", err
	}
	tm.reply(ctx, p, p.t.T("pages_switched", map[string]any{"Page": page.Title, "Role": roleText(p.t, role)}))
	return "", nil
}
