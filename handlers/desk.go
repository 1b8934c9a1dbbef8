// Package handlers holds redaktor's conversations: the page admin, the
// chief editor, the moderator. Each update is routed to a command, a
// button, an answer the bot was waiting for, or new content.
package handlers

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
	"github.com/redaktor/redaktor/quality"
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
}

// Store is what the conversations keep in Redis (implemented by
// storage.Store).
type Store interface {
	posts
	team
	sessions
	subscribers
	channels
	forgetter
	adminStore
	auditStore
}

type posts interface {
	NextID(ctx context.Context, kind string) (string, error)
	NewPostID(ctx context.Context, update int64) (postID, made string, err error)
	StartDraft(ctx context.Context, pageID string, userID, update int64, since time.Time, limit int64) (redaktor.DraftStart, error)
	ReadPress(ctx context.Context, userID int64, postID, pageID string, withHistory bool) (redaktor.Press, error)
	CreatePost(ctx context.Context, p redaktor.Post, from redaktor.Origin) error
	SavePost(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error
	SaveNewVersion(ctx context.Context, old, next redaktor.Post, ev redaktor.Event, userID, update int64) error
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	History(ctx context.Context, postID string) ([]redaktor.Event, error)
	UserPosts(ctx context.Context, userID int64, limit int64) ([]redaktor.Post, error)
	PendingPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error)
	QueuedPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error)
	ScheduledTimes(ctx context.Context, pageID string, from, to time.Time) (map[int64]bool, error)
	Posts(ctx context.Context, ids []string) ([]redaktor.Post, error)
	PublishedCount(ctx context.Context, pageID string, since time.Time) (int, error)
	PageActivity(ctx context.Context, pageID string, since, weekStart time.Time, limit int64) (redaktor.Activity, error)
	SetCard(ctx context.Context, pageID, postID string, c redaktor.Card) error
	Cards(ctx context.Context, postID string) ([]redaktor.Card, error)
	AddAlbumItem(ctx context.Context, userID int64, group string, it redaktor.AlbumItem, now time.Time, quiet time.Duration) error
	ReadyAlbums(ctx context.Context, now time.Time, pick redaktor.AlbumPick) ([]redaktor.ReadyAlbum, error)
	DropAlbum(ctx context.Context, ref redaktor.AlbumRef) error
}

type team interface {
	SavePage(ctx context.Context, p redaktor.Page) error
	EditPage(ctx context.Context, pageID string, change func(p *redaktor.Page) bool) (redaktor.Page, error)
	Page(ctx context.Context, pageID string) (redaktor.Page, error)
	Role(ctx context.Context, pageID string, userID int64) (redaktor.Role, error)
	Membership(ctx context.Context, pageID string, userID int64) (redaktor.Page, redaktor.Role, error)
	Members(ctx context.Context, pageID string) ([]redaktor.Member, error)
	UserPages(ctx context.Context, userID int64) ([]redaktor.Page, []redaktor.Role, error)
	SaveUser(ctx context.Context, u redaktor.User) error
	User(ctx context.Context, userID int64) (redaktor.User, error)
	SaveInvite(ctx context.Context, inv redaktor.Invite) error
	RedeemInvite(ctx context.Context, code string, userID int64, now time.Time) (redaktor.Invite, redaktor.Role, error)
}

type sessions interface {
	UserSession(ctx context.Context, userID int64) (redaktor.User, redaktor.Session, bool, error)
	SetSession(ctx context.Context, userID int64, se redaktor.Session) error
	Session(ctx context.Context, userID int64) (redaktor.Session, bool, error)
	ClearSession(ctx context.Context, userID int64) error
}

// Config is the desk's settings.
type Config struct {
	// AdminIDs may create pages.
	AdminIDs []int64
	// Location is the time zone of new pages.
	Location *time.Location
	// AlbumQuiet is how long after an album's last item it becomes a draft.
	AlbumQuiet time.Duration
	// Quality gives writing advice on every card; nil shows none.
	Quality *quality.Set
}

// Desk is the editorial desk's conversations.
type Desk struct {
	tg    Telegram
	store Store
	texts *Texts
	now   func() time.Time
	log   *slog.Logger
	cfg   Config
	admin map[int64]bool
	zones sync.Map                              // time zone name → *time.Location
	seen  *lru.Cache[string, quality.Published] // see newPublishedCache
	// strangerAlbums: albums of people on no page already answered.
	strangerAlbums *lru.Cache[string, struct{}]
}

