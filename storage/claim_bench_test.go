package storage_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// BenchmarkClaimDue measures one scheduler tick's claim with 10 posts due
// now and many more scheduled for later: the cost must not grow with the
// later ones (issue 2). Run against the real Redis for figures:
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379 go test -run xxx -bench ClaimDue ./storage/
func BenchmarkClaimDue(b *testing.B) {
	for _, later := range []int{0, 10_000, 100_000} {
		b.Run(fmt.Sprintf("later=%d", later), func(b *testing.B) {
			r := storagetest.Open(b)
			s := storage.New(r.Client, r.Prefix)
			// The due set's key, as storage/keys.go builds it; filled
			// directly because only the sets matter to a claim.
			due, leased := "{"+r.Prefix+"}:due", "{"+r.Prefix+"}:leased"
			score := func(t time.Time) float64 { return float64(t.UnixMilli()) }
			ctx := context.Background()
			now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
			pipe := r.Client.Pipeline()
			for i := 0; i < later; i++ {
				pipe.ZAdd(ctx, due, redis.Z{Score: score(now.Add(time.Duration(i+1) * time.Minute)), Member: "later" + strconv.Itoa(i)})
				if i%5000 == 4999 {
					if _, err := pipe.Exec(ctx); err != nil {
						b.Fatal(err)
					}
				}
			}
			if _, err := pipe.Exec(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for j := 0; j < 10; j++ {
					r.Client.ZAdd(ctx, due, redis.Z{Score: score(now), Member: "due" + strconv.Itoa(j)})
				}
				r.Client.Del(ctx, leased)
				b.StartTimer()
				ids, err := s.ClaimDue(ctx, now, time.Minute, 20)
				if err != nil || len(ids) != 10 {
					b.Fatalf("claimed %d, %v", len(ids), err)
				}
			}
		})
	}
}
