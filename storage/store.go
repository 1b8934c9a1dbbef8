package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// Store is redaktor's state in Redis.
type Store struct {
	rdb redis.UniversalClient
	k   keys
}

// New returns a Store whose keys all start with the hash tag {prefix}.
// Tests give each run its own prefix.
func New(rdb redis.UniversalClient, prefix string) *Store {
	return &Store{rdb: rdb, k: newKeys(prefix)}
}

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// NextID allocates a short numeric id ("42") for a post or a page. A crash
// after allocation only wastes a number.
func (s *Store) NextID(ctx context.Context, kind string) (string, error) {
	n, err := s.rdb.Incr(ctx, s.k.seq(kind)).Result()
	if err != nil {
		return "", fmt.Errorf("allocate %s id: %w", kind, err)
	}
	return id(n), nil
}

// notFound turns redis.Nil into the domain's ErrNotFound.
func notFound(err error, what string) error {
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("%s: %w", what, redaktor.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Beat records that this process is alive, for the container health check.
func (s *Store) Beat(ctx context.Context, who string, ttl time.Duration) error {
	if err := s.rdb.Set(ctx, s.k.alive(who), time.Now().UTC().Format(time.RFC3339), ttl).Err(); err != nil {
		return fmt.Errorf("heartbeat: %w", err)
	}
	return nil
}

// Alive reports whether the process named who beat recently.
func (s *Store) Alive(ctx context.Context, who string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.k.alive(who)).Result()
	if err != nil {
		return false, fmt.Errorf("read heartbeat: %w", err)
	}
	return n == 1, nil
}

// ignoreNil is err unless it is redis.Nil (a key that does not exist).
func ignoreNil(err error) error {
	if errors.Is(err, redis.Nil) {
		return nil
	}
	return err
}
