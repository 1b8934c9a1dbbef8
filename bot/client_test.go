package bot_test

import (
	"context"
	"sync"
	"testing"

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
