package redaktor

// Card is a message that shows a post and its buttons in someone's chat.
type Card struct {
	ChatID    int64
	MessageID int
}
