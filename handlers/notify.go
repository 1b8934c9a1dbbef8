package handlers

import (
	"context"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// news tells a post's people what became of it: its chief editors when
// it waits for them, its author when it is decided. Each message is a side
// item of what was done: a failure is logged and the others are told.
type news struct {
	*cards
}

// notifyChiefs sends every chief editor (but the author) the preview and a
// review card of a post that waits for them.
func (n *news) notifyChiefs(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	for _, c := range n.chiefs(ctx, post.PageID) {
		if c.ID == post.AuthorID {
			continue
		}
		key := "notify_submitted"
		if post.Version > 1 {
			key = "notify_new_version"
		}
		n.reply(ctx, c, c.t.T(key, map[string]any{"ID": post.ID, "Name": c.t.Person(post.AuthorName), "Page": page.Title, "Version": post.Version}))
		n.showPostTo(ctx, c, post, page, true)
	}
}

// author reads a post's author if they are still on its page: someone
// taken off the team hears nothing more of the page's posts.
func (n *news) author(ctx context.Context, post redaktor.Post) (redaktor.User, bool) {
	role, err := n.base.store.Role(ctx, post.PageID, post.AuthorID)
	if err != nil {
		n.log.Warn("read the author's role", "post", post.ID, "page", post.PageID, "err", err)
		return redaktor.User{}, false
	}
	if role == "" {
		return redaktor.User{}, false
	}
	return n.userToTell(ctx, post.AuthorID)
}

// notifyAuthor tells the author something about their post, in their language.
func (n *news) notifyAuthor(ctx context.Context, post redaktor.Post, key string, data map[string]any) {
	u, ok := n.author(ctx, post)
	if !ok {
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	data["ID"] = post.ID
	n.send(ctx, u.ID, n.texts.For(u.Lang).T(key, data), nil)
}

func (n *news) notifyApproved(ctx context.Context, post redaktor.Post, page redaktor.Page, by who) {
	if post.AuthorID == by.ID {
		return
	}
	u, ok := n.author(ctx, post)
	if !ok {
		return
	}
	t := n.texts.For(u.Lang)
	n.send(ctx, u.ID, t.T("notify_approved", map[string]any{
		"ID": post.ID, "Name": by.Name, "When": formatTime(post.PublishAt, n.pageLoc(page), n.now())}), nil)
}

// notifyVerdict sends the author the reviewer's comment with the draft as
// it stands and a fresh card: it offers "Send new version" after a request
// for changes, and says a rejection is final.
// It reports whether the author is still on the team to be told.
func (n *news) notifyVerdict(ctx context.Context, post redaktor.Post, page redaktor.Page, by who) bool {
	u, ok := n.author(ctx, post)
	if !ok {
		return false
	}
	author := n.whoOf(u)
	key := "notify_changes_requested"
	if post.Status == redaktor.StatusRejected {
		key = "notify_rejected"
	}
	n.reply(ctx, author, author.t.T(key, map[string]any{"ID": post.ID, "Name": by.Name, "Comment": post.Comment}))
	n.showPostTo(ctx, author, post, page, true)
	return true
}

// Notifier tells people what the scheduler did with their posts
// (scheduler.Notifier).
type Notifier struct {
	news    *news
	reports *BroadcastReports
}

// Published tells the chief editors and the author where the post is, in
// the one message of the publication that the delivery to the subscribers
// is then edited into (reports.go).
func (n *Notifier) Published(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	n.news.refreshCards(ctx, post, page)
	n.reports.update(ctx, post.ID, &post, &page)
}

// Failed tells the chief editors why a post could not be published, with
// a Retry button.
func (n *Notifier) Failed(ctx context.Context, post redaktor.Post, page redaktor.Page) {
	n.news.refreshCards(ctx, post, page)
	for _, c := range n.news.chiefs(ctx, post.PageID) {
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(c.t.T("btn_retry"), postData(btnRetry, post)),
			tgbotapi.NewInlineKeyboardButtonData(c.t.T("btn_cancel"), postData(btnCancel, post)),
		))
		n.news.send(ctx, c.ID, c.t.T("notify_failed", map[string]any{"ID": post.ID, "Page": page.Title, "Reason": reasonText(c.t, post.FailReason)}), &kb)
	}
}
