// Package storage keeps redaktor's state in Redis: pages, team, posts with
// their history and indexes, the publication queue, sessions and invites.
// Every change of a post is one Lua script that checks the revision it was
// read at, so concurrent editors resolve to exactly one winner, and every
// script is safe to run twice (go-redis retries after a read timeout).
package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Connect opens a client for a REDIS_URL: redis:// or rediss:// for one
// server, redis+sentinel://... is not a standard scheme, so Sentinel is given
// as redis://host:26379?master_name=NAME (go-redis's failover URL form) and
// Cluster as redis://host1:6379?addr=host2:6379&addr=host3:6379&cluster=true.
func Connect(ctx context.Context, url string) (redis.UniversalClient, error) {
	var c redis.UniversalClient
	maint := &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	switch {
	case strings.Contains(url, "master_name="):
		o, err := redis.ParseFailoverURL(url)
		if err != nil {
			return nil, fmt.Errorf("parse sentinel REDIS_URL: %w", err)
		}
		o.ContextTimeoutEnabled = true
		c = redis.NewFailoverClient(o)
	case strings.Contains(url, "cluster=true"):
		o, err := redis.ParseClusterURL(strings.Replace(strings.Replace(url, "&cluster=true", "", 1), "?cluster=true", "?", 1))
		if err != nil {
			return nil, fmt.Errorf("parse cluster REDIS_URL: %w", err)
		}
		o.ContextTimeoutEnabled = true
		o.MaintNotificationsConfig = maint
		c = redis.NewClusterClient(o)
	default:
		o, err := redis.ParseURL(url)
		if err != nil {
			return nil, fmt.Errorf("parse REDIS_URL: %w", err)
		}
		o.ContextTimeoutEnabled = true
		o.MaintNotificationsConfig = maint
		c = redis.NewClient(o)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pingCtx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis ping: %w", err)
	}
	return c, nil
}
