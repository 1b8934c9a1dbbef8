package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// PollTimeout is getUpdates' long-poll wait.
const PollTimeout = 25 * time.Second

// Handler handles one update.
type Handler interface {
	Handle(ctx context.Context, u tgbotapi.Update)
}

// Poll reads updates until ctx ends. An update is confirmed to Telegram
// (by the next getUpdates' offset) only after it was handled, so a crash
// mid-handling means Telegram sends it again instead of losing it; the
// library's GetUpdatesChan confirms before handling and is not used.
// Updates of one batch are handled in parallel across chats and in order
// within a chat.
func (c *Client) Poll(ctx context.Context, h Handler) error {
	offset := 0
	backoff := time.Second
	for ctx.Err() == nil {
		updates, err := c.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			c.log.Warn("getUpdates failed", "err", err, "retry_in", backoff)
			if sleepCtx(ctx, backoff) != nil {
				break
			}
			backoff = min(backoff*2, 30*time.Second)
			continue
		}
		backoff = time.Second
		c.handleBatch(ctx, h, updates)
		for _, u := range updates {
			offset = max(offset, u.UpdateID+1)
		}
	}
	return nil
}

func (c *Client) getUpdates(ctx context.Context, offset int) ([]tgbotapi.Update, error) {
	p := tgbotapi.Params{
		"offset":          strconv.Itoa(offset),
		"timeout":         strconv.Itoa(int(PollTimeout / time.Second)),
		"allowed_updates": `["message","callback_query","my_chat_member"]`,
	}
	res, err := c.api.MakeRequest("getUpdates", p)
	if err != nil {
		return nil, classify("getUpdates", err)
	}
	return DecodeUpdates(res.Result)
}

// DecodeUpdates reads a getUpdates result. Since Bot API 7.0 a forward
// carries forward_origin instead of forward_from_chat, which the library
// does not know; the channel of a forwarded channel post is copied over so
// the rest of the bot sees it.
func DecodeUpdates(raw json.RawMessage) ([]tgbotapi.Update, error) {
	var updates []tgbotapi.Update
	if err := json.Unmarshal(raw, &updates); err != nil {
		return nil, fmt.Errorf("decode updates: %w", err)
	}
	var origins []struct {
		Message *struct {
			ForwardOrigin *struct {
				Type      string         `json:"type"`
				Chat      *tgbotapi.Chat `json:"chat"`
				MessageID int            `json:"message_id"`
			} `json:"forward_origin"`
		} `json:"message"`
	}
	if err := json.Unmarshal(raw, &origins); err != nil || len(origins) != len(updates) {
		return updates, nil
	}
	for i, o := range origins {
		m := updates[i].Message
		if m == nil || m.ForwardFromChat != nil || o.Message == nil || o.Message.ForwardOrigin == nil {
			continue
		}
		if fo := o.Message.ForwardOrigin; fo.Type == "channel" && fo.Chat != nil {
			m.ForwardFromChat = fo.Chat
			m.ForwardFromMessageID = fo.MessageID
		}
	}
	return updates, nil
}

func (c *Client) handleBatch(ctx context.Context, h Handler, updates []tgbotapi.Update) {
	byChat := map[int64][]tgbotapi.Update{}
	for _, u := range updates {
		byChat[ChatOf(u)] = append(byChat[ChatOf(u)], u)
	}
	var wg sync.WaitGroup
	for _, list := range byChat {
		wg.Go(func() {
			for _, u := range list {
				Safe(ctx, c.log, h, u)
			}
		})
	}
	wg.Wait()
}

// Safe handles an update and turns a panic into a log line: no input may
// stop the bot.
func Safe(ctx context.Context, log *slog.Logger, h Handler, u tgbotapi.Update) {
	defer func() {
		if r := recover(); r != nil {
			log.Error("handler panicked", "update_id", u.UpdateID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	h.Handle(ctx, u)
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
