package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/handlers"
	"github.com/redaktor/redaktor/intake"
	"github.com/redaktor/redaktor/metrics"
	"github.com/redaktor/redaktor/storage"
)

// shutdownTimeout is how long handlers in flight get to finish after
// SIGTERM (compose's stop_grace_period is 10 s).
const shutdownTimeout = 8 * time.Second

// processName names this process in the poller lease and the consumer
// group: host, pid and a random part, so a restarted process is new.
func processName() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// runIntake receives updates (webhook or polling, the latter only while
// this process holds the poller lease), persists them to the stream, and
// handles the stream's updates with the desk. It returns after ctx ended
// and the handlers in flight finished (or the shutdown deadline passed).
func runIntake(ctx context.Context, cfg config, tg *bot.Client, store *storage.Store, h intake.Handler,
	notices notices, m *metrics.Metrics, log *slog.Logger, now func() time.Time) {
	name := processName()
	var wg sync.WaitGroup
	if cfg.WebhookURL != "" {
		if err := tg.SetWebhook(ctx, cfg.WebhookURL, cfg.WebhookSecret); err != nil {
			log.Error("setWebhook failed; updates wait at Telegram until it succeeds on a restart", "err", err)
		}
		path := "/"
		if u, err := url.Parse(cfg.WebhookURL); err == nil && u.Path != "" {
			path = u.Path
		}
		mux := http.NewServeMux()
		mux.Handle(path, intake.NewWebhook(cfg.WebhookSecret, store, notices, m, log))
		wg.Go(func() { serve(ctx, "webhook", cfg.WebhookListen, mux, log) })
	} else {
		if err := tg.DeleteWebhook(ctx); err != nil {
			log.Warn("deleteWebhook failed; polling may be refused while a webhook is set", "err", err)
		}
		wg.Go(func() {
			if err := intake.Poll(ctx, tg, store, store, intake.PollConfig{Owner: name, Notices: notices, Observer: m, Logger: log}); err != nil {
				log.Error("polling stopped", "err", err)
			}
		})
	}
	in := intake.New(store, h, notices, m, log, intake.Config{Consumer: name, ShutdownTimeout: shutdownTimeout,
		Transient: transient, Flood: cfg.Flood, Flooding: notices, Now: now})
	wg.Go(func() {
		if err := in.Run(ctx); err != nil {
			log.Error("intake stopped", "err", err)
		}
	})
	wg.Wait()
}

// transient tells a handler's error that may pass (Redis or Telegram
// briefly unavailable: the update is handled again) from one that will not
// (its sender is told).
func transient(err error) bool { return storage.Transient(err) || bot.Transient(err) }

// serverTimeouts bound what one client may hold of the webhook and ops
// servers, so slow or stalled clients cannot pile up connections and
// goroutines.
type serverTimeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included
	Write      time.Duration // from the end of the headers to the end of the answer
	Idle       time.Duration // a kept-alive connection between requests
}

// httpTimeouts: Telegram sends an update of a few KB at once, and a
// webhook answer takes at most the store's 5 s (plus telling the sender
// when Redis is down); Telegram keeps its connections alive between
// deliveries.
var httpTimeouts = serverTimeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second,
	Write: 30 * time.Second, Idle: 2 * time.Minute}

