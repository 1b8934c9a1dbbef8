package bottest

import (
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// methods is the dispatch table; method names are case-insensitive on
// Telegram, so the keys are lower-cased.
func (s *Server) methods() map[string]handler {
	table := map[string]func(*request) (any, *APIError){
		"getMe":                  s.getMe,
		"sendMessage":            s.sendMessage,
		"sendPhoto":              s.sendFile(KindPhoto),
		"sendVideo":              s.sendFile(KindVideo),
		"sendAnimation":          s.sendFile(KindAnimation),
		"sendDocument":           s.sendFile(KindDocument),
		"sendAudio":              s.sendFile(KindAudio),
		"sendVoice":              s.sendFile(KindVoice),
		"sendMediaGroup":         s.sendMediaGroup,
		"copyMessage":            s.copyMessage,
		"forwardMessage":         s.forwardMessage,
		"forwardMessages":        s.forwardMessages,
		"sendChatAction":         s.sendChatAction,
		"editMessageText":        s.editMessageText,
		"editMessageCaption":     s.editMessageCaption,
		"editMessageReplyMarkup": s.editMessageReplyMarkup,
		"deleteMessage":          s.deleteMessage,
		"answerCallbackQuery":    s.answerCallbackQuery,
		"getChat":                s.getChat,
		"getChatMember":          s.getChatMember,
		"setMyCommands":          s.setMyCommands,
		"getMyCommands":          s.getMyCommands,
		"deleteMyCommands":       s.deleteMyCommands,
		"setWebhook":             s.setWebhook,
		"deleteWebhook":          s.deleteWebhook,
		"getWebhookInfo":         s.getWebhookInfo,
	}
	out := make(map[string]handler, len(table)+1)
	for name, fn := range table {
		out[strings.ToLower(name)] = handler{fn: fn, name: name}
	}
	out["getupdates"] = handler{fn: s.getUpdates, name: "getUpdates", unlocked: true}
	return out
}

func (s *Server) getMe(*request) (any, *APIError) { return s.bot, nil }

func (s *Server) getChat(req *request) (any, *APIError) {
	c, err := s.lookupChat(req.str("chat_id"))
	if err != nil {
		return nil, err
	}
	req.chatID = c.info.ID
	return c.info, nil
}

// getChatMember answers the bot's own membership from its [Rights] and a
// user's from [Server.SetMember] ("member" by default), with the fields of
// Telegram's ChatMemberAdministrator / ChatMemberMember shapes. In a
// channel, only a bot that is an administrator may ask about others.
func (s *Server) getChatMember(req *request) (any, *APIError) {
	c, err := s.lookupChat(req.str("chat_id"))
	if err != nil {
		return nil, err
	}
	req.chatID = c.info.ID
	userID := req.int64("user_id")
	if userID == 0 {
		return nil, errInvalidUserID
	}
	if userID == s.bot.ID {
		if c.isPrivate() {
			return map[string]any{"status": StatusMember, "user": s.bot}, nil
		}
		return memberJSON(s.bot, c.rights, c.isChannel()), nil
	}
	if c.isChannel() && !c.rights.admin() {
		return nil, errMemberListHidden // only administrators see a channel's members
	}
	u := s.users[userID]
	if u == nil {
		return nil, errUserNotFound
	}
	status := StatusMember
	if set, ok := c.members[userID]; ok {
		status = set
	} else if c.isPrivate() && c.info.ID != userID {
		status = StatusLeft
	}
	return memberJSON(u.info, Rights{Status: status}, c.isChannel()), nil
}

func memberJSON(u tgbotapi.User, r Rights, channel bool) map[string]any {
	m := map[string]any{"status": r.Status, "user": u}
	switch r.Status {
	case StatusAdministrator:
		m["can_be_edited"] = false
		m["is_anonymous"] = false
		m["can_manage_chat"] = true
		m["can_delete_messages"] = r.CanDeleteMessages
		m["can_manage_video_chats"] = false
		m["can_restrict_members"] = false
		m["can_promote_members"] = false
		m["can_change_info"] = false
		m["can_invite_users"] = true
		if channel {
			m["can_post_messages"] = r.CanPostMessages
			m["can_edit_messages"] = r.CanEditMessages
		} else {
			m["can_pin_messages"] = false
		}
	case StatusKicked:
		m["until_date"] = 0
	case StatusCreator:
		m["is_anonymous"] = false
	}
	return m
}

// answerCallbackQuery accepts each query id once, as Telegram does.
func (s *Server) answerCallbackQuery(req *request) (any, *APIError) {
	id := req.str("callback_query_id")
	answered, known := s.callbacks[id]
	if !known || answered {
		return nil, errQueryInvalid
	}
	if utf16Len(req.str("text")) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	s.callbacks[id] = true
	return true, nil
}

// commandKey identifies one command list: Telegram keeps a list per scope
// and language.
type commandKey struct {
	scope string // scope type, ":" chat id, ":" user id
	lang  string
}

func scopeKey(scope tgbotapi.BotCommandScope) string {
	typ := scope.Type
	if typ == "" {
		typ = "default"
	}
	return typ + ":" + strconv.FormatInt(scope.ChatID, 10) + ":" + strconv.FormatInt(scope.UserID, 10)
}

func (s *Server) parseScope(req *request) (commandKey, *APIError) {
	var scope tgbotapi.BotCommandScope
	if raw := req.str("scope"); raw != "" {
		if json.Unmarshal([]byte(raw), &scope) != nil {
			return commandKey{}, errScopeJSON
		}
		switch scope.Type {
		case "default", "all_private_chats", "all_group_chats", "all_chat_administrators":
			scope.ChatID, scope.UserID = 0, 0 // Telegram ignores them
		case "chat", "chat_administrators", "chat_member":
			// The chat must be one the bot knows: for a private chat, a
			// person who wrote to it.
			if scope.ChatID == 0 {
				return commandKey{}, errChatIDEmpty
			}
			if _, ok := s.chats[scope.ChatID]; !ok {
				return commandKey{}, errChatNotFound
			}
			if scope.Type != "chat_member" {
				scope.UserID = 0
			}
		default:
			return commandKey{}, badRequest("unsupported bot command scope type specified")
		}
	}
	lang := req.str("language_code")
	if lang != "" && !langCode.MatchString(lang) {
		return commandKey{}, badRequest("invalid language code specified")
	}
	return commandKey{scope: scopeKey(scope), lang: lang}, nil
}

var (
	langCode    = regexp.MustCompile(`^[a-z]{2}$`)
	commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
)

func (s *Server) setMyCommands(req *request) (any, *APIError) {
	var cmds []tgbotapi.BotCommand
	if json.Unmarshal([]byte(req.str("commands")), &cmds) != nil {
		return nil, errCommandsJSON
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(c.Description); n == 0 || n > 256 {
			return nil, badRequest("command description must be non-empty")
		}
	}
	key, err := s.parseScope(req)
	if err != nil {
		return nil, err
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

func (s *Server) getMyCommands(req *request) (any, *APIError) {
	key, err := s.parseScope(req)
	if err != nil {
		return nil, err
	}
	return append([]tgbotapi.BotCommand{}, s.commands[key]...), nil
}

func (s *Server) deleteMyCommands(req *request) (any, *APIError) {
	key, err := s.parseScope(req)
	if err != nil {
		return nil, err
	}
	delete(s.commands, key)
	return true, nil
}

// Commands returns the command list the bot set for a scope (zero value:
// the default scope) and language ("" for all languages).
func (s *Server) Commands(scope tgbotapi.BotCommandScope, lang string) []tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[commandKey{scope: scopeKey(scope), lang: lang}])
}

// Menu is the command menu a person whose Telegram speaks lang sees in
// their private chat with the bot, found as Telegram's apps find it: the
// chat's own list for their language, the chat's own list, then the
// same for all private chats, then for the default scope. Empty when
// none is set.
func (s *Server) Menu(chatID int64, lang string) []tgbotapi.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, scope := range []tgbotapi.BotCommandScope{{Type: "chat", ChatID: chatID}, {Type: "all_private_chats"}, {Type: "default"}} {
		for _, l := range []string{lang, ""} {
			if cmds, ok := s.commands[commandKey{scope: scopeKey(scope), lang: l}]; ok {
				return slices.Clone(cmds)
			}
		}
	}
	return nil
}

