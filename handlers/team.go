package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// invitePrefix marks a team invite in a /start deep link.
const invitePrefix = "i_"

func (d *Desk) link(code string) string {
	return "https://t.me/" + d.tg.Username() + "?start=" + invitePrefix + code
}

func (d *Desk) cmdStart(ctx context.Context, p who, args string) {
	if strings.HasPrefix(args, invitePrefix) {
		d.joinByInvite(ctx, p, strings.TrimPrefix(args, invitePrefix))
		return
	}
	if strings.HasPrefix(args, subscribePrefix) {
		d.subscribeByCode(ctx, p, strings.TrimPrefix(args, subscribePrefix))
		return
	}
	pages, _, err := d.store.UserPages(ctx, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	switch {
	case len(pages) > 0:
		d.reply(ctx, p, p.t.T("start_member")+"\n\n"+p.t.T("help"))
	case d.admin[p.ID]:
		d.reply(ctx, p, p.t.T("start_admin"))
	default:
		d.reply(ctx, p, p.t.T("start_stranger"))
	}
}

func (d *Desk) joinByInvite(ctx context.Context, p who, code string) {
	r, err := d.store.Redeem(ctx, code, p.ID, d.now())
	inv, role := r.Invite, r.Role
	switch {
	case errors.Is(err, redaktor.ErrInviteRevoked):
		d.reply(ctx, p, p.t.T("invite_revoked"))
		return
	case err == nil && r.Again && role == "":
		// They joined with it once and are no longer on the page.
		d.reply(ctx, p, p.t.T("invite_used"))
		return
	case errors.Is(err, redaktor.ErrInviteUsed):
		d.reply(ctx, p, p.t.T("invite_used"))
		return
	case errors.Is(err, redaktor.ErrInviteExpired):
		d.reply(ctx, p, p.t.T("invite_expired"))
		return
	case isNotFound(err):
		d.reply(ctx, p, p.t.T("invite_unknown"))
		return
	case err != nil:
		d.fail(ctx, p, err)
		return
	case !role.Valid():
		// Their own link, opened again after they left the team: it
		// gives nothing back.
		d.reply(ctx, p, p.t.T("invite_used"))
		return
	}
	page, err := d.store.Page(ctx, inv.PageID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	p.CurrentPage = page.ID
	if err := d.store.SaveUser(ctx, p.User); err != nil {
		d.fail(ctx, p, err)
		return
	}
	if r.Again {
		// Opening one's own link again changes nothing and tells nobody.
		d.reply(ctx, p, p.t.T("invite_again", map[string]any{"Page": page.Title, "Role": p.t.T("role_" + string(role))}))
		return
	}
	key := "joined_moderator"
	if role == redaktor.RoleChief {
		key = "joined_chief"
	}
	d.reply(ctx, p, p.t.T(key, map[string]any{"Page": page.Title}))
	// The inviter is told once: not when the person opens the link again
	// (inv is as it was before this opening).
	if inv.CreatedBy != 0 && inv.CreatedBy != p.ID && inv.UsedBy == 0 {
		if u, ok := d.userToTell(ctx, inv.CreatedBy); ok {
			t := d.texts.For(u.Lang)
			d.send(ctx, u.ID, t.T("invite_accepted", map[string]any{"Name": p.Name, "Page": page.Title, "Role": t.T("role_" + string(role))}), nil)
		}
	}
}

func (d *Desk) cmdNewPage(ctx context.Context, p who, title string) {
	if !d.admin[p.ID] {
		d.reply(ctx, p, p.t.T("admin_only"))
		return
	}
	title = strings.TrimSpace(title)
	if title == "" || len([]rune(title)) > maxTitle {
		d.reply(ctx, p, p.t.T("newpage_usage"))
		return
	}
	existing, found, err := d.samePage(ctx, title)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if found {
		d.warnSameTitle(ctx, p, title, existing)
		return
	}
	d.createPage(ctx, p, title)
}

// createPage makes a page and gives the admin its first chief editor's link.
func (d *Desk) createPage(ctx context.Context, p who, title string) {
	pageID, err := d.store.NextID(ctx, "page")
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	page := redaktor.Page{ID: pageID, Title: title, TimeZone: d.cfg.Location.String(),
		Slots: redaktor.DefaultSlots(), CreatedBy: p.ID, CreatedAt: d.now()}
	if err := d.store.SavePage(ctx, page); err != nil {
		d.fail(ctx, p, err)
		return
	}
	if err := d.store.RecordAudit(ctx, pageID, redaktor.AuditEntry{At: d.now(), ActorID: p.ID,
		Action: redaktor.AuditPageCreated, Note: title}); err != nil {
		d.log.Warn("record page creation", "err", err)
	}
	inv := redaktor.Invite{Code: randomCode(), PageID: pageID, Role: redaktor.RoleChief,
		CreatedBy: p.ID, CreatedAt: d.now(), ExpiresAt: d.now().Add(redaktor.PageCreationTTL)}
	if err := d.store.SaveInvite(ctx, inv); err != nil {
		d.fail(ctx, p, err)
		return
	}
	d.reply(ctx, p, p.t.T("newpage_done", map[string]any{"Page": title, "Link": d.link(inv.Code)}))
}

func (d *Desk) cmdInvite(ctx context.Context, p who) {
	page, ok := d.chiefPage(ctx, p)
	if !ok {
		return
	}
	d.inviteMenu(ctx, p, page, 0)
}

// onInvitePress creates the invite after the role was chosen, checking
// again that the presser is a chief editor of that page.
func (d *Desk) onInvitePress(ctx context.Context, p who, pr press) string {
	page, answer, ok := d.pressedByChief(ctx, p, pr.pageID)
	if !ok {
		return answer
	}
	inv := redaktor.Invite{Code: randomCode(), PageID: page.ID, Role: redaktor.Role(pr.arg),
		CreatedBy: p.ID, CreatedAt: d.now(), ExpiresAt: d.now().Add(redaktor.InviteTTL)}
	if err := d.store.SaveInvite(ctx, inv); err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	d.reply(ctx, p, p.t.T("invite_done", map[string]any{
		"Page": page.Title, "Role": p.t.T("role_" + pr.arg), "Link": d.link(inv.Code),
		"Until": formatTime(inv.ExpiresAt, d.pageLoc(page), d.now())}))
	return ""
}

func (d *Desk) cmdTeam(ctx context.Context, p who) {
	page, role, ok := d.memberPage(ctx, p)
	if !ok {
		return
	}
	d.showTeam(ctx, p, page, role, 0)
}

// showTeam lists the team; a chief editor gets buttons to change roles.
// With messageID it edits the list in place.
func (d *Desk) showTeam(ctx context.Context, p who, page redaktor.Page, role redaktor.Role, messageID int) {
	members, err := d.store.Members(ctx, page.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	var b strings.Builder
	b.WriteString(p.t.T("team_title", map[string]any{"Page": page.Title}))
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, m := range members {
		name := m.Name
		if name == "" {
			name = strconv.FormatInt(m.UserID, 10)
		}
		fmt.Fprintf(&b, "\n• %s — %s", name, p.t.T("role_"+string(m.Role)))
		if role != redaktor.RoleChief || m.UserID == p.ID {
			continue
		}
		toggle, label := "c", p.t.T("team_make_chief", map[string]any{"Name": name})
		if m.Role == redaktor.RoleChief {
			toggle, label = "m", p.t.T("team_make_moderator", map[string]any{"Name": name})
		}
		uid := strconv.FormatInt(m.UserID, 10)
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(label, btnTeam+":"+toggle+":"+page.ID+":"+uid),
			tgbotapi.NewInlineKeyboardButtonData(p.t.T("team_remove", map[string]any{"Name": name}), btnTeam+":x:"+page.ID+":"+uid),
		))
	}
	var kb bot.Keyboard
	if len(rows) > 0 {
		m := tgbotapi.NewInlineKeyboardMarkup(rows...)
		kb = &m
	}
	if messageID != 0 {
		if err := d.tg.EditText(ctx, p.ID, messageID, b.String(), kb); err != nil {
			d.log.Warn("edit team list", "err", err)
		}
		return
	}
	d.send(ctx, p.ID, b.String(), kb)
}

func (d *Desk) onTeamPress(ctx context.Context, p who, pr press, messageID int) string {
	role, err := d.store.Role(ctx, pr.pageID, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if role != redaktor.RoleChief || pr.userID == p.ID {
		return p.t.T("not_allowed")
	}
	change := redaktor.MemberChange{PageID: pr.pageID, UserID: pr.userID, By: p.ID, At: d.now(),
		MayLeaveNoChief: d.admin[p.ID]}
	if pr.arg != "x" {
		change.Role = redaktor.Role(roleOf(pr.arg))
	}
	revoked, err := d.store.ChangeMember(ctx, change)
	switch {
	case errors.Is(err, redaktor.ErrLastChief):
		return p.t.T("team_last_chief")
	case isNotFound(err):
		return p.t.T("team_not_member")
	case err != nil:
		d.fail(ctx, p, err)
		return ""
	}
	page, err := d.store.Page(ctx, pr.pageID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	d.showTeam(ctx, p, page, role, messageID)
	d.memberCardsChanged(ctx, page.ID, pr.userID, change.Role)
	if u, ok := d.userToTell(ctx, pr.userID); ok {
		t := d.texts.For(u.Lang)
		if pr.arg == "x" {
			d.send(ctx, u.ID, t.T("team_you_removed", map[string]any{"Page": page.Title}), nil)
		} else {
			d.send(ctx, u.ID, t.T("team_your_role", map[string]any{"Page": page.Title, "Role": t.T("role_" + roleOf(pr.arg))}), nil)
		}
	}
	if revoked > 0 {
		return p.t.N("team_invites_revoked", revoked, nil)
	}
	return p.t.T("done")
}

func roleOf(toggle string) string {
	if toggle == "c" {
		return string(redaktor.RoleChief)
	}
	return string(redaktor.RoleModerator)
}

func (d *Desk) cmdPages(ctx context.Context, p who) {
	if d.admin[p.ID] {
		d.adminPages(ctx, p, 0, 0)
		return
	}
	pages, roles, err := d.store.UserPages(ctx, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if len(pages) == 0 {
		d.reply(ctx, p, p.t.T("no_pages"))
		return
	}
	current, _, err := d.currentPage(ctx, p)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	var b strings.Builder
	b.WriteString(p.t.T("pages_title"))
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, pg := range pages {
		mark := "  "
		if pg.ID == current.ID {
			mark = "✓ "
		}
		fmt.Fprintf(&b, "\n%s%s — %s", mark, pg.Title, p.t.T("role_"+string(roles[i])))
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
	d.send(ctx, p.ID, b.String(), kb)
}

func (d *Desk) onSwitchPage(ctx context.Context, p who, pr press) string {
	role, err := d.store.Role(ctx, pr.pageID, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if role == "" {
		return p.t.T("not_allowed")
	}
	page, err := d.store.Page(ctx, pr.pageID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	p.CurrentPage = page.ID
	if err := d.store.SaveUser(ctx, p.User); err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	d.reply(ctx, p, p.t.T("pages_switched", map[string]any{"Page": page.Title, "Role": p.t.T("role_" + string(role))}))
	return ""
}
