package redaktor

// QueuedUpdate is one update waiting in the intake's stream.
type QueuedUpdate struct {
	// ID is the stream entry id.
	ID       string
	UpdateID int64
	// Payload is the update as Telegram sent it (JSON).
	Payload []byte
	// Deliveries counts how often the entry was handed to a handler,
	// this time included: 1 for a fresh entry.
	Deliveries int64
}