// Webhook is the webhook configuration the bot set. The server stores it
// and refuses getUpdates while it is set, but delivers nothing to it.
type Webhook struct {
	URL            string
	SecretToken    string
	MaxConnections int
	AllowedUpdates []string
}

// Webhook returns the current webhook configuration; URL is empty when
// none is set.
func (s *Server) Webhook() Webhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.webhook
	w.AllowedUpdates = slices.Clone(w.AllowedUpdates)
	return w
}

var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(req *request) (any, *APIError) {
	url := req.str("url")
	if url == "" {
		return s.deleteWebhook(req)
	}
	if !strings.HasPrefix(url, "https://") {
		return nil, errWebhookHTTPS
	}
	secret := req.str("secret_token")
	if secret != "" && !secretToken.MatchString(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	w := Webhook{URL: url, SecretToken: secret, MaxConnections: req.int("max_connections")}
	if w.MaxConnections == 0 {
		w.MaxConnections = 40
	}
	if raw := req.str("allowed_updates"); raw != "" {
		if json.Unmarshal([]byte(raw), &w.AllowedUpdates) != nil {
			return nil, badRequest("can't parse allowed updates JSON object")
		}
	}
	if req.bool("drop_pending_updates") {
		s.updates = nil
	}
	s.webhook = w
	return true, nil
}

func (s *Server) deleteWebhook(req *request) (any, *APIError) {
	if req.bool("drop_pending_updates") {
		s.updates = nil
	}
	s.webhook = Webhook{}
	return true, nil
}

func (s *Server) getWebhookInfo(*request) (any, *APIError) {
	info := tgbotapi.WebhookInfo{URL: s.webhook.URL, PendingUpdateCount: len(s.updates)}
	if s.webhook.URL != "" {
		info.MaxConnections = s.webhook.MaxConnections
		info.AllowedUpdates = s.webhook.AllowedUpdates
	}
	return info, nil
}
