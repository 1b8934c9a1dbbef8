package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// WeekPosts reads what a page's plan shows, in two round trips whatever
// the number of posts: its queued posts (scheduled, publishing, failed)
// due at or after from and before to, in time order, and the posts
// waiting for approval, oldest first; at most limit of each.
func (s *Store) WeekPosts(ctx context.Context, pageID string, from, to time.Time, limit int64) (queued, pending []redaktor.Post, err error) {
	pipe := s.rdb.Pipeline()
	q := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.k.queue(pageID), ByScore: true,
		Start: ms(from), Stop: "(" + strconv.FormatFloat(ms(to), 'f', -1, 64), Count: limit})
	p := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.k.pending(pageID), Start: 0, Stop: limit - 1})
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("read the week's posts of page %s: %w", pageID, err)
	}
	qids, pids := q.Val(), p.Val()
	posts, err := s.posts(ctx, append(append([]string{}, qids...), pids...))
	if err != nil {
		return nil, nil, err
	}
	// posts leaves out a post removed meanwhile: split by the indexes.
	inQueue := make(map[string]bool, len(qids))
	for _, id := range qids {
		inQueue[id] = true
	}
	for _, post := range posts {
		if inQueue[post.ID] {
			queued = append(queued, post)
		} else {
			pending = append(pending, post)
		}
	}
	return queued, pending, nil
}
