package handlers

import (
	"context"
	"strings"

	"github.com/redaktor/redaktor"
)

// cmdSlots shows the page's posting slots; with arguments (or as the next
// message) a chief editor sets new ones.
func (d *Desk) cmdSlots(ctx context.Context, p who, args string) {
	page, ok := d.chiefPage(ctx, p)
	if !ok {
		return
	}
	if args != "" {
		d.setSlots(ctx, p, page, args)
		return
	}
	if err := d.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionSlots, PageID: page.ID}); err != nil {
		d.fail(ctx, p, err)
		return
	}
	slots := page.Slots
	if len(slots) == 0 {
		slots = redaktor.DefaultSlots()
	}
	d.reply(ctx, p, p.t.T("slots_now", map[string]any{"Page": page.Title, "Slots": slots.String(p.t.lang)})+"\n"+p.t.T("cancel_hint"))
}

func (d *Desk) onSlotsAnswer(ctx context.Context, p who, se redaktor.Session, text string) {
	role, err := d.store.Role(ctx, se.PageID, p.ID)
	if err != nil || role != redaktor.RoleChief {
		d.endSession(ctx, p)
		d.reply(ctx, p, p.t.T("not_allowed"))
		return
	}
	page, err := d.store.Page(ctx, se.PageID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if d.setSlots(ctx, p, page, text) {
		d.endSession(ctx, p)
	}
}

func (d *Desk) setSlots(ctx context.Context, p who, page redaktor.Page, text string) bool {
	slots, err := redaktor.ParseSlots(strings.TrimSpace(text))
	if err != nil {
		d.reply(ctx, p, p.t.T("slots_unreadable"))
		return false
	}
	page, err = d.store.EditPage(ctx, page.ID, func(pg *redaktor.Page) bool { pg.Slots = slots; return true })
	if err != nil {
		d.fail(ctx, p, err)
		return false
	}
	d.reply(ctx, p, p.t.T("slots_set", map[string]any{"Page": page.Title, "Slots": slots.String(p.t.lang)}))
	return true
}
