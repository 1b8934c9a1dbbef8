package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/scheduler"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

const channel int64 = -1009876543210

var t0 = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

// notes records what the scheduler tells people.
type notes struct {
	mu                         sync.Mutex
	published, failed []redaktor.Post
}

func (n *notes) Published(_ context.Context, p redaktor.Post, _ redaktor.Page) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.published = append(n.published, p)
}
func (n *notes) Failed(_ context.Context, p redaktor.Post, _ redaktor.Page) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.failed = append(n.failed, p)
}

type world struct {
	tg    *bottest.Server
	store *storage.Store
	api   *bot.Client
	notes *notes
	clock *bottest.FakeClock
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOn(t, storagetest.Open(t))
}

// newWorldOn is a desk whose Redis is r.
func newWorldOn(t *testing.T, r storagetest.Redis) *world {
	t.Helper()
	tg := bottest.New(t)
	tg.AddChannel(channel, "Библиотека", "village_library")
	store := storage.New(r.Client, r.Prefix)
	api, err := bot.New(context.Background(), tg.Token(), bot.Options{APIURL: tg.URL()})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{tg: tg, store: store, api: api, notes: &notes{}, clock: bottest.NewFakeClock(t0)}
	if err := store.SavePage(context.Background(), redaktor.Page{ID: "1", Title: "Библиотека", ChannelID: channel, ChannelUsername: "village_library"}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) scheduler() *scheduler.Scheduler {
	return scheduler.New(w.store, w.api, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{})
}

// schedule stores an approved post of page 1 due at at, with the channel's
// file ids.
func (w *world) schedule(t *testing.T, c redaktor.Content, at time.Time) redaktor.Post {
	t.Helper()
	return w.scheduleContent(t, "1", c, at)
}

// scheduleContent stores an approved post of a page due at at.
func (w *world) scheduleContent(t *testing.T, pageID string, c redaktor.Content, at time.Time) redaktor.Post {
	t.Helper()
	ctx := context.Background()
	id, err := w.store.NextID(ctx, "post")
	if err != nil {
		t.Fatal(err)
	}
	chief := redaktor.Actor{UserID: 7, Name: "Анна", Role: redaktor.RoleChief}
	p, err := redaktor.NewPost(id, pageID, chief, c, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
		t.Fatal(err)
	}
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActApprove, Actor: chief, At: at}, t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.SavePost(ctx, p, next, ev); err != nil {
		t.Fatal(err)
	}
	return next
}

// photo returns a file id the fake Telegram knows, as one a user sent.
func (w *world) photo(t *testing.T) string {
	t.Helper()
	w.tg.AddUser(1, "u", "u", "ru")
	u := w.tg.Send(1, bottest.Media(bottest.KindPhoto))
	return u.Message.Photo[len(u.Message.Photo)-1].FileID
}

