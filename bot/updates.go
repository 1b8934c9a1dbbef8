package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// PollTimeout is getUpdates' long-poll wait.
const PollTimeout = 25 * time.Second

// GetUpdates is one getUpdates call from offset: the updates' ids and
// JSON as Telegram sent them; the call ends with the bot's lifetime
// (the client library takes no context).
func (c *Client) GetUpdates(offset int64) ([]int64, [][]byte, error) {
	p := tgbotapi.Params{
		"offset":          strconv.FormatInt(offset, 10),
		"timeout":         strconv.Itoa(int(PollTimeout / time.Second)),
		"allowed_updates": allowedUpdates,
	}
	var res json.RawMessage
	if err := c.request("getUpdates", p, &res); err != nil {
		return nil, nil, err
	}
	return SplitUpdates(res)
}

// allowedUpdates are the update kinds the bot asks for.
const allowedUpdates = `["message","callback_query","my_chat_member"]`

// Ping checks that the Bot API answers (getMe), for readiness checks.
func (c *Client) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.request("getMe", nil, nil)
}

// DecodeUpdates reads a getUpdates result. Since Bot API 7.0 a forward
// carries forward_origin instead of forward_from_chat, which the library
// does not know; the channel of a forwarded channel post is copied over so
// the rest of the bot sees it.
func DecodeUpdates(raw json.RawMessage) ([]tgbotapi.Update, error) {
	var wire []wireUpdate
	if err := json.Unmarshal(raw, &wire); err != nil {
		return nil, fmt.Errorf("decode updates: %w", err)
	}
	updates := make([]tgbotapi.Update, len(wire))
	for i := range wire {
		updates[i] = wire[i].update()
	}
	return updates, nil
}

// DecodeUpdate reads one update (a stream entry, a webhook body) as
// DecodeUpdates reads each.
func DecodeUpdate(raw []byte) (tgbotapi.Update, error) {
	var w wireUpdate
	if err := json.Unmarshal(raw, &w); err != nil {
		return tgbotapi.Update{}, fmt.Errorf("decode update: %w", err)
	}
	return w.update(), nil
}

// wireUpdate is an update as Telegram sends it: the library's Update with
// its message read together with forward_origin, so the JSON is read once.
type wireUpdate struct {
	tgbotapi.Update
	Message *wireMessage `json:"message"`
}

type wireMessage struct {
	tgbotapi.Message
	ForwardOrigin *struct {
		Type      string         `json:"type"`
		Chat      *tgbotapi.Chat `json:"chat"`
		MessageID int            `json:"message_id"`
	} `json:"forward_origin"`
}

func (w *wireUpdate) update() tgbotapi.Update {
	u := w.Update
	if w.Message == nil {
		return u
	}
	m := &w.Message.Message
	if fo := w.Message.ForwardOrigin; fo != nil && m.ForwardFromChat == nil && fo.Type == "channel" && fo.Chat != nil {
		m.ForwardFromChat = fo.Chat
		m.ForwardFromMessageID = fo.MessageID
	}
	u.Message = m
	return u
}

// ChatOf is the chat an update belongs to, for ordering.
func ChatOf(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// SecretHeader carries the webhook's secret_token in Telegram's requests.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookConnections is how many deliveries Telegram may make to the
// webhook at once: its maximum (the default is 40). The handler only
// stores the update and answers, so more parallel deliveries only make a
// backlog (after an outage, a busy morning) drain sooner.
const WebhookConnections = 100

// SetWebhook asks Telegram to deliver updates to url, each request
// carrying secret in SecretHeader. Pending updates are kept.
func (c *Client) SetWebhook(ctx context.Context, url, secret string) error {
	_, err := c.Call(ctx, "setWebhook", tgbotapi.Params{
		"url":             url,
		"secret_token":    secret,
		"allowed_updates": allowedUpdates,
		"max_connections": strconv.Itoa(WebhookConnections),
	})
	return err
}

// DeleteWebhook switches Telegram back to getUpdates, keeping pending
// updates. Polling needs it after the bot ran with a webhook.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	_, err := c.Call(ctx, "deleteWebhook", tgbotapi.Params{"drop_pending_updates": "false"})
	return err
}

// SplitUpdates cuts a getUpdates result into its updates' ids and JSON,
// which is what the stream keeps: the update exactly as Telegram sent it.
func SplitUpdates(raw json.RawMessage) ([]int64, [][]byte, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, nil, fmt.Errorf("decode updates: %w", err)
	}
	ids := make([]int64, len(items))
	payloads := make([][]byte, len(items))
	for i, it := range items {
		id, err := UpdateID(it)
		if err != nil {
			return nil, nil, err
		}
		ids[i], payloads[i] = id, it
	}
	return ids, payloads, nil
}

// UpdateID reads the update_id of one update's JSON.
func UpdateID(raw []byte) (int64, error) {
	var head struct {
		UpdateID *int64 `json:"update_id"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return 0, fmt.Errorf("decode update: %w", err)
	}
	if head.UpdateID == nil {
		return 0, errors.New("decode update: no update_id")
	}
	return *head.UpdateID, nil
}
