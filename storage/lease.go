package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// A lease is a key {p}:lease:NAME holding its owner's name, with a time to
// live: the owner extends it while it works, and when the owner dies the
// key expires and another process takes it. Used for the one poller of
// getUpdates among several replicas.

// holdLease takes a free lease or extends one already held.
//
// KEYS[1] lease key
// ARGV[1] owner, ARGV[2] ttl ms
// Returns 1 when owner holds the lease now, 0 when someone else does.
// Safe to run twice.
var holdLease = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`)

// releaseLease gives the lease up if owner holds it.
//
// KEYS[1] lease key
// ARGV[1] owner
// Returns 1 when released, 0 when owner did not hold it.
var releaseLease = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`)

// HoldLease takes the lease called name for owner, or extends it if owner
// holds it already, for ttl. It reports whether owner holds it.
func (s *Store) HoldLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	n, err := holdLease.Run(ctx, s.rdb, []string{s.k.lease(name)}, owner, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("hold lease %s: %w", name, err)
	}
	return n == 1, nil
}

// ReleaseLease gives the lease up, if owner holds it, so that another
// process need not wait for it to expire.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := releaseLease.Run(ctx, s.rdb, []string{s.k.lease(name)}, owner).Err(); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// LeaseHolder names the lease's owner; "" when nobody holds it.
func (s *Store) LeaseHolder(ctx context.Context, name string) (string, error) {
	v, err := s.rdb.Get(ctx, s.k.lease(name)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read lease %s: %w", name, err)
	}
	return v, nil
}
