package handlers

import (
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestChannelRef(t *testing.T) {
	tests := []struct {
		text    string
		ref     string
		private bool
	}{
		{"@usman_school4", "@usman_school4", false},
		{"usman_school4", "@usman_school4", false},
		{"-1001234567890", "-1001234567890", false},
		{"https://t.me/usman_school4", "@usman_school4", false},
		{"  http://t.me/Usman_School4/  ", "@Usman_School4", false},
		{"t.me/usman_school4", "@usman_school4", false},
		{"HTTPS://T.ME/usman_school4?start=1", "@usman_school4", false},
		{"https://t.me/usman_school4/15", "@usman_school4", false},
		{"https://t.me/s/usman_school4", "@usman_school4", false},
		{"https://telegram.me/usman_school4", "@usman_school4", false},
		{"https://t.me/+AbCdEf123", "", true},
		{"t.me/joinchat/AbCdEf123", "", true},
		{"https://t.me/JoinChat/AbCdEf123", "", true},
	}
	for _, tc := range tests {
		ref, private := channelRef(&tgbotapi.Message{Text: tc.text})
		if ref != tc.ref || private != tc.private {
			t.Errorf("channelRef(%q) = %q, %v; want %q, %v", tc.text, ref, private, tc.ref, tc.private)
		}
	}
	fwd := &tgbotapi.Message{Text: "https://t.me/+x", ForwardFromChat: &tgbotapi.Chat{ID: -1001, Type: "channel"}}
	if ref, private := channelRef(fwd); ref != "-1001" || private {
		t.Errorf("forward: %q, %v", ref, private)
	}
	for _, bad := range []string{"https://t.me/", "https://example.com/x", "t.me/a b", "@abc", ""} {
		ref, _ := channelRef(&tgbotapi.Message{Text: bad})
		if validChatRef(ref) {
			t.Errorf("%q read as the channel %q", bad, ref)
		}
	}
}

func TestParseUnlink(t *testing.T) {
	tests := []struct {
		data    string
		ok      bool
		page    string
		channel int64
	}{
		{"cu:3:-1001234567890", true, "3", -1001234567890},
		{"cu:3:1001234567890", false, "", 0},
		{"cu:3:-12x", false, "", 0},
		{"cu::-100", false, "", 0},
		{"cu:3", false, "", 0},
		{"cu:3:-100:1", false, "", 0},
		{"cu:a:-100", false, "", 0},
		{"cx:3:-100", false, "", 0},
	}
	for _, tc := range tests {
		page, ch, ok := parseUnlink(tc.data)
		if ok != tc.ok || page != tc.page || ch != tc.channel {
			t.Errorf("parseUnlink(%q) = %q, %d, %v", tc.data, page, ch, ok)
		}
	}
}

func FuzzChannelRef(f *testing.F) {
	for _, s := range []string{"@name", "https://t.me/name/1", "t.me/+x", "-100123", "http://telegram.me/s/a?b#c", "https://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ref, private := channelRef(&tgbotapi.Message{Text: text})
		if private && ref != "" {
			t.Fatalf("invite link %q gave a ref %q", text, ref)
		}
		if validChatRef(ref) && strings.ContainsAny(ref, "/?# ") {
			t.Fatalf("%q gave the ref %q", text, ref)
		}
	})
}

func FuzzParseUnlink(f *testing.F) {
	for _, s := range []string{"cu:3:-1001234567890", "cu::", "cu:1:-9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		page, ch, ok := parseUnlink(data)
		if ok && (!numeric(page) || ch >= 0 || len(data) > 64) {
			t.Fatalf("accepted %q: %q %d", data, page, ch)
		}
	})
}
