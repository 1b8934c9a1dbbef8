// Package storage keeps redaktor's state in Redis: pages, team, posts with
// their history and indexes, the publication queue, sessions and invites.
// Every change of a post is one Lua script that checks the revision it was
// read at, so concurrent editors resolve to exactly one winner, and every
// script is safe to run twice (go-redis retries after a read timeout).
package storage

import (
	"context"
	"errors"
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
		// A primary that died answers nothing (no MOVED), so the client
		// learns of its replica's promotion only by reloading the slot map:
		// every second while commands run, not every minute.
		o.ClusterStateReloadInterval = time.Second
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

// Observe calls seen after every round trip to Redis with the command's
// name ("pipeline" for a pipeline) and its error; an empty answer
// (redis.Nil) is not an error, nor is NOSCRIPT (a script's first run,
// which go-redis answers by sending the script). The metrics count errors with it, the
// intake benchmark round trips.
func Observe(c redis.UniversalClient, seen func(cmd string, err error)) {
	c.AddHook(observeHook{seen})
}

type observeHook struct{ seen func(string, error) }

func (h observeHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h observeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.seen(cmd.Name(), dropNil(err))
		return err
	}
}

func (h observeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		h.seen("pipeline", dropNil(err))
		return err
	}
}

func dropNil(err error) error {
	if errors.Is(err, redis.Nil) || (err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")) {
		return nil
	}
	return err
}
