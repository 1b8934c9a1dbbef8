package bot_test

import (
	"context"
	"testing"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
)

// A document reaches the chat as a file with its name, bytes and caption;
// an empty one is refused as Telegram refuses it, as a permanent error.
func TestSendDocumentUploadsTheFile(t *testing.T) {
	srv := bottest.New(t)
	const user = int64(100)
	srv.AddUser(user, "Анна", "anna", "ru")
	ctx := context.Background()
	tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	id, err := tg.SendDocument(ctx, user, "audit.csv", []byte("a,b\n1,2\n"), "Журнал")
	if err != nil || id == 0 {
		t.Fatalf("send document: id %d, %v", id, err)
	}
	msgs := srv.Messages(user)
	if len(msgs) != 1 || msgs[0].Kind != bottest.KindDocument || msgs[0].Text != "Журнал" {
		t.Fatalf("chat has %+v, want one document captioned Журнал", msgs)
	}
	calls := srv.Calls("sendDocument")
	if len(calls) != 1 || calls[0].Files["document"] != "audit.csv" || string(calls[0].Uploads["document"]) != "a,b\n1,2\n" {
		t.Fatalf("sendDocument calls = %+v", calls)
	}
	if _, err := tg.SendDocument(ctx, user, "empty.csv", nil, ""); err == nil || !bot.Permanent(err) {
		t.Fatalf("empty document: %v, want a permanent refusal", err)
	}
}
