package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// subscribePrefix marks a page's public subscribe link in a /start deep
// link (team invites use invitePrefix).
const subscribePrefix = "s_"

// Subscriber buttons. They have their own prefixes, parsed here.
const (
	btnStopPage   = "sx" // sx:pageID       the presser unsubscribes
	btnAudienceOn = "sa" // sa:pageID       chief: subscribers on/off
	btnAudienceCp = "sc" // sc:pageID       chief: forwards or copies
)

// subscribers is what the subscriber conversations keep in Redis.
type subscribers interface {
	Subscribe(ctx context.Context, pageID string, userID int64, english bool) (bool, error)
	Unsubscribe(ctx context.Context, pageID string, userID int64) (bool, error)
	Subscribed(ctx context.Context, pageID string, userID int64) (bool, error)
	Follows(ctx context.Context, userID int64) ([]string, error)
	SubscriberEnglish(ctx context.Context, userID int64) (bool, error)
	SubscriberCounts(ctx context.Context, pageID string) (int64, int64, error)
	Audience(ctx context.Context, pageID string) (redaktor.Audience, error)
	SetAudience(ctx context.Context, pageID string, a redaktor.Audience) error
	SubscribeCode(ctx context.Context, pageID string, newCode func() string) (string, error)
	PageByCode(ctx context.Context, code string) (string, error)
	DeactivateSubscriber(ctx context.Context, userID int64) ([]string, error)
	ReactivateSubscriber(ctx context.Context, userID int64) ([]string, error)
	ProgressMessage(ctx context.Context, postID string, chatID int64) (int, error)
	SetProgressMessage(ctx context.Context, postID string, chatID int64, messageID int) error
}

func (d *Desk) subscribeLink(code string) string {
	return "https://t.me/" + d.tg.Username() + "?start=" + subscribePrefix + code
}

// subscribeByCode is a person opening a page's public link.
func (d *Desk) subscribeByCode(ctx context.Context, p who, code string) {
	pageID, err := d.store.PageByCode(ctx, code)
	if isNotFound(err) {
		d.reply(ctx, p, p.t.T("subscribe_unknown"))
		return
	}
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	page, err := d.store.Page(ctx, pageID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	already, err := d.store.Subscribe(ctx, pageID, p.ID, p.t.lang == "en")
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	key := "subscribe_done"
	if already {
		key = "subscribe_already"
	}
	d.reply(ctx, p, p.t.T(key, map[string]any{"Page": page.Title}))
}

// cmdSubscribers shows a chief editor the page's subscribe link, the
// number of subscribers, the settings, and a QR code for a poster.
func (d *Desk) cmdSubscribers(ctx context.Context, p who) {
	page, ok := d.chiefPage(ctx, p)
	if !ok {
		return
	}
	code, err := d.store.SubscribeCode(ctx, page.ID, randomCode)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	text, kb, err := d.subscribersCard(ctx, p.t, page, code)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	d.send(ctx, p.ID, text, kb)
	link := d.subscribeLink(code)
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		d.log.Warn("make QR code", "err", err)
		return
	}
	if _, err := d.tg.SendPhotoFile(ctx, p.ID, "qr-"+page.ID+".png", png, p.t.T("subscribers_qr", map[string]any{"Page": page.Title, "Link": link})); err != nil {
		d.log.Warn("send QR code", "err", err)
	}
}

func (d *Desk) subscribersCard(ctx context.Context, t tr, page redaktor.Page, code string) (string, bot.Keyboard, error) {
	active, inactive, err := d.store.SubscriberCounts(ctx, page.ID)
	if err != nil {
		return "", nil, err
	}
	aud, err := d.store.Audience(ctx, page.ID)
	if err != nil {
		return "", nil, err
	}
	mode, onKey, cpKey := t.T("subscribers_mode_forward"), "btn_subs_off", "btn_subs_copy"
	if aud.Copy {
		mode, cpKey = t.T("subscribers_mode_copy"), "btn_subs_forward"
	}
	if aud.Off {
		mode, onKey = t.T("subscribers_mode_off"), "btn_subs_on"
	}
	text := t.T("subscribers_info", map[string]any{"Page": page.Title, "Link": d.subscribeLink(code),
		"Active": active, "Inactive": inactive, "Mode": mode})
	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(t.T(onKey), btnAudienceOn+":"+page.ID)),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(t.T(cpKey), btnAudienceCp+":"+page.ID)))
	return text, &kb, nil
}

