package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// onContent makes a draft of whatever a member sends, or a new version when
// the bot waits for one (se, already read). Album items are buffered and
// assembled later, when the session is read again.
func (d *Desk) onContent(ctx context.Context, p who, m *tgbotapi.Message, se *redaktor.Session) {
	content, ok := bot.ContentOf(m)
	if !ok {
		d.reply(ctx, p, p.t.T("unsupported"))
		return
	}
	if m.MediaGroupID != "" {
		d.bufferAlbumItem(ctx, p, m, content)
		return
	}
	d.takeContent(ctx, p, se, content, nil)
}

// takeContent turns content into a draft, or a new version when the
// person's session waits for one.
func (d *Desk) takeContent(ctx context.Context, p who, se *redaktor.Session, content redaktor.Content, album *redaktor.AlbumRef) {
	if se != nil && se.Kind == redaktor.SessionNewVersion {
		d.newVersion(ctx, p, *se, content, album)
		return
	}
	if err := content.Validate(); err != nil {
		page, _, perr := d.currentPage(ctx, p)
		switch {
		case perr != nil:
			d.fail(ctx, p, perr)
			return // an album stays buffered and is tried again
		case page.ID == "":
			d.reply(ctx, p, p.t.T("no_pages"))
		default:
			d.reply(ctx, p, p.t.T("content_invalid", map[string]any{"Reason": err.Error()}))
		}
		d.dropAlbum(ctx, album)
		return
	}
	st, act, err := d.startDraft(ctx, p)
	if err != nil {
		d.fail(ctx, p, err) // an album stays buffered and is tried again
		return
	}
	if st.Made != "" {
		// This update made a draft before its handling was cut short (a
		// crash, a timeout): show that one again rather than a second.
		d.showMade(ctx, p, st.Made, st.Page)
		return
	}
	if st.Page.ID == "" {
		d.reply(ctx, p, p.t.T("no_pages"))
		d.dropAlbum(ctx, album)
		return
	}
	post, err := redaktor.NewPost(st.PostID, st.Page.ID, redaktor.Actor{UserID: p.ID, Name: p.Name, Role: st.Role}, content, d.now())
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if err := d.store.CreatePost(ctx, post, redaktor.Origin{Album: album, Update: p.update}); err != nil {
		if errors.Is(err, redaktor.ErrConflict) && album != nil {
			return // the album grew meanwhile: it is assembled again on the next tick
		}
		if made, ok := errors.AsType[*redaktor.MadeError](err); ok {
			d.showMade(ctx, p, made.PostID, st.Page) // handled twice at once: the other made it
			return
		}
		d.fail(ctx, p, err)
		return
	}
	d.showPostAs(ctx, p, st.Role, post, st.Page, true, act)
}

