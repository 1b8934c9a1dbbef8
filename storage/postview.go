package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// PostView is a post as a button press needs it: with its page, the
// person's role on that page, and (when asked) its history.
type PostView struct {
	Post    redaktor.Post
	Page    redaktor.Page
	Role    redaktor.Role // "" when the person is not on the post's page
	History []redaktor.Event
}

// PostView reads a post, the page a button says it is on, the person's
// role there and, withHistory, the post's history, in one round trip
// instead of three. The role is always the one on the post's own page:
// when the post is on another page than pageID (a forged button), that
// page and role are read in a second round trip. A missing post is
// ErrNotFound.
func (s *Store) PostView(ctx context.Context, postID, pageID string, userID int64, withHistory bool) (PostView, error) {
	pipe := s.rdb.Pipeline()
	post := pipe.HGetAll(ctx, s.k.post(postID))
	page := pipe.Get(ctx, s.k.page(pageID))
	role := pipe.HGet(ctx, s.k.members(pageID), id(userID))
	var hist *redis.StringSliceCmd
	if withHistory {
		hist = pipe.LRange(ctx, s.k.history(postID), 0, -1)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return PostView{}, fmt.Errorf("read post %s on page %s: %w", postID, pageID, err)
	}
	if err := errors.Join(post.Err(), ignoreNil(page.Err()), ignoreNil(role.Err())); err != nil {
		return PostView{}, fmt.Errorf("read post %s on page %s: %w", postID, pageID, err)
	}
	p, err := decodePost(postID, post.Val())
	if err != nil {
		return PostView{}, err
	}
	v := PostView{Post: p}
	if hist != nil {
		if err := hist.Err(); err != nil {
			return PostView{}, fmt.Errorf("read history of %s: %w", postID, err)
		}
		if v.History, err = decodeHistory(postID, hist.Val()); err != nil {
			return PostView{}, err
		}
	}
	if p.PageID != pageID {
		v.Page, v.Role, err = s.Membership(ctx, p.PageID, userID)
		return v, err
	}
	b, err := page.Bytes()
	if err != nil {
		return PostView{}, notFound(err, "page "+pageID)
	}
	if err := json.Unmarshal(b, &v.Page); err != nil {
		return PostView{}, fmt.Errorf("decode page %s: %w", pageID, err)
	}
	v.Role = redaktor.Role(role.Val())
	return v, nil
}
