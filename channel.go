package redaktor

import "fmt"

// Channel is a Telegram channel as a page links it.
type Channel struct {
	ID       int64
	Title    string
	Username string // without "@"; empty for a private channel
}

// ChannelTakenError: the channel is linked to another page.
type ChannelTakenError struct{ PageID string }

func (e *ChannelTakenError) Error() string {
	return "channel linked to page " + e.PageID
}

// Unwrap makes the error a conflict.
func (e *ChannelTakenError) Unwrap() error { return ErrConflict }

// ErrChannelNotLinked: the page does not have that channel (any more).
var ErrChannelNotLinked = fmt.Errorf("channel not linked to the page: %w", ErrConflict)
