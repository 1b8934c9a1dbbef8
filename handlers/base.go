package handlers

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// Telegram is what the conversations need of the Bot API.
type Telegram interface {
	Username() string
	Self() tgbotapi.User
	SendText(ctx context.Context, chatID int64, text string, kb bot.Keyboard) (int, error)
	EditText(ctx context.Context, chatID int64, messageID int, text string, kb bot.Keyboard) error
	SendContent(ctx context.Context, chatID int64, c redaktor.Content) ([]int, error)
	Answer(ctx context.Context, callbackID, text string, alert bool) error
	Chat(ctx context.Context, ref string) (tgbotapi.Chat, error)
	ChatMember(ctx context.Context, chatID, userID int64) (tgbotapi.ChatMember, error)
	SendPhotoFile(ctx context.Context, chatID int64, name string, data []byte, caption string) (int, error)
	SendDocument(ctx context.Context, chatID int64, name string, data []byte, caption string) (int, error)
	// The command menus: the default one, and a person's own (menus.go).
	SetCommands(ctx context.Context, lang string, cmds []bot.Command) error
	SetChatCommands(ctx context.Context, chatID int64, cmds []bot.Command) error
	DeleteChatCommands(ctx context.Context, chatID int64) error
}

// baseStore is what every feature reads of people and pages: who stands
// where, and whom to tell.
type baseStore interface {
	Role(ctx context.Context, pageID string, userID int64) (redaktor.Role, error)
	Membership(ctx context.Context, pageID string, userID int64) (redaktor.Page, redaktor.Role, error)
	Page(ctx context.Context, pageID string) (redaktor.Page, error)
	UserPages(ctx context.Context, userID int64) ([]redaktor.Page, []redaktor.Role, error)
	SaveUser(ctx context.Context, u redaktor.User) error
	User(ctx context.Context, userID int64) (redaktor.User, error)
	Team(ctx context.Context, pageID string) ([]redaktor.Member, map[int64]redaktor.User, error)
	ClearSession(ctx context.Context, userID int64) error
}

// base is what every feature shares: the clock, the texts, Telegram, the
// log, the admins, and the reads of who stands where.
type base struct {
	tg    Telegram
	store baseStore // roles read through adminRoles
	texts *Texts
	now   func() time.Time
	log   *slog.Logger
	cfg   Config
	admin map[int64]bool
	zones *sync.Map // time zone name → *time.Location
}

// who is the person behind an update, as the bot knows them.
type who struct {
	redaktor.User
	t tr
	// session is what the bot waits for from them, nil for nothing; read
	// with the person, in the same round trip.
	session *redaktor.Session
	// update is the update being handled, 0 for work no update started
	// (an album's assembly).
	update int64
	// known: the bot keeps a record of them (a team member, a former one,
	// an admin).
	known bool
}

// whoOf is a person the bot tells something, in their language.
func (b *base) whoOf(u redaktor.User) who { return who{User: u, t: b.texts.For(u.Lang)} }

// reply sends a plain text to the person; a failure is logged (there is
// no one else to tell).
func (b *base) reply(ctx context.Context, p who, text string) {
	b.send(ctx, p.ID, text, nil)
}

func (b *base) send(ctx context.Context, chatID int64, text string, kb bot.Keyboard) int {
	id, err := b.tg.SendText(ctx, chatID, text, kb)
	if err != nil {
		b.log.Warn("send failed", "chat", chatID, "err", err)
	}
	return id
}

// sendOrEdit replaces the message messageID (0: none) or sends a new one.
func (b *base) sendOrEdit(ctx context.Context, p who, messageID int, text string, kb bot.Keyboard) {
	if messageID != 0 {
		err := b.tg.EditText(ctx, p.ID, messageID, text, kb)
		if err == nil {
			return
		}
		// The message may be gone or too old to edit: a new one replaces it.
		b.log.Debug("edit failed, sending anew", "chat", p.ID, "message", messageID, "err", err)
	}
	b.send(ctx, p.ID, text, kb)
}

