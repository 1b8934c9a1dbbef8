package broadcast_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/broadcast"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The primary that holds the desk's keys dies in the middle of a broadcast
// of a Redis Cluster and its replica takes over: every subscriber has the
// post exactly once.
func TestBroadcastSurvivesAClusterFailover(t *testing.T) {
	t.Parallel()
	const subs, workers = 300, 8
	cl := storagetest.StartCluster(t)
	ctx := context.Background()
	rdb, err := storage.Connect(ctx, cl.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	r := storagetest.Redis{Client: rdb, Prefix: "failover", URL: cl.URL()}
	w := newBCWorldOn(t, r, bottest.WithRateLimits(bottest.Limits{Global: 1000}))
	w.page(t, "1", 1, subs)
	primary, err := rdb.(*redis.ClusterClient).MasterForKey(ctx, "{failover}:bc:70")
	if err != nil {
		t.Fatal(err)
	}
	courier := &killingCourier{Courier: w.api, after: 100, kill: func() { cl.Kill(primary.Options().Addr) }, killed: make(chan struct{})}
	cfg := setup{rate: 400, Config: broadcast.Config{Workers: workers}}
	a, b := w.broadcaster(cfg, nil, courier), w.broadcaster(cfg, nil, courier)
	stopA, stopB := run(t, a), run(t, b)
	w.publish(t, a, "70", "1", false)
	b.Kick()

	<-courier.killed
	w.tg.WaitFor(t, 60*time.Second, func() bool {
		bc, err := w.store.Broadcast(ctx, "70")
		held := rdb.ZCard(ctx, "{failover}:bc:70:sending").Val()
		return err == nil && (!bc.Running || bc.Delivered+held == subs && a.Stats().Unrecorded+b.Stats().Unrecorded == 0)
	})
	// A take the dead primary ran and passed on to its replica, but whose
	// answer was lost with the connection, leaves a lease nobody holds. A
	// sender takes it over at its second sighting: the first, once the
	// lease ran out, marks it suspect and gives it the grace. The senders
	// stop first (what they took and did not send goes back as a retry),
	// so every lease left is such an orphan, and senders that start anew
	// must see each twice: the clock passes the grace only once all are
	// suspect (both moves at once let them see it once, and the grace then
	// ran in real time, past the wait).
	stopA()
	stopB()
	run(t, w.broadcaster(cfg, nil, nil))
	run(t, w.broadcaster(cfg, nil, nil))
	w.advance(2 * time.Minute)
	w.tg.WaitFor(t, 60*time.Second, func() bool {
		held, err := rdb.ZCard(ctx, "{failover}:bc:70:sending").Result()
		suspect, err2 := rdb.SCard(ctx, "{failover}:bc:70:suspect").Result()
		return err == nil && err2 == nil && held == suspect
	})
	w.advance(time.Minute)
	rec := w.waitFinished(t, "70")

	got := w.received(w.pages["1"], 1, subs)
	dups, missing := 0, 0
	for u := int64(1); u <= subs; u++ {
		switch {
		case got[u] == 0:
			missing++
		case got[u] > 1:
			dups += got[u] - 1
		}
	}
	t.Logf("failover: %d duplicates, %d missing, %d counted resent, %d delivered", dups, missing, rec.Resent, rec.Delivered)
	if dups != 0 || missing != 0 {
		t.Errorf("%d duplicates and %d missing, want every subscriber once", dups, missing)
	}
}
