package handlers

import (
	"context"
	"fmt"
	"strings"

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

// subscriberStore is what the subscriber conversations keep in Redis.
type subscriberStore interface {
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
	PagesByID(ctx context.Context, ids []string) ([]redaktor.Page, error)
}

// Subscribers is a page's public side: people who follow it in the bot
// (the subscribe link, /stop, /subscriptions, blocking the bot) and the
// chief editor's /subscribers card.
type Subscribers struct {
	*base
	store subscriberStore
}

func (s *Subscribers) subscribeLink(code string) string {
	return "https://t.me/" + s.tg.Username() + "?start=" + subscribePrefix + code
}

// subscribeByCode is a person opening a page's public link.
func (s *Subscribers) subscribeByCode(ctx context.Context, p who, code string) error {
	pageID, err := s.store.PageByCode(ctx, code)
	if isNotFound(err) {
		s.reply(ctx, p, p.t.T("subscribe_unknown"))
		return nil
	}
	if err != nil {
		return err
	}
	page, err := s.base.store.Page(ctx, pageID)
	if err != nil {
		return err
	}
	already, err := s.store.Subscribe(ctx, pageID, p.ID, p.t.lang == "en")
	if err != nil {
		return err
	}
	key := "subscribe_done"
	if already {
		key = "subscribe_already"
	}
	s.reply(ctx, p, p.t.T(key, map[string]any{"Page": page.Title}))
	return nil
}

// cmdSubscribers shows a chief editor the page's subscribe link, the
// number of subscribers, the settings, and a QR code for a poster.
func (s *Subscribers) cmdSubscribers(ctx context.Context, p who) error {
	page, ok, err := s.chiefPage(ctx, p)
	if !ok {
		return err
	}
	code, err := s.store.SubscribeCode(ctx, page.ID, randomCode)
	if err != nil {
		return err
	}
	text, kb, err := s.subscribersCard(ctx, p.t, page, code)
	if err != nil {
		return err
	}
	s.send(ctx, p.ID, text, kb)
	link := s.subscribeLink(code)
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		s.log.Warn("make QR code", "page", page.ID, "err", err)
		return nil
	}
	if _, err := s.tg.SendPhotoFile(ctx, p.ID, "qr-"+page.ID+".png", png, p.t.T("subscribers_qr", map[string]any{"Page": page.Title, "Link": link})); err != nil {
		s.log.Warn("send QR code", "page", page.ID, "err", err)
	}
	return nil
}

func (s *Subscribers) subscribersCard(ctx context.Context, t tr, page redaktor.Page, code string) (string, bot.Keyboard, error) {
	active, inactive, err := s.store.SubscriberCounts(ctx, page.ID)
	if err != nil {
		return "", nil, err
	}
	aud, err := s.store.Audience(ctx, page.ID)
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
	text := t.T("subscribers_info", map[string]any{"Page": page.Title, "Link": s.subscribeLink(code),
		"Active": active, "Inactive": inactive, "Mode": mode})
	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(t.T(onKey), btnAudienceOn+":"+page.ID)),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(t.T(cpKey), btnAudienceCp+":"+page.ID)))
	return text, &kb, nil
}

// cmdStop unsubscribes: at once when the person follows one page, with a
// choice otherwise.
func (s *Subscribers) cmdStop(ctx context.Context, p who) error {
	pages, err := s.followedPages(ctx, p.ID)
	if err != nil {
		return err
	}
	switch len(pages) {
	case 0:
		s.reply(ctx, p, p.t.T("stop_none"))
	case 1:
		if _, err := s.store.Unsubscribe(ctx, pages[0].ID, p.ID); err != nil {
			return err
		}
		s.reply(ctx, p, p.t.T("stop_done", map[string]any{"Page": pages[0].Title}))
	default:
		return s.cmdSubscriptions(ctx, p)
	}
	return nil
}

