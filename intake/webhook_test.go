package intake_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/intake"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

func post(t *testing.T, url, secret, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if secret != "" {
		req.Header.Set(bot.SecretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

const update = `{"update_id":%d,"message":{"message_id":1,"date":1,"chat":{"id":1000,"type":"private"},"from":{"id":1000,"is_bot":false,"first_name":"A","language_code":"ru"},"text":"hi"}}`

func TestWebhookRefusesWrongSecretAndStoresBeforeOK(t *testing.T) {
	store, _ := storagetest.Store(t)
	ctx := context.Background()
	if err := store.EnsureStream(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(intake.NewWebhook("s3cret-token", store, nil, nil, nil))
	defer srv.Close()

	for _, secret := range []string{"", "wrong", "s3cret-token-but-longer"} {
		if code := post(t, srv.URL, secret, fmt.Sprintf(update, 1)); code != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", secret, code)
		}
	}
	if code := post(t, srv.URL, "s3cret-token", "not json"); code != http.StatusBadRequest {
		t.Errorf("garbage: status %d, want 400", code)
	}
	if got, _ := store.ReadUpdates(ctx, "c", 10, 0); len(got) != 0 {
		t.Fatalf("refused requests stored %d updates", len(got))
	}
	// Accepted: stored before the 200; Telegram's retry of it is dropped.
	for range 2 {
		if code := post(t, srv.URL, "s3cret-token", fmt.Sprintf(update, 1)); code != http.StatusOK {
			t.Fatalf("status %d, want 200", code)
		}
	}
	got, err := store.ReadUpdates(ctx, "c", 10, 0)
	if err != nil || len(got) != 1 || got[0].UpdateID != 1 {
		t.Fatalf("stored %+v, %v; want update 1 once", got, err)
	}
}

func TestSetWebhookSendsSecret(t *testing.T) {
	srv := bottest.New(t)
	c, err := bot.New(context.Background(), srv.Token(), bot.Options{APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetWebhook(context.Background(), "https://bot.example.org/hook", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if wh := srv.Webhook(); wh.URL != "https://bot.example.org/hook" || wh.SecretToken != "s3cret" || wh.MaxConnections != bot.WebhookConnections {
		t.Fatalf("webhook %+v", wh)
	}
	if err := c.DeleteWebhook(context.Background()); err != nil {
		t.Fatal(err)
	}
	if wh := srv.Webhook(); wh.URL != "" {
		t.Fatalf("webhook still set: %+v", wh)
	}
}

// A Redis restart is survived: while Redis is down the webhook answers 503
// (Telegram delivers again) and the poller confirms nothing, the senders
// are told once; when Redis is back everything is handled, and what was
// handled before is not handled again. The test kills and restarts a
// redis-server of its own (with AOF, as compose.yaml runs it), so it needs
// the redis-server binary and is skipped without it; the embedded Redis
// cannot serve blocking reads after a restart.
func TestRedisRestartIsSurvived(t *testing.T) {
	rs := startRedisServer(t)
	ctx := context.Background()
	rdb, err := storage.Connect(ctx, "redis://"+rs.addr+"?dial_timeout=200ms")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	store := storage.New(rdb, "restart")
	srv := bottest.New(t)
	addUsers(srv, 2)
	rec := newRecorder()
	notices := &fakeNotices{}
	startReplica(t, srv, store, rec.handler("a"), replicaOpts{poll: intake.PollConfig{Owner: "a"}, notices: notices,
		intake: intake.Config{Block: 50 * time.Millisecond}})
	hook := httptest.NewServer(intake.NewWebhook("s", store, notices, nil, nil))
	defer hook.Close()

	before := srv.SendText(1000, "before the restart")
	waitFor(t, "handled before the restart", func() bool { return rec.count(before.UpdateID) == 1 })
	waitFor(t, "acknowledged before the restart", drained(t, store))

	rs.kill()
	during := srv.SendText(1001, "while Redis is down")
	waitFor(t, "the sender told", func() bool { un, _ := notices.lists(); return len(un) > 0 })
	if code := post(t, hook.URL, "s", fmt.Sprintf(update, 555)); code != http.StatusServiceUnavailable {
		t.Fatalf("webhook while Redis is down: %d, want 503", code)
	}
	if srv.Pending() == 0 {
		t.Fatal("an update was confirmed to Telegram while Redis was down")
	}
	rs.start()
	waitFor(t, "handled after the restart", func() bool { return rec.count(during.UpdateID) == 1 })
	// Telegram delivers again after a 503: the client's first dials after
	// a restart may still be refused for a moment (go-redis backs off its
	// dials), and a delivery then is simply made again.
	waitFor(t, "the webhook accepting after the restart", func() bool {
		return post(t, hook.URL, "s", fmt.Sprintf(update, 555)) == http.StatusOK
	})
	waitFor(t, "the webhook's update handled", func() bool { return rec.count(555) == 1 })
	waitFor(t, "the stream drained", drained(t, store))
	if n := rec.count(before.UpdateID); n != 1 {
		t.Fatalf("the update handled before the restart was handled %d times", n)
	}
	un, _ := notices.lists()
	told := map[int]int{}
	for _, id := range un {
		told[id]++
	}
	if told[during.UpdateID] != 1 || told[555] != 1 {
		t.Fatalf("told %v; want the poller's and the webhook's sender once each", told)
	}
}

type redisServer struct {
	t    *testing.T
	addr string
	dir  string
	cmd  *exec.Cmd
}

func startRedisServer(t *testing.T) *redisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed: this test restarts a Redis of its own")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	rs := &redisServer{t: t, addr: addr, dir: t.TempDir()}
	rs.start()
	t.Cleanup(rs.kill)
	return rs
}

func (rs *redisServer) start() {
	rs.t.Helper()
	_, port, _ := net.SplitHostPort(rs.addr)
	rs.cmd = exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--dir", rs.dir,
		"--appendonly", "yes", "--save", "", "--maxmemory-policy", "noeviction")
	if err := rs.cmd.Start(); err != nil {
		rs.t.Fatal(err)
	}
	waitFor(rs.t, "redis-server answers", func() bool {
		c, err := net.Dial("tcp", rs.addr)
		if err != nil {
			return false
		}
		_ = c.Close()
		return true
	})
}

// kill stops the server the hard way, like a crash.
func (rs *redisServer) kill() {
	if rs.cmd == nil || rs.cmd.Process == nil {
		return
	}
	_ = rs.cmd.Process.Kill()
	_ = rs.cmd.Wait()
	rs.cmd = nil
}
