package handlers

import "github.com/redaktor/redaktor"

// queueLine is a post's line in /queue: its number, its one time (when it
// goes out, or when it was due and failed) and its first words. The
// queue's title names the page, so the line does not.
func (c *cards) queueLine(t tr, post redaktor.Post, page redaktor.Page) string {
	data := map[string]any{"ID": post.ID, "When": formatTime(post.PublishAt, c.pageLoc(page), c.now()),
		"Snippet": snippet(t, post.Content, 60)}
	if post.Status == redaktor.StatusFailed {
		return t.T("queue_line_failed", data)
	}
	return t.T("queue_line", data)
}

// queued reports whether a post in this state is listed by /queue.
func queued(s redaktor.Status) bool {
	return s == redaktor.StatusScheduled || s == redaktor.StatusPublishing || s == redaktor.StatusFailed
}
