package handlers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/redaktor/redaktor"
)

// Albums arrive as separate messages; a member's are buffered in Redis and
// become one draft when no item arrived for AlbumQuiet. Assembly has its
// own loop (Albums.Run), so neither a slow album nor a flood of them delays
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

// albumStore is what assembling albums reads of Redis.
type albumStore interface {
	ReadyAlbums(ctx context.Context, now time.Time, pick redaktor.AlbumPick) ([]redaktor.ReadyAlbum, error)
	DropAlbum(ctx context.Context, ref redaktor.AlbumRef) error
	User(ctx context.Context, userID int64) (redaktor.User, error)
	Session(ctx context.Context, userID int64) (redaktor.Session, bool, error)
}

// Albums assembles finished albums into drafts, in a loop of its own.
type Albums struct {
	store  albumStore
	drafts *Drafts
	texts  *Texts
	now    func() time.Time
	log    *slog.Logger
}

// albumWorkers bounds how many members' albums are assembled at once, and
// albumsPerTurn how many of one member's one worker takes in a row: each
// becomes a draft and a card at Telegram's 1 message/s per chat, so a
// member with 150 albums is served in turns, not for minutes on end.
const (
	albumWorkers  = 8
	albumsPerTurn = 10
)

// Run assembles finished albums every interval until ctx ends, then
// waits for the assemblies under way (their context is not cancelled, so
// a draft is not cut between its store and its card).
func (a *Albums) Run(ctx context.Context, interval time.Duration) {
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
		ready, err := a.store.ReadyAlbums(ctx, a.now(), redaktor.AlbumPick{
			Limit: albumWorkers * albumsPerTurn, PerUser: albumsPerTurn, Skip: serving})
		if err != nil {
			if ctx.Err() == nil {
				a.log.Warn("find ready albums", "err", err)
			}
			continue
		}
		// One worker per member, their albums one after another in order.
		var order []int64
		byUser := map[int64][]redaktor.ReadyAlbum{}
		for _, r := range ready {
			if _, seen := byUser[r.UserID]; !seen {
				order = append(order, r.UserID)
			}
			byUser[r.UserID] = append(byUser[r.UserID], r)
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
				for _, album := range albums {
					if ctx.Err() != nil {
						return // stopping: the rest stays buffered for the next start
					}
					if err := a.assemble(work, album); err != nil {
						a.log.Warn("assemble album", "user", user, "err", err)
						return // stays buffered; tried again
					}
				}
			})
		}
	}
}

// assemble turns one finished album into a draft or a new version.
func (a *Albums) assemble(ctx context.Context, album redaktor.ReadyAlbum) error {
	u, err := a.store.User(ctx, album.UserID)
	switch {
	case isNotFound(err):
		// Only team members get an album buffer; one who has since asked
		// to be forgotten has no record, and their album goes with it.
		a.log.Warn("album of an unknown user", "user", album.UserID)
		a.drafts.dropAlbum(ctx, &album.Ref)
		return nil
	case err != nil:
		return err // Redis faltered: the album stays buffered and is tried again
	}
	p := who{User: u, t: a.texts.For(u.Lang)}
	se, ok, err := a.store.Session(ctx, p.ID)
	if err != nil {
		return err
	}
	var waiting *redaktor.Session
	if ok {
		waiting = &se
	}
	return a.drafts.takeContent(ctx, p, waiting, albumContent(album.Items), &album.Ref)
}