// New builds the desk. now is the clock (tests pass a fixed one).
func New(tg Telegram, store Store, texts *Texts, now func() time.Time, log *slog.Logger, cfg Config) *Desk {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.AlbumQuiet == 0 {
		cfg.AlbumQuiet = 1500 * time.Millisecond
	}
	admin := map[int64]bool{}
	for _, id := range cfg.AdminIDs {
		admin[id] = true
	}
	if len(admin) > 0 {
		store = adminRoles{Store: store, admin: admin}
	}
	return &Desk{tg: tg, store: store, texts: texts, now: now, log: log, cfg: cfg, admin: admin,
		seen: newPublishedCache(), strangerAlbums: newStrangerAlbums()}
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
}

// Handle routes one update. Errors are answered to the person here and
// logged once; nothing propagates.
func (d *Desk) Handle(ctx context.Context, u tgbotapi.Update) error {
	switch {
	case u.CallbackQuery != nil:
		d.onButton(ctx, u.CallbackQuery)
	case u.MyChatMember != nil && u.MyChatMember.Chat.Type == "channel":
		d.onChannelMembership(ctx, u.MyChatMember)
	case u.MyChatMember != nil:
		d.onMyChatMember(ctx, u.MyChatMember)
	case u.Message != nil && u.Message.Chat != nil && u.Message.Chat.IsPrivate() && u.Message.From != nil:
		d.onMessage(ctx, u.UpdateID, u.Message)
	}
	return nil
}

// person loads the sender, keeping the record of a team member fresh.
func (d *Desk) person(ctx context.Context, from *tgbotapi.User) (who, error) {
	u, se, waiting, err := d.store.UserSession(ctx, from.ID)
	return d.personOf(ctx, from, u, se, waiting, err)
}

