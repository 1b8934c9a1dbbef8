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

// A page's channel belongs to it alone: linking needs the person to run the
// channel (its creator or an administrator) and the channel to be free; only
// the page's chief editor unlinks it. The storage's channel → page index is
// the truth; publication checks it too.

// channelStore is what the channel conversation keeps in Redis.
type channelStore interface {
	LinkChannel(ctx context.Context, pageID string, ch redaktor.Channel) (redaktor.Page, error)
	UnlinkChannel(ctx context.Context, pageID string, channelID int64) (redaktor.Page, error)
	ChannelPage(ctx context.Context, channelID int64) (string, error)
	RecordAudit(ctx context.Context, pageID string, e redaktor.AuditEntry) error
	SetSession(ctx context.Context, userID int64, se redaktor.Session) error
	Session(ctx context.Context, userID int64) (redaktor.Session, bool, error)
}

// Channels links a page's channel (/channel), unlinks it, and follows the
// bot's rights there.
type Channels struct {
	*base
	store channelStore
}

// btnUnlinkChannel is the Unlink button of /channel: cu:pageID:channelID.
// The channel is in the data so a stale button cannot unlink a channel
// linked after it was drawn.
const btnUnlinkChannel = "cu"

func (c *Channels) cmdChannel(ctx context.Context, p who) error {
	page, ok, err := c.chiefPage(ctx, p)
	if !ok {
		return err
	}
	if err := c.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionChannel, PageID: page.ID}); err != nil {
		return err
	}
	bot := "@" + c.tg.Username()
	if !page.HasChannel() {
		c.reply(ctx, p, p.t.T("channel_ask", map[string]any{"Page": page.Title, "Bot": bot}))
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_channel_unlink"), unlinkData(page))))
	c.send(ctx, p.ID, p.t.T("channel_current", map[string]any{
		"Page": page.Title, "Channel": page.ChannelTitle, "Address": channelAddress(page), "Bot": bot}), &kb)
	return nil
}

func unlinkData(page redaktor.Page) string {
	return btnUnlinkChannel + ":" + page.ID + ":" + strconv.FormatInt(page.ChannelID, 10)
}

// channelAddress is how people find the channel: @name, or the id of a
// private channel.
func channelAddress(page redaktor.Page) string {
	if page.ChannelUsername != "" {
		return "@" + page.ChannelUsername
	}
	return "id " + strconv.FormatInt(page.ChannelID, 10)
}

// onChannelAnswer reads the channel from a forwarded post, a t.me link,
// @username or id, checks that the person runs the channel and that the bot
// may post, edit and delete there, and links it unless another page has it.
func (c *Channels) onChannelAnswer(ctx context.Context, p who, se redaktor.Session, m *tgbotapi.Message) error {
	role, err := c.base.store.Role(ctx, se.PageID, p.ID)
	if err != nil {
		return err
	}
	if role != redaktor.RoleChief {
		c.endSession(ctx, p)
		c.reply(ctx, p, p.t.T("not_allowed"))
		return nil
	}
	ref, private := channelRef(m)
	if private {
		c.reply(ctx, p, p.t.T("channel_private_link"))
		return nil
	}
	if !validChatRef(ref) {
		c.reply(ctx, p, p.t.T("channel_unreadable"))
		return nil
	}
	notFound := p.t.T("channel_not_found", map[string]any{"Bot": "@" + c.tg.Username()})
	chat, err := c.tg.Chat(ctx, ref)
	if err != nil {
		if bot.Permanent(err) {
			c.reply(ctx, p, notFound)
			return nil
		}
		return err
	}
	if chat.Type != "channel" {
		c.reply(ctx, p, p.t.T("channel_not_channel"))
		return nil
	}
	me, err := c.tg.ChatMember(ctx, chat.ID, c.tg.Self().ID)
	if err != nil {
		if bot.Permanent(err) {
			c.reply(ctx, p, notFound)
			return nil
		}
		return err
	}
	// The person before anything about the channel: its title, the bot's
	// rights there and which page holds it are told only to people who
	// run it. Telegram answers who runs a channel only to its
	// administrators, so a bot that is not one yet is told first.
	if me.Status == "administrator" || me.Status == "creator" {
		runs, err := c.runsChannel(ctx, chat.ID, p.ID)
		if err != nil {
			return err
		}
		if !runs {
			c.reply(ctx, p, p.t.T("channel_not_admin"))
			return nil
		}
	}
	if missing := missingRights(p.t, me); len(missing) > 0 {
		c.reply(ctx, p, p.t.T("channel_rights_missing", map[string]any{
			"Channel": chat.Title, "Missing": "• " + strings.Join(missing, "\n• ")}))
		return nil
	}
	page, err := c.store.LinkChannel(ctx, se.PageID, redaktor.Channel{ID: chat.ID, Title: chat.Title, Username: chat.UserName})
	var taken *redaktor.ChannelTakenError
	switch {
	case errors.As(err, &taken):
		holder, herr := c.base.store.Page(ctx, taken.PageID)
		if herr != nil && !isNotFound(herr) {
			return herr
		}
		c.reply(ctx, p, p.t.T("channel_taken", map[string]any{"Channel": chat.Title, "Holder": holder.Title}))
		return nil
	case err != nil:
		return err
	}
	c.endSession(ctx, p)
	c.channelChanged(ctx, p, page, redaktor.Channel{ID: chat.ID, Title: chat.Title, Username: chat.UserName}, true, 0)
	return nil
}

