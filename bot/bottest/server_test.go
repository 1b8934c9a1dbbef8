package bottest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestGetMeAndWrongToken(t *testing.T) {
	srv, bot := setup(t)
	if bot.Self.ID != 1000 || bot.Self.UserName != "redaktor_test_bot" || !bot.Self.IsBot {
		t.Fatalf("getMe = %+v", bot.Self)
	}
	_, err := tgbotapi.NewBotAPIWithClient("1000:wrong", srv.Endpoint(), http.DefaultClient)
	wantErr(t, err, 401, "Unauthorized")

	custom := New(t, WithToken("42:secret"), WithBot(42, "other_bot", "Other"))
	b, err := tgbotapi.NewBotAPIWithClient("42:secret", custom.Endpoint(), http.DefaultClient)
	if err != nil || b.Self.ID != 42 || b.Self.UserName != "other_bot" {
		t.Fatalf("custom identity: %+v, %v", b, err)
	}
}

func TestUnknownMethodAndEncodings(t *testing.T) {
	srv, bot := setup(t)
	_, err := bot.MakeRequest("sendTelepathy", nil)
	wantErr(t, err, 404, "Not Found")

	// Raw JSON body, the encoding other clients use; method names are case-insensitive.
	resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/SENDMESSAGE", "application/json",
		strings.NewReader(`{"chat_id":501,"text":"json body","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		OK     bool             `json:"ok"`
		Result tgbotapi.Message `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.OK || env.Result.ReplyMarkup == nil {
		t.Fatalf("json request: %+v, %v", env, err)
	}
	if calls := srv.Calls("sendMessage"); len(calls) != 1 || calls[0].ChatID != alice {
		t.Fatalf("calls = %+v", calls)
	}

	// Query string parameters work too.
	q := url.Values{"chat_id": {"@redaktor_news"}}
	resp2, err := http.Get(srv.URL() + "/bot" + srv.Token() + "/getChat?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 200 {
		t.Fatalf("getChat via GET: %d", resp2.StatusCode)
	}
}

func TestSendMessageRoundTrip(t *testing.T) {
	srv, bot := setup(t)
	msg := tgbotapi.NewMessage(alice, "<b>Draft</b> ready: see https://example.org #news")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = button("Publish", "pub:1")
	got, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if got.MessageID == 0 || got.Chat.ID != alice || got.From.ID != bot.Self.ID || got.Date == 0 {
		t.Fatalf("message header: %+v", got)
	}
	if got.Text != "Draft ready: see https://example.org #news" {
		t.Fatalf("text = %q", got.Text)
	}
	wantTypes := []string{"bold", "url", "hashtag"}
	if len(got.Entities) != len(wantTypes) {
		t.Fatalf("entities = %+v", got.Entities)
	}
	for i, e := range got.Entities {
		if e.Type != wantTypes[i] {
			t.Fatalf("entity %d = %+v, want %s", i, e, wantTypes[i])
		}
	}
	if got.ReplyMarkup == nil || *got.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "pub:1" {
		t.Fatalf("reply_markup = %+v", got.ReplyMarkup)
	}

	sent, ok := srv.LastMessage(alice)
	if !ok || sent.MessageID != got.MessageID || sent.Kind != KindText || sent.CallbackData("Publish") != "pub:1" || sent.ParseMode != "HTML" {
		t.Fatalf("stored = %+v", sent)
	}
	if st := srv.Stats(); st.SentOK != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestSendValidation(t *testing.T) {
	srv, bot := setup(t)
	long := strings.Repeat("x", 1025)
	// 2048 emoji are 4096 UTF-16 units: the limit exactly.
	emoji := strings.Repeat("😀", 2048)
	tests := []struct {
		name string
		c    tgbotapi.Chattable
		code int
		desc string
	}{
		{"empty text", tgbotapi.NewMessage(alice, "  "), 400, "Bad Request: message text is empty"},
		{"text at limit", tgbotapi.NewMessage(alice, emoji), 0, ""},
		{"text over limit in UTF-16", tgbotapi.NewMessage(alice, emoji+"a"), 400, "Bad Request: message is too long"},
		{"markup does not count", func() tgbotapi.MessageConfig {
			m := tgbotapi.NewMessage(alice, "<b>"+strings.Repeat("y", 4096)+"</b>")
			m.ParseMode = tgbotapi.ModeHTML
			return m
		}(), 0, ""},
		{"unknown chat", tgbotapi.NewMessage(777, "hi"), 400, "Bad Request: chat not found"},
		{"unknown username", tgbotapi.NewMessageToChannel("@nope", "hi"), 400, "Bad Request: chat not found"},
		{"bad html", func() tgbotapi.MessageConfig {
			m := tgbotapi.NewMessage(alice, "<b>open")
			m.ParseMode = tgbotapi.ModeHTML
			return m
		}(), 400, `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"unescaped markdownv2", func() tgbotapi.MessageConfig {
			m := tgbotapi.NewMessage(alice, "Done.")
			m.ParseMode = tgbotapi.ModeMarkdownV2
			return m
		}(), 400, `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{"callback data over 64 bytes", func() tgbotapi.MessageConfig {
			m := tgbotapi.NewMessage(alice, "hi")
			m.ReplyMarkup = button("X", strings.Repeat("d", 65))
			return m
		}(), 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"caption over 1024", func() tgbotapi.PhotoConfig {
			p := tgbotapi.NewPhoto(alice, tgbotapi.FileURL("https://example.org/a.jpg"))
			p.Caption = long
			return p
		}(), 400, "Bad Request: message caption is too long"},
		{"unknown file id", tgbotapi.NewPhoto(alice, tgbotapi.FileID("made-up")), 400, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"reply to missing message", func() tgbotapi.MessageConfig {
			m := tgbotapi.NewMessage(alice, "hi")
			m.ReplyToMessageID = 999
			return m
		}(), 400, "Bad Request: message to be replied not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bot.Request(tc.c)
			if tc.code == 0 {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			wantErr(t, err, tc.code, tc.desc)
		})
	}
	if st := srv.Stats(); st.SentOK != 2 || st.SendErrors[400] != len(tests)-2 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestMediaGroup(t *testing.T) {
	srv, bot := setup(t)
	photo := tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "a.jpg", Bytes: []byte("jpeg")})
	photo.Caption = "Album caption"
	video := tgbotapi.NewInputMediaVideo(tgbotapi.FileBytes{Name: "b.mp4", Bytes: []byte("mp4")})
	third := tgbotapi.NewInputMediaPhoto(tgbotapi.FileURL("https://example.org/c.jpg"))
	msgs, err := bot.SendMediaGroup(tgbotapi.NewMediaGroup(channel, []any{photo, video, third}))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("got %d messages", len(msgs))
	}
	group := msgs[0].MediaGroupID
	for i, m := range msgs {
		if m.MediaGroupID == "" || m.MediaGroupID != group || m.Chat.ID != channel || m.SenderChat == nil {
			t.Fatalf("message %d: %+v", i, m)
		}
	}
	if msgs[0].Caption != "Album caption" || msgs[0].Photo == nil || msgs[1].Video == nil || msgs[1].Caption != "" {
		t.Fatalf("album content: %+v", msgs)
	}
	stored := srv.Messages(channel)
	if len(stored) != 3 || stored[1].Kind != KindVideo || stored[0].FileID == "" {
		t.Fatalf("stored = %+v", stored)
	}

	// The file ids Telegram returned can be sent again.
	largest := msgs[0].Photo[len(msgs[0].Photo)-1].FileID
	if _, err := bot.Send(tgbotapi.NewPhoto(alice, tgbotapi.FileID(largest))); err != nil {
		t.Fatalf("resend photo: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewDocument(alice, tgbotapi.FileID(largest)))
	wantErr(t, err, 400, "Bad Request: type of file mismatch")

	url := func(n int) []any {
		items := make([]any, n)
		for i := range items {
			items[i] = tgbotapi.NewInputMediaPhoto(tgbotapi.FileURL("https://example.org/p.jpg"))
		}
		return items
	}
	longCaption := tgbotapi.NewInputMediaPhoto(tgbotapi.FileURL("https://example.org/p.jpg"))
	longCaption.Caption = strings.Repeat("c", 1025)
	doc := tgbotapi.NewInputMediaDocument(tgbotapi.FileURL("https://example.org/d.pdf"))
	tests := []struct {
		name  string
		media []any
		desc  string
	}{
		{"eleven items", url(11), "Bad Request: too many messages to send as an album"},
		{"empty", []any{}, "Bad Request: there are no messages to send"},
		{"caption too long", []any{longCaption, url(1)[0]}, "Bad Request: MEDIA_CAPTION_TOO_LONG"},
		{"documents mixed with photos", []any{doc, url(1)[0]}, "Bad Request: document can't be mixed with other media types"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := bot.SendMediaGroup(tgbotapi.NewMediaGroup(alice, tc.media))
			wantErr(t, err, 400, tc.desc)
		})
	}

	one, err := bot.SendMediaGroup(tgbotapi.NewMediaGroup(alice, url(1)))
	if err != nil || len(one) != 1 || one[0].MediaGroupID != "" {
		t.Fatalf("single-item album is sent as a plain message: %+v, %v", one, err)
	}

	// sendMediaGroup has no reply_markup; tgbotapi cannot even send one.
	_, err = bot.MakeRequest("sendMediaGroup", tgbotapi.Params{
		"chat_id":      "501",
		"media":        `[{"type":"photo","media":"https://e.org/1.jpg"},{"type":"photo","media":"https://e.org/2.jpg"}]`,
		"reply_markup": `{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}`,
	})
	if err == nil || apiErr(t, err).Code != 400 {
		t.Fatalf("buttons on an album: %v", err)
	}
}

func TestChannelRights(t *testing.T) {
	srv, bot := setup(t)
	post := tgbotapi.NewMessage(channel, "news")

	if _, err := bot.Send(post); err != nil {
		t.Fatalf("admin posts: %v", err)
	}
	srv.SetBotRights(channel, Rights{Status: StatusAdministrator, CanEditMessages: true})
	_, err := bot.Send(post)
	wantErr(t, err, 400, "Bad Request: need administrator rights in the channel chat")

	srv.SetBotRights(channel, Rights{Status: StatusLeft})
	_, err = bot.Send(post)
	wantErr(t, err, 403, "Forbidden: bot is not a member of the channel chat")

	srv.SetBotRights(group, Rights{Status: StatusKicked})
	_, err = bot.Send(tgbotapi.NewMessage(group, "hi"))
	wantErr(t, err, 403, "Forbidden: bot was kicked from the supergroup chat")

	srv.SetBotRights(channel, Rights{Status: StatusAdministrator, CanPostMessages: true})
	member, err := bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: channel, UserID: bot.Self.ID}})
	if err != nil || member.Status != "administrator" || !member.CanPostMessages || member.CanEditMessages || member.CanDeleteMessages {
		t.Fatalf("bot member = %+v, %v", member, err)
	}
	member, err = bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: channel, UserID: alice}})
	if err != nil || member.Status != "member" || member.User.ID != alice {
		t.Fatalf("user member = %+v, %v", member, err)
	}
	srv.SetMember(channel, alice, StatusLeft)
	member, _ = bot.GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: channel, UserID: alice}})
	if member.Status != "left" {
		t.Fatalf("set member = %+v", member)
	}

	ch, err := bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{SuperGroupUsername: "@Redaktor_News"}})
	if err != nil || ch.ID != channel || !ch.IsChannel() || ch.Title != "Redaktor News" {
		t.Fatalf("getChat by username = %+v, %v", ch, err)
	}
	_, err = bot.GetChat(tgbotapi.ChatInfoConfig{ChatConfig: tgbotapi.ChatConfig{ChatID: 1}})
	wantErr(t, err, 400, "Bad Request: chat not found")
}

