package redaktor

import "time"

// PageSummary is a line of the admins' list of pages.
type PageSummary struct {
	Page          Page
	Chiefs        []Member  // with names, as the bot knows them
	LastPublished time.Time // zero: nothing published yet
	Pending       int       // posts waiting for approval
	Queued        int       // scheduled, publishing or failed
}
