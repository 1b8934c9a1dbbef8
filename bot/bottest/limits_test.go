package bottest

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestRateLimitPrivateBurst(t *testing.T) {
	clock := NewFakeClock(epoch)
	srv, bot := setup(t, WithClock(clock), WithRateLimits(Limits{PrivateBurst: 2}))
	for i := range 2 {
		if _, err := bot.Send(tgbotapi.NewMessage(alice, "burst")); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	_, err := bot.Send(tgbotapi.NewMessage(alice, "one too many"))
	wantErr(t, err, 429, "Too Many Requests: retry after 1")
	if e := apiErr(t, err); e.RetryAfter != 1 {
		t.Fatalf("retry_after = %d", e.RetryAfter)
	}
	// Other chats are not affected by alice's limit.
	if _, err := bot.Send(tgbotapi.NewMessage(bob, "hi")); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "after waiting")); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.RateLimited != 1 || st.SendErrors[429] != 1 || st.SentOK != 4 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestRateLimitGroupPerMinute(t *testing.T) {
	clock := NewFakeClock(epoch)
	_, bot := setup(t, WithClock(clock), WithRateLimits(Limits{}))
	for i := range 20 {
		if _, err := bot.Send(tgbotapi.NewMessage(channel, "post")); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		clock.Advance(time.Second) // keep under 1/s so only the minute window counts
	}
	_, err := bot.Send(tgbotapi.NewMessage(channel, "21st"))
	e := apiErr(t, err)
	// The first post left the window 60s after it was sent; 20s have passed.
	if e.Code != 429 || e.RetryAfter != 40 {
		t.Fatalf("got %d retry_after %d", e.Code, e.RetryAfter)
	}
	clock.Advance(40 * time.Second)
	if _, err := bot.Send(tgbotapi.NewMessage(channel, "later")); err != nil {
		t.Fatal(err)
	}
}

func TestRateLimitGlobal(t *testing.T) {
	clock := NewFakeClock(epoch)
	srv, bot := setup(t, WithClock(clock), WithRateLimits(Limits{Global: 3}))
	for id := int64(600); id < 604; id++ {
		srv.AddUser(id, "U", "", "en")
	}
	for id := int64(600); id < 603; id++ {
		if _, err := bot.Send(tgbotapi.NewMessage(id, "hi")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := bot.Send(tgbotapi.NewMessage(603, "hi"))
	wantErr(t, err, 429, "Too Many Requests: retry after 1")
}

func TestRateLimitOffByDefault(t *testing.T) {
	_, bot := setup(t)
	for range 50 {
		if _, err := bot.Send(tgbotapi.NewMessage(alice, "spam")); err != nil {
			t.Fatal(err)
		}
	}
}

// A multipart upload is a message like any other for the chat's limit:
// past the burst it is refused with 429 and retry_after in the answer's
// parameters, and it goes once the chat's second has passed. Edits are
// not limited (Telegram publishes no limit for them).
func TestRateLimitCountsUploadsNotEdits(t *testing.T) {
	clock := NewFakeClock(epoch)
	srv, bot := setup(t, WithClock(clock), WithRateLimits(Limits{PrivateBurst: 2}))
	m, err := bot.Send(tgbotapi.NewMessage(alice, "the card"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(alice, "the link")); err != nil {
		t.Fatal(err)
	}
	qr := tgbotapi.NewPhoto(alice, tgbotapi.FileBytes{Name: "qr.png", Bytes: []byte("png")})
	_, err = bot.Send(qr)
	if e := apiErr(t, err); e.Message != "Too Many Requests: retry after 1" || e.RetryAfter != 1 {
		t.Fatalf("the upload past the burst: %v (retry_after %d), want 429 retry after 1", err, e.RetryAfter)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(alice, m.MessageID, "the card, edited")); err != nil {
		t.Fatalf("an edit at the limit: %v", err)
	}
	clock.Advance(time.Second)
	if _, err := bot.Send(qr); err != nil {
		t.Fatalf("the upload after retry_after: %v", err)
	}
	if st := srv.Stats(); st.RateLimited != 1 {
		t.Fatalf("stats = %+v", st)
	}
}
