// Package redaktor is the domain of the editorial desk: pages, their team,
// posts and the rules of their life from draft to channel. It knows nothing
// of Telegram or Redis; the packages named after those do.
package redaktor

import "errors"

// Sentinel errors shared by every layer. Wrap them with %w; test with errors.Is.
var (
	// ErrNotFound: the page, post, invite or member does not exist.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the person's role on the page does not allow the action.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the item changed since it was read (another editor acted,
	// or a button is out of date). The caller re-reads and shows the new state.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input cannot be accepted as it is.
	ErrInvalid = errors.New("invalid")
	// ErrCorrupt: a stored record cannot be decoded. A read of many records
	// returns the others with it: one bad record must not hide the rest, and
	// reading again would not mend it.
	ErrCorrupt = errors.New("corrupt record")
)
