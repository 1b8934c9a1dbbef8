package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Pacer paces the bot's sends so that all of them together, from every
// process, stay under Telegram's limits: the bot's and each chat's.
// pace.Pacer implements it; the broadcasts' senders book the same pacer.
type Pacer interface {
	// Wait returns when messages (an album's items count one each) may go
	// to chatID.
	Wait(ctx context.Context, chatID int64, messages int) error
	// HoldChat holds back every send to chatID for d: Telegram answered
	// 429 there.
	HoldChat(ctx context.Context, chatID int64, d time.Duration) error
}

// pace waits for the pacer before a call that Telegram limits. CallOnce is
// not paced here: its callers (the broadcasts) book their slot themselves.
func (c *Client) pace(ctx context.Context, method string, chat int64, messages int) error {
	if c.pacer == nil || !paced(method) {
		return nil
	}
	return c.pacer.Wait(ctx, chat, messages)
}

// hold tells the pacer that Telegram refused a send to chat with 429, so
// that the other sends to that chat, of every process, wait too.
func (c *Client) hold(ctx context.Context, method string, chat int64, d time.Duration) {
	if c.pacer == nil || !paced(method) || chat == 0 {
		return
	}
	if err := c.pacer.HoldChat(context.WithoutCancel(ctx), chat, d); err != nil {
		c.log.Warn("hold sends to a chat after 429", "err", err)
	}
}

// paced reports whether a method puts a message into a chat, which
// Telegram limits per chat and for the bot: the sends, copies and
// forwards, and the edits (Telegram limits editing too; an edit spaced
// like a message never provokes a 429). Answers, reads and deletions are
// not paced.
func paced(method string) bool {
	return strings.HasPrefix(method, "send") && method != "sendChatAction" ||
		strings.HasPrefix(method, "editMessage") ||
		method == "copyMessage" || method == "forwardMessage" || method == "copyMessages" || method == "forwardMessages"
}

// target is the chat a call addresses and how many messages it puts there:
// the items of an album, the messages of a forward or copy of several.
func target(method string, p tgbotapi.Params) (chat int64, messages int) {
	chat, _ = strconv.ParseInt(p["chat_id"], 10, 64)
	messages = 1
	var list string
	switch method {
	case "sendMediaGroup":
		list = p["media"]
	case "forwardMessages", "copyMessages":
		list = p["message_ids"]
	}
	if list != "" {
		var items []json.RawMessage
		if json.Unmarshal([]byte(list), &items) == nil && len(items) > 0 {
			messages = len(items)
		}
	}
	return chat, messages
}
