package bottest

import "time"

// deleteWindow is how long after posting a message can still be deleted.
const deleteWindow = 48 * time.Hour

// editable finds the message an edit addresses and checks that the bot may
// edit it: its own message, or any channel post with can_edit_messages.
func (s *Server) editable(req *request) (*chat, *stored, *APIError) {
	if req.has("inline_message_id") {
		return nil, nil, badRequest("MESSAGE_ID_INVALID") // inline mode is not simulated
	}
	c, err := s.lookupChat(req.str("chat_id"))
	if err != nil {
		return nil, nil, err
	}
	req.chatID = c.info.ID
	id := req.int("message_id")
	if id == 0 {
		return nil, nil, errMessageIDEmpty
	}
	st := c.byID[id]
	if st == nil || st.deleted {
		return nil, nil, errEditNotFound
	}
	if c.isPrivate() {
		if err := s.userReachable(c.info.ID); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case c.isChannel():
		if !c.rights.admin() || !(c.rights.CanEditMessages || st.fromBot && c.rights.CanPostMessages) {
			return nil, nil, errCantBeEdited
		}
	case !st.fromBot:
		return nil, nil, errCantBeEdited
	case st.msg.ForwardDate != 0 || st.msg.ForwardFromChat != nil || st.msg.ForwardFrom != nil:
		// A forward shows another's message: nobody can edit it.
		return nil, nil, errCantBeEdited
	}
	return c, st, nil
}

// applyEdit stores new content unless nothing changes, which Telegram
// refuses with "message is not modified".
func (s *Server) applyEdit(st *stored, body textBody, mk markup) (any, *APIError) {
	text, entities := st.msg.Text, st.msg.Entities
	if st.kind != KindText {
		text, entities = st.msg.Caption, st.msg.CaptionEntities
	}
	if text == body.text && sameEntities(entities, body.entities) && sameKeyboard(st.msg.ReplyMarkup, mk.inline) {
		return nil, errNotModified
	}
	setBody(&st.msg, st.kind, body.text, body.entities)
	st.msg.ReplyMarkup = mk.inline
	st.rawMarkup = mk.raw
	st.parseMode = body.parseMode
	st.msg.EditDate = int(s.now().Unix())
	st.edits++
	s.signalLocked()
	return st.msg, nil
}

// editMessageText replaces text and keyboard. Like Telegram, omitting
// reply_markup removes the inline keyboard.
func (s *Server) editMessageText(req *request) (any, *APIError) {
	_, st, err := s.editable(req)
	if err != nil {
		return nil, err
	}
	if st.kind != KindText {
		return nil, errNoTextToEdit
	}
	plain, entities, err := formatted(req.str("text"), req.str("parse_mode"), req.str("entities"))
	switch {
	case err != nil:
		return nil, err
	case isBlank(plain):
		return nil, errTextEmpty
	case utf16Len(plain) > maxTextLen:
		return nil, errEditTextTooLong
	}
	mk, err := parseMarkup(req.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	return s.applyEdit(st, textBody{text: plain, entities: entities, parseMode: req.str("parse_mode")}, mk)
}

// editMessageCaption replaces caption and keyboard of a media message.
func (s *Server) editMessageCaption(req *request) (any, *APIError) {
	_, st, err := s.editable(req)
	if err != nil {
		return nil, err
	}
	if !st.kind.hasCaption() {
		return nil, errNoCaptionToEdit
	}
	body, err := parseCaption(req.str("caption"), req.str("parse_mode"), req.str("caption_entities"), errMediaCaptionLong)
	if err != nil {
		return nil, err
	}
	mk, err := parseMarkup(req.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	return s.applyEdit(st, body, mk)
}

// editMessageReplyMarkup replaces only the keyboard; without reply_markup
// it removes it.
func (s *Server) editMessageReplyMarkup(req *request) (any, *APIError) {
	_, st, err := s.editable(req)
	if err != nil {
		return nil, err
	}
	mk, err := parseMarkup(req.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	if mk.raw != "" && !mk.isInline {
		return nil, badRequest("inline keyboard expected")
	}
	text, entities := st.msg.Text, st.msg.Entities
	if st.kind != KindText {
		text, entities = st.msg.Caption, st.msg.CaptionEntities
	}
	return s.applyEdit(st, textBody{text: text, entities: entities, parseMode: st.parseMode}, mk)
}

// deleteMessage follows Telegram's rules: nothing older than 48 hours; in
// private chats anything; in groups the bot's own messages, others' only as
// administrator with can_delete_messages; in channels with
// can_delete_messages, or the bot's own posts with can_post_messages.
func (s *Server) deleteMessage(req *request) (any, *APIError) {
	c, err := s.lookupChat(req.str("chat_id"))
	if err != nil {
		return nil, err
	}
	req.chatID = c.info.ID
	id := req.int("message_id")
	if id == 0 {
		return nil, errMessageIDEmpty
	}
	st := c.byID[id]
	if st == nil || st.deleted {
		return nil, errDeleteNotFound
	}
	r := c.rights
	switch {
	case c.isPrivate():
		// A person who blocked the bot (or is gone) is out of its reach.
		if err := s.userReachable(c.info.ID); err != nil {
			return nil, err
		}
	case c.isChannel():
		if !r.admin() || !(r.CanDeleteMessages || st.fromBot && r.CanPostMessages) {
			return nil, errCantBeDeleted
		}
	case !st.fromBot && !(r.admin() && r.CanDeleteMessages):
		return nil, errCantBeDeleted
	}
	if s.now().Sub(time.Unix(int64(st.msg.Date), 0)) >= deleteWindow {
		return nil, errCantDeleteForAll
	}
	st.deleted = true
	s.signalLocked()
	return true, nil
}
