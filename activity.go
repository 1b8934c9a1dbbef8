package redaktor

// Activity is what a page published lately: the ids of the posts since a
// moment, oldest first (the advice compares a draft with them), and how
// many since the week began.
type Activity struct {
	Recent []string
	Week   int
}
