package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// The district admin's desk: every page in a list, a card per page from
// which a new chief-editor link, a new title, the archive and its restore
// are a press away, and the admin acting as chief editor of any page.

// adminStore is what the admin's conversation keeps in Redis.
type adminStore interface {
	AllPages(ctx context.Context) ([]redaktor.Page, error)
	PageSummaries(ctx context.Context, pages []redaktor.Page) ([]redaktor.PageSummary, error)
	UpdatePage(ctx context.Context, pageID string, e redaktor.AuditEntry, change func(p *redaktor.Page) bool) (redaktor.Page, error)
	ChangeMember(ctx context.Context, c redaktor.MemberChange) (int, error)
	Redeem(ctx context.Context, code string, userID int64, now time.Time) (redaktor.Redeemed, error)
	OpenInvites(ctx context.Context, pageID string, now time.Time) ([]redaktor.Invite, error)
	RevokeInvite(ctx context.Context, pageID, code string, by int64, now time.Time) error
	MemberCards(ctx context.Context, pageID string, userID int64) ([]string, error)
	DropCards(ctx context.Context, pageID string, userID int64, postIDs []string) error
}

// adminRoles is the store as the desk sees it: an admin counts as chief
// editor of every page that exists, wherever a role is read (commands,
// presses, cards, answers), always on the page the item belongs to. So
// no page is orphaned when its director leaves. Membership itself is
// untouched: an admin on no team gets no team notices.
type adminRoles struct {
	Store
	admin map[int64]bool
}

func (s adminRoles) Role(ctx context.Context, pageID string, userID int64) (redaktor.Role, error) {
	role, err := s.Store.Role(ctx, pageID, userID)
	if err != nil || !s.admin[userID] {
		return role, err
	}
	if _, err := s.Store.Page(ctx, pageID); err != nil {
		if isNotFound(err) {
			return role, nil
		}
		return role, err
	}
	return redaktor.RoleChief, nil
}

func (s adminRoles) Membership(ctx context.Context, pageID string, userID int64) (redaktor.Page, redaktor.Role, error) {
	page, role, err := s.Store.Membership(ctx, pageID, userID)
	if err == nil && s.admin[userID] {
		role = redaktor.RoleChief
	}
	return page, role, err
}

func (s adminRoles) ReadPress(ctx context.Context, userID int64, postID, pageID string, withHistory bool) (redaktor.Press, error) {
	pr, err := s.Store.ReadPress(ctx, userID, postID, pageID, withHistory)
	if err == nil && pr.ViewErr == nil && s.admin[userID] && pr.View.Page.ID != "" {
		pr.View.Role = redaktor.RoleChief
	}
	return pr, err
}

// Admin buttons: act:pageID, but al (the list) carries its offset.
const (
	btnAdminList     = "al" // al:offset
	btnAdminOpen     = "ao" // ao:pageID: the page's card
	btnAdminLink     = "ai" // ai:pageID: a new chief-editor link
	btnAdminRename   = "ar" // ar:pageID: asks for the new title
	btnAdminArchive  = "ax" // ax:pageID: asks to confirm
	btnAdminConfirm  = "ay" // ay:pageID: archive it
	btnAdminRestore  = "au" // au:pageID
	btnAdminActAs    = "aw" // aw:pageID: work on the page as its chief editor
	btnNewPageAnyway = "na" // na:0: create the page /newpage warned about
)

var adminButtons = map[string]bool{
	btnAdminList: true, btnAdminOpen: true, btnAdminLink: true, btnAdminRename: true,
	btnAdminArchive: true, btnAdminConfirm: true, btnAdminRestore: true, btnAdminActAs: true,
	btnNewPageAnyway: true,
}

// adminPageSize is how many pages one message of the list shows: ten fit
// a phone's screen with their buttons.
const adminPageSize = 10

