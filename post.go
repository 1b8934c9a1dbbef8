package redaktor

import (
	"fmt"
	"time"
)

// Status is where a post is in its life.
//
//	draft ──submit──▶ pending ──approve──▶ scheduled ──claim──▶ publishing ──▶ published
//	  │  ◀──withdraw──── │  ├──request changes──▶ changes_requested ──new version──▶ pending
//	  │                 │  └──reject──▶ rejected (final: only delete)
//	  │                 └──(chief's own draft skips pending)
//	  └──delete──▶ cancelled          scheduled ──cancel──▶ cancelled
//	                                  publishing ──fail──▶ failed ──retry──▶ scheduled
//	draft ──new version──▶ draft (corrected before it is submitted, or after a withdrawal)
type Status string

const (
	StatusDraft            Status = "draft"
	StatusPending          Status = "pending"
	StatusChangesRequested Status = "changes_requested"
	StatusRejected         Status = "rejected"
	StatusScheduled        Status = "scheduled"
	StatusPublishing       Status = "publishing"
	StatusPublished        Status = "published"
	StatusFailed           Status = "failed"
	StatusCancelled        Status = "cancelled"
	// StatusRemoved: published, then taken down from the channel and the
	// subscribers' chats (afterpub.go).
	StatusRemoved Status = "removed"
)

// Post is one publication from first draft to the channel.
type Post struct {
	ID         string `json:"id"`
	PageID     string `json:"page_id"`
	AuthorID   int64  `json:"author_id"`
	AuthorName string `json:"author_name"`
	Status     Status `json:"status"`
	Version    int    `json:"version"` // content version: 1, then +1 per corrected version
	Rev        int64  `json:"rev"`     // state revision: +1 per change; buttons carry it
	// Turn is the revision of the last change a person acts upon: every
	// change but a system reminder. A button or a typed answer of any
	// revision from Turn on is current (see Current); 0 in posts stored
	// before it was kept.
	Turn       int64     `json:"turn,omitempty"`
	Content    Content   `json:"content"`
	ProposedAt time.Time `json:"proposed_at,omitzero"` // the author's wish
	PublishAt  time.Time `json:"publish_at,omitzero"`  // the approved time
	Urgent     bool      `json:"urgent,omitempty"`
	Comment    string    `json:"comment,omitempty"` // the last reviewer's comment
	// Revised is a moderator's change of a published post's text, waiting
	// for a chief editor (afterpub.go).
	Revised  *Revision `json:"revised,omitempty"`
	Reminded bool      `json:"reminded,omitempty"`
	// Filled by publication.
	MessageIDs []int `json:"message_ids,omitempty"`
	// ChannelID is the channel the post was published to: an edit or a
	// removal goes there even after the page changed its channel (0 in
	// posts published before it was kept).
	ChannelID   int64         `json:"channel_id,omitempty"`
	PublishedAt time.Time     `json:"published_at,omitzero"`
	Late        bool          `json:"late,omitempty"`
	FailReason  FailureReason `json:"fail_reason,omitzero"`
	Attempts    int           `json:"attempts,omitempty"` // failed tries of this publication
	RetryAt     time.Time     `json:"retry_at,omitzero"`  // the next try after a temporary failure
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
	// Last is the last change, so an editor whose button came too late is
	// told who did what.
	Last Event `json:"last"`
}

// Action names a change of a post.
type Action string

const (
	ActCreate         Action = "create"
	ActPropose        Action = "propose"     // author proposes a time
	ActSubmit         Action = "submit"      // author asks for approval (At: with a proposed time)
	ActWithdraw       Action = "withdraw"    // author takes a pending post back to a draft
	ActApprove        Action = "approve"     // chief schedules it for a time
	ActPublishNow     Action = "publish_now" // chief: due at once
	ActRequestChanges Action = "request_changes"
	ActReject         Action = "reject"
	ActNewVersion     Action = "new_version" // author sends corrected content (of a draft: it stays one)
	ActDelete         Action = "delete"      // author drops a draft
	ActCancel         Action = "cancel"      // chief takes a post off the queue
	ActReschedule     Action = "reschedule"  // chief moves a scheduled post
	ActRetry          Action = "retry"       // chief retries a failed post
	ActRemind         Action = "remind"      // system: reminder sent for an overdue pending post
	ActClaim          Action = "claim"       // system: a scheduler took it to publish
	ActDefer          Action = "defer"       // system: a temporary failure, try again at At
	ActPublished      Action = "published"   // system
	ActFail           Action = "fail"        // system
)

// quiet reports whether an action leaves what people see of a post as it
// was: a reminder only tells someone about it. It moves Rev (the
// compare-and-set token) but not Turn, so a question asked, a card drawn
// or an answer being typed before it stays good.
func (a Action) quiet() bool { return a == ActRemind }

// Current reports whether a button or a session of revision rev still acts
// on the post as it is: nothing but quiet changes came since.
func (p Post) Current(rev int64) bool {
	if rev == p.Rev {
		return true
	}
	return p.Turn > 0 && rev >= p.Turn && rev < p.Rev
}