// endSession ends the person's session once their answer is taken or no
// longer wanted. A failure is logged, not shown: what the person asked for
// is done, and the stale session ends by itself (redaktor.SessionTTL); an
// answer to it meanwhile is refused as stale (the post's revision moved on)
// or read again.
func (b *base) endSession(ctx context.Context, p who) {
	if err := b.store.ClearSession(ctx, p.ID); err != nil {
		b.log.Warn("end session", "user", p.ID, "err", err)
	}
}

// pageForShow reads a page whose title and time zone only decorate what is
// shown. When it cannot be read, the item is shown without them and the
// error is logged.
func (b *base) pageForShow(ctx context.Context, pageID string) redaktor.Page {
	page, err := b.store.Page(ctx, pageID)
	if err != nil {
		b.log.Warn("read page to show", "page", pageID, "err", err)
	}
	return page
}

// userToTell reads a person the bot is about to tell something. A person
// without a record (who never wrote to the bot, or asked to be forgotten)
// is skipped quietly; on any other failure the error is logged and the
// person skipped too: one unread record must not stop the others' news.
func (b *base) userToTell(ctx context.Context, userID int64) (redaktor.User, bool) {
	u, err := b.store.User(ctx, userID)
	switch {
	case err == nil:
		return u, true
	case !isNotFound(err):
		b.log.Warn("read a person to tell", "user", userID, "err", err)
	}
	return redaktor.User{}, false
}

// team reads a page's members and their records in one round trip; a
// failure is logged and nobody is told (the news is a side item of what
// was done).
func (b *base) team(ctx context.Context, pageID string) ([]redaktor.Member, map[int64]redaktor.User) {
	members, users, err := b.store.Team(ctx, pageID)
	if err := b.loggedIfCorrupt(err, "read the team", "page", pageID); err != nil {
		b.log.Warn("read the team", "page", pageID, "err", err)
		return nil, nil
	}
	return members, users
}

// loggedIfCorrupt logs a read that left out records it could not decode
// (what it read is used: reading again would not mend them) and returns
// nil for it; any other error is returned as it is.
func (b *base) loggedIfCorrupt(err error, what string, args ...any) error {
	if !errors.Is(err, redaktor.ErrCorrupt) {
		return err
	}
	b.log.Error(what+": records left out", append(args, "err", err)...)
	return nil
}