func TestEditAndDelete(t *testing.T) {
	clock := NewFakeClock(epoch)
	srv, bot := setup(t, WithClock(clock))
	msg := tgbotapi.NewMessage(alice, "Card v1")
	msg.ReplyMarkup = button("Approve", "ok")
	card, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}

	kb := button("Undo", "undo")
	edit := tgbotapi.NewEditMessageTextAndMarkup(alice, card.MessageID, "Card v2", kb)
	edited, err := bot.Send(edit)
	if err != nil || edited.Text != "Card v2" || edited.EditDate == 0 {
		t.Fatalf("edit: %+v, %v", edited, err)
	}
	_, err = bot.Send(edit)
	wantErr(t, err, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

	cur, _ := srv.Message(alice, card.MessageID)
	if cur.Text != "Card v2" || cur.CallbackData("Undo") != "undo" || cur.Edits != 1 {
		t.Fatalf("current card = %+v", cur)
	}
	// Editing the text without reply_markup drops the keyboard, as on Telegram.
	if _, err := bot.Send(tgbotapi.NewEditMessageText(alice, card.MessageID, "Card v3")); err != nil {
		t.Fatal(err)
	}
	if cur, _ := srv.Message(alice, card.MessageID); cur.Keyboard != nil {
		t.Fatalf("keyboard survived: %+v", cur.Keyboard)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageReplyMarkup(alice, card.MessageID, kb)); err != nil {
		t.Fatal(err)
	}

	_, err = bot.Send(tgbotapi.NewEditMessageText(alice, 9999, "x"))
	wantErr(t, err, 400, "Bad Request: message to edit not found")
	_, err = bot.Send(tgbotapi.NewEditMessageCaption(alice, card.MessageID, "caption"))
	wantErr(t, err, 400, "Bad Request: there is no caption in the message to edit")
	incoming := srv.SendText(alice, "user text")
	_, err = bot.Send(tgbotapi.NewEditMessageText(alice, incoming.Message.MessageID, "x"))
	wantErr(t, err, 400, "Bad Request: message can't be edited")

	if _, err := bot.Request(tgbotapi.NewDeleteMessage(alice, card.MessageID)); err != nil {
		t.Fatal(err)
	}
	if gone, ok := srv.Message(alice, card.MessageID); !ok || !gone.Deleted {
		t.Fatalf("deleted card = %+v", gone)
	}
	if len(srv.Messages(alice)) != 0 {
		t.Fatalf("Messages lists deleted ones: %+v", srv.Messages(alice))
	}
	_, err = bot.Request(tgbotapi.NewDeleteMessage(alice, card.MessageID))
	wantErr(t, err, 400, "Bad Request: message to delete not found")
}

