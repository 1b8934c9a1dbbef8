package bot

import (
	"context"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Limiter paces the bot's sends so that all of them together, from every
// process, stay under Telegram's limit: Wait returns when a message to
// chatID may go. scheduler.Broadcaster implements it with a pacer in Redis
// that its announcement senders share.
type Limiter interface {
	Wait(ctx context.Context, chatID int64) error
}

// SetLimiter makes every send of Call (replies, cards, channel posts) take
// its turn with the announcements. CallOnce is not paced here: its callers
// take their slot themselves.
func (c *Client) SetLimiter(l Limiter) { c.limit = l }

// pace waits for the limiter before a send.
func (c *Client) pace(ctx context.Context, method string, params tgbotapi.Params) error {
	if c.limit == nil || !counted(method) {
		return nil
	}
	chat, _ := strconv.ParseInt(params["chat_id"], 10, 64)
	return c.limit.Wait(ctx, chat)
}

// counted reports whether Telegram counts a method against the bot's
// message limit: the sends, copies and forwards (edits and answers are not).
func counted(method string) bool {
	return strings.HasPrefix(method, "send") && method != "sendChatAction" ||
		method == "copyMessage" || method == "forwardMessage" || method == "copyMessages" || method == "forwardMessages"
}
