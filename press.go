package redaktor

// PostView is a post as a button press needs it: with its page, the
// person's role on that page, and (when asked) its history.
type PostView struct {
	Post    Post
	Page    Page
	Role    Role // "" when the person is not on the post's page
	History []Event
}

// Press is what a press on a post button reads: the person with their
// session (as UserSession) and the post with its page and the person's
// role there.
type Press struct {
	User    User
	Session Session
	Waiting bool  // the person has a session
	UserErr error // wraps ErrNotFound for a person the bot does not know
	View    PostView
	ViewErr error
}