// Actor is who acts, with their role on the post's page ("" if none).
// System actions have UserID 0.
type Actor struct {
	UserID int64
	Name   string
	Role   Role
}

// System is the actor of the scheduler's own changes.
var System = Actor{Name: "redaktor"}

// Event is one line of a post's history.
type Event struct {
	At        time.Time `json:"at"`
	ActorID   int64     `json:"actor_id,omitempty"`
	ActorName string    `json:"actor_name,omitempty"`
	Action    Action    `json:"action"`
	Version   int       `json:"version,omitempty"`
	When      time.Time `json:"when,omitzero"` // a time the action set
	Note      string    `json:"note,omitempty"`
	// Failure is why a publication failed (ActFail).
	Failure FailureReason `json:"failure,omitzero"`
}

// Change asks for one transition of a post.
type Change struct {
	Action  Action
	Actor   Actor
	At      time.Time // approve, reschedule, propose: the time chosen
	Comment string    // request changes, reject
	// Failure is why publication failed (fail) or is put off (defer).
	Failure FailureReason
	Content *Content // new version
	Urgent  bool
	// Published carries what publication produced.
	MessageIDs []int
	Channel    int64 // the channel it went to
	Late       bool
}

// Apply returns the post after the change, and the history event that
// records it. It checks who may do it and from which state; it does not
// touch storage: the caller stores the result with a compare-and-set on
// Rev, which makes concurrent presses resolve to exactly one winner.
func Apply(p Post, c Change, now time.Time) (Post, Event, error) {
	if err := allowed(p, c); err != nil {
		return p, Event{}, err
	}
	ev := Event{At: now, ActorID: c.Actor.UserID, ActorName: c.Actor.Name, Action: c.Action, Version: p.Version}
	next := p
	switch c.Action {
	case ActPropose:
		next.ProposedAt = c.At
		next.Reminded = false
		ev.When = c.At
	case ActSubmit:
		next.Status = StatusPending
		next.Reminded = false
		if !c.At.IsZero() { // proposing a time submits the draft in the same step
			next.ProposedAt = c.At
			ev.When = c.At
		}
	case ActWithdraw:
		// The proposed time went with the submission: a draft has none, so
		// a later plain submission is not reminded of a time taken back.
		next.Status = StatusDraft
		next.ProposedAt = time.Time{}
		next.Reminded = false
	case ActApprove, ActReschedule:
		next.Status = StatusScheduled
		next.PublishAt = c.At
		next.RetryAt, next.Attempts = time.Time{}, 0
		next.Urgent = next.Urgent || c.Urgent
		next.Comment = ""
		ev.When = c.At
	case ActPublishNow:
		next.Status = StatusScheduled
		next.PublishAt = now
		next.RetryAt, next.Attempts = time.Time{}, 0
		next.Urgent = next.Urgent || c.Urgent
		next.Comment = ""
		ev.When = now
	case ActRetry:
		next.Status = StatusScheduled
		next.PublishAt = now
		next.RetryAt, next.Attempts = time.Time{}, 0
		next.FailReason = FailureReason{}
		ev.When = now
	case ActRequestChanges:
		next.Status = StatusChangesRequested
		next.Comment = c.Comment
		ev.Note = c.Comment
	case ActReject:
		next.Status = StatusRejected
		next.Comment = c.Comment
		ev.Note = c.Comment
	case ActNewVersion:
		if c.Content == nil {
			return p, Event{}, fmt.Errorf("%w: new version without content", ErrInvalid)
		}
		if err := c.Content.Validate(); err != nil {
			return p, Event{}, err
		}
		next.Content = *c.Content
		next.Version++
		next.Reminded = false
		if p.Status != StatusDraft { // a draft's new version stays a draft until submitted
			next.Status = StatusPending
		}
		ev.Version = next.Version
	case ActDelete, ActCancel:
		next.Status = StatusCancelled
	case ActRemind:
		next.Reminded = true
	case ActClaim:
		next.Status = StatusPublishing
	case ActDefer:
		next.Status = StatusScheduled
		next.Attempts++
		next.RetryAt = c.At
		next.FailReason = c.Failure
	case ActPublished:
		next.Status = StatusPublished
		next.MessageIDs = c.MessageIDs
		next.ChannelID = c.Channel
		next.PublishedAt = now
		next.Late = c.Late
		next.FailReason = FailureReason{}
	case ActFail:
		next.Status = StatusFailed
		next.FailReason = c.Failure
		ev.Failure = c.Failure
	default:
		var err error
		if next, err = applyAfterPub(next, c, &ev, now); err != nil {
			return p, Event{}, err
		}
	}
	next.Rev++
	if !c.Action.quiet() {
		next.Turn = next.Rev
	}
	next.UpdatedAt = now
	next.Last = ev
	return next, ev, nil
}

