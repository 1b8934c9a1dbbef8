package bot

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// APIError is an answer of the Bot API that is not ok.
type APIError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  int // seconds, for 429
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// NetError is a failure to reach the Bot API, with the token removed.
type NetError struct {
	msg     string
	timeout bool
}

func (e *NetError) Error() string { return e.msg }

// Timeout reports whether the call ran out of time.
func (e *NetError) Timeout() bool { return e.timeout }

func classify(method string, err error) error {
	var tgErr *tgbotapi.Error
	if errors.As(err, &tgErr) {
		return &APIError{Method: method, Code: tgErr.Code, Description: tgErr.Message, RetryAfter: tgErr.RetryAfter}
	}
	var netErr *NetError
	if errors.As(err, &netErr) {
		return err
	}
	// A body that is not the Bot API's JSON: a proxy's error page, say.
	return &NetError{msg: fmt.Sprintf("telegram %s: %v", method, err)}
}

// Permanent reports whether trying again cannot help: the chat is gone, the
// bot was blocked or lost its rights, the request is malformed.
func Permanent(err error) bool {
	if _, done := errors.AsType[*AnswerError](err); done {
		return true // the call was done: trying again would repeat it
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.Code != http.StatusTooManyRequests && apiErr.Code < 500
}

// NotModified reports Telegram's answer to an edit that changes nothing,
// which is success for us.
func NotModified(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && strings.Contains(apiErr.Description, "message is not modified")
}

// Description is Telegram's own words for a failure, for a chief editor's
// report ("Forbidden: bot was kicked from the channel chat").
func Description(err error) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Description
	}
	return err.Error()
}

// Transient reports whether trying the call again a little later may
// succeed: Telegram answered 429 or 5xx, or could not be reached or
// answered too late. A call whose answer says it was done is not
// transient (trying again would repeat it).
func Transient(err error) bool {
	if _, done := errors.AsType[*AnswerError](err); done {
		return false
	}
	if apiErr, ok := errors.AsType[*APIError](err); ok {
		return apiErr.Code == http.StatusTooManyRequests || apiErr.Code >= 500
	}
	_, unreachable := errors.AsType[*NetError](err)
	return unreachable
}
