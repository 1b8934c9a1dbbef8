package bot

import (
	"context"
	"testing"
	"time"

	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/pace"
)

// Waiting out a 429's retry_after is waiting for Telegram's limit, as in
// the pacer: the intake must not count it against the handling deadline,
// so it is told to the context's observer before the sleep.
func TestWaitingOutA429IsToldAsAPacerWait(t *testing.T) {
	t.Parallel()
	srv := bottest.New(t)
	const user = int64(100)
	srv.AddUser(user, "Ирина", "irina", "ru")
	tg, err := New(context.Background(), srv.Token(), Options{APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	var told, slept, toldBeforeSleep time.Duration
	tg.sleep = func(_ context.Context, d time.Duration) error {
		toldBeforeSleep = told
		slept += d
		return nil
	}
	ctx := pace.WithWaitObserver(context.Background(), func(d time.Duration) { told += d })
	srv.FailNextWith("sendMessage", 1, &bottest.APIError{Code: 429, Description: "Too Many Requests: retry after 7", RetryAfter: 7})
	if _, err := tg.SendText(ctx, user, "Черновик принят", nil); err != nil {
		t.Fatal(err)
	}
	if told != 7*time.Second || slept != 7*time.Second || toldBeforeSleep != 7*time.Second {
		t.Fatalf("told %s (%s of it before the sleep), slept %s; want 7s each, told before", told, toldBeforeSleep, slept)
	}

	// A 5xx's backoff is not Telegram's limit: not told.
	told, slept = 0, 0
	srv.FailNext("sendMessage", 1, 502)
	if _, err := tg.SendText(ctx, user, "ещё раз", nil); err != nil {
		t.Fatal(err)
	}
	if slept == 0 || told != 0 {
		t.Fatalf("after a 502: slept %s, told %s; want a backoff not told", slept, told)
	}
}
