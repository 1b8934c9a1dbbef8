package redaktor

import (
	"fmt"
	"time"
)

// ErrLastChief: the change would leave a page without a chief editor.
var ErrLastChief = fmt.Errorf("the page's only chief editor: %w", ErrConflict)

// MemberChange asks for a member's new role, or their removal (Role "").
type MemberChange struct {
	PageID string
	UserID int64
	Role   Role
	By     int64 // who does it, for the audit log
	At     time.Time
	// MayLeaveNoChief lets an admin take the last chief editor off a page
	// whose director left; the admin then gives a new chief-editor link.
	MayLeaveNoChief bool
}

// LastChiefError: the person is the only chief editor of a page and must
// hand it over before they leave.
type LastChiefError struct{ Page Page }

func (e *LastChiefError) Error() string {
	return "the only chief editor of page " + e.Page.ID
}

func (e *LastChiefError) Unwrap() error { return ErrLastChief }
