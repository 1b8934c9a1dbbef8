package bottest

import (
	"encoding/json"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// target resolves chat_id of a send and checks that the bot may post there.
func (s *Server) target(req *request) (*chat, *APIError) {
	c, err := s.lookupChat(req.str("chat_id"))
	if err != nil {
		return nil, err
	}
	req.chatID = c.info.ID
	return c, nil
}

// admit runs the checks every send shares after its own validation, in
// Telegram's order: membership, reply target, flood limits.
func (s *Server) admit(c *chat, req *request, messages int) (*tgbotapi.Message, *APIError) {
	if err := s.canWrite(c); err != nil {
		return nil, err
	}
	reply, err := s.replyTarget(c, req)
	if err != nil {
		return nil, err
	}
	if s.limits != nil {
		if wait := s.limits.take(s.now(), c, messages); wait > 0 {
			return nil, tooManyRequests(wait)
		}
	}
	return reply, nil
}

func (s *Server) sendMessage(req *request) (any, *APIError) {
	c, err := s.target(req)
	if err != nil {
		return nil, err
	}
	body, err := parseText(req.str("text"), req.str("parse_mode"), req.str("entities"))
	if err != nil {
		return nil, err
	}
	mk, err := parseMarkup(req.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	reply, err := s.admit(c, req, 1)
	if err != nil {
		return nil, err
	}
	st := s.postFromBot(c, req.method, KindText, "", body, mk)
	st.msg.ReplyToMessage = reply
	return st.msg, nil
}

// parseText validates a message text: 1-4096 UTF-16 units after parsing.
func parseText(text, parseMode, entities string) (textBody, *APIError) {
	plain, es, err := formatted(text, parseMode, entities)
	switch {
	case err != nil:
		return textBody{}, err
	case isBlank(plain):
		return textBody{}, errTextEmpty
	case utf16Len(plain) > maxTextLen:
		return textBody{}, errTextTooLong
	}
	return textBody{text: plain, entities: es, parseMode: parseMode}, nil
}

// parseCaption validates a caption: at most 1024 UTF-16 units after parsing.
func parseCaption(caption, parseMode, entities string, tooLong *APIError) (textBody, *APIError) {
	plain, es, err := formatted(caption, parseMode, entities)
	switch {
	case err != nil:
		return textBody{}, err
	case utf16Len(plain) > maxCaptionLen:
		return textBody{}, tooLong
	}
	return textBody{text: plain, entities: es, parseMode: parseMode}, nil
}

func isBlank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}

// sendFile returns the handler of sendPhoto, sendVideo and the like: the
// file comes in the parameter named after the kind.
func (s *Server) sendFile(k Kind) func(*request) (any, *APIError) {
	return func(req *request) (any, *APIError) {
		c, err := s.target(req)
		if err != nil {
			return nil, err
		}
		field := string(k)
		value := req.str(field)
		if _, uploaded := req.files[field]; uploaded {
			value = "attach://" + field
		}
		if value == "" {
			return nil, badRequest("there is no %s in the request", field)
		}
		body, err := parseCaption(req.str("caption"), req.str("parse_mode"), req.str("caption_entities"), errCaptionTooLong)
		if err != nil {
			return nil, err
		}
		mk, err := parseMarkup(req.str("reply_markup"))
		if err != nil {
			return nil, err
		}
		fileID, err := s.resolveFile(req, value, k)
		if err != nil {
			return nil, err
		}
		reply, err := s.admit(c, req, 1)
		if err != nil {
			return nil, err
		}
		st := s.postFromBot(c, req.method, k, fileID, body, mk)
		st.msg.ReplyToMessage = reply
		return st.msg, nil
	}
}

// inputMedia is one item of sendMediaGroup's media parameter.
type inputMedia struct {
	Type            string                   `json:"type"`
	Media           string                   `json:"media"`
	Caption         string                   `json:"caption"`
	ParseMode       string                   `json:"parse_mode"`
	CaptionEntities []tgbotapi.MessageEntity `json:"caption_entities"`
}

func (s *Server) sendMediaGroup(req *request) (any, *APIError) {
	c, err := s.target(req)
	if err != nil {
		return nil, err
	}
	if !req.has("media") {
		return nil, errMediaRequired
	}
	var items []inputMedia
	if json.Unmarshal([]byte(req.str("media")), &items) != nil {
		return nil, errMediaJSON
	}
	switch {
	case len(items) == 0:
		return nil, errNoMessagesToSend
	case len(items) > 10:
		return nil, errTooManyInAlbum
	case req.str("reply_markup") != "":
		return nil, errMarkupOnAlbum
	}
	if err := checkAlbumMix(items); err != nil {
		return nil, err
	}
	type prepared struct {
		kind   Kind
		fileID string
		body   textBody
	}
	ready := make([]prepared, 0, len(items))
	for _, it := range items {
		entities := ""
		if len(it.CaptionEntities) > 0 {
			b, _ := json.Marshal(it.CaptionEntities)
			entities = string(b)
		}
		body, err := parseCaption(it.Caption, it.ParseMode, entities, errMediaCaptionLong)
		if err != nil {
			return nil, err
		}
		k := Kind(it.Type)
		fileID, err := s.resolveFile(req, it.Media, k)
		if err != nil {
			return nil, err
		}
		ready = append(ready, prepared{kind: k, fileID: fileID, body: body})
	}
	reply, err := s.admit(c, req, len(ready))
	if err != nil {
		return nil, err
	}
	group := ""
	if len(ready) > 1 { // Telegram sends a one-item album as a plain message
		group = strconv.Itoa(13000000000000000 + s.nextSeq())
	}
	out := make([]tgbotapi.Message, 0, len(ready))
	for _, p := range ready {
		st := s.postFromBot(c, req.method, p.kind, p.fileID, p.body, markup{})
		st.msg.MediaGroupID = group
		st.msg.ReplyToMessage = reply
		out = append(out, st.msg)
	}
	return out, nil
}

// checkAlbumMix applies Telegram's album rules: photos and videos mix,
// documents and audio only with their own kind.
func checkAlbumMix(items []inputMedia) *APIError {
	for _, it := range items {
		switch it.Type {
		case "photo", "video", "document", "audio":
		case "":
			return badRequest("can't parse InputMedia: media type is not specified")
		default:
			return badRequest(`can't parse InputMedia: type "%s" can't be used in sendMediaGroup`, it.Type)
		}
		if it.Media == "" {
			return errMediaNotFound
		}
	}
	for _, solo := range []string{"document", "audio"} {
		has, other := false, false
		for _, it := range items {
			if it.Type == solo {
				has = true
			} else {
				other = true
			}
		}
		if has && other {
			return badRequest("%s can't be mixed with other media types", solo)
		}
	}
	return nil
}

// source finds the message copyMessage or forwardMessage reads from.
func (s *Server) source(req *request, notFound *APIError) (*stored, *APIError) {
	from, err := s.lookupChat(req.str("from_chat_id"))
	if err != nil {
		return nil, err
	}
	id := req.int("message_id")
	if id == 0 {
		return nil, errMessageIDEmpty
	}
	st := from.byID[id]
	if st == nil || st.deleted {
		return nil, notFound
	}
	return st, nil
}

func (s *Server) copyMessage(req *request) (any, *APIError) {
	c, err := s.target(req)
	if err != nil {
		return nil, err
	}
	src, err := s.source(req, errCopyNotFound)
	if err != nil {
		return nil, err
	}
	k := kindOf(&src.msg)
	body := textBody{text: src.msg.Text, entities: src.msg.Entities}
	if k != KindText {
		body = textBody{text: src.msg.Caption, entities: src.msg.CaptionEntities}
		if req.has("caption") {
			if body, err = parseCaption(req.str("caption"), req.str("parse_mode"), req.str("caption_entities"), errCaptionTooLong); err != nil {
				return nil, err
			}
		}
	}
	mk, err := parseMarkup(req.str("reply_markup"))
	if err != nil {
		return nil, err
	}
	reply, err := s.admit(c, req, 1)
	if err != nil {
		return nil, err
	}
	st := s.postFromBot(c, req.method, k, src.fileID, body, mk)
	st.silent = req.bool("disable_notification")
	st.msg.MediaGroupID = ""
	st.msg.ReplyToMessage = reply
	copyMedia(&st.msg, &src.msg)
	return tgbotapi.MessageID{MessageID: st.msg.MessageID}, nil
}

// copyMedia carries over content a file id cannot describe (locations,
// polls, contacts) so the copy looks like the original.
func copyMedia(dst, src *tgbotapi.Message) {
	if src.Location != nil {
		dst.Location = ptr(*src.Location)
	}
	if src.Contact != nil {
		dst.Contact = ptr(*src.Contact)
	}
	if src.Poll != nil {
		dst.Poll = ptr(*src.Poll)
	}
}

func (s *Server) forwardMessage(req *request) (any, *APIError) {
	c, err := s.target(req)
	if err != nil {
		return nil, err
	}
	src, err := s.source(req, errForwardNotFound)
	if err != nil {
		return nil, err
	}
	if _, err := s.admit(c, req, 1); err != nil {
		return nil, err
	}
	st := s.forward(c, req, src)
	st.msg.MediaGroupID = ""
	return st.msg, nil
}

// forwardMessages forwards several messages of one chat at once, as
// Telegram does: ids strictly increasing (1–100), missing ones skipped,
// albums kept together (with a new album id), message ids returned.
func (s *Server) forwardMessages(req *request) (any, *APIError) {
	c, err := s.target(req)
	if err != nil {
		return nil, err
	}
	from, err := s.lookupChat(req.str("from_chat_id"))
	if err != nil {
		return nil, err
	}
	var ids []int
	if json.Unmarshal([]byte(req.str("message_ids")), &ids) != nil || len(ids) == 0 {
		return nil, errMessageIDsEmpty
	}
	if len(ids) > 100 {
		return nil, errTooManyMessageIDs
	}
	var srcs []*stored
	for i, id := range ids {
		if i > 0 && id <= ids[i-1] {
			return nil, errMessageIDsOrder
		}
		if st := from.byID[id]; st != nil && !st.deleted {
			srcs = append(srcs, st)
		}
	}
	if len(srcs) == 0 {
		return nil, errForwardNotFound
	}
	if _, err := s.admit(c, req, len(srcs)); err != nil {
		return nil, err
	}
	groups := map[string]string{} // source album id → the forwards' album id
	out := make([]tgbotapi.MessageID, 0, len(srcs))
	for _, src := range srcs {
		st := s.forward(c, req, src)
		if g := src.msg.MediaGroupID; g != "" {
			if groups[g] == "" {
				groups[g] = strconv.Itoa(13000000000000000 + s.nextSeq())
			}
			st.msg.MediaGroupID = groups[g]
		}
		out = append(out, tgbotapi.MessageID{MessageID: st.msg.MessageID})
	}
	return out, nil
}

// forward stores a forward of src in c, showing where it came from.
func (s *Server) forward(c *chat, req *request, src *stored) *stored {
	k := kindOf(&src.msg)
	body := textBody{text: src.msg.Text, entities: src.msg.Entities}
	if k != KindText {
		body = textBody{text: src.msg.Caption, entities: src.msg.CaptionEntities}
	}
	st := s.postFromBot(c, req.method, k, src.fileID, body, markup{})
	st.silent = req.bool("disable_notification")
	copyMedia(&st.msg, &src.msg)
	switch {
	case src.msg.ForwardFromChat != nil || src.msg.ForwardFrom != nil: // forwards keep the first origin
		st.msg.ForwardFrom, st.msg.ForwardFromChat = src.msg.ForwardFrom, src.msg.ForwardFromChat
		st.msg.ForwardFromMessageID, st.msg.ForwardDate = src.msg.ForwardFromMessageID, src.msg.ForwardDate
	case src.msg.Chat.Type == "channel":
		st.msg.ForwardFromChat = ptr(*src.msg.Chat)
		st.msg.ForwardFromMessageID = src.msg.MessageID
		st.msg.ForwardDate = src.msg.Date
	default:
		st.msg.ForwardFrom = src.msg.From
		st.msg.ForwardDate = src.msg.Date
	}
	return st
}

func (s *Server) sendChatAction(req *request) (any, *APIError) {
	c, err := s.target(req)
	if err != nil {
		return nil, err
	}
	if req.str("action") == "" {
		return nil, badRequest("wrong parameter action in request")
	}
	if err := s.canWrite(c); err != nil {
		return nil, err
	}
	return true, nil
}
