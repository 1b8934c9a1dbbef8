package handlers

import "github.com/redaktor/redaktor"

// reasonText shows a failure reason in the reader's language: the
// scheduler's own reasons in words, Telegram's as Telegram wrote them.
func reasonText(t tr, r redaktor.FailureReason) string {
	switch r.Code {
	case redaktor.FailureNoChannel:
		return t.T("fail_no_channel")
	case redaktor.FailureChannelNotLinked:
		return t.T("fail_channel_not_linked")
	case redaktor.FailureArchived:
		return t.T("fail_archived")
	}
	return r.Detail
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