// chiefs returns the chief editors of a page as the bot knows them; a
// page left without one (its director left) has the admins instead, who
// may act as its chief editor until a successor joins.
func (b *base) chiefs(ctx context.Context, pageID string) []who {
	var out []who
	members, users := b.team(ctx, pageID) // none when unread: the admins stand in
	for _, m := range members {
		if u, ok := users[m.UserID]; ok && m.Role == redaktor.RoleChief {
			out = append(out, b.whoOf(u))
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, id := range b.cfg.AdminIDs {
		if u, ok := b.userToTell(ctx, id); ok {
			out = append(out, b.whoOf(u))
		}
	}
	return out
}

// tellTeam sends every member of a page a notice in their language.
func (b *base) tellTeam(ctx context.Context, page redaktor.Page, key string, data map[string]any) {
	members, users := b.team(ctx, page.ID)
	for _, m := range members {
		if u, ok := users[m.UserID]; ok {
			b.send(ctx, u.ID, b.texts.For(u.Lang).T(key, data), nil)
		}
	}
}

// tellChiefs sends each chief editor of the page but one (0: none left
// out) a text in their own language.
func (b *base) tellChiefs(ctx context.Context, page redaktor.Page, except int64, text func(tr) string) {
	members, users := b.team(ctx, page.ID)
	for _, m := range members {
		if m.Role != redaktor.RoleChief || m.UserID == except {
			continue
		}
		b.send(ctx, m.UserID, text(b.texts.For(users[m.UserID].Lang)), nil)
	}
}

// currentPage returns the person's current page and their role on it. A
// person on exactly one page has it as current without choosing.
func (b *base) currentPage(ctx context.Context, p who) (redaktor.Page, redaktor.Role, error) {
	if p.CurrentPage != "" {
		page, role, err := b.store.Membership(ctx, p.CurrentPage, p.ID)
		if err != nil && !isNotFound(err) {
			return redaktor.Page{}, "", err
		}
		if err == nil && role != "" {
			return page, role, nil
		}
	}
	pages, roles, err := b.store.UserPages(ctx, p.ID)
	if err != nil || len(pages) == 0 {
		return redaktor.Page{}, "", err
	}
	p.CurrentPage = pages[0].ID
	if err := b.store.SaveUser(ctx, p.User); err != nil {
		return redaktor.Page{}, "", err
	}
	return pages[0], roles[0], nil
}

// memberPage returns the person's current page and role; a person on no
// page is told how to join and ok is false.
func (b *base) memberPage(ctx context.Context, p who) (redaktor.Page, redaktor.Role, bool, error) {
	page, role, err := b.currentPage(ctx, p)
	switch {
	case err != nil:
		return page, role, false, err
	case page.ID == "" && b.admin[p.ID]:
		b.reply(ctx, p, p.t.T("admin_choose_page"))
		return page, role, false, nil
	case page.ID == "":
		b.reply(ctx, p, p.t.T("command_unavailable"))
		return page, role, false, nil
	}
	return page, role, true, nil
}

// chiefPage returns the current page if the person is its chief editor;
// otherwise it answers them and ok is false.
func (b *base) chiefPage(ctx context.Context, p who) (redaktor.Page, bool, error) {
	page, role, ok, err := b.memberPage(ctx, p)
	if !ok {
		return page, false, err
	}
	if role != redaktor.RoleChief {
		b.reply(ctx, p, p.t.T("chief_only", map[string]any{"Page": page.Title}))
		return page, false, nil
	}
	return page, true, nil
}

// pressedByChief reads the page a button names and checks, on every press,
// that the presser is its chief editor (an admin counts as one). When not,
// ok is false and answer is what the press is answered.
func (b *base) pressedByChief(ctx context.Context, p who, pageID string) (page redaktor.Page, answer string, ok bool, err error) {
	page, role, err := b.store.Membership(ctx, pageID, p.ID)
	switch {
	case isNotFound(err):
		return page, p.t.T("button_stale"), false, nil
	case err != nil:
		return page, "", false, err
	case role != redaktor.RoleChief:
		return page, p.t.T("not_allowed"), false, nil
	}
	return page, "", true, nil
}

// pageLoc is the page's time zone. Zones are kept once loaded:
// time.LoadLocation reads the zone file from disk on every call, and every
// card shows times.
func (b *base) pageLoc(page redaktor.Page) *time.Location {
	if loc, ok := b.zones.Load(page.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc := page.Location(b.cfg.Location)
	b.zones.Store(page.TimeZone, loc)
	return loc
}

// adminRoles is the store as the desk sees it: an admin counts as chief
// editor of every page that exists, wherever a role is read (commands,
// presses, cards, answers), always on the page the item belongs to. So
// no page is orphaned when its director leaves. Membership itself is
// untouched: an admin on no team gets no team notices.
type adminRoles struct {
	baseStore
	admin map[int64]bool
}

func (s adminRoles) Role(ctx context.Context, pageID string, userID int64) (redaktor.Role, error) {
	role, err := s.baseStore.Role(ctx, pageID, userID)
	if err != nil || !s.admin[userID] {
		return role, err
	}
	if _, err := s.baseStore.Page(ctx, pageID); err != nil {
		if isNotFound(err) {
			return role, nil
		}
		return role, err
	}
	return redaktor.RoleChief, nil
}

func (s adminRoles) Membership(ctx context.Context, pageID string, userID int64) (redaktor.Page, redaktor.Role, error) {
	page, role, err := s.baseStore.Membership(ctx, pageID, userID)
	if err == nil && s.admin[userID] {
		role = redaktor.RoleChief
	}
	return page, role, err
}

// adminView is a post button's read as an admin sees it: chief editor of
// the post's page.
func adminView(admin map[int64]bool, userID int64, pr redaktor.Press) redaktor.Press {
	if pr.ViewErr == nil && admin[userID] && pr.View.Page.ID != "" {
		pr.View.Role = redaktor.RoleChief
	}
	return pr
}

func isNotFound(err error) bool { return errors.Is(err, redaktor.ErrNotFound) }
