package bot_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
)

// turns is a pacer that records whose turn was asked for, and can refuse.
type turns struct {
	mu       sync.Mutex
	chats    []int64
	messages []int
	held     map[int64]time.Duration
	refuse   error
}

func (p *turns) Wait(_ context.Context, chatID int64, messages int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.chats = append(p.chats, chatID)
	p.messages = append(p.messages, messages)
	return p.refuse
}

func (p *turns) HoldChat(_ context.Context, chatID int64, d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held == nil {
		p.held = map[int64]time.Duration{}
	}
	p.held[chatID] += d
	return nil
}

func (p *turns) asked() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.chats)
}

// Every message the client sends or edits takes its turn in the pacer it
// was built with, uploads too; what Telegram does not limit (answers) does
// not, nor a broadcast's single attempt (its sender booked the turn
// itself). An album asks for a turn of as many messages as it has items.
// A send whose turn never comes (its context ended) does not go.
func TestSendsTakeTheirTurnInThePacer(t *testing.T) {
	t.Parallel()
	srv := bottest.New(t)
	const user = int64(100)
	srv.AddUser(user, "Ирина", "irina", "ru")
	ctx := context.Background()
	pacer := &turns{}
	tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL(), Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	id, err := tg.SendText(ctx, user, "Черновик принят", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tg.SendDocument(ctx, user, "posts.csv", []byte("id\n1\n"), "Выгрузка"); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.SendPhotoFile(ctx, user, "qr.png", []byte("png"), "Код"); err != nil {
		t.Fatal(err)
	}
	if err := tg.EditText(ctx, user, id, "Черновик принят и проверен", nil); err != nil {
		t.Fatal(err)
	}
	var album redaktor.Content
	for _, u := range srv.SendAlbum(user, "Фото с субботника", bottest.KindPhoto, bottest.KindPhoto, bottest.KindPhoto) {
		photo := u.Message.Photo
		album.Media = append(album.Media, redaktor.Media{Kind: redaktor.MediaPhoto, FileID: photo[len(photo)-1].FileID})
	}
	if _, err := tg.SendContent(ctx, user, album); err != nil {
		t.Fatal(err)
	}
	if got := pacer.asked(); !slices.Equal(got, []int64{user, user, user, user, user}) {
		t.Fatalf("turns asked for chats %v, want the five sends and edits to %d", got, user)
	}
	pacer.mu.Lock()
	messages := slices.Clone(pacer.messages)
	pacer.mu.Unlock()
	if !slices.Equal(messages, []int{1, 1, 1, 1, 3}) {
		t.Fatalf("turns asked for %v messages, want one each and three for the album", messages)
	}
	if err := tg.CallOnce(ctx, "sendMessage", map[string]string{"chat_id": "100", "text": "Объявление"}); err != nil {
		t.Fatal(err)
	}
	if got := pacer.asked(); len(got) != 5 {
		t.Fatalf("turns asked for chats %v: a broadcast's own attempt took a turn", got)
	}

	pacer.mu.Lock()
	pacer.refuse = context.Canceled
	pacer.mu.Unlock()
	before := len(srv.Messages(user))
	if _, err := tg.SendText(ctx, user, "Не отправится", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("send without a turn: %v, want the pacer's refusal", err)
	}
	if n := len(srv.Messages(user)) - before; n != 0 {
		t.Fatalf("%d messages went without a turn", n)
	}
}

// An upload refused with 429 by the chat's limit is sent again after
// retry_after, taking a new turn, and the chat is held for every other
// send meanwhile: a QR code after a burst of messages arrives.
func TestUploadWaitsOutA429(t *testing.T) {
	t.Parallel()
	srv := bottest.New(t)
	const user = int64(100)
	srv.AddUser(user, "Ирина", "irina", "ru")
	ctx := context.Background()
	pacer := &turns{}
	tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL(), Pacer: pacer})
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNextWith("sendPhoto", 1, &bottest.APIError{Code: 429, Description: "Too Many Requests: retry after 1", RetryAfter: 1})
	if _, err := tg.SendPhotoFile(ctx, user, "qr.png", []byte("png"), "Код"); err != nil {
		t.Fatalf("the upload after a 429: %v", err)
	}
	if n := len(srv.Messages(user)); n != 1 {
		t.Fatalf("%d messages in the chat, want the photo once", n)
	}
	pacer.mu.Lock()
	defer pacer.mu.Unlock()
	if len(pacer.chats) != 2 || pacer.held[user] != time.Second {
		t.Fatalf("turns %v, held %v: want a turn for each attempt and the chat held for retry_after", pacer.chats, pacer.held)
	}
}
