package bottest

import (
	"fmt"
	"net/http"
)

// APIError is an error answer of the Bot API. Code doubles as the HTTP status,
// as it does on api.telegram.org.
type APIError struct {
	Code        int
	Description string
	// RetryAfter is sent as parameters.retry_after when positive.
	RetryAfter int
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%d %s", e.Code, e.Description)
}

// ErrorFor returns the answer Telegram gives for a bare status code, used by
// [Server.FailNext]. 429 carries retry_after 1.
func ErrorFor(code int) *APIError {
	switch code {
	case http.StatusTooManyRequests:
		return tooManyRequests(1)
	case http.StatusUnauthorized:
		return &APIError{Code: code, Description: "Unauthorized"}
	case http.StatusBadRequest:
		return &APIError{Code: code, Description: "Bad Request"}
	case http.StatusForbidden:
		return &APIError{Code: code, Description: "Forbidden"}
	case http.StatusNotFound:
		return &APIError{Code: code, Description: "Not Found"}
	case http.StatusConflict:
		return &APIError{Code: code, Description: "Conflict"}
	case http.StatusBadGateway:
		return &APIError{Code: code, Description: "Bad Gateway"}
	case http.StatusGatewayTimeout:
		return &APIError{Code: code, Description: "Gateway Timeout"}
	default:
		if code >= 500 {
			return &APIError{Code: code, Description: "Internal Server Error"}
		}
		return &APIError{Code: code, Description: http.StatusText(code)}
	}
}

func badRequest(format string, args ...any) *APIError {
	return &APIError{Code: http.StatusBadRequest, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(reason string) *APIError {
	return &APIError{Code: http.StatusForbidden, Description: "Forbidden: " + reason}
}

func tooManyRequests(retryAfter int) *APIError {
	return &APIError{
		Code:        http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

// Descriptions shared by several methods, verbatim from api.telegram.org.
var (
	errChatNotFound      = badRequest("chat not found")
	errChatIDEmpty       = badRequest("chat_id is empty")
	errTextEmpty         = badRequest("message text is empty")
	errTextTooLong       = badRequest("message is too long")
	errCaptionTooLong    = badRequest("message caption is too long")
	errMediaCaptionLong  = badRequest("MEDIA_CAPTION_TOO_LONG")
	errEditTextTooLong   = badRequest("MESSAGE_TOO_LONG")
	errButtonData        = badRequest("BUTTON_DATA_INVALID")
	errMessageIDEmpty    = badRequest("message identifier is not specified")
	errEditNotFound      = badRequest("message to edit not found")
	errDeleteNotFound    = badRequest("message to delete not found")
	errCantBeEdited      = badRequest("message can't be edited")
	errCantBeDeleted     = badRequest("message can't be deleted")
	errCantDeleteForAll  = badRequest("message can't be deleted for everyone")
	errReplyNotFound     = badRequest("message to be replied not found")
	errWrongFile         = badRequest("wrong file identifier/HTTP URL specified")
	errFileMismatch      = badRequest("type of file mismatch")
	errNeedAdminChannel  = badRequest("need administrator rights in the channel chat")
	errNotModified       = badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	errNoTextToEdit      = badRequest("there is no text in the message to edit")
	errNoCaptionToEdit   = badRequest("there is no caption in the message to edit")
	errQueryInvalid      = badRequest("query is too old and response timeout expired or query ID is invalid")
	errUserNotFound      = badRequest("user not found")
	errMemberListHidden  = badRequest("member list is inaccessible")
	errMarkupJSON        = badRequest("can't parse reply keyboard markup JSON object")
	errEntitiesJSON      = badRequest("can't parse entities JSON object")
	errBlocked           = forbidden("bot was blocked by the user")
	errDeactivated       = forbidden("user is deactivated")
	errUnauthorized      = &APIError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	errNotFound          = &APIError{Code: http.StatusNotFound, Description: "Not Found"}
	errBadGateway        = &APIError{Code: http.StatusBadGateway, Description: "Bad Gateway"}
	errConflictPolling   = &APIError{Code: http.StatusConflict, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	errConflictWebhook   = &APIError{Code: http.StatusConflict, Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	errTextButtons       = badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	errNoMessagesToSend  = badRequest("there are no messages to send")
	errTooManyInAlbum    = badRequest("too many messages to send as an album")
	errMediaRequired     = badRequest(`parameter "media" is required`)
	errMediaJSON         = badRequest("can't parse media JSON object")
	errMediaNotFound     = badRequest("can't parse InputMedia: media not found")
	errFileEmpty         = badRequest("file must be non-empty")
	errCopyNotFound      = badRequest("message to copy not found")
	errForwardNotFound   = badRequest("message to forward not found")
	errMessageIDsEmpty   = badRequest("message identifiers are not specified")
	errMessageIDsOrder   = badRequest("message identifiers must be in strictly increasing order")
	errTooManyMessageIDs = badRequest("too many messages to forward")
	errInvalidUserID     = badRequest("invalid user_id specified")
	errMarkupOnAlbum     = badRequest("reply_markup is not supported in sendMediaGroup") // not Telegram's: it silently drops the keyboard
	errCommandsJSON      = badRequest("can't parse commands JSON object")
	errScopeJSON         = badRequest("can't parse BotCommandScope JSON object")
	errWebhookHTTPS      = badRequest("bad webhook: HTTPS url must be provided for webhook")
)
