package redaktor

import (
	"errors"
	"fmt"
	"time"
)

// After publication a post's text can still be corrected, or the post taken
// down, for as long as Telegram lets the bot delete what it sent: a chief
// editor's edit is applied at once, a moderator's waits for a chief editor
// like a draft. Only the text (or caption) changes: the media stay.

// Actions on a published post.
const (
	ActEditPublished Action = "edit_published" // a chief editor replaces the text
	ActProposeEdit   Action = "propose_edit"   // the author asks to replace it
	ActApproveEdit   Action = "approve_edit"   // a chief editor applies the author's text
	ActEditChanges   Action = "edit_changes"   // … or sends it back with a comment
	ActRejectEdit    Action = "reject_edit"    // … or refuses it with a comment
	ActRemove        Action = "remove"         // taken down, with a reason (Note)
)

// ChangeWindow is how long after publication a post can be edited or
// taken down: Telegram lets a bot delete a message for 48 hours, and a
// forward (which cannot be edited) is replaced by deleting it.
const ChangeWindow = 48 * time.Hour

// ErrTooLate: the time to change a published post has passed.
var ErrTooLate = errors.New("the time to change a published post has passed")

// Revision is a proposed change of a published post's text.
type Revision struct {
	Content Content   `json:"content"`
	By      int64     `json:"by"`
	Name    string    `json:"name,omitempty"`
	At      time.Time `json:"at"`
}

// Changeable reports whether a published post may still be edited or
// taken down at now.
func (p Post) Changeable(now time.Time) bool {
	return p.Status == StatusPublished && !p.PublishedAt.IsZero() && now.Before(p.PublishedAt.Add(ChangeWindow))
}

// chiefOrAuthor: taking a post down is the author's or a chief editor's.
func chiefOrAuthor(p Post, a Actor) bool { return a.Role == RoleChief || author(p, a) }

// applyAfterPub is Apply for the actions on a published post.
func applyAfterPub(next Post, c Change, ev *Event, now time.Time) (Post, error) {
	if !next.Changeable(now) {
		return next, fmt.Errorf("%w: post %s published at %s", ErrTooLate, next.ID, next.PublishedAt)
	}
	switch c.Action {
	case ActEditPublished, ActProposeEdit:
		if c.Content == nil {
			return next, fmt.Errorf("%w: an edit without content", ErrInvalid)
		}
		if err := c.Content.Validate(); err != nil {
			return next, err
		}
		if c.Action == ActProposeEdit {
			next.Revised = &Revision{Content: *c.Content, By: c.Actor.UserID, Name: c.Actor.Name, At: now}
			next.Comment = ""
			return next, nil
		}
		next.Content = *c.Content
		next.Version++
		next.Revised = nil
		ev.Version = next.Version
	case ActApproveEdit:
		if next.Revised == nil {
			return next, fmt.Errorf("%w: no edit waits for approval on post %s", ErrConflict, next.ID)
		}
		next.Content = next.Revised.Content
		next.Version++
		next.Revised = nil
		ev.Version = next.Version
	case ActEditChanges, ActRejectEdit:
		if next.Revised == nil {
			return next, fmt.Errorf("%w: no edit waits for approval on post %s", ErrConflict, next.ID)
		}
		next.Revised = nil
		next.Comment = c.Comment
		ev.Note = c.Comment
	case ActRemove:
		next.Status = StatusRemoved
		next.Revised = nil
		ev.Note = c.Comment
	default:
		return next, fmt.Errorf("%w: unknown action %q", ErrInvalid, c.Action)
	}
	return next, nil
}

// AfterPubOp is what a job does to a published post's messages.
type AfterPubOp string

const (
	OpEdit   AfterPubOp = "edit"
	OpRemove AfterPubOp = "remove"
)

// AfterPubJob is the work an edit or a removal sets going: the channel
// message, then every subscriber's copy. It is stored with the post's
// change in one step, so neither is lost without the other.
type AfterPubJob struct {
	Op  AfterPubOp `json:"op"`
	Rev int64      `json:"rev"` // the post's revision the change made
	// By is who did it, to be told the outcome.
	By int64 `json:"by"`
	// Lease is the token of the runner that claimed the job: only it may
	// write the job's steps, until another runner takes the job over.
	Lease string `json:"-"`
}

// AfterPubProgress is how far a job went: what reached where.
type AfterPubProgress struct {
	Job AfterPubJob
	// Channel: "" not yet, "ok", "failed".
	Channel string
	// Subscribers whose copies were changed (Done) or could not be
	// (Failed), of Total who had one.
	Done, Failed, Total int64
	Finished            bool
}

// SubscriberCopy is what a subscriber got of a post: its message ids, and
// whether it was a forward (which cannot be edited, only replaced).
type SubscriberCopy struct {
	UserID     int64
	MessageIDs []int
	English    bool // their Telegram speaks English: so do the copy's buttons
}