// personOf is person for a caller that read the user and session (err
// as UserSession's). Only people the bot has a record of (team members,
// who got it when they joined; one removed from their last team keeps it
// for FormerMemberKeep) and the admins are saved: of a subscriber
// or a stranger nothing outlives the handling of their update (issue 10,
// 152-ФЗ); their name lives in memory for this update only.
func (d *Desk) personOf(ctx context.Context, from *tgbotapi.User, u redaktor.User, se redaktor.Session, waiting bool, err error) (who, error) {
	if err != nil && !isNotFound(err) {
		return who{User: redaktor.User{ID: from.ID, Lang: from.LanguageCode}, t: d.texts.For(from.LanguageCode)}, err
	}
	known := err == nil
	name := strings.TrimSpace(from.FirstName + " " + from.LastName)
	if name == "" {
		name = from.UserName
	}
	fresh := u
	fresh.ID, fresh.Name, fresh.Username, fresh.Lang = from.ID, name, from.UserName, from.LanguageCode
	p := who{User: fresh, t: d.texts.For(fresh.Lang)}
	if waiting {
		p.session = &se
	}
	switch {
	case fresh == u:
	case known:
		if err := d.store.RefreshUser(ctx, fresh); err != nil {
			return p, err
		}
	case d.admin[from.ID]:
		if err := d.store.SaveUser(ctx, fresh); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (d *Desk) onMessage(ctx context.Context, update int, m *tgbotapi.Message) {
	p, err := d.person(ctx, m.From)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	p.update = int64(update)
	if m.IsCommand() {
		d.onCommand(ctx, p, m)
		return
	}
	switch se := p.session; {
	case se != nil && se.Kind != redaktor.SessionNewVersion:
		d.onAnswer(ctx, p, *se, m)
	default:
		d.onContent(ctx, p, m, se)
	}
}

func (d *Desk) onCommand(ctx context.Context, p who, m *tgbotapi.Message) {
	args := strings.TrimSpace(m.CommandArguments())
	switch m.Command() {
	case "start":
		d.cmdStart(ctx, p, args)
	case "help":
		d.reply(ctx, p, p.t.T("help"))
	case "newpage":
		d.cmdNewPage(ctx, p, args)
	case "invite":
		d.cmdInvite(ctx, p)
	case "channel":
		d.cmdChannel(ctx, p)
	case "subscribers":
		d.cmdSubscribers(ctx, p)
	case "subscriptions":
		d.cmdSubscriptions(ctx, p)
	case "stop":
		d.cmdStop(ctx, p)
	case "privacy":
		d.cmdPrivacy(ctx, p)
	case "forgetme":
		d.cmdForgetMe(ctx, p)
	case "team":
		d.cmdTeam(ctx, p)
	case "pages":
		d.cmdPages(ctx, p)
	case "audit":
		d.cmdAudit(ctx, p)
	case "drafts":
		d.cmdDrafts(ctx, p)
	case "pending":
		d.cmdPending(ctx, p)
	case "queue":
		d.cmdQueue(ctx, p)
	case "slots":
		d.cmdSlots(ctx, p, args)
	case "check":
		d.cmdCheck(ctx, p, m)
	case "stats":
		d.cmdStats(ctx, p, args)
	case "cancel":
		if err := d.store.ClearSession(ctx, p.ID); err != nil {
			d.fail(ctx, p, err)
			return
		}
		d.reply(ctx, p, p.t.T("cancelled"))
	default:
		d.reply(ctx, p, p.t.T("unknown_command"))
	}
}

// reply sends a plain text to the person; a failure is logged (there is
// no one else to tell).
func (d *Desk) reply(ctx context.Context, p who, text string) {
	d.send(ctx, p.ID, text, nil)
}

func (d *Desk) send(ctx context.Context, chatID int64, text string, kb bot.Keyboard) int {
	id, err := d.tg.SendText(ctx, chatID, text, kb)
	if err != nil {
		d.log.Warn("send failed", "chat", chatID, "err", err)
	}
	return id
}

// fail tells the person something went wrong on our side and logs why.
func (d *Desk) fail(ctx context.Context, p who, err error) {
	d.log.Error("handling failed", "user", p.ID, "err", err)
	d.reply(ctx, p, p.t.T("error_internal"))
}

// currentPage returns the person's current page and their role on it. A
// person on exactly one page has it as current without choosing.
func (d *Desk) currentPage(ctx context.Context, p who) (redaktor.Page, redaktor.Role, error) {
	if p.CurrentPage != "" {
		page, role, err := d.store.Membership(ctx, p.CurrentPage, p.ID)
		if err != nil && !isNotFound(err) {
			return redaktor.Page{}, "", err
		}
		if err == nil && role != "" {
			return page, role, nil
		}
	}
	pages, roles, err := d.store.UserPages(ctx, p.ID)
	if err != nil || len(pages) == 0 {
		return redaktor.Page{}, "", err
	}
	p.CurrentPage = pages[0].ID
	if err := d.store.SaveUser(ctx, p.User); err != nil {
		return redaktor.Page{}, "", err
	}
	return pages[0], roles[0], nil
}

// memberPage returns the person's current page and role; a person on no
// page is told how to join and ok is false.
func (d *Desk) memberPage(ctx context.Context, p who) (redaktor.Page, redaktor.Role, bool) {
	page, role, err := d.currentPage(ctx, p)
	if err != nil {
		d.fail(ctx, p, err)
		return page, role, false
	}
	if page.ID == "" && d.admin[p.ID] {
		d.reply(ctx, p, p.t.T("admin_choose_page"))
		return page, role, false
	}
	if page.ID == "" {
		d.reply(ctx, p, p.t.T("no_pages"))
		return page, role, false
	}
	return page, role, true
}

// chiefPage returns the current page if the person is its chief editor;
// otherwise it answers them and returns ok=false.
func (d *Desk) chiefPage(ctx context.Context, p who) (redaktor.Page, bool) {
	page, role, ok := d.memberPage(ctx, p)
	if !ok {
		return page, false
	}
	if role != redaktor.RoleChief {
		d.reply(ctx, p, p.t.T("chief_only", map[string]any{"Page": page.Title}))
		return page, false
	}
	return page, true
}

// pressedByChief reads the page a button names and checks, on every press,
// that the presser is its chief editor (an admin counts as one). When not,
// ok is false and answer is what the press is answered (empty when the
// person was already told of a failure).
func (d *Desk) pressedByChief(ctx context.Context, p who, pageID string) (page redaktor.Page, answer string, ok bool) {
	page, role, err := d.store.Membership(ctx, pageID, p.ID)
	switch {
	case isNotFound(err):
		return page, p.t.T("button_stale"), false
	case err != nil:
		d.fail(ctx, p, err)
		return page, "", false
	case role != redaktor.RoleChief:
		return page, p.t.T("not_allowed"), false
	}
	return page, "", true
}

// pageLoc is the page's time zone. Zones are kept once loaded:
// time.LoadLocation reads the zone file from disk on every call, and every
// card shows times.
func (d *Desk) pageLoc(page redaktor.Page) *time.Location {
	if loc, ok := d.zones.Load(page.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc := page.Location(d.cfg.Location)
	d.zones.Store(page.TimeZone, loc)
	return loc
}
