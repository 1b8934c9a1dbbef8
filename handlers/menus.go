package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// menuKind is what a person is to the bot, as far as their command menu
// and /help go: the commands they may use, no others.
type menuKind string

const (
	// menuPublic is a stranger's or a subscriber's: the default menu of
	// every private chat, so that neither needs a menu of their own (the
	// bot keeps nothing of them).
	menuPublic    menuKind = "public"
	menuModerator menuKind = "moderator"
	menuChief     menuKind = "chief"
	// menuAdmin is the district's admin's: pages, and a chief editor's
	// commands for the page they act on.
	menuAdmin menuKind = "admin"
)

// menuCommands are each kind's commands, in menu order.
var menuCommands = map[menuKind][]string{
	menuPublic:    {"subscriptions", "stop", "forgetme", "help"},
	menuModerator: {"drafts", "plan", "queue", "pending", "check", "stats", "team", "pages", "cancel", "privacy", "forgetme", "help"},
	menuChief: {"drafts", "pending", "queue", "plan", "slots", "remind", "check", "stats", "team", "invite", "channel", "subscribers",
		"audit", "pages", "cancel", "privacy", "forgetme", "help"},
	menuAdmin: {"newpage", "pages", "pending", "queue", "plan", "slots", "remind", "team", "invite", "channel", "subscribers", "audit",
		"check", "stats", "cancel", "privacy", "forgetme", "help"},
}

// Menu is the default command menu in a language ("" for Russian, "en"):
// a stranger's and a subscriber's.
func (t *Texts) Menu(lang string) []bot.Command { return t.menu(menuPublic, t.For(lang)) }

func (t *Texts) menu(kind menuKind, tt tr) []bot.Command {
	names := menuCommands[kind]
	out := make([]bot.Command, len(names))
	for i, c := range names {
		out[i] = bot.Command{Name: c, Description: tt.T("cmd_" + c)}
	}
	return out
}

// helpText is /help for a kind of person: what the bot does for them and
// their menu's commands.
func (t *Texts) helpText(kind menuKind, tt tr) string {
	var b strings.Builder
	b.WriteString(tt.T("help_" + string(kind)))
	b.WriteString("\n\n" + tt.T("help_commands"))
	for _, c := range t.menu(kind, tt) {
		fmt.Fprintf(&b, "\n/%s — %s", c.Name, c.Description)
	}
	if kind == menuPublic {
		b.WriteString("\n\n" + tt.T("help_privacy"))
	}
	return b.String()
}

// menuKindOf reads what a person is: an admin, else the highest role they
// hold on any page, else public.
func (b *base) menuKindOf(ctx context.Context, userID int64) (menuKind, error) {
	if b.admin[userID] {
		return menuAdmin, nil
	}
	_, roles, err := b.store.UserPages(ctx, userID)
	if err != nil {
		return "", fmt.Errorf("read the person's pages: %w", err)
	}
	kind := menuPublic
	for _, r := range roles {
		switch r {
		case redaktor.RoleChief:
			return menuChief, nil
		case redaktor.RoleModerator:
			kind = menuModerator
		}
	}
	return kind, nil
}

// cmdHelp is /help as the person is.
func (b *base) cmdHelp(ctx context.Context, p who) error {
	kind, err := b.menuKindOf(ctx, p.ID)
	if err != nil {
		return err
	}
	b.reply(ctx, p, b.texts.helpText(kind, p.t))
	return nil
}

// refreshMenu gives a person the command menu of what they are now, in
// their language: a menu of their own chat when they are on a team or an
// admin, the default one otherwise. It is called where what they are
// changes (they join, their role changes, they are removed, they are
// forgotten) and at /start, not on every message. It is a side item of
// that change: a failure is logged, and the next /start or change mends it.
func (b *base) refreshMenu(ctx context.Context, userID int64, lang string) {
	kind, err := b.menuKindOf(ctx, userID)
	if err == nil {
		if kind == menuPublic {
			err = b.tg.DeleteChatCommands(ctx, userID)
		} else {
			err = b.tg.SetChatCommands(ctx, userID, b.texts.menu(kind, b.texts.For(lang)))
		}
	}
	if err != nil {
		b.log.Warn("set the person's command menu", "user", userID, "err", err)
	}
}

