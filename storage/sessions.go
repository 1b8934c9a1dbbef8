package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// setSession stores a session for redaktor.SessionTTL when the person has a record
// (a team member), else for redaktor.StrangerSessionTTL.
// KEYS[1] session, KEYS[2] user record; ARGV[1] session JSON, ARGV[2] ms
// for a member, ARGV[3] ms for anyone else.
var setSession = redis.NewScript(`
local ttl = ARGV[3]
if redis.call('EXISTS', KEYS[2]) == 1 then ttl = ARGV[2] end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return 1
`)

// SetSession replaces the person's session.
func (s *Store) SetSession(ctx context.Context, userID int64, se redaktor.Session) error {
	if !se.Kind.Valid() {
		return fmt.Errorf("%w: session kind %q", redaktor.ErrInvalid, se.Kind)
	}
	b, err := json.Marshal(se)
	if err != nil {
		return fmt.Errorf("encode session: %w", err)
	}
	err = setSession.Run(ctx, s.rdb, []string{s.k.session(userID), s.k.user(userID)}, string(b),
		redaktor.SessionTTL.Milliseconds(), redaktor.StrangerSessionTTL.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// Session returns the person's session; ok is false when there is none.
func (s *Store) Session(ctx context.Context, userID int64) (redaktor.Session, bool, error) {
	b, err := s.rdb.Get(ctx, s.k.session(userID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return redaktor.Session{}, false, nil
	}
	if err != nil {
		return redaktor.Session{}, false, fmt.Errorf("read session: %w", err)
	}
	se, ok := decodeSession(b)
	return se, ok, nil
}

// decodeSession reads a stored session. One that cannot be read, or whose
// kind this version does not know (written by a newer or older one), counts
// as none: the person's next message is read afresh.
func decodeSession(b []byte) (redaktor.Session, bool) {
	var se redaktor.Session
	if err := json.Unmarshal(b, &se); err != nil {
		return redaktor.Session{}, false
	}
	kind, err := redaktor.ParseSessionKind(string(se.Kind))
	if err != nil {
		return redaktor.Session{}, false
	}
	se.Kind = kind
	return se, true
}

// UserSession reads a person and their session in one round trip, as
// every message needs both. The error wraps redaktor.ErrNotFound for a
// person the bot does not know; ok is false when there is no session.
func (s *Store) UserSession(ctx context.Context, userID int64) (u redaktor.User, se redaktor.Session, ok bool, err error) {
	vals, err := s.rdb.MGet(ctx, s.k.user(userID), s.k.session(userID)).Result()
	if err != nil {
		return u, se, false, fmt.Errorf("read user and session: %w", err)
	}
	return decodeUserSession(userID, vals)
}

func decodeUserSession(userID int64, vals []any) (u redaktor.User, se redaktor.Session, ok bool, err error) {
	user, _ := vals[0].(string)
	if user == "" {
		return u, se, false, fmt.Errorf("user %d: %w", userID, redaktor.ErrNotFound)
	}
	if err := json.Unmarshal([]byte(user), &u); err != nil {
		return u, se, false, fmt.Errorf("decode user: %w", err)
	}
	if raw, _ := vals[1].(string); raw != "" {
		se, ok = decodeSession([]byte(raw))
	}
	return u, se, ok, nil
}

// ClearSession ends the person's session.
func (s *Store) ClearSession(ctx context.Context, userID int64) error {
	if err := s.rdb.Del(ctx, s.k.session(userID)).Err(); err != nil {
		return fmt.Errorf("clear session: %w", err)
	}
	return nil
}
