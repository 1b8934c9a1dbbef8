package handlers

import (
	"context"

	"github.com/redaktor/redaktor"
)

// endSession ends the person's session once their answer is taken or no
// longer wanted. A failure is logged, not shown: what the person asked for
// is done, and the stale session ends by itself (redaktor.SessionTTL); an
// answer to it meanwhile is refused as stale (the post's revision moved on)
// or read again.
func (d *Desk) endSession(ctx context.Context, p who) {
	if err := d.store.ClearSession(ctx, p.ID); err != nil {
		d.log.Warn("end session", "user", p.ID, "err", err)
	}
}

// pageForShow reads a page whose title and time zone only decorate what is
// shown. When it cannot be read, the item is shown without them and the
// error is logged.
func (d *Desk) pageForShow(ctx context.Context, pageID string) redaktor.Page {
	page, err := d.store.Page(ctx, pageID)
	if err != nil {
		d.log.Warn("read page to show", "page", pageID, "err", err)
	}
	return page
}

// userToTell reads a person the bot is about to tell something. A person
// without a record (who never wrote to the bot, or asked to be forgotten)
// is skipped quietly; on any other failure the error is logged and the
// person skipped too: one unread record must not stop the others' news.
func (d *Desk) userToTell(ctx context.Context, userID int64) (redaktor.User, bool) {
	u, err := d.store.User(ctx, userID)
	switch {
	case err == nil:
		return u, true
	case !isNotFound(err):
		d.log.Warn("read a person to tell", "user", userID, "err", err)
	}
	return redaktor.User{}, false
}