// runsChannel reports whether a person is the channel's creator or one of
// its administrators. Telegram's refusals (not a participant, unknown
// user) mean they are not.
func (c *Channels) runsChannel(ctx context.Context, channelID, userID int64) (bool, error) {
	m, err := c.tg.ChatMember(ctx, channelID, userID)
	if err != nil {
		if bot.Permanent(err) {
			return false, nil
		}
		return false, err
	}
	return m.Status == "creator" || m.Status == "administrator", nil
}

// channelChanged is the one place a link or an unlink has succeeded: the
// person is told (in the pressed message when messageID is not 0), and so
// are the page's other chief editors. The team audit log records here.
func (c *Channels) channelChanged(ctx context.Context, p who, page redaktor.Page, ch redaktor.Channel, linked bool, messageID int) {
	key, othersKey := "channel_linked", "channel_linked_by"
	if !linked {
		key, othersKey = "channel_unlinked", "channel_unlinked_by"
	}
	c.log.Info("channel changed", "page", page.ID, "channel", ch.ID, "linked", linked, "by", p.ID)
	action := redaktor.AuditChannelLinked
	if !linked {
		action = redaktor.AuditChannelUnlinked
	}
	if err := c.store.RecordAudit(ctx, page.ID, redaktor.AuditEntry{At: c.now(), ActorID: p.ID,
		Action: action, Note: ch.Title}); err != nil {
		c.log.Warn("record the channel change", "page", page.ID, "err", err)
	}
	text := p.t.T(key, map[string]any{"Channel": ch.Title, "Page": page.Title})
	edited := false
	if messageID != 0 {
		err := c.tg.EditText(ctx, p.ID, messageID, text, nil)
		if err != nil {
			c.log.Debug("edit the /channel message, sending anew", "chat", p.ID, "err", err)
		}
		edited = err == nil
	}
	if !edited {
		c.reply(ctx, p, text)
	}
	c.tellChiefs(ctx, page, p.ID, func(t tr) string {
		return t.T(othersKey, map[string]any{"Name": p.Name, "Channel": ch.Title, "Page": page.Title})
	})
}

// isChannelButton reports a /channel button; they carry a channel id,
// which the other buttons' parser refuses.
func isChannelButton(data string) bool { return strings.HasPrefix(data, btnUnlinkChannel+":") }

// parseUnlink reads cu:pageID:channelID strictly.
func parseUnlink(data string) (pageID string, channelID int64, ok bool) {
	parts := strings.Split(data, ":")
	if len(data) > 64 || len(parts) != 3 || parts[0] != btnUnlinkChannel || !numeric(parts[1]) {
		return "", 0, false
	}
	channelID, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || channelID >= 0 {
		return "", 0, false
	}
	return parts[1], channelID, true
}

// onChannelPress unlinks the channel named by the button from the page
// named by it, checking again that the presser is that page's chief editor.
func (c *Channels) onChannelPress(ctx context.Context, p who, q *tgbotapi.CallbackQuery) (string, error) {
	pageID, channelID, ok := parseUnlink(q.Data)
	if !ok {
		return p.t.T("button_stale"), nil
	}
	before, answer, ok, err := c.pressedByChief(ctx, p, pageID)
	if !ok {
		return answer, err
	}
	page, err := c.store.UnlinkChannel(ctx, pageID, channelID)
	switch {
	case errors.Is(err, redaktor.ErrChannelNotLinked):
		return p.t.T("channel_unlink_stale"), nil
	case err != nil:
		return "", err
	}
	// The bot no longer waits for a channel of the page just unlinked.
	if s, ok, err := c.store.Session(ctx, p.ID); err != nil {
		c.log.Warn("read session", "user", p.ID, "err", err)
	} else if ok && s.Kind == redaktor.SessionChannel && s.PageID == pageID {
		c.endSession(ctx, p)
	}
	messageID := 0
	if q.Message != nil {
		messageID = q.Message.MessageID
	}
	c.channelChanged(ctx, p, page, redaktor.Channel{ID: channelID, Title: before.ChannelTitle, Username: before.ChannelUsername}, false, messageID)
	return "", nil
}

