package storage

import (
	"context"
	"fmt"
)

// ClaimMenus reports whether this process is the first to set the team's
// command menus of a version: true once per version, for one process of
// however many start together.
func (s *Store) ClaimMenus(ctx context.Context, version string) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k.menus(version), 1, 0).Result()
	if err != nil {
		return false, fmt.Errorf("claim the menus of %s: %w", version, err)
	}
	return ok, nil
}