// adminPages shows the admin one screen of every page, from offset; with
// messageID it replaces that message.
func (d *Desk) adminPages(ctx context.Context, p who, offset, messageID int) {
	pages, err := d.store.AllPages(ctx)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	if len(pages) == 0 {
		d.reply(ctx, p, p.t.T("admin_no_pages"))
		return
	}
	offset = max(0, min(offset, (len(pages)-1)/adminPageSize*adminPageSize))
	shown := pages[offset:min(offset+adminPageSize, len(pages))]
	sums, err := d.store.PageSummaries(ctx, shown)
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	var b strings.Builder
	b.WriteString(p.t.T("admin_pages_title", map[string]any{"Count": len(pages), "From": offset + 1, "To": offset + len(shown)}))
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, s := range sums {
		n := offset + i + 1
		fmt.Fprintf(&b, "\n\n%d. %s", n, d.summaryLine(p, s))
		label := fmt.Sprintf("%d. %s", n, limitRunes(s.Page.Title, 40))
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(label, btnAdminOpen+":"+s.Page.ID)))
	}
	var nav []tgbotapi.InlineKeyboardButton
	if offset > 0 {
		nav = append(nav, tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_prev"), btnAdminList+":"+strconv.Itoa(offset-adminPageSize)))
	}
	if offset+adminPageSize < len(pages) {
		nav = append(nav, tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_next"), btnAdminList+":"+strconv.Itoa(offset+adminPageSize)))
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(rows...)
	d.sendOrEdit(ctx, p, messageID, b.String(), &kb)
}

// summaryLine is a page as the admin's list shows it.
func (d *Desk) summaryLine(p who, s redaktor.PageSummary) string {
	var b strings.Builder
	b.WriteString(s.Page.Title)
	if s.Page.Archived {
		b.WriteString(" " + p.t.T("admin_archived_mark"))
	}
	b.WriteString("\n" + p.t.T("admin_line", map[string]any{
		"Chiefs":  d.chiefNames(p, s.Chiefs),
		"Channel": channelName(p, s.Page),
		"Last":    d.lastPublished(p, s),
		"Pending": s.Pending,
		"Queued":  s.Queued,
	}))
	return b.String()
}

func (d *Desk) chiefNames(p who, chiefs []redaktor.Member) string {
	if len(chiefs) == 0 {
		return p.t.T("admin_no_chief")
	}
	names := make([]string, len(chiefs))
	for i, c := range chiefs {
		names[i] = c.Name
		if names[i] == "" {
			names[i] = p.t.T("audit_former_member")
		}
	}
	return strings.Join(names, ", ")
}

func channelName(p who, page redaktor.Page) string {
	switch {
	case !page.HasChannel():
		return p.t.T("admin_no_channel")
	case page.ChannelUsername != "":
		return "@" + page.ChannelUsername
	}
	return page.ChannelTitle
}

func (d *Desk) lastPublished(p who, s redaktor.PageSummary) string {
	if s.LastPublished.IsZero() {
		return p.t.T("admin_never")
	}
	return formatTime(s.LastPublished, d.pageLoc(s.Page), d.now())
}

func (d *Desk) sendOrEdit(ctx context.Context, p who, messageID int, text string, kb bot.Keyboard) {
	if messageID != 0 {
		err := d.tg.EditText(ctx, p.ID, messageID, text, kb)
		if err == nil {
			return
		}
		// The message may be gone or too old to edit: a new one replaces it.
		d.log.Debug("edit failed, sending anew", "chat", p.ID, "message", messageID, "err", err)
	}
	d.send(ctx, p.ID, text, kb)
}

// onAdminPress handles the admin's buttons; nobody else may press them.
func (d *Desk) onAdminPress(ctx context.Context, p who, pr press, messageID int) string {
	if !d.admin[p.ID] {
		return p.t.T("not_allowed")
	}
	if pr.act == btnAdminList {
		offset, err := strconv.Atoi(pr.arg)
		if err != nil {
			offset = 0 // a garbled (or forged) offset shows the list from its start
		}
		d.adminPages(ctx, p, offset, messageID)
		return ""
	}
	if pr.act == btnNewPageAnyway {
		return d.newPageAnyway(ctx, p)
	}
	page, err := d.store.Page(ctx, pr.pageID)
	if isNotFound(err) {
		return p.t.T("button_stale")
	}
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	switch pr.act {
	case btnAdminOpen:
		d.adminCard(ctx, p, page, 0)
	case btnAdminLink:
		d.chiefLink(ctx, p, page)
	case btnAdminRename:
		if err := d.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionRename, PageID: page.ID}); err != nil {
			d.fail(ctx, p, err)
			return ""
		}
		d.reply(ctx, p, p.t.T("admin_rename_ask", map[string]any{"Page": page.Title})+"\n"+p.t.T("cancel_hint"))
	case btnAdminArchive:
		if page.Archived {
			return p.t.T("admin_archived_already")
		}
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_archive_yes"), btnAdminConfirm+":"+page.ID)))
		d.send(ctx, p.ID, p.t.T("admin_archive_confirm", map[string]any{"Page": page.Title}), &kb)
	case btnAdminConfirm, btnAdminRestore:
		return d.setArchived(ctx, p, page, pr.act == btnAdminConfirm, messageID)
	case btnAdminActAs:
		p.CurrentPage = page.ID
		if err := d.store.SaveUser(ctx, p.User); err != nil {
			d.fail(ctx, p, err)
			return ""
		}
		d.reply(ctx, p, p.t.T("admin_acting", map[string]any{"Page": page.Title}))
	}
	return ""
}

