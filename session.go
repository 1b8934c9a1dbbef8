package redaktor

import (
	"fmt"
	"time"
)

// SessionKind names what the bot waits for from a person after asking: a
// time, a comment, corrected content, a channel, slots, a title. It is
// stored with the session, so its values must never change.
type SessionKind string

// Session kinds. The values are what earlier versions stored.
const (
	SessionApproveAt      SessionKind = "approve_at"              // a time for approval
	SessionPropose        SessionKind = "propose"                 // the author's proposed time
	SessionReschedule     SessionKind = "reschedule"              // a new time for a scheduled post
	SessionRequestChanges SessionKind = "comment:request_changes" // what to change
	SessionReject         SessionKind = "comment:reject"          // why the post is rejected
	SessionNewVersion     SessionKind = "new_version"             // corrected content
	SessionChannel        SessionKind = "channel"                 // the page's channel
	SessionSlots          SessionKind = "slots"                   // new posting slots
	SessionCheck          SessionKind = "check"                   // a text to check without a draft
	SessionRename         SessionKind = "rename"                  // a page's new title
	SessionNewPage        SessionKind = "newpage"                 // a press creating a page whose title another page has
	SessionStray          SessionKind = "stray"                   // «make a draft of this?» about a short text after a dialogue
	// After publication (afterpub.go).
	SessionEditPublished SessionKind = "edit_published"       // a published post's new text
	SessionRemoveReason  SessionKind = "remove_reason"        // why a published post is taken down
	SessionEditChanges   SessionKind = "comment:edit_changes" // what to change in a proposed edit
	SessionEditReject    SessionKind = "comment:edit_reject"  // why a proposed edit is refused
)

// Valid reports whether k is a known kind.
func (k SessionKind) Valid() bool {
	switch k {
	case SessionApproveAt, SessionPropose, SessionReschedule, SessionRequestChanges, SessionReject,
		SessionNewVersion, SessionChannel, SessionSlots, SessionCheck, SessionRename, SessionNewPage, SessionStray,
		SessionEditPublished, SessionRemoveReason, SessionEditChanges, SessionEditReject:
		return true
	}
	return false
}

// Action is the change of a post the answer to a session of kind k makes;
// ok is false for a kind not about a post's life.
func (k SessionKind) Action() (a Action, ok bool) {
	switch k {
	case SessionApproveAt:
		return ActApprove, true
	case SessionPropose:
		return ActPropose, true
	case SessionReschedule:
		return ActReschedule, true
	case SessionRequestChanges:
		return ActRequestChanges, true
	case SessionReject:
		return ActReject, true
	case SessionNewVersion:
		return ActNewVersion, true
	case SessionRemoveReason:
		return ActRemove, true
	case SessionEditChanges:
		return ActEditChanges, true
	case SessionEditReject:
		return ActRejectEdit, true
	}
	return "", false
}

// ParseSessionKind reads a stored kind; an unknown one wraps ErrInvalid.
func ParseSessionKind(s string) (SessionKind, error) {
	k := SessionKind(s)
	if !k.Valid() {
		return "", fmt.Errorf("%w: session kind %q", ErrInvalid, s)
	}
	return k, nil
}

// Session is what the bot waits for from a person: a comment after
// "Request changes", a time after "Approve for a time…", new content after
// "Send new version", a channel after /channel.
type Session struct {
	Kind   SessionKind `json:"kind"`
	PostID string      `json:"post_id,omitempty"`
	Rev    int64       `json:"rev,omitempty"`
	PageID string      `json:"page_id,omitempty"`
	Urgent bool        `json:"urgent,omitempty"`
	// Text is what the session keeps for its answer (the title of a page
	// to create).
	Text string `json:"text,omitempty"`
}

// SessionTTL bounds how long the bot waits for an answer of a team member.
const SessionTTL = time.Hour

// StrangerSessionTTL bounds it for a person the bot keeps no record of (a
// subscriber or a stranger checking a text): what the bot holds of them
// goes soon after their update (issue 10, 152-ФЗ).
const StrangerSessionTTL = 10 * time.Minute