func TestTwoSchedulersPublishEachPostOnce(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const n = 40
	for i := 0; i < n; i++ {
		w.schedule(t, redaktor.Content{Text: fmt.Sprintf("Объявление %d", i)}, t0)
	}
	w.schedule(t, redaktor.Content{Text: "Завтрашнее"}, t0.Add(24*time.Hour))

	a, b := w.scheduler(), w.scheduler()
	var wg sync.WaitGroup
	for _, s := range []*scheduler.Scheduler{a, b} {
		wg.Go(func() {
			for i := 0; i < 3; i++ {
				if err := s.Tick(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()

	seen := map[string]int{}
	for _, m := range w.tg.Messages(channel) {
		seen[m.Text]++
	}
	if len(seen) != n {
		t.Fatalf("channel got %d distinct posts, want %d", len(seen), n)
	}
	for text, c := range seen {
		if c != 1 {
			t.Errorf("%q published %d times", text, c)
		}
	}
	if seen["Завтрашнее"] != 0 {
		t.Fatal("a post due tomorrow was published today")
	}
	if len(w.notes.published) != n {
		t.Fatalf("%d publication notices, want %d", len(w.notes.published), n)
	}
}

func TestLongCaptionGoesAfterTheMedia(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	long := strings.Repeat("Очень подробный рассказ о событии. ", 40) // > 1024
	bold := []redaktor.Entity{{Type: "bold", Offset: 0, Length: 6}}
	w.schedule(t, redaktor.Content{Text: long, Entities: bold, Media: []redaktor.Media{{Kind: redaktor.MediaPhoto, FileID: w.photo(t)}}}, t0)
	if err := w.scheduler().Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := w.tg.Messages(channel)
	if len(msgs) != 2 || msgs[0].Kind != bottest.KindPhoto || msgs[0].Text != "" || msgs[1].Text != long {
		t.Fatalf("channel got %d messages (%+v), want the photo then the text", len(msgs), msgs)
	}
	if len(msgs[1].Entities) != 1 || msgs[1].Entities[0].Type != "bold" || msgs[1].Entities[0].Length != 6 {
		t.Fatalf("formatting lost: %+v", msgs[1].Entities)
	}
	if len(w.notes.published) != 1 || len(w.notes.published[0].MessageIDs) != 2 {
		t.Fatalf("publication notice %+v, want one with both message ids", w.notes.published)
	}
}

// A crash after the album was sent but before the text was: the lease runs
// out, another scheduler resumes, and only the missing part is sent.
func TestPublicationResumesAfterACrash(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	long := strings.Repeat("Текст. ", 200)
	photo := w.photo(t)
	post := w.schedule(t, redaktor.Content{Text: long, Media: []redaktor.Media{
		{Kind: redaktor.MediaPhoto, FileID: photo}, {Kind: redaktor.MediaPhoto, FileID: photo}}}, t0)

	// The first scheduler dies while sending the text (part 1): the call
	// never returns successfully and the process is gone.
	ctx, crash := context.WithCancel(context.Background())
	remove := w.tg.Intercept(func(method string, _ map[string]string) *bottest.APIError {
		if method == "sendMessage" {
			crash()
			return &bottest.APIError{Code: 502, Description: "Bad Gateway"}
		}
		return nil
	})
	dead := &dyingQueue{Store: w.store, dead: ctx.Done()}
	_ = scheduler.New(dead, w.api, w.notes, nil, w.clock.Now, slog.New(slog.DiscardHandler), scheduler.Config{}).Tick(ctx)
	remove()
	if got := len(w.tg.Messages(channel)); got != 2 {
		t.Fatalf("before the crash the channel has %d messages, want the 2-photo album", got)
	}

	// Later the lease has run out; a healthy scheduler takes over. It
	// cannot tell a dead holder from one cut off from Redis whose record
	// of the text waits in its journal: it gives the holder a grace.
	w.clock.Advance(10 * time.Minute)
	next := w.scheduler()
	if err := next.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(w.tg.Messages(channel)); got != 2 {
		t.Fatalf("within the grace the channel has %d messages, want still the album only", got)
	}
	w.clock.Advance(time.Minute)
	if err := next.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := w.tg.Messages(channel)
	albums, texts := 0, 0
	for _, m := range msgs {
		switch {
		case m.MediaGroupID != "":
			albums++
		case m.Text == long:
			texts++
		}
	}
	if albums != 2 || texts != 1 {
		t.Fatalf("channel has %d album items and %d texts, want 2 and 1 (no part twice, none missing)", albums, texts)
	}
	got, _ := w.store.Post(context.Background(), post.ID)
	if got.Status != redaktor.StatusPublished || !got.Late {
		t.Fatalf("post is %s late=%v, want published and reported late", got.Status, got.Late)
	}
}

func TestCancelledWhileQueuedIsNotPublished(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.schedule(t, redaktor.Content{Text: "Отменённое"}, t0)
	chief := redaktor.Actor{UserID: 7, Role: redaktor.RoleChief}
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActCancel, Actor: chief}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.store.SavePost(context.Background(), p, next, ev); err != nil {
		t.Fatal(err)
	}
	if err := w.scheduler().Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if msgs := w.tg.Messages(channel); len(msgs) != 0 {
		t.Fatalf("a cancelled post reached the channel: %+v", msgs)
	}
}

func TestLostRightsFailWithTheReason(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.tg.SetBotRights(channel, bottest.Rights{Status: bottest.StatusAdministrator, CanEditMessages: true, CanDeleteMessages: true})
	p := w.schedule(t, redaktor.Content{Text: "Не выйдет"}, t0)
	if err := w.scheduler().Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := w.store.Post(context.Background(), p.ID)
	if got.Status != redaktor.StatusFailed || !strings.Contains(got.FailReason.Detail, "rights") {
		t.Fatalf("post %s reason %q, want failed with Telegram's reason", got.Status, got.FailReason.String())
	}
	if len(w.notes.failed) != 1 {
		t.Fatalf("%d failure notices, want 1", len(w.notes.failed))
	}
}

func TestTemporaryFailureIsRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	p := w.schedule(t, redaktor.Content{Text: "Повтор"}, t0)
	w.tg.FailNext("sendMessage", 10, 502) // more than the client's own retries
	s := w.scheduler()
	_ = s.Tick(context.Background())
	got, _ := w.store.Post(context.Background(), p.ID)
	if got.Status != redaktor.StatusScheduled || got.Attempts != 1 || !got.RetryAt.After(t0) {
		t.Fatalf("after a temporary failure: %s attempts %d retry %v; want scheduled again, later", got.Status, got.Attempts, got.RetryAt)
	}
	_ = s.Tick(context.Background()) // not yet due again
	if len(w.tg.Messages(channel)) != 0 {
		t.Fatal("published although the gateway failed")
	}
	w.tg.FailNext("sendMessage", 0, 0)
	w.clock.Advance(time.Minute)
	for i := 0; i < 5 && len(w.tg.Messages(channel)) == 0; i++ {
		_ = s.Tick(context.Background())
		w.clock.Advance(time.Minute)
	}
	if msgs := w.tg.Messages(channel); len(msgs) != 1 {
		t.Fatalf("channel has %d messages after the gateway recovered, want 1", len(msgs))
	}
}

// dyingQueue is the store as seen by a process that dies when dead is
// closed: nothing it writes afterwards reaches Redis.
type dyingQueue struct {
	*storage.Store
	dead <-chan struct{}
}

var errDeadProcess = errors.New("the process is dead")

func (d *dyingQueue) gone() bool {
	select {
	case <-d.dead:
		return true
	default:
		return false
	}
}

func (d *dyingQueue) AbortPart(ctx context.Context, postID string, chatID int64, part int, mark string) error {
	if d.gone() {
		return errDeadProcess
	}
	return d.Store.AbortPart(ctx, postID, chatID, part, mark)
}

func (d *dyingQueue) SavePost(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error {
	if d.gone() {
		return errDeadProcess
	}
	return d.Store.SavePost(ctx, old, next, ev)
}
