package handlers

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// draftStore is what making drafts and new versions keeps in Redis.
type draftStore interface {
	StartDraft(ctx context.Context, pageID string, userID, update int64, since time.Time, limit int64) (redaktor.DraftStart, error)
	NewPostID(ctx context.Context, update int64) (postID, made string, err error)
	CreatePost(ctx context.Context, p redaktor.Post, from redaktor.Origin) error
	SaveNewVersion(ctx context.Context, old, next redaktor.Post, ev redaktor.Event, userID, update int64) error
	Post(ctx context.Context, postID string) (redaktor.Post, error)
	UserPosts(ctx context.Context, userID int64, limit int64) ([]redaktor.Post, error)
	AddAlbumItem(ctx context.Context, userID int64, group string, it redaktor.AlbumItem, now time.Time, quiet time.Duration) error
	DropAlbum(ctx context.Context, ref redaktor.AlbumRef) error
}

// Drafts turns what members send into drafts, and into new versions when
// the bot waits for one; /drafts lists a person's open posts.
type Drafts struct {
	*news
	store  draftStore
	review *Review // a new version is a change of the post
	// strangerAlbums: albums of people on no page already answered.
	strangerAlbums *lru.Cache[string, struct{}]
}

// onContent makes a draft of whatever a member sends, or a new version when
// the bot waits for one (se, already read). Album items are buffered and
// assembled later, when the session is read again.
func (d *Drafts) onContent(ctx context.Context, p who, m *tgbotapi.Message, se *redaktor.Session) error {
	content, ok := bot.ContentOf(m)
	if !ok {
		d.reply(ctx, p, p.t.T("unsupported"))
		return nil
	}
	if m.MediaGroupID != "" {
		return d.bufferAlbumItem(ctx, p, m, content)
	}
	return d.takeContent(ctx, p, se, content, nil)
}

// takeContent turns content into a draft, or a new version when the
// person's session waits for one. On an error an album stays buffered and
// is tried again.
func (d *Drafts) takeContent(ctx context.Context, p who, se *redaktor.Session, content redaktor.Content, album *redaktor.AlbumRef) error {
	if se != nil && se.Kind == redaktor.SessionNewVersion {
		return d.newVersion(ctx, p, *se, content, album)
	}
	if err := content.Validate(); err != nil {
		page, _, perr := d.currentPage(ctx, p)
		switch {
		case perr != nil:
			return perr
		case page.ID == "":
			d.reply(ctx, p, p.t.T("no_pages"))
		default:
			d.reply(ctx, p, invalidText(p.t, err))
		}
		d.dropAlbum(ctx, album)
		return nil
	}
	st, act, err := d.startDraft(ctx, p)
	if err != nil {
		return err
	}
	if st.Made != "" {
		// This update made a draft before its handling was cut short (a
		// crash, a timeout): show that one again rather than a second.
		return d.showMade(ctx, p, st.Made, st.Page)
	}
	if st.Page.ID == "" {
		d.reply(ctx, p, p.t.T("no_pages"))
		d.dropAlbum(ctx, album)
		return nil
	}
	post, err := redaktor.NewPost(st.PostID, st.Page.ID, redaktor.Actor{UserID: p.ID, Name: p.Name, Role: st.Role}, content, d.now())
	if err != nil {
		return err
	}
	if err := d.store.CreatePost(ctx, post, redaktor.Origin{Album: album, Update: p.update}); err != nil {
		if errors.Is(err, redaktor.ErrConflict) && album != nil {
			return nil // the album grew meanwhile: it is assembled again on the next tick
		}
		if made, ok := errors.AsType[*redaktor.MadeError](err); ok {
			return d.showMade(ctx, p, made.PostID, st.Page) // handled twice at once: the other made it
		}
		return err
	}
	sctx, cancel := showing(ctx)
	defer cancel()
	d.showPostAs(sctx, p, st.Role, post, st.Page, true, act)
	return nil
}

// startDraft reads what making a draft needs: the person's page and role,
// a new post id and the page's recent activity for the card, in one round
// trip while their current page is still theirs; otherwise through
// currentPage (their first page), and then the card reads the activity
// itself (act is nil). A person on no page gets a zero Page.
func (d *Drafts) startDraft(ctx context.Context, p who) (st redaktor.DraftStart, act *redaktor.Activity, err error) {
	if p.CurrentPage != "" {
		st, err = d.store.StartDraft(ctx, p.CurrentPage, p.ID, p.update, d.now().Add(-repeatWindow), recentLimit)
		if err != nil && !isNotFound(err) {
			return st, nil, err
		}
		if st.Made != "" {
			// A post the update made before is shown whatever became of
			// the page or the person's place on it (showPostTo reads
			// their role again).
			return st, nil, nil
		}
		if err == nil && st.Role != "" {
			a := st.Activity(weekStart(d.now(), d.pageLoc(st.Page)))
			return st, &a, nil
		}
	}
	page, role, err := d.currentPage(ctx, p)
	if err != nil || page.ID == "" {
		return redaktor.DraftStart{}, nil, err
	}
	postID, made, err := d.store.NewPostID(ctx, p.update)
	if err != nil {
		return redaktor.DraftStart{}, nil, err
	}
	return redaktor.DraftStart{Page: page, Role: role, PostID: postID, Made: made}, nil, nil
}

