package bottest

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestGetUpdatesOffsetConfirms(t *testing.T) {
	srv, bot := setup(t)
	first := srv.SendText(alice, "/start")
	album := srv.SendAlbum(bob, "two pictures", KindPhoto, KindVideo)
	srv.Send(bob, Media(KindSticker))

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil || len(ups) != 2 {
		t.Fatalf("limit 2: %d updates, %v", len(ups), err)
	}
	if ups[0].UpdateID != first.UpdateID || !ups[0].Message.IsCommand() || ups[0].Message.Command() != "start" {
		t.Fatalf("first update = %+v", ups[0].Message)
	}
	if ups[0].Message.From.LanguageCode != "de" || ups[0].Message.Chat.Type != "private" {
		t.Fatalf("sender = %+v", ups[0].Message.From)
	}
	if srv.Confirmed() != 0 || srv.Pending() != 4 {
		t.Fatalf("nothing is confirmed by fetching: confirmed %d pending %d", srv.Confirmed(), srv.Pending())
	}

	// Confirming the first update only.
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: first.UpdateID + 1})
	if err != nil || len(ups) != 3 {
		t.Fatalf("after offset: %d updates, %v", len(ups), err)
	}
	if srv.Confirmed() != first.UpdateID+1 {
		t.Fatalf("confirmed = %d", srv.Confirmed())
	}
	a, b := ups[0].Message, ups[1].Message
	if a.MediaGroupID == "" || a.MediaGroupID != b.MediaGroupID || a.Caption != "two pictures" || b.Caption != "" || b.Video == nil {
		t.Fatalf("album = %+v / %+v", a, b)
	}
	if a.MessageID != album[0].Message.MessageID {
		t.Fatalf("album ids differ")
	}
	if ups[2].Message.Sticker == nil {
		t.Fatalf("sticker = %+v", ups[2].Message)
	}

	last := ups[len(ups)-1].UpdateID
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: last + 1})
	if err != nil || len(ups) != 0 || srv.Pending() != 0 {
		t.Fatalf("all confirmed: %d updates, pending %d, %v", len(ups), srv.Pending(), err)
	}

	// Explicit update ids are kept; numbering continues after them.
	pushed := srv.PushUpdate(tgbotapi.Update{UpdateID: last + 100, Message: &tgbotapi.Message{MessageID: 1, Chat: &tgbotapi.Chat{ID: alice}}})
	next := srv.PushUpdate(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: 2, Chat: &tgbotapi.Chat{ID: alice}}})
	if pushed.UpdateID != last+100 || next.UpdateID != last+101 {
		t.Fatalf("ids %d, %d", pushed.UpdateID, next.UpdateID)
	}
}

func TestLongPollWakesOnUpdate(t *testing.T) {
	srv, bot := setup(t)
	got := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		if err != nil {
			t.Errorf("poll: %v", err)
		}
		got <- ups
	}()
	// Wait until the poll is parked on the server, then feed it.
	srv.WaitFor(t, 5*time.Second, func() bool { return pollerActive(srv) })
	srv.SendText(alice, "hello")
	select {
	case ups := <-got:
		if len(ups) != 1 || ups[0].Message.Text != "hello" {
			t.Fatalf("updates = %+v", ups)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not return")
	}
}

func pollerActive(s *Server) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.poller != nil
}

func TestLongPollEndsWithClient(t *testing.T) {
	srv, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
			srv.URL()+"/bot"+srv.Token()+"/getUpdates?"+url.Values{"timeout": {"30"}}.Encode(), nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	srv.WaitFor(t, 5*time.Second, func() bool { return pollerActive(srv) })
	cancel()
	<-done
	srv.WaitFor(t, 5*time.Second, func() bool { return !pollerActive(srv) })
}

func TestSecondPollTerminatesFirst(t *testing.T) {
	srv, bot := setup(t)
	first := make(chan error, 1)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		first <- err
	}()
	srv.WaitFor(t, 5*time.Second, func() bool { return pollerActive(srv) })
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("second poll: %v", err)
	}
	wantErr(t, <-first, 409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
}

func TestAllowedUpdatesFilter(t *testing.T) {
	srv, bot := setup(t)
	msg := tgbotapi.NewMessage(alice, "card")
	msg.ReplyMarkup = button("Go", "go")
	card, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	srv.SendText(alice, "text")
	srv.Press(alice, alice, card.MessageID, "go")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{tgbotapi.UpdateTypeCallbackQuery}})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("filtered = %+v, %v", ups, err)
	}
}

func TestIncomingEntities(t *testing.T) {
	srv, _ := setup(t)
	u := srv.SendText(bob, "/publish@redaktor_test_bot now, ping @editor_on_duty")
	es := u.Message.Entities
	if len(es) != 2 || es[0].Type != "bot_command" || es[0].Length != len("/publish@redaktor_test_bot") || es[1].Type != "mention" {
		t.Fatalf("entities = %+v", es)
	}
	explicit := srv.Send(bob, Media(KindPhoto), Text("bold"), Entities(tgbotapi.MessageEntity{Type: "bold", Offset: 0, Length: 4}))
	if len(explicit.Message.CaptionEntities) != 1 || explicit.Message.Text != "" {
		t.Fatalf("caption entities = %+v", explicit.Message)
	}
	for _, k := range []Kind{KindLocation, KindPoll, KindAnimation, KindAudio, KindDocument, KindVoice} {
		if kindOf(srv.Send(alice, Media(k)).Message) != k {
			t.Fatalf("kind %s not round-tripped", k)
		}
	}
}
