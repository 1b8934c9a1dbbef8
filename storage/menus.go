package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// claimMenus takes the setting of the team's menus of a version unless
// they were set. KEYS[1] the mark that they were set, KEYS[2] the lease;
// ARGV[1] the lease's length (ms).
var claimMenus = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0
`)

// ClaimMenus reports whether this process is to set the team's command
// menus of a version: of however many start together one is, for lease,
// unless a process set them all before (MenusSet). A process that stops
// midway releases the claim (ReleaseMenus), or it lapses with the lease,
// and the next start sets them again.
func (s *Store) ClaimMenus(ctx context.Context, version string, lease time.Duration) (bool, error) {
	n, err := claimMenus.Run(ctx, s.rdb, []string{s.k.menus(version), s.k.menusLease(version)}, lease.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("claim the menus of %s: %w", version, err)
	}
	return n == 1, nil
}

// MenusSet marks the team's menus of a version as set, for good.
func (s *Store) MenusSet(ctx context.Context, version string) error {
	pipe := s.rdb.TxPipeline()
	pipe.Set(ctx, s.k.menus(version), 1, 0)
	pipe.Del(ctx, s.k.menusLease(version))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("mark the menus of %s as set: %w", version, err)
	}
	return nil
}

// ReleaseMenus gives up a claim of the menus of a version not finished.
func (s *Store) ReleaseMenus(ctx context.Context, version string) error {
	if err := s.rdb.Del(ctx, s.k.menusLease(version)).Err(); err != nil {
		return fmt.Errorf("release the menus of %s: %w", version, err)
	}
	return nil
}