// channelRef reads which channel a message names: a forwarded post, a
// t.me link, @name or a numeric id. private is true for an invite link
// (t.me/+…, t.me/joinchat/…), which names no channel the bot can look up.
func channelRef(m *tgbotapi.Message) (ref string, private bool) {
	if m.ForwardFromChat != nil {
		return strconv.FormatInt(m.ForwardFromChat.ID, 10), false
	}
	ref = strings.TrimSpace(m.Text)
	lower := strings.ToLower(ref)
	for _, scheme := range []string{"https://", "http://"} {
		if strings.HasPrefix(lower, scheme) {
			ref, lower = ref[len(scheme):], lower[len(scheme):]
		}
	}
	for _, host := range []string{"www.t.me/", "t.me/", "telegram.me/", "telegram.dog/"} {
		if !strings.HasPrefix(lower, host) {
			continue
		}
		ref = ref[len(host):]
		if strings.HasPrefix(ref, "+") || strings.HasPrefix(strings.ToLower(ref), "joinchat/") {
			return "", true
		}
		// t.me/name/123 is a post of the channel; t.me/s/name its preview.
		ref = strings.TrimPrefix(ref, "s/")
		if i := strings.IndexAny(ref, "/?#"); i >= 0 {
			ref = ref[:i]
		}
		return "@" + ref, false
	}
	if ref != "" && ref[0] != '@' && ref[0] != '-' && !numeric(ref) {
		ref = "@" + ref
	}
	return ref, false
}

// onChannelMembership follows the bot's own rights in a channel. When it
// loses what publishing needs, or is removed, the chief editors of the page
// that has the channel are told at once; when the rights come back, too.
// The link is kept either way: the owner fixing the rights should not have
// to link again, scheduled posts resume, and no other page can take the
// channel meanwhile.
func (c *Channels) onChannelMembership(ctx context.Context, m *tgbotapi.ChatMemberUpdated) error {
	if m.NewChatMember.User != nil && m.NewChatMember.User.ID != c.tg.Self().ID {
		return nil
	}
	pageID, err := c.store.ChannelPage(ctx, m.Chat.ID)
	if err != nil {
		return fmt.Errorf("read the page of channel %d: %w", m.Chat.ID, err)
	}
	if pageID == "" {
		return nil // a channel no page has linked: nobody to tell
	}
	page, err := c.base.store.Page(ctx, pageID)
	if err != nil {
		return fmt.Errorf("read page %s of channel %d: %w", pageID, m.Chat.ID, err)
	}
	if page.ChannelID != m.Chat.ID {
		return nil
	}
	ru := c.texts.For("")
	was, now := missingRights(ru, m.OldChatMember), missingRights(ru, m.NewChatMember)
	if rightsState(m.OldChatMember, was) == rightsState(m.NewChatMember, now) {
		return nil // nothing publishing depends on changed
	}
	c.log.Info("the bot's rights in a channel changed", "channel", m.Chat.ID, "page", page.ID,
		"status", m.NewChatMember.Status, "missing", len(now))
	title := page.ChannelTitle
	if m.Chat.Title != "" {
		title = m.Chat.Title
	}
	data := func(t tr) map[string]any {
		return map[string]any{"Channel": title, "Page": page.Title, "Bot": "@" + c.tg.Username(),
			"Missing": "• " + strings.Join(missingRights(t, m.NewChatMember), "\n• ")}
	}
	switch {
	case m.NewChatMember.Status == "left" || m.NewChatMember.Status == "kicked":
		c.tellChiefs(ctx, page, 0, func(t tr) string { return t.T("channel_bot_removed", data(t)) })
	case len(now) > 0:
		c.tellChiefs(ctx, page, 0, func(t tr) string { return t.T("channel_rights_lost", data(t)) })
	case len(was) > 0:
		c.tellChiefs(ctx, page, 0, func(t tr) string { return t.T("channel_rights_back", data(t)) })
	}
	return nil
}

// rightsState sums up the bot's membership for publishing: gone (left or
// removed), or what it lacks.
func rightsState(m tgbotapi.ChatMember, missing []string) string {
	if m.Status == "left" || m.Status == "kicked" {
		return "gone"
	}
	return strings.Join(missing, ",")
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
