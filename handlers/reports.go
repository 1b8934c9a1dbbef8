package handlers

import (
	"context"
	"fmt"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// reportStore is what a broadcast's report keeps in Redis: which message
// of each chief editor shows its progress.
type reportStore interface {
	ProgressMessage(ctx context.Context, postID string, chatID int64) (int, error)
	SetProgressMessage(ctx context.Context, postID string, chatID int64, messageID int) error
}

// BroadcastReports shows the chief editors how a post's broadcast to the
// page's subscribers goes (broadcast.Reporter).
type BroadcastReports struct {
	*base
	store reportStore
}

// StopButton is the button under an announcement copy, in the
// subscriber's language: it unsubscribes the person who presses it.
func (r *BroadcastReports) StopButton(pageID, lang string) bot.Keyboard {
	return stopButton(r.texts, pageID, lang)
}

func stopButton(texts *Texts, pageID, lang string) bot.Keyboard {
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(texts.For(lang).T("btn_stop"), btnStopPage+":"+pageID)))
	return &kb
}

// BroadcastProgress shows every chief editor of the page one message with
// the broadcast's progress, edited as it goes, and a report at the end.
func (r *BroadcastReports) BroadcastProgress(ctx context.Context, b redaktor.Broadcast, page redaktor.Page, final bool) {
	for _, c := range r.chiefs(ctx, page.ID) {
		text := r.progressText(c.t, b, page, final)
		msgID, err := r.store.ProgressMessage(ctx, b.PostID, c.ID)
		if err != nil {
			r.log.Warn("read progress message", "err", err)
			continue
		}
		if msgID != 0 {
			if err := r.tg.EditText(ctx, c.ID, msgID, text, nil); err != nil {
				r.log.Debug("edit progress", "chat", c.ID, "err", err)
			}
		}
		if msgID == 0 || final {
			// A new message at the end, too: an edit does not notify.
			id := r.send(ctx, c.ID, text, nil)
			if id != 0 && msgID == 0 {
				if err := r.store.SetProgressMessage(ctx, b.PostID, c.ID, id); err != nil {
					r.log.Warn("remember progress message", "err", err)
				}
			}
		}
	}
}

func (r *BroadcastReports) progressText(t tr, b redaktor.Broadcast, page redaktor.Page, final bool) string {
	data := map[string]any{"ID": b.PostID, "Page": page.Title, "Delivered": b.Delivered, "Total": b.Total,
		"Remaining": b.Remaining(), "Inactive": b.Inactive, "Failed": b.Failed, "Resent": b.Resent}
	var s string
	if final {
		data["Took"] = clockDuration(b.FinishedAt.Sub(b.StartedAt))
		s = t.T("broadcast_done", data)
	} else {
		data["ETA"] = t.T("broadcast_eta_unknown")
		now := r.now()
		if done, took := b.Processed(), now.Sub(b.StartedAt); done > 0 && took > 0 {
			left := time.Duration(float64(took) / float64(done) * float64(b.Remaining()))
			data["ETA"] = now.Add(left).In(r.pageLoc(page)).Format("15:04:05")
		}
		s = t.T("broadcast_progress", data)
	}
	if b.Urgent {
		s = t.T("broadcast_urgent") + " " + s
	}
	if b.Resent > 0 {
		s += "\n" + t.T("broadcast_resent", data)
	}
	return s
}

// clockDuration shows a duration as h:mm:ss or m:ss.
func clockDuration(d time.Duration) string {
	d = max(0, d.Round(time.Second))
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
