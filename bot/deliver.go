package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// CallOnce makes one attempt of a Bot API call, without the retries of
// Call: a broadcast sender retries on its own schedule, through the shared
// pacer, so a 429 pauses every sender instead of one.
func (c *Client) CallOnce(ctx context.Context, method string, params tgbotapi.Params) error {
	if ctx.Err() != nil {
		return refuse(ctx)
	}
	return c.request(method, params, nil)
}

// ForwardPart forwards a channel post to a chat: the person sees where it
// came from. A post of several messages (an album, a caption sent as its
// own message) goes in one forwardMessages request, which keeps the album
// together; messageIDs must be ascending. Forwards carry no buttons
// (Telegram's rule).
func ForwardPart(chatID, fromChat int64, messageIDs ...int) Part {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "from_chat_id": strconv.FormatInt(fromChat, 10)}
	if len(messageIDs) == 1 {
		p["message_id"] = strconv.Itoa(messageIDs[0])
		return Part{Method: "forwardMessage", Params: p}
	}
	ids := make([]string, len(messageIDs))
	for i, id := range messageIDs {
		ids[i] = strconv.Itoa(id)
	}
	p["message_ids"] = "[" + strings.Join(ids, ",") + "]"
	return Part{Method: "forwardMessages", Params: p}
}

// CopyPart copies a channel post to a chat as the bot's own message, with
// buttons under it when kb is not nil.
func CopyPart(chatID, fromChat int64, messageID int, kb Keyboard) (Part, error) {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "from_chat_id": strconv.FormatInt(fromChat, 10),
		"message_id": strconv.Itoa(messageID)}
	if err := addMarkup(p, kb); err != nil {
		return Part{}, err
	}
	return Part{Method: "copyMessage", Params: p}, nil
}

// WithKeyboard puts buttons under a part, when the part can carry them (an
// album cannot): it returns false otherwise.
func WithKeyboard(p Part, kb Keyboard) (Part, bool, error) {
	if kb == nil || p.Method == "sendMediaGroup" {
		return p, false, nil
	}
	q := make(tgbotapi.Params, len(p.Params)+1)
	for k, v := range p.Params {
		q[k] = v
	}
	if err := addMarkup(q, kb); err != nil {
		return p, false, err
	}
	return Part{Method: p.Method, Params: q}, true, nil
}

// Gone reports an answer that means the person cannot receive messages
// from the bot any more: they blocked it (403), deleted their account, or
// the chat does not exist.
func Gone(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	if apiErr.Code == http.StatusForbidden {
		return true
	}
	d := strings.ToLower(apiErr.Description)
	return apiErr.Code == http.StatusBadRequest &&
		(strings.Contains(d, "chat not found") || strings.Contains(d, "user is deactivated") ||
			strings.Contains(d, "peer_id_invalid") || strings.Contains(d, "user not found"))
}

// FloodWait returns Telegram's retry_after of a 429 answer.
func FloodWait(err error) (seconds int, ok bool) {
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == http.StatusTooManyRequests {
		return max(1, apiErr.RetryAfter), true
	}
	return 0, false
}

// SendPhotoFile uploads an image (a QR code, say) to a chat with a caption.
// An upload is paced and retried like every other send.
func (c *Client) SendPhotoFile(ctx context.Context, chatID int64, name string, data []byte, caption string) (int, error) {
	return c.upload(ctx, "sendPhoto", "photo", chatID, name, data, caption)
}

// SendDocument uploads a file (a CSV export, say) to a chat with a caption.
func (c *Client) SendDocument(ctx context.Context, chatID int64, name string, data []byte, caption string) (int, error) {
	return c.upload(ctx, "sendDocument", "document", chatID, name, data, caption)
}

// upload sends a file as a multipart request through the same pacing and
// 429 path as every call; the body is built again from the bytes at each
// attempt. (The library's uploads drop the error code of a refusal, so a
// 429 could not be told from any other.)
func (c *Client) upload(ctx context.Context, method, field string, chatID int64, name string, data []byte, caption string) (int, error) {
	var one sent
	err := c.try(ctx, method, chatID, 1, func() error {
		req, err := c.multipart(method, field, chatID, name, data, caption)
		if err != nil {
			return err
		}
		return c.exchange(method, req, &one)
	})
	if err != nil {
		return 0, err
	}
	if one.MessageID == 0 {
		return 0, &AnswerError{Method: method, Err: errors.New("no message_id in the result")}
	}
	return one.MessageID, nil
}

// multipart builds an upload request: chat, caption and the file.
func (c *Client) multipart(method, field string, chatID int64, name string, data []byte, caption string) (*http.Request, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("chat_id", strconv.FormatInt(chatID, 10))
	if caption != "" {
		_ = w.WriteField("caption", caption)
	}
	f, err := w.CreateFormFile(field, name)
	if err != nil {
		return nil, fmt.Errorf("build upload: %w", err)
	}
	_, _ = f.Write(data)
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("build upload: %w", err)
	}
	// No context, as in request: the doer gives the call its deadline.
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf(c.endpoint, c.token, method), &body)
	if err != nil {
		return nil, &NetError{msg: redact(err.Error(), c.token)}
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return req, nil
}
