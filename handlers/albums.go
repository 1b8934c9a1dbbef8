package handlers

import (
	"context"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/redaktor/redaktor"
)

// Albums arrive as separate messages; a member's are buffered in Redis and
// become one draft when no item arrived for AlbumQuiet. Assembly has its
// own loop (RunAlbums), so neither a slow album nor a flood of them delays
// the scheduler's publications, and one member's albums are assembled
// beside another's, not after them.

// strangerAlbumsSize bounds the albums of people on no page that were
// answered, so each is answered once however many items it has.
const strangerAlbumsSize = 4096

func newStrangerAlbums() *lru.Cache[string, struct{}] {
	c, err := lru.New[string, struct{}](strangerAlbumsSize)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}

// bufferAlbumItem keeps an album item of a member until the album is
// complete. A person on no page gets no buffer: they are told once per
// album how to join, and nothing of theirs is stored.
func (d *Desk) bufferAlbumItem(ctx context.Context, p who, m *tgbotapi.Message, content redaktor.Content) {
	page, _, err := d.currentPage(ctx, p)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if page.ID == "" {
		key := strconv.FormatInt(p.ID, 10) + ":" + m.MediaGroupID
		if seen, _ := d.strangerAlbums.ContainsOrAdd(key, struct{}{}); !seen {
			d.reply(ctx, p, p.t.T("no_pages"))
		}
		return
	}
	it := redaktor.AlbumItem{UserID: p.ID, MessageID: m.MessageID, Media: content.Media[0], Caption: content.Text, Entities: content.Entities}
	if err := d.store.AddAlbumItem(ctx, p.ID, m.MediaGroupID, it, d.now(), d.cfg.AlbumQuiet); err != nil {
		d.fail(ctx, p, err)
	}
}

// albumWorkers bounds how many members' albums are assembled at once, and
// albumsPerTurn how many of one member's one worker takes in a row: each
// becomes a draft and a card at Telegram's 1 message/s per chat, so a
// member with 150 albums is served in turns, not for minutes on end.
const (
	albumWorkers  = 8
	albumsPerTurn = 10
)

// RunAlbums assembles finished albums every interval until ctx ends, then
// waits for the assemblies under way (their context is not cancelled, so
// a draft is not cut between its store and its card).
func (d *Desk) RunAlbums(ctx context.Context, interval time.Duration) {
	work := context.WithoutCancel(ctx)
	var busy sync.Map // user id → assembling their albums now
	serving := func(user int64) bool { _, ok := busy.Load(user); return ok }
	slots := make(chan struct{}, albumWorkers)
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if len(slots) == cap(slots) {
			continue // every worker busy: nothing to start this round
		}
		// The members being served are left out of the read, which pages
		// past their albums: whoever else has an album ready is read this
		// round, however many albums the busy ones have waiting.
		ready, err := d.store.ReadyAlbums(ctx, d.now(), redaktor.AlbumPick{
			Limit: albumWorkers * albumsPerTurn, PerUser: albumsPerTurn, Skip: serving})
		if err != nil {
			if ctx.Err() == nil {
				d.log.Warn("find ready albums", "err", err)
			}
			continue
		}
		// One worker per member, their albums one after another in order.
		var order []int64
		byUser := map[int64][]redaktor.ReadyAlbum{}
		for _, a := range ready {
			if _, seen := byUser[a.UserID]; !seen {
				order = append(order, a.UserID)
			}
			byUser[a.UserID] = append(byUser[a.UserID], a)
		}
		for _, user := range order {
			select {
			case slots <- struct{}{}:
			default:
				continue // all workers busy: the next round
			}
			busy.Store(user, true)
			albums := byUser[user]
			wg.Go(func() {
				defer func() { busy.Delete(user); <-slots }()
				for _, a := range albums {
					if ctx.Err() != nil {
						return // stopping: the rest stays buffered for the next start
					}
					if err := d.assemble(work, a); err != nil {
						d.log.Warn("assemble album", "user", user, "err", err)
						return // stays buffered; tried again
					}
				}
			})
		}
	}
}

// assemble turns one finished album into a draft or a new version.
func (d *Desk) assemble(ctx context.Context, a redaktor.ReadyAlbum) error {
	u, err := d.store.User(ctx, a.UserID)
	switch {
	case isNotFound(err):
		// Only team members get an album buffer; one who has since asked
		// to be forgotten has no record, and their album goes with it.
		d.log.Warn("album of an unknown user", "user", a.UserID)
		d.dropAlbum(ctx, &a.Ref)
		return nil
	case err != nil:
		return err // Redis faltered: the album stays buffered and is tried again
	}
	p := who{User: u, t: d.texts.For(u.Lang)}
	se, ok, err := d.store.Session(ctx, p.ID)
	if err != nil {
		return err
	}
	var waiting *redaktor.Session
	if ok {
		waiting = &se
	}
	d.takeContent(ctx, p, waiting, albumContent(a.Items), &a.Ref)
	return nil
}
