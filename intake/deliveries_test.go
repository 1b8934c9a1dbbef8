package intake_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/intake"
)

// A handler whose last step cannot be cancelled (a Telegram call has no
// context) and completes after the own time ran out returns nil: the
// update was handled. It must not be handled again, nor its sender told
// it failed.
func TestSuccessAfterOwnTimeIsNotHandledAgain(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	ids := queueUpdates(t, store, 1, 1, 1)
	done := newAnswers()
	h := handlerFunc(func(ctx context.Context, u tgbotapi.Update) error {
		<-ctx.Done()         // the send in flight outlives the deadline...
		done.add(u.UpdateID) // ...and reaches the person
		return nil
	})
	notices := &fakeNotices{}
	runConsumer(t, store, h, notices, intake.Config{Consumer: "a", HandleTimeout: 50 * time.Millisecond,
		RetryBackoff: 10 * time.Millisecond, MaxAttempts: 3})
	waitUntil(t, "the stream drained", drained(t, store))
	_, told := notices.lists()
	if n := done.count(ids[0]); n != 1 || len(told) != 0 {
		t.Errorf("a handling that succeeded was done %d times and its sender told it failed: %v", n, told)
	}
}

// An update that no process ever began handling, handed back by three
// processes stopping one after another (a rolling restart), is still
// handled: hand-backs are not deaths.
func TestHandBacksDoNotCountAsDeliveries(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	ctx := context.Background()
	ids := queueUpdates(t, store, 1, 1, 1)
	if _, err := store.ReadUpdates(ctx, "a", 10, -1); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"a", "b", "c"} {
		if _, err := store.HandBackUpdates(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c == "c" {
			break
		}
		next := map[string]string{"a": "b", "b": "c"}[c]
		got, err := store.TakeOverUpdates(ctx, next, 4*time.Second, 30*time.Second, 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("take over by %s: %v, %v", next, got, err)
		}
		t.Logf("%s took it with deliveries %d", next, got[0].Deliveries)
	}
	done := newAnswers()
	h := handlerFunc(func(_ context.Context, u tgbotapi.Update) error { done.add(u.UpdateID); return nil })
	notices := &fakeNotices{}
	runConsumer(t, store, h, notices, intake.Config{Consumer: "d", MaxAttempts: 3})
	waitUntil(t, "the stream drained", drained(t, store))
	_, told := notices.lists()
	if done.count(ids[0]) != 1 {
		t.Errorf("never-attempted update handled %d times; told failed: %v", done.count(ids[0]), fmt.Sprint(told))
	}
}

// A handler that completes at the stop deadline (its last send could not
// be cancelled) handled the update: no other process handles it again.
func TestSuccessAtShutdownDeadlineIsNotHandledAgain(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	ids := queueUpdates(t, store, 1, 1, 1)
	done := newAnswers()
	started := make(chan struct{})
	h := handlerFunc(func(ctx context.Context, u tgbotapi.Update) error {
		close(started)
		<-ctx.Done()
		done.add(u.UpdateID)
		return nil
	})
	stop := runConsumer(t, store, h, nil, intake.Config{Consumer: "a", ShutdownTimeout: 50 * time.Millisecond})
	<-started
	stop()
	h2 := handlerFunc(func(_ context.Context, u tgbotapi.Update) error { done.add(u.UpdateID); return nil })
	runConsumer(t, store, h2, nil, intake.Config{Consumer: "b"})
	waitUntil(t, "the stream drained", drained(t, store))
	if n := done.count(ids[0]); n != 1 {
		t.Errorf("update handled %d times across a stop, want 1", n)
	}
}

// failingSetAside is a stream whose first set-aside fails (Redis blinked).
type failingSetAside struct {
	intake.Inbox
	failed atomic.Bool
}

func (f *failingSetAside) DeadLetter(ctx context.Context, consumer string, e redaktor.QueuedUpdate, reason string) (bool, error) {
	if f.failed.CompareAndSwap(false, true) {
		return false, errors.New("redis: connection pool timeout")
	}
	return f.Inbox.DeadLetter(ctx, consumer, e, reason)
}

// An unreadable update whose setting aside failed once is set aside the
// next time, not left pending for ever.
func TestUnreadableUpdateIsSetAsideAfterAFailedTry(t *testing.T) {
	t.Parallel()
	store, _ := liveStore(t)
	if _, err := store.AddUpdates(context.Background(), []int64{1}, [][]byte{[]byte("not an update")}); err != nil {
		t.Fatal(err)
	}
	inbox := &failingSetAside{Inbox: store}
	h := handlerFunc(func(context.Context, tgbotapi.Update) error { return nil })
	runConsumer(t, inbox, h, nil, intake.Config{Consumer: "a"})
	waitUntil(t, "the stream drained", drained(t, store))
	if dead, err := store.DeadUpdates(context.Background(), 10); err != nil || fmt.Sprint(dead) != "[1]" {
		t.Errorf("set aside %v, %v; want [1]", dead, err)
	}
}
