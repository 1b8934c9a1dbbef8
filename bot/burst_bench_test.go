package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// BenchmarkIntakeBurstUnderTelegramLimit: 600 people open the subscribe
// link at once, each is answered with one message, and the bot may send 30
// messages a second (a pacer giving one turn every 1/29.4 s, as the
// shared pacer does with its 0.98 headroom). All 600 are handled at once,
// as three replicas of 256 handlers do (here one intake of 1,024), with
// the default 20 s handling deadline.
// Reported: the seconds until the last reply, the handlings taken for
// failed (each one is the update handled again), and the people who got
// more than one reply.
//
//	go test -run '^$' -bench BurstUnderTelegramLimit -benchtime 1x ./bot
func BenchmarkIntakeBurstUnderTelegramLimit(b *testing.B) {
	const people, gap = 600, time.Second * 100 / 2940 // 29.4 a second
	for range b.N {
		srv := bottest.New(b)
		store, _ := storagetest.Store(b)
		ctx, cancel := context.WithCancel(context.Background())
		if err := store.EnsureStream(ctx); err != nil {
			b.Fatal(err)
		}
		for i := range people {
			srv.AddUser(int64(1000+i), "P", "", "ru")
		}
		tg, err := bot.New(ctx, srv.Token(), bot.Options{APIURL: srv.URL()})
		if err != nil {
			b.Fatal(err)
		}
		tg.SetLimiter(&pacer{gap: gap})
		obs := &outcomes{}
		in := bot.NewIntake(store, replier{tg}, nil, obs, nil, bot.IntakeConfig{Consumer: "burst", MaxInFlight: 1024})
		done := make(chan struct{})
		go func() { defer close(done); _ = in.Run(ctx) }()
		b.ResetTimer()
		start := time.Now()
		ids := make([]int64, people)
		payloads := make([][]byte, people)
		for i := range people {
			ids[i], payloads[i] = int64(1+i), updateJSON(b, int64(1+i), int64(1000+i))
		}
		if _, err := store.AddUpdates(ctx, ids, payloads); err != nil {
			b.Fatal(err)
		}
		waitUntil(b, "every update handled", 3*time.Minute, func() bool { return obs.get(bot.OutcomeOK) >= people })
		took := time.Since(start)
		b.StopTimer()
		cancel()
		<-done
		twice := 0
		for i := range people {
			if len(srv.Messages(int64(1000+i))) > 1 {
				twice++
			}
		}
		b.ReportMetric(took.Seconds(), "s-to-last-reply")
		b.ReportMetric(float64(obs.get(bot.OutcomeRetry)), "taken-for-failed")
		b.ReportMetric(float64(twice), "people-answered-twice")
	}
}
