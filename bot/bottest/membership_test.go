package bottest

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func memberOf(t *testing.T, bot *tgbotapi.BotAPI, chatID, userID int64) (tgbotapi.ChatMember, error) {
	t.Helper()
	return bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chatID, UserID: userID}})
}

// Who runs a channel: each user's status as set, read by the real client.
func TestChannelMemberStatuses(t *testing.T) {
	t.Parallel()
	srv, bot := setup(t)
	const carol, dave int64 = 503, 504
	srv.AddUser(carol, "Carol", "carol", "ru")
	srv.AddUser(dave, "Dave", "", "ru")
	srv.SetMember(channel, alice, StatusCreator)
	srv.SetMember(channel, bob, StatusAdministrator)
	srv.SetMember(channel, dave, StatusLeft)
	for _, tc := range []struct {
		user int64
		want string
	}{{alice, "creator"}, {bob, "administrator"}, {carol, "member"}, {dave, "left"}} {
		m, err := memberOf(t, bot, channel, tc.user)
		if err != nil || m.Status != tc.want || m.User == nil || m.User.ID != tc.user {
			t.Errorf("user %d: %+v, %v; want %s", tc.user, m, err, tc.want)
		}
	}
	ch, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{SuperGroupUsername: "@redaktor_news"}})
	if err != nil || ch.ID != channel {
		t.Fatalf("getChat by @username: %+v, %v", ch, err)
	}
	_, err = memberOf(t, bot, channel, 999)
	wantErr(t, err, 400, "Bad Request: user not found")
}

// A person changing the bot's rights in a channel: the rights change and
// the bot gets my_chat_member with the old and the new membership.
func TestChangeBotRightsQueuesMyChatMember(t *testing.T) {
	t.Parallel()
	srv, bot := setup(t)
	demoted := Rights{Status: StatusAdministrator, CanEditMessages: true, CanDeleteMessages: true}
	srv.ChangeBotRights(channel, alice, demoted)

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{tgbotapi.UpdateTypeMyChatMember}})
	if err != nil || len(ups) != 1 || ups[0].MyChatMember == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	u := ups[0].MyChatMember
	if u.Chat.ID != channel || u.Chat.Type != "channel" || u.From.ID != alice {
		t.Fatalf("chat %+v from %+v", u.Chat, u.From)
	}
	old, now := u.OldChatMember, u.NewChatMember
	if old.Status != "administrator" || !old.CanPostMessages || old.User == nil || old.User.ID != bot.Self.ID {
		t.Fatalf("old member = %+v", old)
	}
	if now.Status != "administrator" || now.CanPostMessages || !now.CanEditMessages {
		t.Fatalf("new member = %+v", now)
	}
	_, err = bot.Send(tgbotapi.NewMessage(channel, "news"))
	wantErr(t, err, 400, "Bad Request: need administrator rights in the channel chat")

	srv.ChangeBotRights(channel, alice, Rights{Status: StatusLeft})
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: ups[0].UpdateID + 1})
	if err != nil || len(ups) != 1 || ups[0].MyChatMember == nil {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	if s := ups[0].MyChatMember.NewChatMember.Status; s != "left" {
		t.Fatalf("removed bot's status = %q", s)
	}
	// Out of the channel, the bot may no longer look at its members.
	_, err = memberOf(t, bot, channel, alice)
	wantErr(t, err, 400, "Bad Request: member list is inaccessible")
	if m, err := memberOf(t, bot, channel, bot.Self.ID); err != nil || m.Status != "left" {
		t.Fatalf("bot's own membership: %+v, %v", m, err)
	}

	srv.ChangeBotRights(channel, alice, AdminRights())
	if _, err := bot.Send(tgbotapi.NewMessage(channel, "news")); err != nil {
		t.Fatalf("promoted again: %v", err)
	}
}
