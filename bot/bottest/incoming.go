package bottest

import (
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// MessageOption shapes a message built by [Server.Send] or [Server.ChannelPost].
type MessageOption func(*incoming)

type incoming struct {
	kind         Kind
	text         string
	entities     []tgbotapi.MessageEntity
	explicit     bool // entities given: do not detect any
	chatID       int64
	fwdChat      int64
	fwdMessageID int
	replyTo      int
	mediaGroupID string
}

// Text sets the text, or the caption of a media message.
func Text(text string) MessageOption { return func(m *incoming) { m.text = text } }

// Entities sets the entities of the text or caption explicitly; without
// this option commands, mentions, hashtags and links are detected, as
// Telegram clients do.
func Entities(es ...tgbotapi.MessageEntity) MessageOption {
	return func(m *incoming) { m.entities, m.explicit = es, true }
}

// Media makes the message a photo, video, sticker, location, poll... with a
// fresh file id the bot may send back.
func Media(k Kind) MessageOption { return func(m *incoming) { m.kind = k } }

// InChat posts the message in a group instead of the sender's private chat.
func InChat(chatID int64) MessageOption { return func(m *incoming) { m.chatID = chatID } }

// ForwardedFrom marks the message as forwarded from a channel post. The
// channel need not be registered: users forward from channels the bot is
// not in.
func ForwardedFrom(channelID int64, messageID int) MessageOption {
	return func(m *incoming) { m.fwdChat, m.fwdMessageID = channelID, messageID }
}

// ReplyTo makes the message a reply to a message in the same chat.
func ReplyTo(messageID int) MessageOption { return func(m *incoming) { m.replyTo = messageID } }

// MediaGroup puts the message in an album; see also [Server.SendAlbum].
func MediaGroup(id string) MessageOption { return func(m *incoming) { m.mediaGroupID = id } }

// Send simulates a user writing to the bot, queues the update and returns
// it. The user must have been added with [Server.AddUser]; a text-less
// message without [Media] is an empty text message.
func (s *Server) Send(from int64, opts ...MessageOption) tgbotapi.Update {
	s.t.Helper()
	spec := incoming{kind: KindText}
	for _, o := range opts {
		o(&spec)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[from]
	if u == nil {
		s.t.Errorf("bottest: user %d is not registered; call AddUser first", from)
		return tgbotapi.Update{}
	}
	chatID := from
	if spec.chatID != 0 {
		chatID = spec.chatID
	}
	c := s.mustChat(chatID)
	if c == nil {
		return tgbotapi.Update{}
	}
	st := s.buildIncoming(c, spec)
	sender := u.info
	s.post(c, &sender, st)
	return s.pushLocked(tgbotapi.Update{Message: ptr(cloneMessage(st.msg))})
}

// ChannelPost simulates a post in a channel (by its admins, not the bot)
// and queues the channel_post update.
func (s *Server) ChannelPost(channelID int64, opts ...MessageOption) tgbotapi.Update {
	s.t.Helper()
	spec := incoming{kind: KindText}
	for _, o := range opts {
		o(&spec)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustChat(channelID)
	if c == nil {
		return tgbotapi.Update{}
	}
	st := s.post(c, nil, s.buildIncoming(c, spec))
	return s.pushLocked(tgbotapi.Update{ChannelPost: ptr(cloneMessage(st.msg))})
}

func (s *Server) buildIncoming(c *chat, spec incoming) *stored {
	st := &stored{kind: spec.kind}
	entities := spec.entities
	if !spec.explicit {
		entities = withDetected(spec.text, nil)
	}
	setBody(&st.msg, spec.kind, spec.text, entities)
	if spec.kind != KindText {
		fileID := ""
		if spec.kind.hasFile() {
			fileID = s.newFileID(spec.kind)
		} else {
			fileID = strconv.Itoa(s.nextSeq())
		}
		st.fileID = fileID
		s.attach(&st.msg, spec.kind, fileID)
	}
	st.msg.MediaGroupID = spec.mediaGroupID
	if spec.fwdChat != 0 {
		fwd := tgbotapi.Chat{ID: spec.fwdChat, Type: "channel", Title: fmt.Sprintf("Channel %d", spec.fwdChat)}
		if known := s.chats[spec.fwdChat]; known != nil {
			fwd = *known.ref()
		}
		st.msg.ForwardFromChat = &fwd
		st.msg.ForwardFromMessageID = spec.fwdMessageID
		st.msg.ForwardDate = int(s.now().Unix())
	}
	if spec.replyTo != 0 {
		if target := c.byID[spec.replyTo]; target != nil {
			m := cloneMessage(target.msg)
			m.ReplyToMessage = nil
			st.msg.ReplyToMessage = &m
		} else {
			s.t.Errorf("bottest: reply to unknown message %d in chat %d", spec.replyTo, c.info.ID)
		}
	}
	return st
}

// SendText simulates a user sending text in the private chat; a leading
// /command gets its bot_command entity.
func (s *Server) SendText(from int64, text string) tgbotapi.Update {
	s.t.Helper()
	return s.Send(from, Text(text))
}

// SendAlbum simulates a user sending 2-10 media sharing a media_group_id,
// the caption on the first, as Telegram delivers albums: one update per
// item. Without kinds it sends two photos.
func (s *Server) SendAlbum(from int64, caption string, kinds ...Kind) []tgbotapi.Update {
	s.t.Helper()
	if len(kinds) == 0 {
		kinds = []Kind{KindPhoto, KindPhoto}
	}
	if len(kinds) < 2 || len(kinds) > 10 {
		s.t.Errorf("bottest: an album has 2-10 items, got %d", len(kinds))
		return nil
	}
	s.mu.Lock()
	group := strconv.Itoa(13000000000000000 + s.nextSeq())
	s.mu.Unlock()
	updates := make([]tgbotapi.Update, 0, len(kinds))
	for i, k := range kinds {
		opts := []MessageOption{Media(k), MediaGroup(group)}
		if i == 0 {
			opts = append(opts, Text(caption))
		}
		updates = append(updates, s.Send(from, opts...))
	}
	return updates
}

// Press simulates a user pressing the inline button with callback data on
// a message the bot sent, and queues the callback_query. Pressing a button
// that is not on the message fails the test: no user could do that.
func (s *Server) Press(from int64, chatID int64, messageID int, data string) tgbotapi.Update {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[from]
	if u == nil {
		s.t.Errorf("bottest: user %d is not registered; call AddUser first", from)
		return tgbotapi.Update{}
	}
	c := s.mustChat(chatID)
	if c == nil {
		return tgbotapi.Update{}
	}
	st := c.byID[messageID]
	switch {
	case st == nil || st.deleted || !st.fromBot:
		s.t.Errorf("bottest: no message %d of the bot in chat %d to press a button on", messageID, chatID)
		return tgbotapi.Update{}
	case !hasCallback(st.msg.ReplyMarkup, data):
		s.t.Errorf("bottest: message %d in chat %d has no button with callback_data %q", messageID, chatID, data)
		return tgbotapi.Update{}
	}
	id := strconv.FormatInt(int64(from)<<16+int64(s.nextSeq()), 10)
	s.callbacks[id] = false
	sender := u.info
	q := &tgbotapi.CallbackQuery{
		ID:           id,
		From:         &sender,
		Message:      ptr(cloneMessage(st.msg)),
		ChatInstance: strconv.FormatInt(-chatID*7919, 10),
		Data:         data,
	}
	return s.pushLocked(tgbotapi.Update{CallbackQuery: q})
}

func hasCallback(kb *tgbotapi.InlineKeyboardMarkup, data string) bool {
	if kb == nil {
		return false
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != nil && *b.CallbackData == data {
				return true
			}
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }
