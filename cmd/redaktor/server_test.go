package main

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/intake"
)

// countingStore is a Persister that counts the updates stored.
type countingStore struct{ n atomic.Int64 }

func (c *countingStore) AddUpdates(_ context.Context, ids []int64, _ [][]byte) (int, error) {
	c.n.Add(int64(len(ids)))
	return len(ids), nil
}

// A client that sends its headers or its body too slowly, or keeps an
// idle connection, is cut by the webhook server; nothing half-received
// is stored. The timeouts are short here; the program's are httpTimeouts.
func TestWebhookServerCutsSlowClients(t *testing.T) {
	t.Parallel()
	store := &countingStore{}
	short := serverTimeouts{ReadHeader: 100 * time.Millisecond, Read: 200 * time.Millisecond,
		Write: time.Second, Idle: 200 * time.Millisecond}
	srv := newServer(context.Background(), "", intake.NewWebhook("s3cret", store, nil, nil, nil), short)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	const update = `{"update_id":1,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"},"text":"hi"}}`
	head := "POST / HTTP/1.1\r\nHost: bot\r\n" + bot.SecretHeader + ": s3cret\r\nContent-Type: application/json\r\n"
	cases := []struct {
		name  string
		send  string // what the client sends before it stalls
		whole bool   // the request was complete: its answer comes first
	}{
		{"headers never finished", head, false},
		{"body never finished", head + "Content-Length: 1000\r\n\r\n" + update[:20], false},
		{"idle after a request", head + "Content-Length: " + strconv.Itoa(len(update)) + "\r\n\r\n" + update, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, c.send); err != nil {
				t.Fatal(err)
			}
			// The client now stalls. The server must close the connection;
			// this deadline only keeps a failing test from hanging.
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			got, err := io.ReadAll(conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server kept the stalled connection open; received %q", got)
			}
			if ok := strings.HasPrefix(string(got), "HTTP/1.1 200"); ok != c.whole {
				t.Errorf("answer %q", firstLine(got))
			}
		})
	}
	if n := store.n.Load(); n != 1 {
		t.Errorf("%d updates stored, want only the complete one", n)
	}
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	return s
}
