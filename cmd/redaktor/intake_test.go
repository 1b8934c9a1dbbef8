package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor/metrics"
)

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestOpsEndpoints(t *testing.T) {
	t.Parallel()
	m := metrics.New(func(context.Context) (map[string]int64, error) {
		return map[string]int64{"updates_waiting": 3}, nil
	}, nil)
	m.Handled("ok", 2*time.Millisecond)
	m.Persisted("poll", 5, 4)
	m.Called("sendMessage", nil)
	var redisDown error
	h := opsHandler(func(context.Context) error { return redisDown }, func(context.Context) error { return nil }, m)

	if code, _ := get(t, h, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz %d", code)
	}
	if code, _ := get(t, h, "/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz %d", code)
	}
	redisDown = errors.New("connection refused")
	if code, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "redis: connection refused") {
		t.Fatalf("/readyz with Redis down: %d %q", code, body)
	}
	code, body := get(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics %d", code)
	}
	for _, want := range []string{
		`redaktor_updates_handled_total{outcome="ok"} 1`,
		`redaktor_updates_persisted_total{source="poll"} 4`,
		`redaktor_updates_duplicate_total{source="poll"} 1`,
		`redaktor_queue_depth{queue="updates_waiting"} 3`,
		`redaktor_telegram_calls_total{method="sendMessage",result="ok"} 1`,
		`redaktor_handler_seconds_count 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestLogsNeverShowTheToken(t *testing.T) {
	t.Parallel()
	const token = "123456:SECRET-token"
	var buf bytes.Buffer
	log := slog.New(redactHandler{Handler: slog.NewJSONHandler(&buf, nil), token: token})
	err := fmt.Errorf("Post \"https://api.telegram.org/bot%s/getMe\": dial tcp: timeout", token)
	log.With("url", "https://x/bot"+token).Error("call "+token+" failed", "err", err,
		slog.Group("g", "inner", token), "any", struct{ T string }{token})
	if strings.Contains(buf.String(), "SECRET") {
		t.Fatalf("the token leaked: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "<BOT_TOKEN>") {
		t.Fatalf("no redaction mark: %s", buf.String())
	}
}