// refreshMenuOf is refreshMenu for a person the bot knows by id only (one
// whose role someone else changed): their language is read from their
// record; a person without one gets the Russian menu.
func (b *base) refreshMenuOf(ctx context.Context, userID int64) {
	u, err := b.store.User(ctx, userID)
	if err != nil && !isNotFound(err) {
		b.log.Warn("read the person for their menu", "user", userID, "err", err)
	}
	b.refreshMenu(ctx, userID, u.Lang)
}

// menusVersion names the menus of this version. Raise it when a kind's
// commands change: the first process to start with the new one sets every
// team member's menu anew (RefreshTeamMenus).
const menusVersion = "v1"

// menusLease bounds how long a process that died while setting the team's
// menus keeps others from doing it.
const menusLease = 10 * time.Minute

// menuStore is what setting the team's menus after an upgrade reads.
type menuStore interface {
	ClaimMenus(ctx context.Context, version string, lease time.Duration) (bool, error)
	MenusSet(ctx context.Context, version string) error
	ReleaseMenus(ctx context.Context, version string) error
	AllPages(ctx context.Context) ([]redaktor.Page, error)
}

// RefreshTeamMenus gives every team member the menu of what they are, once
// per menusVersion across all processes: people who joined before this
// version (or before its menus changed) would otherwise see the default
// menu, a parent's, until their next /start. It reads the district's pages
// and one team at a time; each person is set once, their role read afresh
// just before (a role changed meanwhile sets its own menu). A person who
// blocked the bot is logged and skipped. Run it beside the intake: the
// calls take their turns under Telegram's limit.
//
// The admins' own menus are set first, at every start: an admin is one by
// the configuration, which may have changed. That fails for an admin who
// never wrote to the bot: their /start sets it.
func (d *Desk) RefreshTeamMenus(ctx context.Context) {
	for _, id := range d.cfg.AdminIDs {
		d.refreshMenuOf(ctx, id)
	}
	ok, err := d.menus.ClaimMenus(ctx, menusVersion, menusLease)
	switch {
	case err != nil:
		d.log.Warn("claim the team's menus", "err", err)
		return
	case !ok:
		d.log.Debug("team menus were set before", "version", menusVersion)
		return
	}
	// Marked as set only once all are: a stop midway gives the claim up,
	// and the next start sets them again.
	finished := false
	defer func() {
		mark, record := context.WithoutCancel(ctx), d.menus.ReleaseMenus
		if finished {
			record = d.menus.MenusSet
		}
		if err := record(mark, menusVersion); err != nil {
			d.log.Warn("record the team's menus", "err", err)
		}
	}()
	pages, err := d.menus.AllPages(ctx)
	if err != nil {
		d.log.Warn("read the pages for the team's menus", "err", err)
		return
	}
	done := map[int64]bool{}
	for _, page := range pages {
		members, users := d.base.team(ctx, page.ID)
		for _, m := range members {
			if done[m.UserID] || ctx.Err() != nil {
				continue
			}
			done[m.UserID] = true
			d.refreshMenu(ctx, m.UserID, users[m.UserID].Lang)
		}
	}
	if ctx.Err() != nil {
		return
	}
	finished = true
	d.log.Info("team menus set", "version", menusVersion, "people", len(done))
}

// SetMenus sets the default menus (Russian, and English for people whose
// Telegram speaks it), once at start.
func (d *Desk) SetMenus(ctx context.Context) {
	for _, lang := range []string{"", "en"} {
		if err := d.tg.SetCommands(ctx, lang, d.texts.Menu(lang)); err != nil {
			d.log.Warn("set the default command menu", "lang", lang, "err", err)
		}
	}
}