// cmdStop unsubscribes: at once when the person follows one page, with a
// choice otherwise.
func (d *Desk) cmdStop(ctx context.Context, p who) {
	pages, err := d.followedPages(ctx, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	switch len(pages) {
	case 0:
		d.reply(ctx, p, p.t.T("stop_none"))
	case 1:
		if _, err := d.store.Unsubscribe(ctx, pages[0].ID, p.ID); err != nil {
			d.fail(ctx, p, err)
			return
		}
		d.reply(ctx, p, p.t.T("stop_done", map[string]any{"Page": pages[0].Title}))
	default:
		d.cmdSubscriptions(ctx, p)
	}
}

// cmdSubscriptions lists the pages a person follows, each with a button
// to stop.
func (d *Desk) cmdSubscriptions(ctx context.Context, p who) {
	pages, err := d.followedPages(ctx, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if len(pages) == 0 {
		d.reply(ctx, p, p.t.T("subscriptions_none"))
		return
	}
	var b strings.Builder
	b.WriteString(p.t.T("subscriptions_title"))
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, page := range pages {
		b.WriteString("\n• " + page.Title)
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			p.t.T("btn_stop_page", map[string]any{"Page": limitRunes(page.Title, 40)}), btnStopPage+":"+page.ID)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	d.send(ctx, p.ID, b.String(), &kb)
}

func (d *Desk) followedPages(ctx context.Context, userID int64) ([]redaktor.Page, error) {
	ids, err := d.store.Follows(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []redaktor.Page
	for _, pid := range ids {
		page, err := d.store.Page(ctx, pid)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, page)
	}
	return out, nil
}

// isSubscriberButton tells the presses handled here from the desk's own.
func isSubscriberButton(data string) bool {
	act, _, _ := strings.Cut(data, ":")
	switch act {
	case btnStopPage, btnAudienceOn, btnAudienceCp:
		return true
	}
	return false
}

// subscriberPress handles the presses of subscribers and the chief
// editor's subscriber settings, checking the presser's role on every one
// that changes a page. It returns the answer to the press.
func (d *Desk) subscriberPress(ctx context.Context, p who, q *tgbotapi.CallbackQuery) string {
	parts := strings.Split(q.Data, ":")
	if len(q.Data) > 64 || len(parts) < 2 || !numeric(parts[1]) {
		return p.t.T("button_stale")
	}
	switch parts[0] {
	case btnStopPage:
		return d.onStopPress(ctx, p, parts[1])
	case btnAudienceOn, btnAudienceCp:
		return d.onAudiencePress(ctx, p, parts[0], parts[1], q.Message)
	}
	return p.t.T("button_stale")
}

// onStopPress unsubscribes the presser. Anyone can forge the button for
// any page: the page is named only to the person who was subscribed, and
// an unknown page is answered as one they do not follow.
func (d *Desk) onStopPress(ctx context.Context, p who, pageID string) string {
	was, err := d.store.Unsubscribe(ctx, pageID, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if !was {
		return p.t.T("stop_not_subscribed")
	}
	page, err := d.store.Page(ctx, pageID)
	if err != nil {
		d.log.Warn("read the page of a stopped subscription", "page", pageID, "err", err)
		return p.t.T("done")
	}
	d.reply(ctx, p, p.t.T("stop_done", map[string]any{"Page": page.Title}))
	return ""
}

func (d *Desk) onAudiencePress(ctx context.Context, p who, act, pageID string, m *tgbotapi.Message) string {
	page, answer, ok := d.pressedByChief(ctx, p, pageID)
	if !ok {
		return answer
	}
	aud, err := d.store.Audience(ctx, pageID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if act == btnAudienceOn {
		aud.Off = !aud.Off
	} else {
		aud.Copy = !aud.Copy
	}
	if err := d.store.SetAudience(ctx, pageID, aud); err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	code, err := d.store.SubscribeCode(ctx, pageID, randomCode)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	text, kb, err := d.subscribersCard(ctx, p.t, page, code)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if m != nil {
		if err := d.tg.EditText(ctx, p.ID, m.MessageID, text, kb); err != nil {
			d.log.Debug("refresh subscribers card", "err", err)
		}
	}
	return p.t.T("done")
}

// onUrgentPress publishes a post now and marks it urgent: its broadcast
// goes before every other.
// urgentButton is the review card's "publish now, urgent" button.
func urgentButton(t tr, post redaktor.Post) tgbotapi.InlineKeyboardButton {
	return tgbotapi.NewInlineKeyboardButtonData(t.T("btn_publish_urgent"), postData(btnUrgent, post))
}

// onMyChatMember follows a person blocking the bot (their subscriptions
// become inactive) and unblocking it (they become active again).
func (d *Desk) onMyChatMember(ctx context.Context, m *tgbotapi.ChatMemberUpdated) {
	if m.Chat.Type != "private" {
		return
	}
	userID := m.Chat.ID
	switch m.NewChatMember.Status {
	case "kicked":
		pages, err := d.store.DeactivateSubscriber(ctx, userID)
		if err != nil {
			d.log.Warn("deactivate subscriber", "user", userID, "err", err)
			return
		}
		if len(pages) > 0 {
			d.log.Info("subscriber blocked the bot", "user", userID, "pages", len(pages))
		}
	case "member":
		if m.OldChatMember.Status != "kicked" {
			return
		}
		pages, err := d.store.ReactivateSubscriber(ctx, userID)
		if err != nil {
			d.log.Warn("reactivate subscriber", "user", userID, "err", err)
			return
		}
		if len(pages) == 0 {
			return
		}
		t := d.texts.For("")
		if u, ok := d.userToTell(ctx, userID); ok {
			t = d.texts.For(u.Lang)
		} else if en, err := d.store.SubscriberEnglish(ctx, userID); err != nil {
			d.log.Warn("read a subscriber's language", "user", userID, "err", err)
		} else if en {
			t = d.texts.For("en") // a subscriber has no record: the page keeps their language
		}
		var titles []string
		for _, pid := range pages {
			page, err := d.store.Page(ctx, pid)
			if err != nil {
				d.log.Warn("read a page to name it", "page", pid, "err", err)
				continue
			}
			titles = append(titles, "«"+page.Title+"»")
		}
		d.send(ctx, userID, t.T("subscriptions_back", map[string]any{"Pages": strings.Join(titles, ", ")}), nil)
	}
}

// StopButton is the button under an announcement copy, in the
// subscriber's language: it unsubscribes the person who presses it.
func (d *Desk) StopButton(pageID, lang string) bot.Keyboard {
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(d.texts.For(lang).T("btn_stop"), btnStopPage+":"+pageID)))
	return &kb
}

// BroadcastProgress shows every chief editor of the page one message with
// the broadcast's progress, edited as it goes, and a report at the end.
func (d *Desk) BroadcastProgress(ctx context.Context, b redaktor.Broadcast, page redaktor.Page, final bool) {
	for _, c := range d.chiefs(ctx, page.ID) {
		text := d.progressText(c.t, b, page, final)
		msgID, err := d.store.ProgressMessage(ctx, b.PostID, c.ID)
		if err != nil {
			d.log.Warn("read progress message", "err", err)
			continue
		}
		if msgID != 0 {
			if err := d.tg.EditText(ctx, c.ID, msgID, text, nil); err != nil {
				d.log.Debug("edit progress", "chat", c.ID, "err", err)
			}
		}
		if msgID == 0 || final {
			// A new message at the end, too: an edit does not notify.
			id := d.send(ctx, c.ID, text, nil)
			if id != 0 && msgID == 0 {
				if err := d.store.SetProgressMessage(ctx, b.PostID, c.ID, id); err != nil {
					d.log.Warn("remember progress message", "err", err)
				}
			}
		}
	}
}

func (d *Desk) progressText(t tr, b redaktor.Broadcast, page redaktor.Page, final bool) string {
	data := map[string]any{"ID": b.PostID, "Page": page.Title, "Delivered": b.Delivered, "Total": b.Total,
		"Remaining": b.Remaining(), "Inactive": b.Inactive, "Failed": b.Failed, "Resent": b.Resent}
	var s string
	if final {
		data["Took"] = clockDuration(b.FinishedAt.Sub(b.StartedAt))
		s = t.T("broadcast_done", data)
	} else {
		data["ETA"] = t.T("broadcast_eta_unknown")
		now := d.now()
		if done, took := b.Processed(), now.Sub(b.StartedAt); done > 0 && took > 0 {
			left := time.Duration(float64(took) / float64(done) * float64(b.Remaining()))
			data["ETA"] = now.Add(left).In(d.pageLoc(page)).Format("15:04:05")
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
