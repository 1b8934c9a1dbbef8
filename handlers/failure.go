package handlers

import (
	"errors"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// reasonText shows a failure reason in the reader's language: the
// scheduler's own reasons in words; Telegram's, after words that say
// they are Telegram's, quoted as Telegram wrote them (the chief editor
// may need them to ask for help). A content failure's detail is a
// program's error, never shown.
func reasonText(t tr, r redaktor.FailureReason) string {
	switch r.Code {
	case redaktor.FailureNoChannel:
		return t.T("fail_no_channel")
	case redaktor.FailureChannelNotLinked:
		return t.T("fail_channel_not_linked")
	case redaktor.FailureArchived:
		return t.T("fail_archived")
	case redaktor.FailureContent:
		return t.T("fail_content")
	case redaktor.FailureRefused:
		return t.T("fail_refused", map[string]any{"Detail": r.Detail})
	case redaktor.FailureTemporary:
		if r.Detail == "" {
			return t.T("fail_temporary_bare")
		}
		return t.T("fail_temporary", map[string]any{"Detail": r.Detail})
	}
	if r.Detail == "" {
		return t.T("fail_unknown")
	}
	return t.T("fail_other", map[string]any{"Detail": r.Detail})
}

// eventNote is the note of a history line: a failure's reason in words,
// else what the person wrote. Failures recorded before reasons had codes
// kept the reason as the note.
func eventNote(t tr, ev redaktor.Event) string {
	switch {
	case !ev.Failure.IsZero():
		return reasonText(t, ev.Failure)
	case ev.Action == redaktor.ActFail:
		return reasonText(t, redaktor.LegacyFailure(ev.Note))
	}
	return ev.Note
}

// invalidText says why content or an action was refused as invalid, in
// words: a content problem with its figures; anything else (a program's
// mistake, an out-of-date button) in general words, never the error's.
func invalidText(t tr, err error) string {
	if ce, ok := errors.AsType[*redaktor.ContentError](err); ok {
		data := map[string]any{"Count": ce.Count, "Limit": ce.Limit}
		return t.T("content_invalid", map[string]any{"Reason": t.T("content_"+string(ce.Problem), data)})
	}
	return t.T("action_invalid")
}

// previewFailed tells why a preview could not be shown: Telegram's answer
// quoted, a program's error never.
func previewFailed(t tr, err error) string {
	if apiErr, ok := errors.AsType[*bot.APIError](err); ok {
		return t.T("preview_failed", map[string]any{"Reason": t.T("fail_other", map[string]any{"Detail": apiErr.Description})})
	}
	return t.T("preview_failed", map[string]any{"Reason": t.T("fail_unknown")})
}
