package bottest

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// What editing and removing a published post meets in Telegram: a forward
// cannot be edited by anyone, only deleted and sent again (quietly, with
// disable_notification); a person who blocked the bot is out of reach, for
// deletions too; a message already deleted is "not found".
func TestForwardsCannotBeEditedOnlyReplaced(t *testing.T) {
	srv, bot := setup(t)
	post, err := bot.Send(tgbotapi.NewMessage(channel, "Собрание в пятницу"))
	if err != nil {
		t.Fatal(err)
	}
	fw, err := bot.Send(tgbotapi.NewForward(bob, channel, post.MessageID))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewEditMessageText(bob, fw.MessageID, "Собрание в четверг"))
	wantErr(t, err, 400, "Bad Request: message can't be edited")

	if _, err := bot.Request(tgbotapi.NewEditMessageText(channel, post.MessageID, "Собрание в четверг")); err != nil {
		t.Fatalf("edit the channel post: %v", err)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(bob, fw.MessageID)); err != nil {
		t.Fatalf("delete the forward: %v", err)
	}
	_, err = bot.Request(tgbotapi.NewDeleteMessage(bob, fw.MessageID))
	wantErr(t, err, 400, "Bad Request: message to delete not found")
	again := tgbotapi.NewForward(bob, channel, post.MessageID)
	again.DisableNotification = true
	m, err := bot.Send(again)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Message(bob, m.MessageID)
	if !got.Silent || got.Text != "Собрание в четверг" || got.Message.ForwardFromChat == nil {
		t.Fatalf("the new forward: silent %v, %q", got.Silent, got.Text)
	}
	if old, _ := srv.Message(bob, fw.MessageID); !old.Deleted || old.Silent {
		t.Fatalf("the old forward: deleted %v silent %v", old.Deleted, old.Silent)
	}

	srv.Block(bob)
	_, err = bot.Request(tgbotapi.NewDeleteMessage(bob, m.MessageID))
	wantErr(t, err, 403, "Forbidden: bot was blocked by the user")
}
