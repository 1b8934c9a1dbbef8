package intake

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/redaktor/redaktor/bot"
)

// maxWebhookBody bounds one update's JSON (Telegram's are a few KB).
const maxWebhookBody = 1 << 20

// Webhook receives updates from Telegram: a request without the right
// secret gets 401; an update is stored in the stream before the 200. If it
// cannot be stored the answer is 503, so Telegram delivers it again later,
// and the sender is told once that the bot is temporarily unavailable.
type Webhook struct {
	secret  []byte
	q       Persister
	notices Notices
	obs     Observer
	log     *slog.Logger
	timeout time.Duration

	mu   sync.Mutex
	told map[int64]bool
}

// NewWebhook builds the webhook handler; notices, obs and log may be nil.
func NewWebhook(secret string, q Persister, notices Notices, obs Observer, log *slog.Logger) *Webhook {
	if obs == nil {
		obs = nopObserver{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Webhook{secret: []byte(secret), q: q, notices: notices, obs: obs, log: log,
		timeout: 5 * time.Second, told: map[int64]bool{}}
}

func (wh *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	got := []byte(r.Header.Get(bot.SecretHeader))
	if len(wh.secret) == 0 || subtle.ConstantTimeCompare(got, wh.secret) != 1 {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "cannot read the update", http.StatusBadRequest)
		return
	}
	id, err := bot.UpdateID(body)
	if err != nil {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), wh.timeout)
	defer cancel()
	added, err := wh.q.AddUpdates(ctx, []int64{id}, [][]byte{body})
	if err != nil {
		wh.log.Warn("cannot store a webhook update; Telegram will deliver it again", "update_id", id, "err", err)
		wh.tellUnavailable(context.WithoutCancel(ctx), id, body)
		status := http.StatusServiceUnavailable
		if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
			status = http.StatusRequestTimeout
		}
		http.Error(w, "temporarily unavailable", status)
		return
	}
	wh.obs.Persisted("webhook", 1, added)
	w.WriteHeader(http.StatusOK)
}

func (wh *Webhook) tellUnavailable(ctx context.Context, id int64, body []byte) {
	if wh.notices == nil {
		return
	}
	wh.mu.Lock()
	if wh.told[id] {
		wh.mu.Unlock()
		return
	}
	if len(wh.told) > 10000 {
		clear(wh.told)
	}
	wh.told[id] = true
	wh.mu.Unlock()
	if u, err := bot.DecodeUpdate(body); err == nil {
		wh.notices.Unavailable(ctx, u)
	}
}
