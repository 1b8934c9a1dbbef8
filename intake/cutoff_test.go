package intake_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/intake"
)

// A handler cut off midway (here by its own time; a lapsed liveness cuts
// the same way) whose next send is refused, and which only logs that and
// returns nil, did not finish: the person would never get the reply. The
// update is handled again, and the reply reaches the person once.
func TestHandlingCutOffBeforeItsReplyIsHandledAgain(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	srv := bottest.New(t)
	ids := queueUpdates(t, store, 1, 1, 1)
	person := int64(1000 + 1)
	srv.AddUser(person, "Ирина", "irina", "ru")
	tg, err := bot.New(context.Background(), srv.Token(), bot.Options{APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	var tries atomic.Int32
	h := handlerFunc(func(ctx context.Context, u tgbotapi.Update) error {
		if tries.Add(1) == 1 {
			<-ctx.Done() // slow work, cut off by the handling's own time
		}
		if _, err := tg.SendText(ctx, person, "Черновик принят", nil); err != nil {
			t.Logf("send failed, logged only: %v", err) // as the desk does with a reply
		}
		return nil
	})
	runConsumer(t, store, h, nil, intake.Config{Consumer: "a", HandleTimeout: 100 * time.Millisecond,
		RetryBackoff: time.Millisecond, MaxAttempts: 3})
	waitUntil(t, "the stream drained", drained(t, store))
	if n := tries.Load(); n != 2 {
		t.Errorf("update %d handled %d times, want twice (cut off once)", ids[0], n)
	}
	if got := len(srv.Messages(person)); got != 1 {
		t.Errorf("the person got %d replies, want 1", got)
	}
}
