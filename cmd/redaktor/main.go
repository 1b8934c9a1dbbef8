// Command redaktor runs the editorial desk bot: it reads updates from
// Telegram, keeps drafts and the queue in Redis, and publishes approved
// posts on time.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
	_ "time/tzdata" // time zones even in an image without /usr/share/zoneinfo

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/broadcast"
	"github.com/redaktor/redaktor/handlers"
	"github.com/redaktor/redaktor/metrics"
	"github.com/redaktor/redaktor/pace"
	"github.com/redaktor/redaktor/quality"
	"github.com/redaktor/redaktor/reminders"
	"github.com/redaktor/redaktor/scheduler"
	"github.com/redaktor/redaktor/storage"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "healthcheck" {
		if err := healthcheck(ctx, os.Getenv); err != nil {
			fmt.Fprintln(os.Stderr, "redaktor: unhealthy:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Getenv, os.Stderr, time.Now); err != nil {
		fmt.Fprintln(os.Stderr, "redaktor:", err)
		os.Exit(1)
	}
}

// run wires the bot and runs it until ctx ends. The clock is a parameter
// so the end-to-end test can move time.
func run(ctx context.Context, getenv func(string) string, logOut io.Writer, now func() time.Time) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := slog.New(redactHandler{Handler: newLogger(logOut, cfg.LogLevel).Handler(), token: cfg.Token})

	redisURL := cfg.RedisURL
	if redisURL == "" {
		mini := miniredis.NewMiniRedis()
		if err := mini.StartAddr("127.0.0.1:0"); err != nil {
			return fmt.Errorf("start embedded redis: %w", err)
		}
		defer mini.Close()
		redisURL = "redis://" + mini.Addr()
		log.Warn("REDIS_URL is not set: using an embedded in-memory Redis. NOTHING IS KEPT: drafts, teams and the queue are lost when the bot stops. Set REDIS_URL for real use.")
	}
	rdb, err := connectRedis(ctx, redisURL, log)
	if err != nil {
		if ctx.Err() != nil {
			return nil // told to stop while waiting for Redis: a clean stop
		}
		return err
	}
	defer rdb.Close()
	// Wired once, each part handed what it uses: store → pacer → Bot API
	// client → desk → broadcaster → scheduler.
	store := storage.New(rdb, cfg.RedisPrefix)
	m := metrics.New(store.QueueDepths, log)
	storage.Observe(rdb, m.RedisCall)
	pacer := pace.New(store, pace.Settings{Rate: cfg.BroadcastRate, DeskChatsUnpaced: !cfg.ChatPacing}, pace.SystemClock{}, log)

	tg, err := bot.New(ctx, cfg.Token, bot.Options{APIURL: cfg.APIURL, Logger: log, Calls: m, Pacer: pacer})
	if err != nil {
		if ctx.Err() != nil {
			return nil // told to stop while waiting for Telegram: a clean stop
		}
		return err
	}
	log.Info("connected to Telegram", "bot", "@"+tg.Username())

	texts, err := handlers.LoadTexts()
	if err != nil {
		return err
	}
	advice, err := quality.LoadSet()
	if err != nil {
		return fmt.Errorf("load writing advice: %w", err)
	}
	desk := handlers.New(tg, store, texts, now, log, handlers.Config{AdminIDs: cfg.AdminIDs, Location: cfg.Location, Quality: advice})
	desk.SetMenus(ctx)
	broadcasts := broadcast.New(store, tg, desk.Reports, pacer, now, log, broadcast.Config{Observer: m})
	remind := reminders.New(store, desk.Reminders, now, log, reminders.Config{Location: cfg.Location})
	sched := scheduler.New(store, tg, desk.Notifier, broadcasts, now, log, scheduler.Config{})

	var wg sync.WaitGroup
	wg.Go(func() { heartbeat(ctx, store, log) })
	wg.Go(func() { desk.RefreshTeamMenus(ctx) })
	wg.Go(func() {
		if err := broadcasts.Run(ctx); err != nil {
			log.Error("broadcasts stopped", "err", err)
		}
	})
	// Albums have their own loop: assembling 150 of them never holds up
	// the scheduler's tick.
	wg.Go(func() { desk.Albums.Run(ctx, albumInterval) })
	// Edits and removals of published posts, likewise.
	wg.Go(func() { desk.AfterPub.Run(ctx, time.Second) })
	// Reminders have their own loop and time limit, on the scheduler's
	// clock: the digests at 08:30 never hold up the posts due then.
	wg.Go(func() { remind.Run(ctx, time.Second, remindBudget) })
	// Reports whose final state could not be written are written again.
	wg.Go(func() { desk.Reports.Run(ctx, time.Second) })
	wg.Go(func() {
		if err := sched.Run(ctx); err != nil {
			log.Error("scheduler stopped", "err", err)
		}
	})
	wg.Go(func() {
		runIntake(ctx, cfg, tg, store, desk.Router, notices{tg: tg, texts: texts, log: log, marks: store}, m, log, now)
	})
	if cfg.HTTPAddr != "" {
		wg.Go(func() { serve(ctx, "ops", cfg.HTTPAddr, opsHandler(store.Ping, tg.Ping, m), log) })
	}
	log.Info("redaktor is running", "admins", len(cfg.AdminIDs), "timezone", cfg.Location.String())
	wg.Wait()
	log.Info("redaktor stopped")
	return nil
}

// remindBudget bounds one pass of the reminders over every page.
const remindBudget = 50 * time.Second

// albumInterval is how often finished albums are looked for (an album is
// finished 1.5 s after its last item).
const albumInterval = 500 * time.Millisecond

// connectRedis waits for Redis at start as the bot waits for Telegram: a
// bot started before its Redis (a restart of the whole host) comes up by
// itself instead of exiting.
func connectRedis(ctx context.Context, url string, log *slog.Logger) (redis.UniversalClient, error) {
	backoff := time.Second
	for {
		rdb, err := storage.Connect(ctx, url)
		if err == nil {
			return rdb, nil
		}
		log.Warn("Redis is not reachable yet, retrying", "err", err, "in", backoff.String())
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Redis: %w", err)
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// newLogger writes JSON when the output is not a terminal (a container's
// log collector), readable text when a person watches.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, opts))
		}
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// heartbeatTTL: a process that has not beaten for this long is unhealthy.
const heartbeatTTL = 30 * time.Second

// heartbeat tells the container health check that this process still runs
// its loops and reaches Redis.
func heartbeat(ctx context.Context, store *storage.Store, log *slog.Logger) {
	host, _ := os.Hostname()
	t := time.NewTicker(heartbeatTTL / 3)
	defer t.Stop()
	for {
		if err := store.Beat(ctx, host, heartbeatTTL); err != nil && ctx.Err() == nil {
			log.Warn("heartbeat", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// healthcheck is `redaktor healthcheck`: it succeeds when the bot in this
// container beat recently. The image has no shell or curl to do it.
func healthcheck(ctx context.Context, getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if cfg.RedisURL == "" {
		return fmt.Errorf("REDIS_URL is not set: nothing to check against")
	}
	rdb, err := storage.Connect(ctx, cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	host, _ := os.Hostname()
	ok, err := storage.New(rdb, cfg.RedisPrefix).Alive(ctx, host)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no heartbeat from %s in the last %s", host, heartbeatTTL)
	}
	return nil
}
