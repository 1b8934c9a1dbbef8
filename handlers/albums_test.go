package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// Two moderators have 150 albums each waiting and Telegram is slow to
// answer them; a third moderator's album, ready after all of theirs, is
// still made a draft meanwhile.
func TestOnePersonsAlbumsHoldUpNobodyElse(t *testing.T) {
	ctx := context.Background()
	tg := bottest.New(t)
	store, _ := storagetest.Store(t)
	const busyA, busyB, third int64 = 301, 302, 303
	if err := store.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа", TimeZone: "Europe/Moscow"}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	const quiet = time.Second
	// albums buffers n albums of two photos of user, the last item of each
	// at sent.
	albums := func(user int64, n int, sent time.Time) {
		t.Helper()
		name := "User" + strconv.FormatInt(user, 10)
		tg.AddUser(user, name, "", "ru")
		if err := store.SaveUser(ctx, redaktor.User{ID: user, Name: name, Lang: "ru"}); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		inv := redaktor.Invite{Code: "join" + strconv.FormatInt(user, 10), PageID: "1", Role: redaktor.RoleModerator,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := store.SaveInvite(ctx, inv); err != nil {
			t.Fatal(err)
		}
		if _, _, err := store.RedeemInvite(ctx, inv.Code, user, now); err != nil {
			t.Fatal(err)
		}
		for i := range n {
			for _, u := range tg.SendAlbum(user, "") { // real file ids; the updates themselves are never read
				photo := u.Message.Photo[len(u.Message.Photo)-1]
				it := redaktor.AlbumItem{UserID: user, MessageID: u.Message.MessageID,
					Media: redaktor.Media{Kind: redaktor.MediaPhoto, FileID: photo.FileID}}
				if err := store.AddAlbumItem(ctx, user, fmt.Sprintf("g%d", i), it, sent, quiet); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	albums(busyA, 150, t0)
	albums(busyB, 150, t0)
	albums(third, 1, t0.Add(time.Second))

	// Whatever goes to the two busy moderators hangs until the end.
	release := make(chan struct{})
	tg.Intercept(func(_ string, params map[string]string) *bottest.APIError {
		switch params["chat_id"] {
		case strconv.FormatInt(busyA, 10), strconv.FormatInt(busyB, 10):
			<-release
		}
		return nil
	})

	runCtx, stop := context.WithCancel(ctx)
	client, err := bot.New(runCtx, tg.Token(), bot.Options{APIURL: tg.URL()})
	if err != nil {
		t.Fatal(err)
	}
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	d := New(client, store, texts, func() time.Time { return t0.Add(time.Minute) }, slog.New(slog.DiscardHandler),
		Config{AlbumQuiet: quiet})
	done := make(chan struct{})
	go func() { defer close(done); d.Albums.Run(runCtx, 10*time.Millisecond) }()
	t.Cleanup(func() { stop(); close(release); <-done })

	deadline := time.Now().Add(10 * time.Second)
	for len(tg.Messages(third)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the third moderator's album was not made a draft while the others' albums are assembled")
		}
		time.Sleep(5 * time.Millisecond)
	}
	posts, err := store.UserPosts(ctx, third, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 1 || len(posts[0].Content.Media) != 2 {
		t.Errorf("the third moderator has %d drafts, want one of their album of two photos", len(posts))
	}
}