// rule says from which states an action may start and who may take it.
type rule struct {
	from []Status
	who  func(p Post, a Actor) bool
}

func author(p Post, a Actor) bool { return a.UserID == p.AuthorID && a.Role.Valid() }
func chief(_ Post, a Actor) bool  { return a.Role == RoleChief }
func system(_ Post, a Actor) bool { return a.UserID == 0 && a.Role == "" }

// chiefOrOwnChiefDraft: approving a draft skips review only when the chief
// wrote it; anybody else's draft must be submitted first.
func chiefOrOwnChiefDraft(p Post, a Actor) bool {
	if a.Role != RoleChief {
		return false
	}
	return p.Status != StatusDraft || p.AuthorID == a.UserID
}

var rules = map[Action]rule{
	ActPropose:        {from: []Status{StatusDraft, StatusChangesRequested}, who: author},
	ActSubmit:         {from: []Status{StatusDraft}, who: author},
	ActWithdraw:       {from: []Status{StatusPending}, who: author},
	ActApprove:        {from: []Status{StatusPending, StatusDraft}, who: chiefOrOwnChiefDraft},
	ActPublishNow:     {from: []Status{StatusPending, StatusDraft, StatusScheduled}, who: chiefOrOwnChiefDraft},
	ActRequestChanges: {from: []Status{StatusPending}, who: chief},
	ActReject:         {from: []Status{StatusPending}, who: chief},
	ActNewVersion:     {from: []Status{StatusChangesRequested, StatusDraft}, who: author}, // a rejection is final
	ActDelete:         {from: []Status{StatusDraft, StatusChangesRequested, StatusRejected}, who: author},
	ActCancel:         {from: []Status{StatusScheduled, StatusPending, StatusFailed}, who: chief},
	ActReschedule:     {from: []Status{StatusScheduled}, who: chief},
	ActRetry:          {from: []Status{StatusFailed}, who: chief},
	ActRemind:         {from: []Status{StatusPending, StatusDraft}, who: system},
	// A claim may find the post still publishing: its previous holder died
	// and the lease ran out.
	ActClaim:     {from: []Status{StatusScheduled, StatusPublishing}, who: system},
	ActDefer:     {from: []Status{StatusPublishing}, who: system},
	ActPublished: {from: []Status{StatusPublishing}, who: system},
	ActFail:      {from: []Status{StatusPublishing}, who: system},
	// After publication (afterpub.go).
	ActEditPublished: {from: []Status{StatusPublished}, who: chief},
	ActProposeEdit:   {from: []Status{StatusPublished}, who: author},
	ActApproveEdit:   {from: []Status{StatusPublished}, who: chief},
	ActEditChanges:   {from: []Status{StatusPublished}, who: chief},
	ActRejectEdit:    {from: []Status{StatusPublished}, who: chief},
	ActRemove:        {from: []Status{StatusPublished}, who: chiefOrAuthor},
}

func allowed(p Post, c Change) error {
	r, ok := rules[c.Action]
	if !ok {
		return fmt.Errorf("%w: unknown action %q", ErrInvalid, c.Action)
	}
	if !r.who(p, c.Actor) {
		return fmt.Errorf("%w: %s on post %s", ErrForbidden, c.Action, p.ID)
	}
	for _, s := range r.from {
		if p.Status == s {
			return nil
		}
	}
	return fmt.Errorf("%w: cannot %s a post that is %s", ErrConflict, c.Action, p.Status)
}

// MayRead reports whether a may see the post, its history and the review
// comments: the chief editors of its page, and its author while still on
// the team. Other moderators may not: a draft and the comments on it are
// between its author and the chief editors.
func MayRead(p Post, a Actor) bool {
	return a.Role == RoleChief || author(p, a)
}

// Open reports whether the post still waits for someone: not published
// or cancelled (a rejected post stays in its author's list until deleted).
func (s Status) Open() bool {
	switch s {
	case StatusPublished, StatusCancelled, StatusRemoved:
		return false
	}
	return true
}

// NewPost starts a draft.
func NewPost(id, pageID string, author Actor, c Content, now time.Time) (Post, error) {
	if !author.Role.Valid() {
		return Post{}, fmt.Errorf("%w: not a member of the page", ErrForbidden)
	}
	if err := c.Validate(); err != nil {
		return Post{}, err
	}
	ev := Event{At: now, ActorID: author.UserID, ActorName: author.Name, Action: ActCreate, Version: 1}
	return Post{
		ID: id, PageID: pageID, AuthorID: author.UserID, AuthorName: author.Name,
		Status: StatusDraft, Version: 1, Rev: 1, Turn: 1, Content: c,
		CreatedAt: now, UpdatedAt: now, Last: ev,
	}, nil
}

// DueAt is when the post should next be tried: its time, or later after a
// temporary failure.
func (p Post) DueAt() time.Time {
	if p.RetryAt.After(p.PublishAt) {
		return p.RetryAt
	}
	return p.PublishAt
}
