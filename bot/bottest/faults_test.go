package bottest

import (
	"errors"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestBlockedAndDeactivated(t *testing.T) {
	srv, bot := setup(t)
	card, err := bot.Send(tgbotapi.NewMessage(alice, "card"))
	if err != nil {
		t.Fatal(err)
	}
	srv.Block(alice)
	_, err = bot.Send(tgbotapi.NewMessage(alice, "hi"))
	wantErr(t, err, 403, "Forbidden: bot was blocked by the user")
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice, card.MessageID, "edit"))
	wantErr(t, err, 403, "Forbidden: bot was blocked by the user")
	srv.Unblock(alice)
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "back")); err != nil {
		t.Fatal(err)
	}
	srv.Deactivate(bob)
	_, err = bot.Send(tgbotapi.NewMessage(bob, "hi"))
	wantErr(t, err, 403, "Forbidden: user is deactivated")
	if st := srv.Stats(); st.SendErrors[403] != 2 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestFailNext(t *testing.T) {
	srv, bot := setup(t)
	srv.FailNext("sendMessage", 2, 429)
	srv.FailNext("", 1, 500)
	for _, want := range []int{429, 429} {
		_, err := bot.Send(tgbotapi.NewMessage(alice, "x"))
		if e := apiErr(t, err); e.Code != want || e.RetryAfter != 1 {
			t.Fatalf("got %+v, want %d", e, want)
		}
	}
	_, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: alice}})
	wantErr(t, err, 500, "Internal Server Error")
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "x")); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.RateLimited != 2 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestIntercept(t *testing.T) {
	srv, bot := setup(t)
	remove := srv.Intercept(func(method string, params map[string]string) *APIError {
		if method == "sendMessage" && params["text"] == "boom" {
			return &APIError{Code: 502, Description: "Bad Gateway"}
		}
		return nil
	})
	_, err := bot.Send(tgbotapi.NewMessage(alice, "boom"))
	wantErr(t, err, 502, "Bad Gateway")
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "fine")); err != nil {
		t.Fatal(err)
	}
	remove()
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "boom")); err != nil {
		t.Fatal(err)
	}
	if calls := srv.Calls("sendMessage"); len(calls) != 3 || calls[0].OK() || calls[0].Err.Code != 502 {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestOutage(t *testing.T) {
	srv, bot := setup(t)
	srv.SetOutage(BadGateway)
	_, err := bot.Send(tgbotapi.NewMessage(alice, "x"))
	wantErr(t, err, 502, "Bad Gateway")

	srv.SetOutage(Unreachable)
	_, err = bot.Send(tgbotapi.NewMessage(alice, "x"))
	var tgErr *tgbotapi.Error
	if err == nil || errors.As(err, &tgErr) {
		t.Fatalf("want a network error, got %v", err)
	}

	srv.SetOutage(Online)
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "x")); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Calls("sendMessage")); n != 1 {
		t.Fatalf("calls during an outage never reach Telegram; recorded %d", n)
	}
}

func TestLatency(t *testing.T) {
	srv, bot := setup(t)
	srv.SetLatency(20 * time.Millisecond)
	bot.Client = &timeoutClient{timeout: time.Millisecond}
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "slow")); err == nil {
		t.Fatal("want a client timeout")
	}
	srv.SetLatency(0)
	bot.Client = &timeoutClient{timeout: 5 * time.Second}
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "fast")); err != nil {
		t.Fatal(err)
	}
}