// adminCard shows one page to the admin with what they can do with it.
func (d *Desk) adminCard(ctx context.Context, p who, page redaktor.Page, messageID int) {
	sums, err := d.store.PageSummaries(ctx, []redaktor.Page{page})
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	text := p.t.T("admin_card_title", map[string]any{"ID": page.ID}) + "\n" + d.summaryLine(p, sums[0])
	if page.Archived {
		text += "\n" + p.t.T("admin_card_archived", map[string]any{"When": formatTime(page.ArchivedAt, d.pageLoc(page), d.now())})
	}
	archive := tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_btn_archive"), btnAdminArchive+":"+page.ID)
	if page.Archived {
		archive = tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_btn_restore"), btnAdminRestore+":"+page.ID)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_btn_link"), btnAdminLink+":"+page.ID)),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_btn_act"), btnAdminActAs+":"+page.ID)),
		tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_btn_rename"), btnAdminRename+":"+page.ID),
			archive),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_btn_audit"), btnAudit+":"+page.ID)),
	)
	d.sendOrEdit(ctx, p, messageID, text, &kb)
}

// chiefLink gives the admin a new one-time link that makes its opener a
// chief editor of the page: the way in for a director's successor.
func (d *Desk) chiefLink(ctx context.Context, p who, page redaktor.Page) {
	inv := redaktor.Invite{Code: randomCode(), PageID: page.ID, Role: redaktor.RoleChief,
		CreatedBy: p.ID, CreatedAt: d.now(), ExpiresAt: d.now().Add(redaktor.PageCreationTTL)}
	if err := d.store.SaveInvite(ctx, inv); err != nil {
		d.fail(ctx, p, err)
		return
	}
	d.reply(ctx, p, p.t.T("invite_done", map[string]any{
		"Page": page.Title, "Role": p.t.T("role_chief"), "Link": d.link(inv.Code),
		"Until": formatTime(inv.ExpiresAt, d.pageLoc(page), d.now())}))
}

// onRenameAnswer takes the page's new title.
func (d *Desk) onRenameAnswer(ctx context.Context, p who, se redaktor.Session, m *tgbotapi.Message) {
	if !d.admin[p.ID] {
		d.endSession(ctx, p)
		d.reply(ctx, p, p.t.T("not_allowed"))
		return
	}
	title := strings.TrimSpace(m.Text)
	if title == "" || len([]rune(title)) > maxTitle {
		d.reply(ctx, p, p.t.T("admin_rename_bad", map[string]any{"Max": maxTitle})+"\n"+p.t.T("cancel_hint"))
		return
	}
	page, err := d.store.Page(ctx, se.PageID)
	if err != nil {
		d.endSession(ctx, p)
		d.fail(ctx, p, err)
		return
	}
	old := page.Title
	page, err = d.store.UpdatePage(ctx, page.ID, redaktor.AuditEntry{At: d.now(), ActorID: p.ID,
		Action: redaktor.AuditRenamed, Note: old + " → " + title},
		func(pg *redaktor.Page) bool { pg.Title = title; return true })
	if err != nil {
		d.fail(ctx, p, err)
		return
	}
	d.endSession(ctx, p)
	d.reply(ctx, p, p.t.T("admin_renamed", map[string]any{"Old": old, "Page": title}))
	d.tellTeam(ctx, page, "page_renamed_notice", map[string]any{"Old": old, "Page": title})
}

