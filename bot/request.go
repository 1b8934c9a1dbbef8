package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// request makes one Bot API request, as the library's MakeRequest does
// (a form-encoded POST), but decodes the answer once, straight into
// result: the library decodes into a raw result that every caller then
// decoded again, which was a tenth of a draft's Bot API cost. result is a
// pointer, or nil when the result does not matter. Errors are classified:
// *APIError for Telegram's refusals, *NetError for everything else.
func (c *Client) request(method string, params tgbotapi.Params, result any) error {
	form := make(url.Values, len(params))
	for k, v := range params {
		form.Set(k, v)
	}
	// No context: the doer gives every call its own deadline, so a send in
	// flight when its caller stops still completes and can be recorded.
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf(c.endpoint, c.token, method), strings.NewReader(form.Encode()))
	if err != nil {
		return &NetError{msg: redact(err.Error(), c.token)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.exchange(method, req, result)
}

// exchange makes a prepared request (a form or a multipart upload) and
// decodes the answer into result, classifying errors as request does.
func (c *Client) exchange(method string, req *http.Request, result any) error {
	resp, err := c.doer.Do(req)
	if err != nil {
		return err // a *NetError, token removed
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return &NetError{msg: fmt.Sprintf("telegram %s: %s", method, redact(err.Error(), c.token)),
			timeout: errors.Is(err, context.DeadlineExceeded)}
	}
	if result == nil {
		result = &skipped{}
	}
	ans := answer{Result: result}
	err = json.Unmarshal(body, &ans)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
	case errors.As(err, &typeErr) && ans.OK:
		// Telegram did the call, but its result is not what the bot
		// expects: trying again would do the call again.
		return &AnswerError{Method: method, Err: err}
	case errors.As(err, &typeErr):
		// A refusal with an unexpected detail is still a refusal.
	default:
		// Not the Bot API's JSON: a proxy's error page, say.
		return &NetError{msg: fmt.Sprintf("telegram %s: %v", method, err)}
	}
	if !ans.OK {
		e := &APIError{Method: method, Code: ans.ErrorCode, Description: ans.Description}
		if ans.Parameters != nil {
			e.RetryAfter = ans.Parameters.RetryAfter
		}
		return e
	}
	return nil
}

// AnswerError is an answer that says the call was done but whose result
// cannot be read; it is not retried.
type AnswerError struct {
	Method string
	Err    error
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("telegram %s: unreadable result: %v", e.Method, e.Err)
}
func (e *AnswerError) Unwrap() error { return e.Err }

// answer is the Bot API's envelope around every result.
type answer struct {
	OK          bool   `json:"ok"`
	Result      any    `json:"result"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// skipped takes a result nobody reads without building it.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// sent is what the bot keeps of a message it sent.
type sent struct {
	MessageID int `json:"message_id"`
}

// sendForIDs makes a call that sends messages and returns their ids. The
// methods that send several answer with an array, the others with one
// message.
func (c *Client) sendForIDs(ctx context.Context, method string, p tgbotapi.Params) ([]int, error) {
	switch method {
	case "sendMediaGroup", "forwardMessages", "copyMessages":
		var many []sent
		if err := c.callInto(ctx, method, p, &many); err != nil {
			return nil, err
		}
		ids := make([]int, len(many))
		for i, m := range many {
			if ids[i] = m.MessageID; ids[i] == 0 {
				return nil, &AnswerError{Method: method, Err: errors.New("a message without message_id")}
			}
		}
		return ids, nil
	}
	var one sent
	if err := c.callInto(ctx, method, p, &one); err != nil {
		return nil, err
	}
	if one.MessageID == 0 {
		return nil, &AnswerError{Method: method, Err: errors.New("no message_id in the result")}
	}
	return []int{one.MessageID}, nil
}
