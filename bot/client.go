// Package bot is redaktor's Telegram plumbing: the Bot API client with
// timeouts, retries and error classes, rendering of a post's content to Bot
// API calls, reading content out of incoming messages, and update intake.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redaktor/redaktor/pace"
)

// DefaultAPIURL is the public Bot API.
const DefaultAPIURL = "https://api.telegram.org"

// Client calls the Bot API. It is built on the library's BotAPI, but owns
// the HTTP client (the library's has no timeout) and the retry policy.
type Client struct {
	api *tgbotapi.BotAPI
	// endpoint ("…/bot%s/%s"), token and doer make requests without the
	// library's generic decoding (request.go).
	endpoint string
	token    string
	doer     *httpDoer
	log      *slog.Logger
	sleep    func(ctx context.Context, d time.Duration) error
	maxWait  time.Duration
	calls    CallObserver
	// pacer paces sends across every process; nil: none.
	pacer Pacer
}

// CallObserver counts Bot API calls by result, for the metrics.
type CallObserver interface {
	// Called reports one attempt of a call: err is nil, an *APIError (429
	// among them) or a *NetError.
	Called(method string, err error)
}

// Options tune a Client; zero values are sensible defaults.
type Options struct {
	// APIURL is the Bot API server, e.g. a self-hosted one or a test server.
	APIURL string
	// CallTimeout bounds one ordinary call (default 15 s); getUpdates gets
	// its long-poll timeout on top.
	CallTimeout time.Duration
	// MaxRetryWait: a 429 asking to wait longer than this is returned to the
	// caller (who reschedules) instead of blocking (default 30 s).
	MaxRetryWait time.Duration
	Logger       *slog.Logger
	// Calls counts every attempt of every call made with Call (optional).
	Calls CallObserver
	// Pacer makes every send and edit (replies, cards, uploads, channel
	// posts) take its turn with the broadcasts' (optional: unpaced
	// without it).
	Pacer Pacer
}

// New connects to the Bot API, retrying getMe until it answers or ctx ends
// (ctx is the bot's lifetime: its end also ends a long poll in flight):
// a bot started while Telegram is unreachable waits instead of exiting. A
// token Telegram refuses (401) stops at once.
func New(ctx context.Context, token string, o Options) (*Client, error) {
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = 15 * time.Second
	}
	if o.MaxRetryWait == 0 {
		o.MaxRetryWait = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	endpoint := strings.TrimRight(o.APIURL, "/") + "/bot%s/%s"
	doer := &httpDoer{c: &http.Client{Transport: newTransport()}, token: token, timeout: o.CallTimeout, life: ctx}
	backoff := time.Second
	for {
		api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, doer)
		if err == nil {
			c := &Client{api: api, endpoint: endpoint, token: token, doer: doer,
				log: o.Logger, sleep: sleepCtx, maxWait: o.MaxRetryWait, calls: o.Calls, pacer: o.Pacer}
			return c, nil
		}
		var apiErr *tgbotapi.Error
		if errors.As(err, &apiErr) && apiErr.Code == http.StatusUnauthorized {
			return nil, fmt.Errorf("Telegram refused the bot token (401): check BOT_TOKEN")
		}
		o.Logger.Warn("Telegram is not reachable yet, retrying", "err", redact(err.Error(), token), "in", backoff.String())
		if err := sleepCtx(ctx, backoff); err != nil {
			return nil, fmt.Errorf("connect to Telegram: %w", err)
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// Self is the bot's own account.
func (c *Client) Self() tgbotapi.User { return c.api.Self }

// Username is the bot's @username without the @.
func (c *Client) Username() string { return c.api.Self.UserName }

// Call invokes a Bot API method and returns its result. Flood waits (429)
// are waited out up to MaxRetryWait, server errors and network failures are
// retried with backoff; everything else is returned at once as *APIError.
func (c *Client) Call(ctx context.Context, method string, params tgbotapi.Params) (json.RawMessage, error) {
	var res json.RawMessage
	if err := c.callInto(ctx, method, params, &res); err != nil {
		return nil, err
	}
	return res, nil
}

// callInto is Call decoding the result into result (a pointer).
func (c *Client) callInto(ctx context.Context, method string, params tgbotapi.Params, result any) error {
	chat, messages := target(method, params)
	return c.try(ctx, method, chat, messages, func() error { return c.request(method, params, result) })
}

// try makes a call, whatever its encoding (a form, a multipart upload),
// the way every call is made: each attempt takes its turn in the pacer,
// a 429 is waited out for its retry_after (up to MaxRetryWait) with the
// chat held for every other send meanwhile, server errors and network
// failures are retried with backoff, everything else is returned at once.
func (c *Client) try(ctx context.Context, method string, chat int64, messages int, attempt func() error) error {
	const attempts = 4
	var last error
	for i := 0; i < attempts; i++ {
		if ctx.Err() != nil {
			if i == 0 {
				return refuse(ctx) // nothing was sent
			}
			return ctx.Err()
		}
		if err := c.pace(ctx, method, chat, messages); err != nil {
			if i == 0 && ctx.Err() != nil {
				refuse(ctx)
			}
			return err
		}
		err := attempt()
		c.observe(method, err)
		if err == nil {
			return nil
		}
		last = err
		wait, retry := c.retryAfter(last, i)
		if _, flood := FloodWait(last); flood {
			c.hold(ctx, method, chat, wait)
		}
		if !retry || i == attempts-1 {
			break
		}
		c.log.Debug("telegram call retried", "method", method, "err", last, "wait", wait)
		if _, flood := FloodWait(last); flood {
			pace.Waited(ctx, wait) // waiting out Telegram's limit, as in the pacer
		}
		if err := c.sleep(ctx, wait); err != nil {
			return err
		}
	}
	return last
}

func (c *Client) observe(method string, err error) {
	if c.calls != nil {
		c.calls.Called(method, err)
	}
}

func (c *Client) retryAfter(err error, attempt int) (time.Duration, bool) {
	if Permanent(err) {
		return 0, false
	}
	if wait, flood := FloodWait(err); flood {
		d := time.Duration(wait) * time.Second
		return d, d <= c.maxWait
	}
	return time.Duration(250<<attempt) * time.Millisecond, true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// httpDoer gives every call a deadline and keeps the token out of errors:
// net/http puts the request URL, which holds the token, into its messages.
type httpDoer struct {
	c       *http.Client
	token   string
	timeout time.Duration
	// life ends a long poll when the bot stops; other calls keep their own
	// deadline so a send in flight at shutdown completes and is recorded.
	life context.Context
}

// newTransport keeps a connection open for every sender that may be in
// flight at once (the desk's handlers and the broadcast's senders): the
// default keeps only two per host, so under load every other call would
// open a new connection (a TLS handshake to api.telegram.org) and leave a
// socket behind in TIME_WAIT.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 1024
	t.MaxIdleConnsPerHost = 512
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// longPollMargin is added to getUpdates' own timeout.
const longPollMargin = 10 * time.Second

func (d *httpDoer) Do(req *http.Request) (*http.Response, error) {
	timeout, parent := d.timeout, req.Context()
	if strings.HasSuffix(req.URL.Path, "/getUpdates") {
		timeout, parent = PollTimeout+longPollMargin, d.life
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	resp, err := d.c.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, &NetError{msg: redact(err.Error(), d.token), timeout: errors.Is(err, context.DeadlineExceeded)}
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

func redact(s, token string) string {
	if token == "" {
		return s
	}
	return strings.ReplaceAll(s, token, "<BOT_TOKEN>")
}