func TestDeleteChannelPostWindow(t *testing.T) {
	clock := NewFakeClock(epoch)
	srv, bot := setup(t, WithClock(clock))
	old, err := bot.Send(tgbotapi.NewMessage(channel, "old news"))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(48*time.Hour + time.Second)
	fresh, err := bot.Send(tgbotapi.NewMessage(channel, "fresh news"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewDeleteMessage(channel, old.MessageID))
	wantErr(t, err, 400, "Bad Request: message can't be deleted for everyone")
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(channel, fresh.MessageID)); err != nil {
		t.Fatalf("fresh post: %v", err)
	}

	srv.SetBotRights(channel, Rights{Status: StatusAdministrator, CanPostMessages: true})
	post := srv.ChannelPost(channel, Text("by a human admin"))
	_, err = bot.Request(tgbotapi.NewDeleteMessage(channel, post.ChannelPost.MessageID))
	wantErr(t, err, 400, "Bad Request: message can't be deleted")
}

func TestCallbackQuery(t *testing.T) {
	srv, bot := setup(t)
	msg := tgbotapi.NewMessage(bob, "Publish?")
	msg.ReplyMarkup = button("Yes", "publish:7")
	card, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := srv.LastMessage(bob)
	pressed := srv.Press(bob, bob, card.MessageID, sent.CallbackData("Yes"))

	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 {
		t.Fatalf("updates = %+v, %v", ups, err)
	}
	q := ups[0].CallbackQuery
	if q == nil || q.ID != pressed.CallbackQuery.ID || q.Data != "publish:7" || q.From.ID != bob || q.Message.MessageID != card.MessageID {
		t.Fatalf("callback = %+v", q)
	}
	if _, err := bot.Request(tgbotapi.NewCallback(q.ID, "Published")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewCallback(q.ID, "again"))
	wantErr(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
}

func TestCommandsAndWebhook(t *testing.T) {
	srv, bot := setup(t)
	de := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "neu", Description: "Neuer Entwurf"})
	de.LanguageCode = "de"
	if _, err := bot.Request(de); err != nil {
		t.Fatal(err)
	}
	scope := tgbotapi.NewBotCommandScopeAllPrivateChats()
	en := tgbotapi.NewSetMyCommandsWithScope(scope, tgbotapi.BotCommand{Command: "new", Description: "New draft"})
	if _, err := bot.Request(en); err != nil {
		t.Fatal(err)
	}
	if got := srv.Commands(tgbotapi.BotCommandScope{}, "de"); len(got) != 1 || got[0].Command != "neu" {
		t.Fatalf("de commands = %+v", got)
	}
	got, err := bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScope(scope))
	if err != nil || len(got) != 1 || got[0].Command != "new" {
		t.Fatalf("scoped commands = %+v, %v", got, err)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Bad-Name", Description: "x"}))
	wantErr(t, err, 400, "Bad Request: BOT_COMMAND_INVALID")

	_, err = bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://bot.example.org/hook", "secret_token": "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if wh := srv.Webhook(); wh.URL != "https://bot.example.org/hook" || wh.SecretToken != "s3cret" {
		t.Fatalf("webhook = %+v", wh)
	}
	info, err := bot.GetWebhookInfo()
	if err != nil || !info.IsSet() {
		t.Fatalf("info = %+v, %v", info, err)
	}
	_, err = bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantErr(t, err, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatal(err)
	}
	_, err = bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "http://insecure.example.org"})
	wantErr(t, err, 400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
}

