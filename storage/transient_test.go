package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/storage"
)

// The errors of a Redis that is briefly unavailable are transient; those
// of a wrong request are not.
func TestTransientTellsPassingRedisErrors(t *testing.T) {
	t.Parallel()
	srv := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	server := func(reply string) error {
		srv.SetError(reply)
		defer srv.SetError("")
		return c.Get(ctx, "k").Err()
	}
	unreachable := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { _ = unreachable.Close() })
	closed := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	_ = closed.Close()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"loading after a restart", server("LOADING Redis is loading the dataset in memory"), true},
		{"cluster down", server("CLUSTERDOWN The cluster is down"), true},
		{"try again", server("TRYAGAIN Multiple keys request during rehashing of slot"), true},
		{"master down", server("MASTERDOWN Link with MASTER is down"), true},
		{"read-only replica after a failover", server("READONLY You can't write against a read only replica."), true},
		{"connection refused", unreachable.Get(ctx, "k").Err(), true},
		{"connection dropped", fmt.Errorf("save draft: %w", io.EOF), true},
		{"no sentinel reachable", fmt.Errorf("save draft: %w", errors.New("redis: all sentinels specified in configuration are unreachable")), true},
		{"no cluster node", errors.New("redis: cluster has no nodes"), true},
		{"client closed", fmt.Errorf("save draft: %w", redis.ErrClosed), true},
		{"closed client's reply", closed.Get(ctx, "k").Err(), true},
		{"pool timeout", fmt.Errorf("save draft: %w", redis.ErrPoolTimeout), true},
		{"no key", c.Get(ctx, "missing").Err(), false},
		{"caller gave up, wrapped", fmt.Errorf("redis: save draft: %w", context.Canceled), false},
		{"wrong type", c.HGet(ctx, "k", "f").Err(), false},
		{"a script's refusal", server("ERR user script refused"), false},
		{"caller gave up", context.Canceled, false},
		{"not an error", nil, false},
		{"not Redis's", errors.New("text is empty"), false},
	} {
		if got := storage.Transient(tc.err); got != tc.want {
			t.Errorf("%s (%v): transient %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
