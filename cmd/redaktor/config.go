package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/intake"
)

// config is the bot's settings, read from the environment.
type config struct {
	Token       string
	APIURL      string
	RedisURL    string // "" runs an embedded in-memory Redis
	RedisPrefix string
	AdminIDs    []int64
	Location    *time.Location
	LogLevel    slog.Level
	// BroadcastRate is Telegram's limit for the bot in messages per second,
	// shared by every process (30; up to 1000 with paid broadcasts).
	BroadcastRate int
	// ChatPacing spaces the desk's messages to each chat by Telegram's
	// limit for a chat (CHAT_PACING=on, the default; off: only the bot's
	// rate applies, for tests whose clock stands still).
	ChatPacing bool
	// HTTPAddr serves /healthz, /readyz and /metrics; "" serves nothing.
	HTTPAddr string
	// WebhookURL, when set, makes Telegram deliver updates to it instead of
	// the bot polling; WebhookSecret is required with it.
	WebhookURL    string
	WebhookSecret string
	// WebhookListen is the address the webhook server listens on.
	WebhookListen string
	// Flood is how much one person may send before a pause (FLOOD_LIMIT
	// updates in FLOOD_WINDOW, then FLOOD_COOLDOWN; FLOOD_LIMIT=0: none).
	Flood intake.FloodLimit
}

// loadConfig reads every setting and reports every problem at once, so a
// person fixing the environment needs one try, not five.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		Token:       strings.TrimSpace(getenv("BOT_TOKEN")),
		APIURL:      strings.TrimSpace(getenv("TELEGRAM_API_URL")),
		RedisURL:    strings.TrimSpace(getenv("REDIS_URL")),
		RedisPrefix: strings.TrimSpace(getenv("REDIS_PREFIX")),
	}
	var problems []string
	if c.Token == "" {
		problems = append(problems, "BOT_TOKEN is not set: open Telegram, write /newbot to @BotFather, and put the token it gives into BOT_TOKEN")
	} else if !strings.Contains(c.Token, ":") {
		problems = append(problems, "BOT_TOKEN does not look like a token from @BotFather (123456:ABC...)")
	}
	if c.APIURL == "" {
		c.APIURL = bot.DefaultAPIURL
	} else if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, fmt.Sprintf("TELEGRAM_API_URL %q is not an http(s) address", c.APIURL))
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			problems = append(problems, "REDIS_URL must start with redis:// or rediss://")
		}
	}
	c.HTTPAddr = strings.TrimSpace(getenv("HTTP_ADDR"))
	c.WebhookURL = strings.TrimSpace(getenv("WEBHOOK_URL"))
	c.WebhookSecret = strings.TrimSpace(getenv("WEBHOOK_SECRET"))
	c.WebhookListen = strings.TrimSpace(getenv("WEBHOOK_LISTEN"))
	if c.WebhookListen == "" {
		c.WebhookListen = ":8443"
	}
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			problems = append(problems, fmt.Sprintf("WEBHOOK_URL %q must be an https:// address (Telegram delivers to HTTPS only)", c.WebhookURL))
		}
		if !validSecret(c.WebhookSecret) {
			problems = append(problems, "WEBHOOK_SECRET must be set with WEBHOOK_URL: 1 to 256 characters of A-Z, a-z, 0-9, _ and - (e.g. the output of `openssl rand -hex 32`)")
		}
	}
	if c.RedisPrefix == "" {
		c.RedisPrefix = "redaktor"
	}
	for _, f := range strings.FieldsFunc(getenv("ADMIN_IDS"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			problems = append(problems, fmt.Sprintf("ADMIN_IDS: %q is not a Telegram user id (a positive number; @userinfobot tells yours)", f))
			continue
		}
		c.AdminIDs = append(c.AdminIDs, id)
	}
	tz := strings.TrimSpace(getenv("TIMEZONE"))
	if tz == "" {
		tz = "Europe/Moscow"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		problems = append(problems, fmt.Sprintf("TIMEZONE %q is not a time zone name (e.g. Europe/Moscow, Asia/Yekaterinburg)", tz))
	}
	c.Location = loc
	switch lvl := strings.ToLower(strings.TrimSpace(getenv("LOG_LEVEL"))); lvl {
	case "", "info":
		c.LogLevel = slog.LevelInfo
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		problems = append(problems, fmt.Sprintf("LOG_LEVEL %q: use debug, info, warn or error", lvl))
	}
	c.BroadcastRate = 30
	if v := strings.TrimSpace(getenv("BROADCAST_RATE")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			problems = append(problems, fmt.Sprintf("BROADCAST_RATE %q: messages per second, 1 to 1000 (Telegram allows 30, up to 1000 for paid broadcasts)", v))
		}
		c.BroadcastRate = n
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("CHAT_PACING"))); v {
	case "", "on":
		c.ChatPacing = true
	case "off":
	default:
		problems = append(problems, fmt.Sprintf("CHAT_PACING %q: on (the default: messages to one chat keep Telegram's limit for a chat) or off", v))
	}
	c.Flood, problems = floodLimit(getenv, problems)
	if len(problems) > 0 {
		return c, errors.New("cannot start, fix these settings:\n  - " + strings.Join(problems, "\n  - "))
	}
	return c, nil
}

// validSecret: Telegram's secret_token is 1-256 characters A-Z, a-z, 0-9,
// _ and -.
func validSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// floodLimit reads FLOOD_LIMIT (updates, 0 turns the limit off),
// FLOOD_WINDOW and FLOOD_COOLDOWN (durations such as 10s, 1m).
func floodLimit(getenv func(string) string, problems []string) (intake.FloodLimit, []string) {
	l := intake.DefaultFloodLimit
	if v := strings.TrimSpace(getenv("FLOOD_LIMIT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			problems = append(problems, fmt.Sprintf("FLOOD_LIMIT %q: how many updates one person may send in FLOOD_WINDOW (30), 0 for no limit", v))
		}
		l.Updates = n
	}
	for _, d := range []struct {
		name string
		into *time.Duration
	}{{"FLOOD_WINDOW", &l.Window}, {"FLOOD_COOLDOWN", &l.CoolDown}} {
		v := strings.TrimSpace(getenv(d.name))
		if v == "" {
			continue
		}
		t, err := time.ParseDuration(v)
		if err != nil || t <= 0 {
			problems = append(problems, fmt.Sprintf("%s %q: a duration such as 10s or 1m", d.name, v))
			continue
		}
		*d.into = t
	}
	return l, problems
}
