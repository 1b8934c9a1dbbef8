package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session is what the bot waits for from a person: a comment after
// "Request changes", a time after "Approve for a time…", new content after
// "Send new version", a channel after /channel.
type Session struct {
	Kind   string `json:"kind"`
	PostID string `json:"post_id,omitempty"`
	Rev    int64  `json:"rev,omitempty"`
	PageID string `json:"page_id,omitempty"`
	Urgent bool   `json:"urgent,omitempty"`
}

// SessionTTL bounds how long the bot waits for an answer.
const SessionTTL = time.Hour

// SetSession replaces the person's session.
func (s *Store) SetSession(ctx context.Context, userID int64, se Session) error {
	b, err := json.Marshal(se)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	if err := s.rdb.Set(ctx, s.k.session(userID), b, SessionTTL).Err(); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// Session returns the person's session; ok is false when there is none.
func (s *Store) Session(ctx context.Context, userID int64) (Session, bool, error) {
	b, err := s.rdb.Get(ctx, s.k.session(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Session{}, false, nil
	}
	if err != nil {
		return Session{}, false, fmt.Errorf("read session: %w", err)
	}
	var se Session
	if err := json.Unmarshal(b, &se); err != nil {
		return Session{}, false, nil // unreadable: as if none
	}
	return se, true, nil
}

// ClearSession ends the person's session.
func (s *Store) ClearSession(ctx context.Context, userID int64) error {
	if err := s.rdb.Del(ctx, s.k.session(userID)).Err(); err != nil {
		return fmt.Errorf("clear session: %w", err)
	}
	return nil
}