func TestForwardAndCopy(t *testing.T) {
	srv, bot := setup(t)
	in := srv.Send(alice, Media(KindPhoto), Text("look"), ForwardedFrom(channel, 77))
	m := in.Message
	if m.ForwardFromChat == nil || m.ForwardFromChat.ID != channel || m.ForwardFromMessageID != 77 || m.Caption != "look" || len(m.Photo) == 0 {
		t.Fatalf("incoming forward = %+v", m)
	}
	copied, err := bot.CopyMessage(tgbotapi.NewCopyMessage(channel, alice, m.MessageID))
	if err != nil {
		t.Fatal(err)
	}
	post, _ := srv.Message(channel, copied.MessageID)
	if post.Kind != KindPhoto || post.Text != "look" || post.Message.ForwardFromChat != nil || post.Method != "copyMessage" {
		t.Fatalf("copy = %+v", post)
	}
	fwd, err := bot.Send(tgbotapi.NewForward(bob, channel, copied.MessageID))
	if err != nil || fwd.ForwardFromChat == nil || fwd.ForwardFromChat.ID != channel || fwd.ForwardFromMessageID != copied.MessageID {
		t.Fatalf("forward = %+v, %v", fwd, err)
	}
	_, err = bot.CopyMessage(tgbotapi.NewCopyMessage(channel, alice, 4242))
	wantErr(t, err, 400, "Bad Request: message to copy not found")
}

