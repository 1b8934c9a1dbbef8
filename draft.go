package redaktor

import "time"

// Origin is what a new draft was made of; both parts are optional.
type Origin struct {
	// Album is the buffered album it was assembled from: that buffer is
	// removed in the same step, and only if no item arrived since it was
	// read (else ErrConflict: read it again).
	Album *AlbumRef
	// Update is the update it came in: the update is marked as having made
	// this post, in the same step, so handling it again after a crash
	// finds the post (NewPostID) instead of making a second one.
	Update int64
}

// MadeError: the update a draft was to be made of made another one
// meanwhile (it was handled twice at once); PostID is that one.
type MadeError struct{ PostID string }

func (e *MadeError) Error() string { return "the update made post " + e.PostID + " already" }

// DraftStart is everything making a draft reads before it stores the
// draft, taken in one round trip instead of three: a moderator's text is
// the update the desk handles most.
type DraftStart struct {
	Page Page
	// Role is the person's role on the page, "" when they are not a member
	// (then PostID is spent unused: a gap in the numbering, rarely).
	Role Role
	// PostID is a new post id; Made is the post the update made before,
	// when it is handled again after a crash ("" otherwise), and then
	// PostID is spent unused too.
	PostID, Made string
	// Published are the page's posts published since the time asked, newest
	// first, at most the limit asked.
	Published []PublishedPost
}

// PublishedPost is a post of a page and when it was published (to the
// millisecond, as the store keeps it).
type PublishedPost struct {
	ID string
	At time.Time
}

// Activity is the page's activity read with the draft, as the store's
// PageActivity gives it: the recent posts oldest first, and the count
// since weekStart — counted among those recent posts, so it stops at the
// limit asked (200 by the desk: no page publishes that many in a week).
func (st DraftStart) Activity(weekStart time.Time) Activity {
	act := Activity{Recent: make([]string, len(st.Published))}
	for i, p := range st.Published {
		act.Recent[len(st.Published)-1-i] = p.ID
		if p.At.UnixMilli() >= weekStart.UnixMilli() {
			act.Week++
		}
	}
	return act
}
