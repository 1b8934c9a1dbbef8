// Package storagetest opens a Redis for tests: the real one named by
// TEST_REDIS_URL (CI sets it), or else an embedded in-memory Redis, so that
// `go test ./...` passes on any machine with Go.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/storage"
)

// Redis is a test's connection and the key prefix that is its own.
type Redis struct {
	Client redis.UniversalClient
	Prefix string
	URL    string
	// Mini is the embedded server when no TEST_REDIS_URL is set, else nil.
	Mini *miniredis.Miniredis
}

// Open returns a client and a fresh prefix; the test's keys are removed
// when it ends (and only those: a shared Redis is left as it was).
func Open(t testing.TB) Redis {
	t.Helper()
	r := Redis{Prefix: "t" + randomHex(6), URL: os.Getenv("TEST_REDIS_URL")}
	if r.URL == "" {
		r.Mini = miniredis.RunT(t)
		r.URL = "redis://" + r.Mini.Addr()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := storage.Connect(ctx, r.URL)
	if err != nil {
		t.Fatalf("connect to test redis %s: %v", r.URL, err)
	}
	r.Client = c
	t.Cleanup(func() {
		if r.Mini == nil {
			removeKeys(c, "{"+r.Prefix+"}:*")
		}
		_ = c.Close()
	})
	return r
}

// Store opens a Redis and returns a Store on the test's own prefix.
func Store(t testing.TB) (*storage.Store, Redis) {
	r := Open(t)
	return storage.New(r.Client, r.Prefix), r
}

func removeKeys(c redis.UniversalClient, pattern string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	iter := c.Scan(ctx, 0, pattern, 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			c.Del(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		c.Del(ctx, batch...)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
