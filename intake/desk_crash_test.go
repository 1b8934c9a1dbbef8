package intake_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/handlers"
	"github.com/redaktor/redaktor/intake"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// diesAfter runs the desk on an update and then dies, once, before the
// update is acknowledged: the draft is made and shown, but the stream
// still holds the update, so another process handles it again.
type diesAfter struct {
	desk   intake.Handler
	victim int
	once   sync.Once
	died   chan struct{}
}

func (h *diesAfter) Handle(ctx context.Context, u tgbotapi.Update) error {
	if err := h.desk.Handle(ctx, u); err != nil {
		return err
	}
	if u.UpdateID != h.victim {
		return nil
	}
	h.once.Do(func() {
		close(h.died)
		<-ctx.Done() // the process dies before the acknowledgement
		panic("killed")
	})
	return nil
}

// A moderator's draft whose process died after making it, before the
// update was acknowledged, is one draft: handled again, the update shows
// the draft it made instead of making a second.
func TestDraftHandledAgainAfterACrashIsNotDoubled(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	ctx := context.Background()
	const mod = int64(1000)
	srv.AddUser(mod, "Ирина", "irina", "ru")
	if err := store.SavePage(ctx, redaktor.Page{ID: "1", Title: "МБОУ СОШ №4", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	inv := redaktor.Invite{Code: "join", PageID: "1", Role: redaktor.RoleModerator, ExpiresAt: time.Now().Add(time.Hour)}
	if err := store.SaveInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.RedeemInvite(ctx, inv.Code, mod, time.Now()); err != nil {
		t.Fatal(err)
	}
	crashAfterHandling(t, srv, store, srv.SendText(mod, "Субботник в субботу в 10:00, приходите всей семьёй."))
	if cards := cardsIn(srv.Messages(mod)); len(cards) != 1 {
		t.Fatalf("before the crash: %d cards, want 1", len(cards))
	}
	recoverIn(t, srv, store)
	waitFor(t, "the update handled again", func() bool { return len(cardsIn(srv.Messages(mod))) == 2 })
	waitFor(t, "the stream drained", drained(t, store))
	posts, err := store.UserPosts(ctx, mod, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 {
		t.Fatalf("the moderator has %d drafts, want 1", len(posts))
	}
	cards := cardsIn(srv.Messages(mod))
	if cards[0] != cards[1] || !strings.Contains(cards[1], "#"+posts[0].ID+" ") {
		t.Errorf("the card shown again is not the draft's:\n%s\n---\n%s", cards[0], cards[1])
	}
}

// A new version whose process died after storing it, before the update
// was acknowledged, is one version, and the moderator is not left with a
// session waiting for a version they already sent: handled again, the
// update shows the post.
func TestNewVersionHandledAgainAfterACrashIsNotDoubled(t *testing.T) {
	srv := bottest.New(t)
	store, _ := storagetest.Store(t)
	ctx := context.Background()
	const mod, chief = int64(1000), int64(2000)
	srv.AddUser(mod, "Ирина", "irina", "ru")
	if err := store.SavePage(ctx, redaktor.Page{ID: "1", Title: "МБОУ СОШ №4", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []struct {
		user int64
		role redaktor.Role
	}{{mod, redaktor.RoleModerator}, {chief, redaktor.RoleChief}} {
		inv := redaktor.Invite{Code: fmt.Sprint(m.user), PageID: "1", Role: m.role, ExpiresAt: time.Now().Add(time.Hour)}
		if err := store.SaveInvite(ctx, inv); err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.RedeemInvite(ctx, inv.Code, m.user, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SaveUser(ctx, redaktor.User{ID: mod, Name: "Ирина", Username: "irina", Lang: "ru", CurrentPage: "1"}); err != nil {
		t.Fatal(err)
	}
	// A post returned for changes, its author asked for a new version.
	author := redaktor.Actor{UserID: mod, Name: "Ирина", Role: redaktor.RoleModerator}
	post, err := redaktor.NewPost("7", "1", author, redaktor.Content{Text: "Субботник в субботу."}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CreatePost(ctx, post, redaktor.Origin{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []redaktor.Change{
		{Action: redaktor.ActSubmit, Actor: author},
		{Action: redaktor.ActRequestChanges, Actor: redaktor.Actor{UserID: chief, Name: "Анна", Role: redaktor.RoleChief}, Comment: "Укажите время"},
	} {
		next, ev, err := redaktor.Apply(post, c, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := store.SavePost(ctx, post, next, ev); err != nil {
			t.Fatal(err)
		}
		post = next
	}
	if err := store.SetSession(ctx, mod, redaktor.Session{Kind: "new_version", PostID: post.ID, Rev: post.Rev}); err != nil {
		t.Fatal(err)
	}

	crashAfterHandling(t, srv, store, srv.SendText(mod, "Субботник в субботу в 10:00, приходите всей семьёй."))
	recoverIn(t, srv, store)
	waitFor(t, "the update handled again", func() bool { return len(cardsIn(srv.Messages(mod))) == 2 })
	waitFor(t, "the stream drained", drained(t, store))

	got, err := store.Post(ctx, post.ID)
	if err != nil || got.Version != 2 || got.Status != redaktor.StatusPending {
		t.Fatalf("the post: version %d, %s, %v; want version 2, pending", got.Version, got.Status, err)
	}
	if posts, _ := store.UserPosts(ctx, mod, 10); len(posts) != 1 {
		t.Fatalf("the moderator has %d posts, want 1", len(posts))
	}
	if _, waiting, _ := store.Session(ctx, mod); waiting {
		t.Fatal("the session still waits for a new version")
	}
	for _, m := range srv.Messages(mod) {
		if strings.Contains(m.Text, "Пост #") && !strings.Contains(m.Text, "Пост #"+post.ID+" ") {
			t.Errorf("a card of another post:\n%s", m.Text)
		}
	}
}

// crashAfterHandling runs a process whose desk handles victim and then
// dies before acknowledging it.
func crashAfterHandling(t *testing.T, srv *bottest.Server, store *storage.Store, victim tgbotapi.Update) {
	t.Helper()
	a := &diesAfter{victim: victim.UpdateID, died: make(chan struct{})}
	a.desk = newTestDesk(t, srv, store)
	ra := startReplica(t, srv, store, a, replicaOpts{
		poll:   intake.PollConfig{Owner: "a"},
		intake: intake.Config{ShutdownTimeout: time.Millisecond},
	})
	<-a.died
	ra.stop()
}

// recoverIn starts another process, which takes the dead one's update
// over.
func recoverIn(t *testing.T, srv *bottest.Server, store *storage.Store) {
	t.Helper()
	startReplica(t, srv, store, newTestDesk(t, srv, store), replicaOpts{
		poll: intake.PollConfig{Owner: "b"},
		// The default handling time: a busy machine may take long over
		// the handling again, and only that handling is under test. The
		// crashed process handed its update back, so it is taken at once.
		intake: intake.Config{},
	})
}

func cardsIn(msgs []bottest.Sent) []string {
	var cards []string
	for _, m := range msgs {
		if m.Keyboard != nil {
			cards = append(cards, m.Text)
		}
	}
	return cards
}

func newTestDesk(t *testing.T, srv *bottest.Server, store *storage.Store) intake.Handler {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := slog.New(slog.DiscardHandler)
	tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	texts, err := handlers.LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	return handlers.New(tg, store, texts, time.Now, log, handlers.Config{})
}
