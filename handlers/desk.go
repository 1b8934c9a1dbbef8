// Package handlers holds redaktor's conversations: the page admin, the
// chief editor, the moderator, the subscriber. Each feature is a type of
// its own with the small store interface it needs, declared next to it:
//
//   - Router (router.go) handles an update: it loads the person once and
//     hands the update to the feature it belongs to;
//   - Drafts (drafts.go) makes drafts and new versions, Albums (albums.go)
//     assembles albums into drafts in a loop of its own;
//   - Review (review.go, onetap.go, slots.go) takes a post from draft to the
//     queue: its card's buttons, the answers they ask for, /pending, /queue,
//     /slots;
//   - cards (cards.go) reads a post's card and then draws it (renderCard
//     reads nothing); news (notify.go) tells a post's people of it;
//   - Team (team.go): invites, joining, the team list, /pages;
//   - Subscribers (subscribers.go): the subscribe link, /stop, /subscribers;
//   - Advice (advice.go, advice_published.go): writing advice, /check, /stats;
//   - Admin (admin.go), Audit (audit.go), Channels (channels.go) and
//     Privacy (privacy.go);
//   - Notifier (notify.go) tells people what the scheduler did, and
//     BroadcastReports (reports.go) how a broadcast goes.
//
// base (base.go) is what they share: Telegram, the texts, the clock, the
// log, replies, and the reads of who stands where (an admin counts as
// chief editor of every page). A handling error is returned to the intake,
// which handles the update again; see Router.
package handlers

import (
	"log/slog"
	"sync"
	"time"

	"github.com/redaktor/redaktor/planpic"
	"github.com/redaktor/redaktor/quality"
)

// Store is everything the desk keeps in Redis (storage.Store): the union
// of its features' stores.
type Store interface {
	baseStore
	routerStore
	cardStore
	draftStore
	albumStore
	reviewStore
	adviceStore
	teamStore
	subscriberStore
	reportStore
	adminStore
	auditStore
	channelStore
	privacyStore
	planStore
	strayStore
	menuStore
	remindStore
	afterpubStore
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

// Desk is the editorial desk, built once and wired by main: Router handles
// updates (intake.Handler; Desk.Handle is its Handle), Notifier is the
// scheduler's, Albums runs its own loop, and Reports is the broadcaster's.
type Desk struct {
	*Router
	menus    menuStore
	Notifier *Notifier
	Albums   *Albums
	Reports  *BroadcastReports
	// Reminders writes what package reminders decides to send.
	Reminders *Reminders
	// AfterPub carries edits and removals of published posts out in its
	// own loop (Run).
	AfterPub *AfterPub
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
	var people baseStore = store
	if len(admin) > 0 {
		people = adminRoles{baseStore: store, admin: admin}
	}
	b := &base{tg: tg, store: people, texts: texts, now: now, log: log, cfg: cfg, admin: admin, zones: &sync.Map{}}
	advice := &Advice{base: b, store: store, seen: newPublishedCache()}
	c := &cards{base: b, store: store, advice: advice}
	n := &news{cards: c}
	review := &Review{news: n, store: store}
	drafts := &Drafts{news: n, store: store, review: review, strangerAlbums: newStrangerAlbums()}
	r := &Router{base: b, store: store, drafts: drafts, review: review,
		team:        &Team{cards: c, store: store},
		subscribers: &Subscribers{base: b, store: store},
		advice:      advice,
		adminDesk:   &Admin{base: b, store: store},
		audit:       &Audit{base: b, store: store},
		channels:    &Channels{base: b, store: store},
		privacy:     &Privacy{base: b, store: store},
		plan:        &Plan{base: b, store: store},
		stray:       &Stray{base: b, store: store, drafts: drafts},
		reminders:   &Reminders{news: n, store: store},
		afterpub:    newAfterPub(n, review, store, tg),
	}
	// The fonts are built in: a failure to read them is a broken build,
	// and the plan still goes out as text.
	if painter, err := planpic.New(); err != nil {
		log.Error("plan pictures are off", "err", err)
	} else {
		r.plan.painter = painter
	}
	reports := &BroadcastReports{base: b, store: store}
	return &Desk{Router: r, menus: store,
		Notifier:  &Notifier{news: n, reports: reports},
		Albums:    &Albums{store: store, drafts: drafts, texts: texts, now: now, log: log},
		Reports:   reports,
		Reminders: r.reminders,
		AfterPub:  r.afterpub,
	}
}