// cmdSubscriptions lists the pages a person follows, each with a button
// to stop.
func (s *Subscribers) cmdSubscriptions(ctx context.Context, p who) error {
	pages, err := s.followedPages(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		s.reply(ctx, p, p.t.T("subscriptions_none"))
		return nil
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
	s.send(ctx, p.ID, b.String(), &kb)
	return nil
}

func (s *Subscribers) followedPages(ctx context.Context, userID int64) ([]redaktor.Page, error) {
	ids, err := s.store.Follows(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.store.PagesByID(ctx, ids)
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
func (s *Subscribers) subscriberPress(ctx context.Context, p who, q *tgbotapi.CallbackQuery) (string, error) {
	parts := strings.Split(q.Data, ":")
	if len(q.Data) > 64 || len(parts) < 2 || !numeric(parts[1]) {
		return p.t.T("button_stale"), nil
	}
	switch parts[0] {
	case btnStopPage:
		return s.onStopPress(ctx, p, parts[1])
	case btnAudienceOn, btnAudienceCp:
		return s.onAudiencePress(ctx, p, parts[0], parts[1], q.Message)
	}
	return p.t.T("button_stale"), nil
}

// onStopPress unsubscribes the presser. Anyone can forge the button for
// any page: the page is named only to the person who was subscribed, and
// an unknown page is answered as one they do not follow.
func (s *Subscribers) onStopPress(ctx context.Context, p who, pageID string) (string, error) {
	was, err := s.store.Unsubscribe(ctx, pageID, p.ID)
	if err != nil {
		return "", err
	}
	if !was {
		return p.t.T("stop_not_subscribed"), nil
	}
	page, err := s.base.store.Page(ctx, pageID)
	if err != nil {
		s.log.Warn("read the page of a stopped subscription", "page", pageID, "err", err)
		return p.t.T("done"), nil
	}
	s.reply(ctx, p, p.t.T("stop_done", map[string]any{"Page": page.Title}))
	return "", nil
}

func (s *Subscribers) onAudiencePress(ctx context.Context, p who, act, pageID string, m *tgbotapi.Message) (string, error) {
	page, answer, ok, err := s.pressedByChief(ctx, p, pageID)
	if !ok {
		return answer, err
	}
	aud, err := s.store.Audience(ctx, pageID)
	if err != nil {
		return "", err
	}
	if act == btnAudienceOn {
		aud.Off = !aud.Off
	} else {
		aud.Copy = !aud.Copy
	}
	if err := s.store.SetAudience(ctx, pageID, aud); err != nil {
		return "", err
	}
	// The setting is stored: handled again, the press would turn it back.
	// What follows only redraws the card, and a failure is logged.
	if m != nil {
		s.redrawSubscribersCard(ctx, p, page, m.MessageID)
	}
	return p.t.T("done"), nil
}

// redrawSubscribersCard shows the /subscribers card as it is now in the
// message pressed.
func (s *Subscribers) redrawSubscribersCard(ctx context.Context, p who, page redaktor.Page, messageID int) {
	code, err := s.store.SubscribeCode(ctx, page.ID, randomCode)
	if err != nil {
		s.log.Warn("read the subscribe code to redraw its card", "page", page.ID, "err", err)
		return
	}
	text, kb, err := s.subscribersCard(ctx, p.t, page, code)
	if err != nil {
		s.log.Warn("read the subscribers card", "page", page.ID, "err", err)
		return
	}
	if err := s.tg.EditText(ctx, p.ID, messageID, text, kb); err != nil {
		s.log.Debug("refresh subscribers card", "err", err)
	}
}

// onMyChatMember follows a person blocking the bot (their subscriptions
// become inactive) and unblocking it (they become active again).
func (s *Subscribers) onMyChatMember(ctx context.Context, m *tgbotapi.ChatMemberUpdated) error {
	if m.Chat.Type != "private" {
		return nil
	}
	userID := m.Chat.ID
	switch m.NewChatMember.Status {
	case "kicked":
		pages, err := s.store.DeactivateSubscriber(ctx, userID)
		if err != nil {
			return fmt.Errorf("deactivate subscriber %d: %w", userID, err)
		}
		if len(pages) > 0 {
			s.log.Info("subscriber blocked the bot", "user", userID, "pages", len(pages))
		}
	case "member":
		if m.OldChatMember.Status != "kicked" {
			return nil
		}
		pages, err := s.store.ReactivateSubscriber(ctx, userID)
		if err != nil {
			return fmt.Errorf("reactivate subscriber %d: %w", userID, err)
		}
		if len(pages) == 0 {
			return nil
		}
		t := s.texts.For("")
		if u, ok := s.userToTell(ctx, userID); ok {
			t = s.texts.For(u.Lang)
		} else if en, err := s.store.SubscriberEnglish(ctx, userID); err != nil {
			s.log.Warn("read a subscriber's language", "user", userID, "err", err)
		} else if en {
			t = s.texts.For("en") // a subscriber has no record: the page keeps their language
		}
		var titles []string
		named, err := s.store.PagesByID(ctx, pages)
		if err != nil {
			s.log.Warn("read the pages to name them", "user", userID, "err", err)
		}
		for _, page := range named {
			titles = append(titles, "«"+page.Title+"»")
		}
		s.send(ctx, userID, t.T("subscriptions_back", map[string]any{"Pages": strings.Join(titles, ", ")}), nil)
	}
	return nil
}
