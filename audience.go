package redaktor

// Audience is how a page reaches its subscribers.
type Audience struct {
	// Code is the page's public subscribe code ("" until first asked for).
	Code string
	// Off: publications go to the channel only.
	Off bool
	// Copy: subscribers get plain copies (with a stop button) instead of
	// forwards from the channel.
	Copy bool
}
