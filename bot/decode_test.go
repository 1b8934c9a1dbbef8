package bot

import (
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A channel post forwarded to the bot must keep its channel, whichever
// field Telegram uses for the origin, or a chief editor cannot link a
// channel by forwarding from it. Updates read from the stream one by one
// must read the same as those of a getUpdates answer.
func TestDecodeUpdatesKeepsTheChannelOfAForward(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		wantChat  int64 // 0: no channel origin
		wantMsgID int
	}{
		{"forward_origin of a channel (Bot API 7+)",
			`{"update_id":1,"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},"text":"x",
			"forward_origin":{"type":"channel","date":1,"chat":{"id":-1001,"type":"channel","title":"Школа"},"message_id":42}}}`,
			-1001, 42},
		{"forward_from_chat as before",
			`{"update_id":2,"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},"text":"x",
			"forward_from_chat":{"id":-1002,"type":"channel"},"forward_from_message_id":9}}`,
			-1002, 9},
		{"forward from a person",
			`{"update_id":3,"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},"text":"x",
			"forward_origin":{"type":"user","date":1,"sender_user":{"id":8,"is_bot":false,"first_name":"Анна"}}}}`,
			0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := DecodeUpdates([]byte("[" + tt.raw + "]"))
			if err != nil || len(list) != 1 {
				t.Fatalf("DecodeUpdates: %d updates, %v", len(list), err)
			}
			one, err := DecodeUpdate([]byte(tt.raw))
			if err != nil {
				t.Fatalf("decodeUpdate: %v", err)
			}
			for how, u := range map[string]tgbotapi.Update{"getUpdates": list[0], "stream": one} {
				m := u.Message
				if m == nil || m.Text != "x" || m.Chat == nil || m.Chat.ID != 7 {
					t.Fatalf("%s: message %+v", how, m)
				}
				var chat int64
				if m.ForwardFromChat != nil {
					chat = m.ForwardFromChat.ID
				}
				if chat != tt.wantChat || m.ForwardFromMessageID != tt.wantMsgID {
					t.Errorf("%s: origin channel %d message %d, want %d %d", how, chat, m.ForwardFromMessageID, tt.wantChat, tt.wantMsgID)
				}
			}
		})
	}
}

// An update without a message decodes with its other parts, and a stream
// entry that is not exactly one update is refused (it is set aside).
func TestDecodeOneUpdate(t *testing.T) {
	u, err := DecodeUpdate([]byte(`{"update_id":4,"callback_query":{"id":"q","from":{"id":7,"is_bot":false,"first_name":"Анна"},"data":"hi:1"}}`))
	if err != nil || u.UpdateID != 4 || u.Message != nil || u.CallbackQuery == nil || u.CallbackQuery.Data != "hi:1" {
		t.Fatalf("press: %+v, %v", u, err)
	}
	for _, bad := range []string{``, `{"update_id":1} {"update_id":2}`, `[{"update_id":1}]`, `{"update_id":"x"}`} {
		if _, err := DecodeUpdate([]byte(bad)); err == nil {
			t.Errorf("DecodeUpdate(%q) accepted", bad)
		}
	}
}