func (d *Drafts) dropAlbum(ctx context.Context, album *redaktor.AlbumRef) {
	if album == nil {
		return
	}
	if err := d.store.DropAlbum(ctx, *album); err != nil {
		d.log.Warn("drop album", "album", album.Key, "err", err)
	}
}

func (d *Drafts) newVersion(ctx context.Context, p who, se redaktor.Session, content redaktor.Content, album *redaktor.AlbumRef) error {
	post, err := d.store.Post(ctx, se.PostID)
	if err != nil {
		return err
	}
	actor, page, err := d.review.actor(ctx, p, post)
	if err != nil {
		return err
	}
	// The session ends, and the update is marked as having made the post,
	// with the version itself: handled again after a crash, the message
	// finds the mark and shows the post instead of being a new draft.
	next, ok, err := d.review.changeSaving(ctx, p, post, redaktor.Change{Action: redaktor.ActNewVersion, Actor: actor, Content: &content},
		func(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error {
			return d.store.SaveNewVersion(ctx, old, next, ev, p.ID, p.update)
		})
	if err != nil {
		return err // an album stays buffered and is tried again
	}
	d.dropAlbum(ctx, album)
	if !ok {
		return nil
	}
	sctx, cancel := showing(ctx) // the version is stored
	defer cancel()
	if next.Status == redaktor.StatusDraft {
		// Nobody reviews a draft: it waits for its author to submit it.
		d.reply(sctx, p, p.t.T("new_version_draft", map[string]any{"ID": next.ID, "Version": next.Version}))
		d.showPostTo(sctx, p, next, page, true)
		return nil
	}
	d.showPostTo(sctx, p, next, page, true)
	d.notifyChiefs(sctx, next, page)
	return nil
}

// cmdDrafts lists the person's open posts with status and time.
func (d *Drafts) cmdDrafts(ctx context.Context, p who) error {
	list, err := d.store.UserPosts(ctx, p.ID, 20)
	if err != nil {
		return err
	}
	// A person who left a page no longer follows its posts.
	pages, _, err := d.base.store.UserPages(ctx, p.ID)
	if err != nil {
		return err
	}
	list = slices.DeleteFunc(list, func(post redaktor.Post) bool {
		return !slices.ContainsFunc(pages, func(pg redaktor.Page) bool { return pg.ID == post.PageID })
	})
	if len(list) == 0 {
		d.reply(ctx, p, p.t.T("drafts_empty"))
		return nil
	}
	d.sendList(ctx, p, p.t.T("drafts_title"), list)
	return nil
}

// bufferAlbumItem keeps an album item of a member until the album is
// complete. A person on no page gets no buffer: they are told once per
// album how to join, and nothing of theirs is stored.
func (d *Drafts) bufferAlbumItem(ctx context.Context, p who, m *tgbotapi.Message, content redaktor.Content) error {
	page, _, err := d.currentPage(ctx, p)
	if err != nil {
		return err
	}
	if page.ID == "" {
		key := strconv.FormatInt(p.ID, 10) + ":" + m.MediaGroupID
		if seen, _ := d.strangerAlbums.ContainsOrAdd(key, struct{}{}); !seen { // the second result is only whether an old entry was evicted
			d.reply(ctx, p, p.t.T("no_pages"))
		}
		return nil
	}
	it := redaktor.AlbumItem{UserID: p.ID, MessageID: m.MessageID, Media: content.Media[0], Caption: content.Text, Entities: content.Entities}
	return d.store.AddAlbumItem(ctx, p.ID, m.MediaGroupID, it, d.now(), d.cfg.AlbumQuiet)
}

// albumContent builds one post of an album's items: the first caption is
// the post's text; later captions stay on their items.
func albumContent(items []redaktor.AlbumItem) redaktor.Content {
	var c redaktor.Content
	for _, it := range items {
		m := it.Media
		if it.Caption != "" {
			if c.Text == "" {
				c.Text, c.Entities = it.Caption, it.Entities
			} else {
				m.Caption, m.CaptionEntities = it.Caption, it.Entities
			}
		}
		c.Media = append(c.Media, m)
	}
	return c
}
