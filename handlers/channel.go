package handlers

import (
	"context"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/storage"
)

func (d *Desk) cmdChannel(ctx context.Context, p who) {
	page, ok := d.chiefPage(ctx, p)
	if !ok {
		return
	}
	if err := d.store.SetSession(ctx, p.ID, storage.Session{Kind: sessionChannel, PageID: page.ID}); err != nil {
		d.fail(ctx, p, err)
		return
	}
	d.reply(ctx, p, p.t.T("channel_ask", map[string]any{"Page": page.Title, "Bot": "@" + d.tg.Username()}))
}

// onChannelAnswer reads the channel from a forwarded post, @username or id
// and checks that the bot may post, edit and delete there.
func (d *Desk) onChannelAnswer(ctx context.Context, p who, se storage.Session, m *tgbotapi.Message) {
	if role, err := d.store.Role(ctx, se.PageID, p.ID); err != nil || role != redaktor.RoleChief {
		_ = d.store.ClearSession(ctx, p.ID)
		d.reply(ctx, p, p.t.T("not_allowed"))
		return
	}
	var ref string
	switch {
	case m.ForwardFromChat != nil:
		ref = strconv.FormatInt(m.ForwardFromChat.ID, 10)
	default:
		ref = strings.TrimSpace(m.Text)
		ref = strings.TrimPrefix(ref, "https://t.me/")
		if ref != "" && ref[0] != '@' && ref[0] != '-' && !numeric(ref) {
			ref = "@" + ref
		}
	}
	if !validChatRef(ref) {
		d.reply(ctx, p, p.t.T("channel_unreadable"))
		return
	}
	chat, err := d.tg.Chat(ctx, ref)
	if err != nil {
		if bot.Permanent(err) {
			d.reply(ctx, p, p.t.T("channel_not_found", map[string]any{"Bot": "@" + d.tg.Username()}))
			return
		}
		d.fail(ctx, p, err)
		return
	}
	if chat.Type != "channel" {
		d.reply(ctx, p, p.t.T("channel_not_channel"))
		return
	}
	me, err := d.tg.ChatMember(ctx, chat.ID, d.tg.Self().ID)
	if err != nil {
		if bot.Permanent(err) {
			d.reply(ctx, p, p.t.T("channel_not_found", map[string]any{"Bot": "@" + d.tg.Username()}))
			return
		}
		d.fail(ctx, p, err)
		return
	}
	if missing := missingRights(p.t, me); len(missing) > 0 {
		d.reply(ctx, p, p.t.T("channel_rights_missing", map[string]any{
			"Channel": chat.Title, "Missing": "• " + strings.Join(missing, "\n• ")}))
		return
	}
	page, err := d.store.Page(ctx, se.PageID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	page.ChannelID, page.ChannelTitle, page.ChannelUsername = chat.ID, chat.Title, chat.UserName
	if err := d.store.SavePage(ctx, page); err != nil {
		d.fail(ctx, p, err)
		return
	}
	_ = d.store.ClearSession(ctx, p.ID)
	d.reply(ctx, p, p.t.T("channel_linked", map[string]any{"Channel": chat.Title, "Page": page.Title}))
}

func validChatRef(ref string) bool {
	if ref == "" || len(ref) > 40 {
		return false
	}
	if ref[0] == '-' {
		return numeric(ref[1:])
	}
	if ref[0] == '@' {
		name := ref[1:]
		if len(name) < 4 {
			return false
		}
		for _, r := range name {
			if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return false
			}
		}
		return true
	}
	return numeric(ref)
}

// missingRights names what the bot lacks in the channel, in the words of
// Telegram's admin settings.
func missingRights(t tr, me tgbotapi.ChatMember) []string {
	if me.Status != "administrator" && me.Status != "creator" {
		return []string{t.T("right_admin")}
	}
	if me.Status == "creator" {
		return nil
	}
	var missing []string
	if !me.CanPostMessages {
		missing = append(missing, t.T("right_post"))
	}
	if !me.CanEditMessages {
		missing = append(missing, t.T("right_edit"))
	}
	if !me.CanDeleteMessages {
		missing = append(missing, t.T("right_delete"))
	}
	return missing
}
