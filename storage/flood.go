package storage

import (
	"context"
	"fmt"
	"time"
)

// FirstFloodNotice reports whether the person is to be told about the
// flood limit now: true for the first replica asking within ttl (the
// cool-down). It is asked once per cool-down per process, never per
// update.
func (s *Store) FirstFloodNotice(ctx context.Context, userID int64, ttl time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k.flood(userID), 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("mark flood notice: %w", err)
	}
	return ok, nil
}
