package redaktor

import "time"

// Delivery records what was sent of a post to one chat, part by part, so a
// publication interrupted by a crash resumes without sending twice what
// was recorded as sent.
type Delivery struct {
	// Sent maps a part number to the message ids Telegram returned.
	Sent map[int][]int
	// InFlight lists parts begun and never recorded: sent or not, nobody
	// knows (or only a holder whose record still waits for Redis).
	// Resending them after the grace is the only possible duplicate.
	InFlight []int
}

// PartStart is what the store's BeginPart found.
type PartStart struct {
	// Send: marked as being sent by the caller, who sends it now.
	Send bool
	// Resend: like Send, but an earlier holder may have sent it already
	// (it never recorded the outcome and did not within the grace).
	Resend bool
	// Sent: the part was recorded as sent as these message ids.
	Sent []int
	// Wait: another holder's send is unaccounted for; ask again after Wait.
	Wait time.Duration
	// Mark identifies the caller's "sending" mark, for AbortPart.
	Mark string
}
