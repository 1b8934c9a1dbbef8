package handlers

import (
	"context"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// cmdSlots shows the page's posting times with a Change button; with
// arguments a chief editor sets new ones at once. /slots alone waits for
// nothing: the next message is whatever the person meant it to be (a
// post), not taken as the times. Only Change asks for them.
func (r *Review) cmdSlots(ctx context.Context, p who, args string) error {
	page, ok, err := r.chiefPage(ctx, p)
	if !ok {
		return err
	}
	if args != "" {
		_, err := r.setSlots(ctx, p, page, args)
		return err
	}
	slots := page.Slots
	if len(slots) == 0 {
		slots = redaktor.DefaultSlots()
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_slots_change"), btnSlots+":"+page.ID)))
	r.send(ctx, p.ID, p.t.T("slots_now", map[string]any{"Page": page.Title, "Slots": slots.String(p.t.lang)}), &kb)
	return nil
}

// onSlotsPress is Change under /slots: the presser must be the chief
// editor of the page the button names, checked on this press; then the
// bot waits for the new times.
func (r *Review) onSlotsPress(ctx context.Context, p who, pr press) (string, error) {
	page, answer, ok, err := r.pressedByChief(ctx, p, pr.pageID)
	if !ok {
		return answer, err
	}
	if err := r.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionSlots, PageID: page.ID}); err != nil {
		return "", err
	}
	r.reply(ctx, p, p.t.T("slots_ask", map[string]any{"Page": page.Title})+"\n"+p.t.T("cancel_hint"))
	return "", nil
}

func (r *Review) onSlotsAnswer(ctx context.Context, p who, se redaktor.Session, text string) error {
	role, err := r.base.store.Role(ctx, se.PageID, p.ID)
	if err != nil {
		return err
	}
	if role != redaktor.RoleChief {
		r.endSession(ctx, p)
		r.reply(ctx, p, p.t.T("not_allowed"))
		return nil
	}
	page, err := r.base.store.Page(ctx, se.PageID)
	if err != nil {
		return err
	}
	set, err := r.setSlots(ctx, p, page, text)
	if set {
		r.endSession(ctx, p)
	}
	return err
}

// setSlots sets the page's slots from text; set is false when the person
// was told the text cannot be read.
func (r *Review) setSlots(ctx context.Context, p who, page redaktor.Page, text string) (set bool, err error) {
	slots, err := redaktor.ParseSlots(strings.TrimSpace(text))
	if err != nil {
		r.reply(ctx, p, p.t.T("slots_unreadable"))
		return false, nil
	}
	page, err = r.store.EditPage(ctx, page.ID, func(pg *redaktor.Page) bool { pg.Slots = slots; return true })
	if err != nil {
		return false, err
	}
	r.reply(ctx, p, p.t.T("slots_set", map[string]any{"Page": page.Title, "Slots": slots.String(p.t.lang)}))
	return true, nil
}
