package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// inviteMenu asks whom to invite and lists the page's open invites, each
// with a button that revokes it. With messageID it redraws that message.
func (d *Desk) inviteMenu(ctx context.Context, p who, page redaktor.Page, messageID int) {
	open, err := d.store.OpenInvites(ctx, page.ID, d.now())
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	var makers []int64
	for _, inv := range open {
		makers = append(makers, inv.CreatedBy)
	}
	names, err := d.store.Names(ctx, makers)
	if err != nil {
		d.fail(ctx, p, err)
		return
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
			"Role": p.t.T("role_" + string(inv.Role)), "Name": by,
			"Until": formatTime(inv.ExpiresAt, d.pageLoc(page), d.now())}))
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			p.t.T("invite_revoke", map[string]any{"N": i + 1, "Role": p.t.T("role_" + string(inv.Role))}),
			btnRevoke+":"+page.ID+":"+inv.Code)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	d.sendOrEdit(ctx, p, messageID, b.String(), &kb)
}

// onRevokePress revokes an open invite of the page the button names, for
// a chief editor of that page or an admin.
func (d *Desk) onRevokePress(ctx context.Context, p who, pr press, messageID int) string {
	page, answer, ok := d.pressedByChief(ctx, p, pr.pageID)
	if !ok {
		return answer
	}
	err := d.store.RevokeInvite(ctx, page.ID, pr.arg, p.ID, d.now())
	answer = p.t.T("invite_revoked_done")
	switch {
	case errors.Is(err, redaktor.ErrInviteUsed):
		answer = p.t.T("invite_revoke_used")
	case isNotFound(err):
		answer = p.t.T("button_stale")
	case err != nil:
		d.fail(ctx, p, err)
		return ""
	}
	d.inviteMenu(ctx, p, page, messageID)
	return answer
}
