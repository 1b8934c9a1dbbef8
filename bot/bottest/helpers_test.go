package bottest

import (
	"errors"
	"net/http"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const (
	alice   int64 = 501
	bob     int64 = 502
	channel int64 = -1001234567890
	group   int64 = -1009876543210
)

// setup starts a server with two users, a channel and a group, and a real
// client connected to it.
func setup(t *testing.T, opts ...Option) (*Server, *tgbotapi.BotAPI) {
	t.Helper()
	srv := New(t, opts...)
	srv.AddUser(alice, "Alice", "alice", "de")
	srv.AddUser(bob, "Bob", "bob", "en")
	srv.AddChannel(channel, "Redaktor News", "redaktor_news")
	srv.AddGroup(group, "Editors", "")
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), http.DefaultClient)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return srv, bot
}

// apiErr extracts the Telegram error a client call returned.
func apiErr(t *testing.T, err error) tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a Telegram error, got %v", err)
	}
	return *e
}

func wantErr(t *testing.T, err error, code int, description string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %d %q, got success", code, description)
	}
	e := apiErr(t, err)
	if e.Code != code || e.Message != description {
		t.Fatalf("want %d %q, got %d %q", code, description, e.Code, e.Message)
	}
}

func button(text, data string) tgbotapi.InlineKeyboardMarkup {
	return tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(text, data)))
}

var epoch = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

type timeoutClient struct{ timeout time.Duration }

func (c *timeoutClient) Do(req *http.Request) (*http.Response, error) {
	return (&http.Client{Timeout: c.timeout}).Do(req)
}
