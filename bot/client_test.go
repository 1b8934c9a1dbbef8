package bot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
)

// Senders working at once keep their connections: rounds of concurrent
// sends open no more connections than there are senders (with
// api.telegram.org every new connection is a TLS handshake, and a closed
// one a socket left in TIME_WAIT).
func TestConcurrentSendsReuseConnections(t *testing.T) {
	srv := bottest.New(t)
	const senders = 64
	for i := range senders {
		srv.AddUser(int64(100+i), "Житель", "", "ru")
	}
	ctx := context.Background()
	tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	round := func() {
		var wg sync.WaitGroup
		for i := range senders {
			wg.Go(func() {
				if _, err := tg.SendText(ctx, int64(100+i), "Объявление", nil); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	for range 4 {
		round()
	}
	// getMe's connection, then at most one per sender, kept across rounds.
	if opened := srv.Stats().Connections; opened > senders+1 {
		t.Errorf("4 rounds of %d concurrent sends opened %d connections; want them reused", senders, opened)
	}
}

// What the bot makes of the Bot API's answers: the id of what it sent
// (one message, or an album's several), Telegram's refusals with their
// code, words and wait, and a body that is not the Bot API's at all.
func TestClientReadsAnswersAndRefusals(t *testing.T) {
	srv := bottest.New(t)
	const user = int64(100)
	srv.AddUser(user, "Ирина", "irina", "ru")
	ctx := context.Background()
	tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL(), MaxRetryWait: -1})
	if err != nil {
		t.Fatal(err)
	}

	id, err := tg.SendText(ctx, user, "Черновик принят", nil)
	msgs := srv.Messages(user)
	if err != nil || len(msgs) != 1 || id != msgs[0].MessageID {
		t.Fatalf("SendText = %d, %v; sent %+v", id, err, msgs)
	}
	var album redaktor.Content
	for _, u := range srv.SendAlbum(user, "Фото с субботника", bottest.KindPhoto, bottest.KindPhoto) {
		photo := u.Message.Photo
		album.Media = append(album.Media, redaktor.Media{Kind: redaktor.MediaPhoto, FileID: photo[len(photo)-1].FileID})
	}
	ids, err := tg.SendContent(ctx, user, album)
	msgs = srv.Messages(user)
	if err != nil || len(ids) != 2 || len(msgs) != 3 || ids[0] != msgs[1].MessageID || ids[1] != msgs[2].MessageID {
		t.Fatalf("SendContent = %v, %v; sent %d messages", ids, err, len(msgs))
	}

	srv.FailNextWith("sendMessage", 1, &bottest.APIError{Code: 429, Description: "Too Many Requests: retry after 7", RetryAfter: 7})
	_, err = tg.SendText(ctx, user, "x", nil)
	var apiErr *bot.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 429 || apiErr.RetryAfter != 7 || apiErr.Method != "sendMessage" {
		t.Fatalf("429: %#v", err)
	}
	_, err = tg.SendText(ctx, 999, "x", nil)
	if !errors.As(err, &apiErr) || apiErr.Code != 400 || !bot.Permanent(err) || !strings.Contains(bot.Description(err), "chat not found") {
		t.Fatalf("unknown chat: %#v", err)
	}

	// Odd answers, through a server in front of the Bot API.
	target, _ := url.Parse(srv.URL())
	real := httputil.NewSingleHostReverseProxy(target)
	var sends atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/sendMessage") {
			real.ServeHTTP(w, r)
			return
		}
		sends.Add(1)
		switch r.FormValue("text") {
		case "unreadable": // done, but the result is not a message
			_, _ = w.Write([]byte(`{"ok":true,"result":{"message_id":"12"}}`))
		case "no result":
			_, _ = w.Write([]byte(`{"ok":true}`))
		case "cut": // the connection drops: net/http's error names the URL, token and all
			conn, _, _ := w.(http.Hijacker).Hijack()
			_ = conn.Close()
		default: // a proxy's own error page
			w.WriteHeader(http.StatusBadGateway)
			_, _ = w.Write([]byte("<html>502 Bad Gateway</html>"))
		}
	}))
	defer front.Close()
	behind, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: front.URL, MaxRetryWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"unreadable", "no result"} {
		sends.Store(0)
		// Permanent: a publication is not tried again either.
		if _, err := behind.SendText(ctx, user, text, nil); !bot.Permanent(err) || sends.Load() != 1 {
			t.Errorf("%s: %v after %d sends; want a permanent error after exactly one (the message went out)", text, err, sends.Load())
		}
	}
	for _, text := range []string{"cut", "proxy page"} {
		err := behind.CallOnce(ctx, "sendMessage", map[string]string{"chat_id": "100", "text": text})
		var netErr *bot.NetError
		if !errors.As(err, &netErr) || strings.Contains(err.Error(), srv.Token()) {
			t.Errorf("%s: %#v, want a network error without the token", text, err)
		}
	}
}