func newServer(ctx context.Context, addr string, h http.Handler, t serverTimeouts) *http.Server {
	return &http.Server{Addr: addr, Handler: h,
		ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, WriteTimeout: t.Write, IdleTimeout: t.Idle,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
}

// serve runs an HTTP server until ctx ends, then lets requests in flight
// finish for a few seconds.
func serve(ctx context.Context, what, addr string, h http.Handler, log *slog.Logger) {
	srv := newServer(ctx, addr, h, httpTimeouts)
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("listening", "server", what, "addr", addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server stopped", "server", what, "addr", addr, "err", err)
	}
	<-done
}

// opsHandler serves /healthz (the process runs), /readyz (Redis and
// Telegram answer) and /metrics.
func opsHandler(redisPing, telegramPing func(context.Context) error, m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		var problems []string
		if err := within(ctx, redisPing); err != nil {
			problems = append(problems, "redis: "+err.Error())
		}
		if err := within(ctx, telegramPing); err != nil {
			problems = append(problems, "telegram: "+err.Error())
		}
		if len(problems) > 0 {
			http.Error(w, strings.Join(problems, "\n"), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", m.Handler())
	return mux
}

// within runs check and gives up when ctx ends (the Bot API client takes
// no context).
func within(ctx context.Context, check func(context.Context) error) error {
	res := make(chan error, 1)
	go func() { res <- check(ctx) }()
	select {
	case err := <-res:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// notices tells a person, in their language, that their update waits for
// Redis, or was set aside after failing, or that they send too much.
type notices struct {
	tg interface {
		SendText(ctx context.Context, chatID int64, text string, kb bot.Keyboard) (int, error)
	}
	texts *handlers.Texts
	log   *slog.Logger
	// marks makes the flood notice once across replicas.
	marks interface {
		FirstFloodNotice(ctx context.Context, userID int64, ttl time.Duration) (bool, error)
	}
}

// Flooding tells the person once per cool-down, whichever replica saw
// them pass the limit first. Redis down: they are told (better twice
// than a silent bot).
func (n notices) Flooding(ctx context.Context, u tgbotapi.Update, pause time.Duration) {
	if from := u.SentFrom(); from != nil && n.marks != nil {
		first, err := n.marks.FirstFloodNotice(ctx, from.ID, pause)
		if err != nil {
			n.log.Warn("flood notice mark", "err", err)
		} else if !first {
			return
		}
	}
	minutes := max(1, int(math.Ceil(pause.Minutes())))
	n.tell(ctx, u, "flood_notice", map[string]any{"Minutes": minutes})
}

func (n notices) Unavailable(ctx context.Context, u tgbotapi.Update) {
	n.tell(ctx, u, "error_unavailable")
}
func (n notices) Failed(ctx context.Context, u tgbotapi.Update) {
	n.tell(ctx, u, "error_update_failed")
}

func (n notices) tell(ctx context.Context, u tgbotapi.Update, key string, data ...map[string]any) {
	var from *tgbotapi.User
	var chat int64
	switch {
	case u.Message != nil && u.Message.Chat != nil && u.Message.Chat.IsPrivate():
		from, chat = u.Message.From, u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		from, chat = u.CallbackQuery.From, u.CallbackQuery.From.ID
	default:
		return // a channel or group update: nobody to tell
	}
	lang := ""
	if from != nil {
		lang = from.LanguageCode
	}
	if _, err := n.tg.SendText(ctx, chat, n.texts.For(lang).T(key, data...), nil); err != nil {
		n.log.Warn("cannot tell the sender", "update_id", u.UpdateID, "err", err)
	}
}

// redactHandler removes the bot token from every log line: its message,
// string attributes and errors (whatever a library put into them).
type redactHandler struct {
	slog.Handler
	token string
}

func (h redactHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.token == "" {
		return h.Handler.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, strings.ReplaceAll(r.Message, h.token, "<BOT_TOKEN>"), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h redactHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, strings.ReplaceAll(v.String(), h.token, "<BOT_TOKEN>"))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]any, len(attrs))
		for i, g := range attrs {
			out[i] = h.attr(g)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, strings.ReplaceAll(err.Error(), h.token, "<BOT_TOKEN>"))
		}
		if s := fmt.Sprint(v.Any()); strings.Contains(s, h.token) {
			return slog.String(a.Key, strings.ReplaceAll(s, h.token, "<BOT_TOKEN>"))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = h.attr(a)
	}
	return redactHandler{Handler: h.Handler.WithAttrs(red), token: h.token}
}

func (h redactHandler) WithGroup(name string) slog.Handler {
	return redactHandler{Handler: h.Handler.WithGroup(name), token: h.token}
}
