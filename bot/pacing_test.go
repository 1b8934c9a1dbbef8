package bot_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
)

// turns is a pacer that records whose turn was asked for, and can refuse.
type turns struct {
	mu     sync.Mutex
	chats  []int64
	refuse error
}

func (p *turns) Wait(_ context.Context, chatID int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.chats = append(p.chats, chatID)
	return p.refuse
}

func (p *turns) asked() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.chats)
}

// Every message the client sends takes its turn in the pacer it was built
// with; what Telegram does not count (edits, answers) does not, nor a
// broadcast's single attempt (its sender booked the turn itself). A send
// whose turn never comes (its context ended) does not go.
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
	if got := pacer.asked(); !slices.Equal(got, []int64{user, user}) {
		t.Fatalf("turns asked for chats %v, want the two sends to %d", got, user)
	}
	if err := tg.EditText(ctx, user, id, "Черновик принят и проверен", nil); err != nil {
		t.Fatal(err)
	}
	if err := tg.CallOnce(ctx, "sendMessage", map[string]string{"chat_id": "100", "text": "Объявление"}); err != nil {
		t.Fatal(err)
	}
	if got := pacer.asked(); len(got) != 2 {
		t.Fatalf("turns asked for chats %v: an edit or a broadcast's own attempt took a turn", got)
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