func TestUploadIsRecorded(t *testing.T) {
	srv, bot := setup(t)
	doc := tgbotapi.NewDocument(alice, tgbotapi.FileBytes{Name: "draft.pdf", Bytes: []byte("%PDF")})
	doc.Caption = "Draft"
	got, err := bot.Send(doc)
	if err != nil || got.Document == nil || got.Caption != "Draft" {
		t.Fatalf("document = %+v, %v", got, err)
	}
	calls := srv.Calls("sendDocument")
	if len(calls) != 1 || calls[0].Files["document"] != "draft.pdf" || calls[0].Params["caption"] != "Draft" ||
		string(calls[0].Uploads["document"]) != "%PDF" {
		t.Fatalf("calls = %+v", calls)
	}
	empty := tgbotapi.NewDocument(alice, tgbotapi.FileBytes{Name: "empty.pdf"})
	_, err = bot.Send(empty)
	// tgbotapi drops the code of multipart errors; the description is intact.
	var e *tgbotapi.Error
	if !errors.As(err, &e) || e.Message != "Bad Request: file must be non-empty" {
		t.Fatalf("empty upload: %v", err)
	}
}

// forwardMessages keeps an album together, shows the origin of each item,
// skips missing ids and refuses ids out of order.
func TestForwardMessagesKeepsTheAlbum(t *testing.T) {
	srv, bot := setup(t)
	album := tgbotapi.NewMediaGroup(channel, []any{
		tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "1.jpg", Bytes: []byte("jpeg")}),
		tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "2.jpg", Bytes: []byte("jpeg")}),
	})
	posted, err := bot.SendMediaGroup(album)
	if err != nil {
		t.Fatal(err)
	}
	ids := fmt.Sprintf("[%d,%d,%d]", posted[0].MessageID, posted[1].MessageID, posted[1].MessageID+50)
	res, err := bot.MakeRequest("forwardMessages", tgbotapi.Params{
		"chat_id": fmt.Sprint(bob), "from_chat_id": fmt.Sprint(channel), "message_ids": ids})
	if err != nil {
		t.Fatal(err)
	}
	var got []tgbotapi.MessageID
	if err := json.Unmarshal(res.Result, &got); err != nil || len(got) != 2 {
		t.Fatalf("result %s, %v: want the two that exist", res.Result, err)
	}
	msgs := srv.Messages(bob)
	if len(msgs) != 2 || msgs[0].MediaGroupID == "" || msgs[0].MediaGroupID != msgs[1].MediaGroupID ||
		msgs[0].MediaGroupID == posted[0].MediaGroupID {
		t.Fatalf("forwards %+v: want one new album of two", msgs)
	}
	for i, m := range msgs {
		if m.Message.ForwardFromChat == nil || m.Message.ForwardFromChat.ID != channel || m.Message.ForwardFromMessageID != posted[i].MessageID {
			t.Fatalf("forward %d shows no origin: %+v", i, m.Message)
		}
	}
	_, err = bot.MakeRequest("forwardMessages", tgbotapi.Params{
		"chat_id": fmt.Sprint(bob), "from_chat_id": fmt.Sprint(channel),
		"message_ids": fmt.Sprintf("[%d,%d]", posted[1].MessageID, posted[0].MessageID)})
	wantErr(t, err, 400, "Bad Request: message identifiers must be in strictly increasing order")
}

