package bottest

import (
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// chatRef is the chat object embedded in messages: Telegram includes only
// the identifying fields there.
func (c *chat) ref() *tgbotapi.Chat {
	return &tgbotapi.Chat{ID: c.info.ID, Type: c.info.Type, Title: c.info.Title, UserName: c.info.UserName, FirstName: c.info.FirstName, LastName: c.info.LastName}
}

// post appends a message to a chat's history with the next message_id and
// the current date; from is nil for channel posts, which carry sender_chat.
func (s *Server) post(c *chat, from *tgbotapi.User, st *stored) *stored {
	st.msg.MessageID = c.nextID
	c.nextID++
	st.msg.Date = int(s.now().Unix())
	st.msg.Chat = c.ref()
	if c.isChannel() {
		st.msg.SenderChat = c.ref()
	} else if from != nil {
		u := *from
		st.msg.From = &u
	}
	c.byID[st.msg.MessageID] = st
	c.order = append(c.order, st)
	s.signalLocked()
	return st
}

// postFromBot posts an outgoing message of the given kind.
func (s *Server) postFromBot(c *chat, method string, k Kind, fileID string, body textBody, mk markup) *stored {
	st := &stored{fromBot: true, method: method, kind: k, fileID: fileID, parseMode: body.parseMode, rawMarkup: mk.raw}
	setBody(&st.msg, k, body.text, body.entities)
	if k.hasFile() || k == KindLocation || k == KindPoll || k == KindContact {
		s.attach(&st.msg, k, fileID)
	}
	st.msg.ReplyMarkup = mk.inline
	bot := s.bot
	return s.post(c, &bot, st)
}

// textBody is parsed text or caption.
type textBody struct {
	text      string
	entities  []tgbotapi.MessageEntity
	parseMode string
}

// replyTarget checks reply_to_message_id: Telegram refuses a reply to a
// missing message unless allow_sending_without_reply is set.
func (s *Server) replyTarget(c *chat, req *request) (*tgbotapi.Message, *APIError) {
	id := req.int("reply_to_message_id")
	if id == 0 {
		return nil, nil
	}
	st := c.byID[id]
	if st == nil || st.deleted {
		if req.bool("allow_sending_without_reply") {
			return nil, nil
		}
		return nil, errReplyNotFound
	}
	m := cloneMessage(st.msg)
	m.ReplyToMessage = nil // Telegram nests one level only
	return &m, nil
}
