package redaktor

import "time"

// Broadcast is the record of one post's delivery to subscribers.
type Broadcast struct {
	PostID string
	PageID string
	Urgent bool
	// Copy: plain copies with a stop button instead of forwards.
	Copy bool
	// From and MessageIDs are the channel post the subscribers get.
	From       int64
	MessageIDs []int
	Running    bool
	Total      int64 // active subscribers when it started
	Delivered  int64
	Inactive   int64 // blocked the bot, deleted their account, chat gone
	Failed     int64 // permanent errors, or retries used up
	Resent     int64 // sends repeated after a crash: possible duplicates
	StartedAt  time.Time
	FinishedAt time.Time
}

// Processed is how many subscribers are finished with.
func (b Broadcast) Processed() int64 { return b.Delivered + b.Inactive + b.Failed }

// Remaining is how many are still to go (new subscribers joining during
// the broadcast may make it run a little past Total).
func (b Broadcast) Remaining() int64 { return max(0, b.Total-b.Processed()) }

// ActiveBroadcast is a running broadcast as the senders see it.
type ActiveBroadcast struct {
	PostID string
	Urgent bool
}

// Pace is the shared limit every sender of every process keeps.
type Pace struct {
	// Interval between two sends of the bot (1/rate).
	Interval time.Duration
	// MaxAhead: a slot further ahead than this is not booked; the caller
	// waits and asks again (keeps many senders from booking far ahead).
	MaxAhead time.Duration
	// ChatGap between two sends to one chat.
	ChatGap time.Duration
	// ChatBurst: how far a chat's next free slot may lie ahead of the send
	// and the send still go (0: none). A private chat takes a short burst,
	// as Telegram allows, so a reply and its card arrive together.
	ChatBurst time.Duration
}

// GrantKind is the answer to a sender asking for work.
type GrantKind string

const (
	// GrantSend: send to UserID after Wait.
	GrantSend GrantKind = "send"
	// GrantWait: the limit is booked for a while; ask again after Wait.
	GrantWait GrantKind = "wait"
	// GrantIdle: nothing to send now (the rest is in flight or waits for a
	// retry); something may come after Wait.
	GrantIdle GrantKind = "idle"
	// GrantDone: this call finished the broadcast: the caller reports it.
	GrantDone GrantKind = "done"
	// GrantGone: the broadcast is not running (finished by someone else).
	GrantGone GrantKind = "gone"
)

// Grant is what the store's Take hands a sender.
type Grant struct {
	Kind   GrantKind
	UserID int64
	Wait   time.Duration
	// Resend: a previous holder took this subscriber and never recorded the
	// outcome: the person may already have the post.
	Resend bool
	// English: the subscriber's Telegram speaks English.
	English bool
}

// SendOutcome is what became of one send of a broadcast.
type SendOutcome string

const (
	// SendDelivered: Telegram accepted it.
	SendDelivered SendOutcome = "ok"
	// SendInactive: the person blocked the bot, deleted their account, or the
	// chat is gone: marked inactive on the page, not retried.
	SendInactive SendOutcome = "inactive"
	// SendFailed: a permanent error; counted, not retried.
	SendFailed SendOutcome = "failed"
	// SendRetry: a temporary failure (5xx, timeout): tried again with backoff
	// until the attempts are used up.
	SendRetry SendOutcome = "retry"
	// SendLater: not sent (a 429 for this chat, or the process is stopping):
	// tried again at the given time, not counted as an attempt.
	SendLater SendOutcome = "later"
)

// Retries tunes the store's Record handling of temporary failures.
type Retries struct {
	Max  int           // attempts before a subscriber counts as failed
	Base time.Duration // first backoff, doubled per attempt
	Cap  time.Duration // longest backoff
}
