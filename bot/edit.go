package bot

import (
	"context"
	"errors"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// Edits and removals of what the bot published (handlers/afterpub.go).

// CallOnceIDs is CallOnce for a send whose message ids the caller keeps
// (a broadcast records what each subscriber got, so that an edit of the
// post reaches it).
func (c *Client) CallOnceIDs(ctx context.Context, method string, params tgbotapi.Params) ([]int, error) {
	if ctx.Err() != nil {
		return nil, refuse(ctx)
	}
	switch method {
	case "sendMediaGroup", "forwardMessages", "copyMessages":
		var many []sent
		if err := c.request(method, params, &many); err != nil {
			return nil, err
		}
		ids := make([]int, len(many))
		for i, m := range many {
			ids[i] = m.MessageID
		}
		return ids, nil
	}
	var one sent
	if err := c.request(method, params, &one); err != nil {
		return nil, err
	}
	return []int{one.MessageID}, nil
}

// EditBody replaces the text of a text message (caption false) or the
// caption of a media message, keeping its formatting as entities, and its
// buttons kb (nil removes them, as Telegram does). An edit that changes
// nothing is not an error.
func (c *Client) EditBody(ctx context.Context, chatID int64, messageID int, caption bool, text string, entities []redaktor.Entity, kb Keyboard) error {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "message_id": strconv.Itoa(messageID)}
	method, key, ekey := "editMessageText", "text", "entities"
	if caption {
		method, key, ekey = "editMessageCaption", "caption", "caption_entities"
	}
	p[key] = text
	if err := addJSON(p, ekey, entities); err != nil {
		return err
	}
	if err := addMarkup(p, kb); err != nil {
		return err
	}
	// Call paces the edit like a send.
	if _, err := c.Call(ctx, method, p); err != nil && !NotModified(err) {
		return err
	}
	return nil
}

// ForwardSilently forwards messages of a chat (ascending ids) without a
// notification, and returns the new messages' ids. It is paced but tried
// once: a retry after an answer lost on the way could forward twice, and
// the caller (a job that records each forward) decides what to do.
func (c *Client) ForwardSilently(ctx context.Context, chatID, fromChat int64, messageIDs ...int) ([]int, error) {
	part := ForwardPart(chatID, fromChat, messageIDs...)
	part.Params["disable_notification"] = "true"
	chat, n := target(part.Method, part.Params)
	if err := c.pace(ctx, part.Method, chat, n); err != nil {
		return nil, err
	}
	return c.CallOnceIDs(ctx, part.Method, part.Params)
}

// Refused reports an answer of Telegram that it did not carry a call out
// (a 4xx, 429 included); after anything else (no answer, a 5xx) the call
// may have been done.
func Refused(err error) bool {
	apiErr, ok := errors.AsType[*APIError](err)
	return ok && apiErr.Code < 500
}

// DeleteGone is DeleteMessage for which a message already gone counts as
// deleted: a removal done again after a crash finds it gone.
func (c *Client) DeleteGone(ctx context.Context, chatID int64, messageID int) error {
	if err := c.paceAlways(ctx, chatID); err != nil {
		return err
	}
	err := c.DeleteMessage(ctx, chatID, messageID)
	if MessageGone(err) {
		return nil
	}
	return err
}

// MessageGone reports Telegram's answer about a message that is not there
// (any more) to edit or delete.
func MessageGone(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	d := strings.ToLower(apiErr.Description)
	return strings.Contains(d, "message to delete not found") || strings.Contains(d, "message to edit not found")
}

// paceAlways waits for the pacer before a deletion: one deletion goes
// unpaced, but a removal deletes every subscriber's copy, and those must
// keep the bot's limit like the sends.
func (c *Client) paceAlways(ctx context.Context, chatID int64) error {
	if c.pacer == nil {
		return nil
	}
	return c.pacer.Wait(ctx, chatID, 1)
}
