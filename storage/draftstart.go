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

// StartDraft reads the page and the person's role on it, allocates a post
// id (and looks whether update made a post already; update 0: no update),
// and reads the page's posts published since, in one round trip. A page
// that does not exist is ErrNotFound (with Made still set).
func (s *Store) StartDraft(ctx context.Context, pageID string, userID, update int64, since time.Time, limit int64) (redaktor.DraftStart, error) {
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
		return redaktor.DraftStart{}, fmt.Errorf("start a draft on page %s: %w", pageID, err)
	}
	errs := []error{ignoreNil(role.Err()), next.Err(), recent.Err()}
	if prior != nil {
		errs = append(errs, ignoreNil(prior.Err()))
	}
	if err := errors.Join(errs...); err != nil {
		return redaktor.DraftStart{}, fmt.Errorf("start a draft on page %s: %w", pageID, err)
	}
	st := redaktor.DraftStart{Role: redaktor.Role(role.Val()), PostID: id(next.Val())}
	for _, z := range recent.Val() {
		postID, _ := z.Member.(string)
		st.Published = append(st.Published, redaktor.PublishedPost{ID: postID, At: time.UnixMilli(int64(z.Score))})
	}
	if prior != nil {
		st.Made = prior.Val()
	}
	b, err := page.Bytes()
	if err != nil { // Made is still told
		return redaktor.DraftStart{Made: st.Made}, notFound(err, "page "+pageID)
	}
	if err := json.Unmarshal(b, &st.Page); err != nil {
		return redaktor.DraftStart{}, fmt.Errorf("decode page %s: %w", pageID, err)
	}
	return st, nil
}
