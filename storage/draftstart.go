package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// DraftStart is everything making a draft reads before it stores the
// draft, taken in one round trip instead of three: a moderator's text is
// the update the desk handles most.
type DraftStart struct {
	Page redaktor.Page
	// Role is the person's role on the page, "" when they are not a member
	// (then PostID is spent unused: a gap in the numbering, rarely).
	Role redaktor.Role
	// PostID is a new post id; Made is the post the update made before,
	// when it is handled again after a crash ("" otherwise), and then
	// PostID is spent unused too.
	PostID, Made string
	// published are the page's posts published since the time asked, newest
	// first, at most the limit asked.
	published []redis.Z
}

// StartDraft reads the page and the person's role on it, allocates a post
// id (and looks whether update made a post already; update 0: no update),
// and reads the page's posts published since, in one round trip. A page
// that does not exist is ErrNotFound (with Made still set).
func (s *Store) StartDraft(ctx context.Context, pageID string, userID, update int64, since time.Time, limit int64) (DraftStart, error) {
	pipe := s.rdb.Pipeline()
	page := pipe.Get(ctx, s.k.page(pageID))
	role := pipe.HGet(ctx, s.k.members(pageID), id(userID))
	var prior *redis.StringCmd
	if update != 0 {
		prior = pipe.Get(ctx, s.k.updateMade(update))
	}
	next := pipe.Incr(ctx, s.k.seq("post"))
	recent := pipe.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{Key: s.k.published(pageID), ByScore: true,
		Start: "+inf", Stop: ms(since), Rev: true, Count: limit})
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return DraftStart{}, fmt.Errorf("start a draft on page %s: %w", pageID, err)
	}
	errs := []error{ignoreNil(role.Err()), next.Err(), recent.Err()}
	if prior != nil {
		errs = append(errs, ignoreNil(prior.Err()))
	}
	if err := errors.Join(errs...); err != nil {
		return DraftStart{}, fmt.Errorf("start a draft on page %s: %w", pageID, err)
	}
	st := DraftStart{Role: redaktor.Role(role.Val()), PostID: id(next.Val()), published: recent.Val()}
	if prior != nil {
		st.Made = prior.Val()
	}
	b, err := page.Bytes()
	if err != nil { // Made is still told
		return DraftStart{Made: st.Made}, notFound(err, "page "+pageID)
	}
	if err := json.Unmarshal(b, &st.Page); err != nil {
		return DraftStart{}, fmt.Errorf("decode page %s: %w", pageID, err)
	}
	return st, nil
}

// Activity is the page's activity read with the draft, as PageActivity
// gives it: the recent posts oldest first, and the count since weekStart —
// counted among those recent posts, so it stops at the limit asked (200
// by the desk: no page publishes that many in a week).
func (st DraftStart) Activity(weekStart time.Time) Activity {
	act := Activity{Recent: make([]string, len(st.published))}
	for i, z := range st.published {
		act.Recent[len(st.published)-1-i], _ = z.Member.(string)
		if z.Score >= ms(weekStart) {
			act.Week++
		}
	}
	return act
}
