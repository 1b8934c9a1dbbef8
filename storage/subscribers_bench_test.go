package storage_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// BenchmarkSubscriberMemory subscribes SUBSCRIBERS people (100,000 unless
// set) to one page, as the desk does for a person opening the page's
// link, and reports the growth of the real Redis's used_memory per
// subscriber (issue 10: at most 150 bytes). It needs TEST_REDIS_URL:
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379/0 SUBSCRIBERS=100000 \
//	  go test -run xxx -bench SubscriberMemory -benchtime 1x ./storage/
func BenchmarkSubscriberMemory(b *testing.B) {
	if os.Getenv("TEST_REDIS_URL") == "" {
		b.Skip("used_memory needs the real Redis (TEST_REDIS_URL)")
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("SUBSCRIBERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	for range b.N {
		r := storagetest.Open(b)
		s := storage.New(r.Client, r.Prefix)
		if err := s.SavePage(ctx, redaktor.Page{ID: "1", Title: "Школа №1"}); err != nil {
			b.Fatal(err)
		}
		// Telegram user ids of real people are spread over billions.
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = 5_000_000_000 + int64(i)*7919
		}
		before := usedMemory(ctx, b, r.Client)
		subscribeAsDesk(ctx, b, s, ids)
		after := usedMemory(ctx, b, r.Client)
		b.ReportMetric(float64(after-before)/float64(n), "bytes/subscriber")
		b.ReportMetric(float64(n), "subscribers")
	}
}

func usedMemory(ctx context.Context, b *testing.B, c redis.UniversalClient) int64 {
	info, err := c.Info(ctx, "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no used_memory in INFO")
	return 0
}

// subscribeAsDesk writes what the desk writes for a new subscriber: the
// subscription alone (no record of the person since issue 10). Before,
// every sender also got a record with name and username (SaveUser).
func subscribeAsDesk(ctx context.Context, b *testing.B, s *storage.Store, ids []int64) {
	if err := s.SubscribeMany(ctx, "1", ids); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkForgetUser times /forgetme's deletion on a desk with POSTS posts
// (10,000 unless set; a district's two years are about 30,000), a tenth of
// them the person's: ForgetUser reads every post, so this is its cost.
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379/0 POSTS=30000 \
//	  go test -run xxx -bench ForgetUser -benchtime 1x ./storage/
func BenchmarkForgetUser(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("POSTS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		s, _ := storagetest.Store(b)
		for i := range n {
			author := redaktor.Actor{UserID: 11, Name: "Ирина", Role: redaktor.RoleModerator}
			if i%10 == 0 {
				author = redaktor.Actor{UserID: 12, Name: "Светлана", Role: redaktor.RoleModerator}
			}
			pid, err := s.NextID(ctx, "post")
			if err != nil {
				b.Fatal(err)
			}
			p, err := redaktor.NewPost(pid, "1", author, redaktor.Content{Text: "Пост"}, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			p.Status = redaktor.StatusPending // submitted: kept, rewritten
			if err := s.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if err := s.ForgetUser(ctx, 12); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "posts")
	}
}
