package bot

import (
	"context"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Pacer paces the bot's sends so that all of them together, from every
// process, stay under Telegram's limit: Wait returns when a message to
// chatID may go. pace.Pacer implements it; the broadcasts' senders book
// the same pacer.
type Pacer interface {
	Wait(ctx context.Context, chatID int64) error
}

// pace waits for the pacer before a send that Telegram counts. CallOnce is
// not paced here: its callers (the broadcasts) book their slot themselves.
func (c *Client) pace(ctx context.Context, method string, params tgbotapi.Params) error {
	if c.pacer == nil || !counted(method) {
		return nil
	}
	chat, _ := strconv.ParseInt(params["chat_id"], 10, 64)
	return c.pacer.Wait(ctx, chat)
}

// counted reports whether Telegram counts a method against the bot's
// message limit: the sends, copies and forwards (edits and answers are not).
func counted(method string) bool {
	return strings.HasPrefix(method, "send") && method != "sendChatAction" ||
		method == "copyMessage" || method == "forwardMessage" || method == "copyMessages" || method == "forwardMessages"
}
