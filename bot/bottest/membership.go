package bottest

import (
	"encoding/json"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// ChangeBotRights changes the bot's membership in a group or channel as a
// person (by, registered with [Server.AddUser]) does in the app: promoting,
// demoting or removing the bot. Like Telegram, it queues the my_chat_member
// update with the old and the new membership, and returns it.
// [Server.SetBotRights] changes the rights silently, for a test's setup.
func (s *Server) ChangeBotRights(chatID, by int64, r Rights) tgbotapi.Update {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.mustChat(chatID)
	if c == nil {
		return tgbotapi.Update{}
	}
	u := s.users[by]
	if u == nil {
		s.t.Errorf("bottest: user %d is not registered; call AddUser first", by)
		return tgbotapi.Update{}
	}
	old := c.rights
	c.rights = r
	return s.pushLocked(tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{
		Chat:          *c.ref(),
		From:          u.info,
		Date:          int(s.now().Unix()),
		OldChatMember: s.asMember(memberJSON(s.bot, old, c.isChannel())),
		NewChatMember: s.asMember(memberJSON(s.bot, r, c.isChannel())),
	}})
}

// asMember decodes a ChatMember as the client would read it from the wire.
func (s *Server) asMember(m map[string]any) tgbotapi.ChatMember {
	var out tgbotapi.ChatMember
	b, err := json.Marshal(m)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		s.t.Errorf("bottest: encode a chat member: %v", err)
	}
	return out
}
