// Package metrics exposes redaktor's Prometheus metrics: updates received
// and handled, handler latency, Redis errors, Bot API calls by result and
// flood waits (429), queue depths read from Redis at scrape time, and
// broadcast progress. It is the one package that knows client_golang; the
// rest of the bot reports through small interfaces declared where they are
// used (bot.Observer, bot.CallObserver, storage.Observe).
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/redaktor/redaktor/bot"
)

// Depths reads queue depths by name (storage.Store.QueueDepths).
type Depths func(ctx context.Context) (map[string]int64, error)

// Metrics holds the counters; its methods are safe for concurrent use.
type Metrics struct {
	reg        *prometheus.Registry
	persisted  *prometheus.CounterVec
	duplicates *prometheus.CounterVec
	handled    *prometheus.CounterVec
	latency    prometheus.Histogram
	redisErrs  *prometheus.CounterVec
	calls      *prometheus.CounterVec
	floods     prometheus.Counter
	broadcast  *prometheus.CounterVec
}

// New registers every metric, the Go runtime's and the process's. depths
// may be nil.
func New(depths Depths, log *slog.Logger) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		persisted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "redaktor_updates_persisted_total",
			Help: "Updates stored in the intake stream, by source (poll, webhook).",
		}, []string{"source"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "redaktor_updates_duplicate_total",
			Help: "Updates received again and dropped because they were stored before.",
		}, []string{"source"}),
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "redaktor_updates_handled_total",
			Help: "Updates taken from the stream, by outcome (ok; retry: failed for a passing reason, handled again; failed: failed for good, the sender told; dead: set aside after the last attempt; duplicate; dropped: the sender was past the flood limit).",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "redaktor_handler_seconds",
			Help:    "Time to handle one update, Telegram calls included.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 20},
		}),
		redisErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "redaktor_redis_errors_total",
			Help: "Redis round trips that failed, by command.",
		}, []string{"command"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "redaktor_telegram_calls_total",
			Help: "Bot API call attempts by method and result (ok, flood, client_error, server_error, network).",
		}, []string{"method", "result"}),
		floods: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "redaktor_telegram_429_total",
			Help: "Bot API answers 429 Too Many Requests.",
		}),
		broadcast: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "redaktor_broadcast_messages_total",
			Help: "Messages of broadcasts to subscribers, by result (sent, blocked, failed).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.persisted, m.duplicates, m.handled, m.latency, m.redisErrs, m.calls, m.floods, m.broadcast,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if depths != nil {
		if log == nil {
			log = slog.New(slog.DiscardHandler)
		}
		reg.MustRegister(&depthCollector{read: depths, log: log, desc: prometheus.NewDesc(
			"redaktor_queue_depth", "Items waiting in Redis, by queue, read at scrape time.", []string{"queue"}, nil)})
	}
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Persisted counts updates stored (and duplicates dropped) by source.
func (m *Metrics) Persisted(source string, n, added int) {
	m.persisted.WithLabelValues(source).Add(float64(added))
	if n > added {
		m.duplicates.WithLabelValues(source).Add(float64(n - added))
	}
}

// Handled counts one update's handling and its latency.
func (m *Metrics) Handled(outcome string, d time.Duration) {
	m.handled.WithLabelValues(outcome).Inc()
	if outcome == "ok" || outcome == "retry" {
		m.latency.Observe(d.Seconds())
	}
}

// RedisCall counts a failed Redis round trip (storage.Observe).
func (m *Metrics) RedisCall(cmd string, err error) {
	if err != nil {
		m.redisErrs.WithLabelValues(cmd).Inc()
	}
}

// Called counts one Bot API call attempt by its result.
func (m *Metrics) Called(method string, err error) {
	result := "ok"
	if err != nil {
		result = "network"
		var apiErr *bot.APIError
		if errors.As(err, &apiErr) {
			result = classOf(apiErr.Code)
		}
	}
	if result == "flood" {
		m.floods.Inc()
	}
	m.calls.WithLabelValues(method, result).Inc()
}

// Broadcast counts one message of a broadcast to subscribers.
func (m *Metrics) Broadcast(result string) {
	m.broadcast.WithLabelValues(result).Inc()
}

func classOf(code int) string {
	switch {
	case code == http.StatusTooManyRequests:
		return "flood"
	case code >= 500:
		return "server_error"
	case code >= 400:
		return "client_error"
	}
	return "code_" + strconv.Itoa(code)
}

type depthCollector struct {
	read Depths
	log  *slog.Logger
	desc *prometheus.Desc
}

func (c *depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depths, err := c.read(ctx)
	if err != nil {
		c.log.Warn("metrics: read queue depths", "err", err)
		return
	}
	for name, n := range depths {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), name)
	}
}