// setArchived archives or restores a page. While archived nothing of the
// page is published: the scheduler marks each post whose time comes
// failed, with the reason; after the restore a chief editor retries or
// cancels it. Drafts, the queue, history and the team are kept.
func (d *Desk) setArchived(ctx context.Context, p who, page redaktor.Page, archive bool, messageID int) string {
	act := redaktor.AuditRestored
	if archive {
		act = redaktor.AuditArchived
	}
	changed := false
	page, err := d.store.UpdatePage(ctx, page.ID, redaktor.AuditEntry{At: d.now(), ActorID: p.ID, Action: act},
		func(pg *redaktor.Page) bool {
			if pg.Archived == archive {
				return false // done already (another press, or a second admin)
			}
			pg.Archived, pg.ArchivedAt, changed = archive, time.Time{}, true
			if archive {
				pg.ArchivedAt = d.now()
			}
			return true
		})
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if !changed {
		d.adminCard(ctx, p, page, messageID)
		return p.t.T("done")
	}
	d.adminCard(ctx, p, page, messageID)
	key := "page_restored_notice"
	if archive {
		key = "page_archived_notice"
	}
	d.tellTeam(ctx, page, key, map[string]any{"Page": page.Title})
	if archive {
		return p.t.T("admin_archived")
	}
	return p.t.T("admin_restored")
}

// tellTeam sends every member of a page a notice in their language.
func (d *Desk) tellTeam(ctx context.Context, page redaktor.Page, key string, data map[string]any) {
	members, err := d.store.Members(ctx, page.ID)
	if err != nil {
		d.log.Warn("read members", "page", page.ID, "err", err)
		return
	}
	for _, m := range members {
		if u, ok := d.userToTell(ctx, m.UserID); ok {
			d.send(ctx, u.ID, d.texts.For(u.Lang).T(key, data), nil)
		}
	}
}

// maxTitle is the longest page title accepted, in characters.
const maxTitle = 128

// samePage finds a page whose title is the same as title but for case and
// spacing.
func (d *Desk) samePage(ctx context.Context, title string) (redaktor.Page, bool, error) {
	pages, err := d.store.AllPages(ctx)
	if err != nil {
		return redaktor.Page{}, false, err
	}
	for _, pg := range pages {
		if redaktor.SameTitle(pg.Title, title) {
			return pg, true, nil
		}
	}
	return redaktor.Page{}, false, nil
}

// warnSameTitle shows the admin the page that has the title already and
// offers to create the new one anyway; the title waits in a session.
func (d *Desk) warnSameTitle(ctx context.Context, p who, title string, existing redaktor.Page) {
	if err := d.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionNewPage, Text: title}); err != nil {
		d.fail(ctx, p, err)
		return
	}
	d.reply(ctx, p, p.t.T("newpage_exists", map[string]any{"Page": existing.Title}))
	d.adminCard(ctx, p, existing, 0)
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("newpage_anyway", map[string]any{"Page": limitRunes(title, 40)}), btnNewPageAnyway+":0")))
	d.send(ctx, p.ID, p.t.T("newpage_anyway_ask", map[string]any{"Page": title}), &kb)
}

func (d *Desk) newPageAnyway(ctx context.Context, p who) string {
	se, ok, err := d.store.Session(ctx, p.ID)
	if err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	if !ok || se.Kind != redaktor.SessionNewPage || se.Text == "" {
		return p.t.T("button_stale")
	}
	if err := d.store.ClearSession(ctx, p.ID); err != nil {
		d.fail(ctx, p, err)
		return ""
	}
	d.createPage(ctx, p, se.Text)
	return ""
}
