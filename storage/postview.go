package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// ReadPress reads a press's person, the post, the page the button says
// the post is on, the person's role there and, withHistory, the post's
// history, in one round trip instead of four. The role is always the one
// on the post's own page: when the post is on another page than pageID (a
// forged button), that page and role are read in a second round trip. An
// error is returned when Redis failed; the parts' own outcomes are in
// UserErr and ViewErr (a missing post is ErrNotFound).
func (s *Store) ReadPress(ctx context.Context, userID int64, postID, pageID string, withHistory bool) (redaktor.Press, error) {
	pipe := s.rdb.Pipeline()
	person := pipe.MGet(ctx, s.k.user(userID), s.k.session(userID))
	view := s.queuePostView(ctx, pipe, postID, pageID, userID, withHistory)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return redaktor.Press{}, fmt.Errorf("read a press on post %s: %w", postID, err)
	}
	if err := person.Err(); err != nil {
		return redaktor.Press{}, fmt.Errorf("read user and session: %w", err)
	}
	var pr redaktor.Press
	pr.User, pr.Session, pr.Waiting, pr.UserErr = decodeUserSession(userID, person.Val())
	pr.View, pr.ViewErr = view()
	return pr, nil
}

// queuePostView adds PostView's reads to pipe and returns what decodes
// them once pipe ran.
func (s *Store) queuePostView(ctx context.Context, pipe redis.Pipeliner, postID, pageID string, userID int64, withHistory bool) func() (redaktor.PostView, error) {
	post := pipe.HGetAll(ctx, s.k.post(postID))
	page := pipe.Get(ctx, s.k.page(pageID))
	role := pipe.HGet(ctx, s.k.members(pageID), id(userID))
	var hist *redis.StringSliceCmd
	if withHistory {
		hist = pipe.LRange(ctx, s.k.history(postID), 0, -1)
	}
	return func() (redaktor.PostView, error) {
		if err := errors.Join(post.Err(), ignoreNil(page.Err()), ignoreNil(role.Err())); err != nil {
			return redaktor.PostView{}, fmt.Errorf("read post %s on page %s: %w", postID, pageID, err)
		}
		p, err := decodePost(postID, post.Val())
		if err != nil {
			return redaktor.PostView{}, err
		}
		v := redaktor.PostView{Post: p}
		if hist != nil {
			if err := hist.Err(); err != nil {
				return redaktor.PostView{}, fmt.Errorf("read history of %s: %w", postID, err)
			}
			if v.History, err = decodeHistory(postID, hist.Val()); err != nil {
				return redaktor.PostView{}, err
			}
		}
		if p.PageID != pageID {
			v.Page, v.Role, err = s.Membership(ctx, p.PageID, userID)
			return v, err
		}
		b, err := page.Bytes()
		if err != nil {
			return redaktor.PostView{}, notFound(err, "page "+pageID)
		}
		if err := json.Unmarshal(b, &v.Page); err != nil {
			return redaktor.PostView{}, fmt.Errorf("decode page %s: %w", pageID, err)
		}
		v.Role = redaktor.Role(role.Val())
		return v, nil
	}
}