// startDraft reads what making a draft needs: the person's page and role,
// a new post id and the page's recent activity for the card, in one round
// trip while their current page is still theirs; otherwise through
// currentPage (their first page), and then the card reads the activity
// itself (act is nil). A person on no page gets a zero Page.
func (d *Desk) startDraft(ctx context.Context, p who) (st redaktor.DraftStart, act *redaktor.Activity, err error) {
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

func (d *Desk) showMade(ctx context.Context, p who, postID string, page redaktor.Page) {
	post, err := d.store.Post(ctx, postID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if post.PageID != page.ID {
		page, err = d.store.Page(ctx, post.PageID)
		if err != nil {
			d.fail(ctx, p, err)
			return
		}
	}
	d.showPostTo(ctx, p, post, page, true)
}

func (d *Desk) dropAlbum(ctx context.Context, album *redaktor.AlbumRef) {
	if album == nil {
		return
	}
	if err := d.store.DropAlbum(ctx, *album); err != nil {
		d.log.Warn("drop album", "err", err)
	}
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

func (d *Desk) newVersion(ctx context.Context, p who, se redaktor.Session, content redaktor.Content, album *redaktor.AlbumRef) {
	post, err := d.store.Post(ctx, se.PostID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	actor, page, err := d.actor(ctx, p, post)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	// The session ends, and the update is marked as having made the post,
	// with the version itself: handled again after a crash, the message
	// finds the mark and shows the post instead of being a new draft.
	next, ok := d.changeSaving(ctx, p, post, redaktor.Change{Action: redaktor.ActNewVersion, Actor: actor, Content: &content},
		func(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error {
			return d.store.SaveNewVersion(ctx, old, next, ev, p.ID, p.update)
		})
	d.dropAlbum(ctx, album)
	if !ok {
		return
	}
	d.showPostTo(ctx, p, next, page, true)
	d.notifyChiefs(ctx, next, page)
}

// cmdDrafts lists the person's open posts with status and time.
func (d *Desk) cmdDrafts(ctx context.Context, p who) {
	list, err := d.store.UserPosts(ctx, p.ID, 20)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	// A person who left a page no longer follows its posts.
	pages, _, err := d.store.UserPages(ctx, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	list = slices.DeleteFunc(list, func(post redaktor.Post) bool {
		return !slices.ContainsFunc(pages, func(pg redaktor.Page) bool { return pg.ID == post.PageID })
	})
	if len(list) == 0 {
		d.reply(ctx, p, p.t.T("drafts_empty"))
		return
	}
	d.sendList(ctx, p, p.t.T("drafts_title"), list)
}

// sendList shows posts one line each, with a button to open each card.
func (d *Desk) sendList(ctx context.Context, p who, title string, list []redaktor.Post) {
	var b strings.Builder
	b.WriteString(title)
	var rows [][]tgbotapi.InlineKeyboardButton
	for _, post := range list {
		page := d.pageForShow(ctx, post.PageID)
		fmt.Fprintf(&b, "\n\n%s", d.listLine(p.t, post, page))
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(
			p.t.T("open_post", map[string]any{"ID": post.ID}), btnOpen+":"+post.ID)))
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	d.send(ctx, p.ID, b.String(), &kb)
}

func (d *Desk) listLine(t tr, post redaktor.Post, page redaktor.Page) string {
	loc := d.pageLoc(page)
	line := t.T("list_line", map[string]any{
		"ID": post.ID, "Page": page.Title, "Status": t.T("status_" + string(post.Status)),
		"Changed": formatTime(post.UpdatedAt, loc, d.now()), "Snippet": snippet(post.Content, 60)})
	if !post.PublishAt.IsZero() && post.Status != redaktor.StatusPublished {
		line += "\n" + t.T("card_publish_at", map[string]any{"When": formatTime(post.PublishAt, loc, d.now())})
	}
	return line
}

// snippet is the start of a post's text, for lists.
func snippet(c redaktor.Content, n int) string {
	s := strings.Join(strings.Fields(c.Text), " ")
	r := []rune(s)
	if len(r) > n {
		s = string(r[:n]) + "…"
	}
	if s == "" {
		s = fmt.Sprintf("[%d × %s]", len(c.Media), c.Media[0].Kind)
	}
	return s
}

// parseTimeAnswer reads a typed time for a page, answering the person when
// it cannot be used.
func (d *Desk) parseTimeAnswer(ctx context.Context, p who, page redaktor.Page, text string) (time.Time, bool) {
	at, err := redaktor.ParseWhen(text, d.now(), d.pageLoc(page))
	switch {
	case errors.Is(err, redaktor.ErrPastTime):
		d.reply(ctx, p, p.t.T("time_past")+"\n"+p.t.T("time_examples"))
		return at, false
	case errors.Is(err, redaktor.ErrTooFarTime):
		d.reply(ctx, p, p.t.T("time_too_far")+"\n"+p.t.T("time_examples"))
		return at, false
	case err != nil:
		d.reply(ctx, p, p.t.T("time_unreadable")+"\n"+p.t.T("time_examples"))
		return at, false
	}
	return at, true
}
