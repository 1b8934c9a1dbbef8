package bottest

import (
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Member statuses as Telegram spells them in ChatMember.status.
const (
	StatusCreator       = "creator"
	StatusAdministrator = "administrator"
	StatusMember        = "member"
	StatusLeft          = "left"
	StatusKicked        = "kicked"
)

// Rights is the bot's membership in a group or channel: its status and the
// administrator rights that decide whether it may post, edit and delete.
type Rights struct {
	Status            string // StatusAdministrator, StatusMember, StatusLeft or StatusKicked
	CanPostMessages   bool
	CanEditMessages   bool
	CanDeleteMessages bool
}

// AdminRights is an administrator with every right the bot uses; it is what
// [Server.AddChannel] starts with, since posting is the common case.
func AdminRights() Rights {
	return Rights{Status: StatusAdministrator, CanPostMessages: true, CanEditMessages: true, CanDeleteMessages: true}
}

// chat is everything the server knows about one chat.
type chat struct {
	info    tgbotapi.Chat
	rights  Rights           // the bot's own membership; unused in private chats
	members map[int64]string // user id → status, for getChatMember
	nextID  int              // next message_id; incoming and outgoing share it
	byID    map[int]*stored  // every message ever posted in the chat
	order   []*stored        // the same, in posting order
}

// user is a Telegram account that has started the bot.
type user struct {
	info        tgbotapi.User
	blocked     bool
	deactivated bool
}

func (c *chat) isChannel() bool { return c.info.Type == "channel" }
func (c *chat) isPrivate() bool { return c.info.Type == "private" }

// kindName is how Telegram names the chat in membership errors.
func (c *chat) kindName() string {
	if c.info.Type == "supergroup" || c.info.Type == "channel" {
		return c.info.Type + " chat"
	}
	return "group chat"
}

func (s *Server) newChat(info tgbotapi.Chat, rights Rights) *chat {
	c := &chat{info: info, rights: rights, members: map[int64]string{}, nextID: 1, byID: map[int]*stored{}}
	s.chats[info.ID] = c
	if info.UserName != "" && info.Type != "private" {
		s.usernames[strings.ToLower(info.UserName)] = info.ID
	}
	s.signalLocked()
	return c
}

// AddUser registers a user who has started the bot, together with the
// private chat (same id) the bot can write to. langCode becomes the
// language_code of the user's messages.
func (s *Server) AddUser(id int64, firstName, username, langCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := tgbotapi.User{ID: id, FirstName: firstName, UserName: username, LanguageCode: langCode}
	s.users[id] = &user{info: u}
	s.newChat(tgbotapi.Chat{ID: id, Type: "private", FirstName: firstName, UserName: username}, Rights{})
}

// AddChannel registers a channel in which the bot starts as an administrator
// with [AdminRights]; narrow them with [Server.SetBotRights]. username is
// without "@" and may be empty for a private channel.
func (s *Server) AddChannel(id int64, title, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newChat(tgbotapi.Chat{ID: id, Type: "channel", Title: title, UserName: username}, AdminRights())
}

// AddGroup registers a group in which the bot is a plain member. Ids at or
// below -1000000000000 are supergroups, as on Telegram.
func (s *Server) AddGroup(id int64, title, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	typ := "group"
	if id <= -1000000000000 {
		typ = "supergroup"
	}
	s.newChat(tgbotapi.Chat{ID: id, Type: typ, Title: title, UserName: username}, Rights{Status: StatusMember})
}

// SetBotRights replaces the bot's membership in a group or channel.
func (s *Server) SetBotRights(chatID int64, r Rights) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustChat(chatID)
	if c == nil {
		return
	}
	c.rights = r
	s.signalLocked()
}

// SetMember sets what getChatMember answers for a user in a group or
// channel; known users are "member" until set otherwise.
func (s *Server) SetMember(chatID, userID int64, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustChat(chatID)
	if c == nil {
		return
	}
	c.members[userID] = status
}

// mustChat reports a test mistake instead of answering a Telegram error,
// because the caller is the test, not the bot.
func (s *Server) mustChat(id int64) *chat {
	s.t.Helper()
	c := s.chats[id]
	if c == nil {
		s.t.Errorf("bottest: chat %d is not registered; call AddUser, AddGroup or AddChannel first", id)
	}
	return c
}

// lookupChat resolves a chat_id parameter: a numeric id or "@username" of
// a public group or channel, the forms Telegram accepts.
func (s *Server) lookupChat(param string) (*chat, *APIError) {
	if param == "" {
		return nil, errChatIDEmpty
	}
	if name, ok := strings.CutPrefix(param, "@"); ok {
		id, found := s.usernames[strings.ToLower(name)]
		if !found {
			return nil, errChatNotFound
		}
		return s.chats[id], nil
	}
	id, err := strconv.ParseInt(param, 10, 64)
	if err != nil {
		return nil, errChatNotFound
	}
	c := s.chats[id]
	if c == nil {
		return nil, errChatNotFound
	}
	return c, nil
}

// canWrite reports why the bot may not post in c, in Telegram's words.
func (s *Server) canWrite(c *chat) *APIError {
	if c.isPrivate() {
		return s.userReachable(c.info.ID)
	}
	switch c.rights.Status {
	case StatusLeft:
		return forbidden("bot is not a member of the " + c.kindName())
	case StatusKicked:
		return forbidden("bot was kicked from the " + c.kindName())
	}
	if c.isChannel() && !(c.rights.Status == StatusAdministrator && c.rights.CanPostMessages) && c.rights.Status != StatusCreator {
		return errNeedAdminChannel
	}
	return nil
}

// userReachable is the private-chat part of canWrite; edits and deletions
// in a private chat fail the same way once the user blocked the bot.
func (s *Server) userReachable(id int64) *APIError {
	u := s.users[id]
	switch {
	case u == nil:
		return errChatNotFound
	case u.deactivated:
		return errDeactivated
	case u.blocked:
		return errBlocked
	}
	return nil
}

func (r Rights) admin() bool { return r.Status == StatusAdministrator || r.Status == StatusCreator }