// TestChatMenus: a chat's own menu shadows the default one for that chat
// only, per language as the apps pick it; deleting it brings the default
// back; a chat the bot does not know is refused.
func TestChatMenus(t *testing.T) {
	srv, bot := setup(t)
	set := func(cfg tgbotapi.SetMyCommandsConfig) {
		t.Helper()
		if _, err := bot.Request(cfg); err != nil {
			t.Fatal(err)
		}
	}
	set(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "help", Description: "Hilfe"}))
	en := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "help", Description: "Help"})
	en.LanguageCode = "en"
	set(en)
	alices := tgbotapi.NewBotCommandScopeChat(alice)
	set(tgbotapi.NewSetMyCommandsWithScope(alices, tgbotapi.BotCommand{Command: "drafts", Description: "Entwürfe"}))

	names := func(cmds []tgbotapi.BotCommand) string {
		var out []string
		for _, c := range cmds {
			out = append(out, c.Command+"="+c.Description)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		chat int64
		lang string
		want string
	}{{alice, "de", "drafts=Entwürfe"}, {alice, "en", "drafts=Entwürfe"}, {bob, "en", "help=Help"}, {bob, "de", "help=Hilfe"}} {
		if got := names(srv.Menu(c.chat, c.lang)); got != c.want {
			t.Errorf("menu of %d in %s = %s, want %s", c.chat, c.lang, got, c.want)
		}
	}
	got, err := bot.GetMyCommandsWithConfig(tgbotapi.NewGetMyCommandsWithScope(alices))
	if err != nil || names(got) != "drafts=Entwürfe" {
		t.Fatalf("getMyCommands for alice's chat = %+v, %v", got, err)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMyCommandsWithScope(alices)); err != nil {
		t.Fatal(err)
	}
	if got := names(srv.Menu(alice, "de")); got != "help=Hilfe" {
		t.Fatalf("after deleteMyCommands alice sees %s", got)
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(424242),
		tgbotapi.BotCommand{Command: "help", Description: "Help"}))
	wantErr(t, err, 400, "Bad Request: chat not found")
}
