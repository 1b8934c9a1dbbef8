package handlers

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// The district admin's desk: every page in a list, a card per page from
// which a new chief-editor link, a new title, the archive and its restore
// are a press away, and the admin acting as chief editor of any page.

// adminStore is what the admin's conversation keeps in Redis.
type adminStore interface {
	NextID(ctx context.Context, kind string) (string, error)
	SavePage(ctx context.Context, p redaktor.Page) error
	AllPages(ctx context.Context) ([]redaktor.Page, error)
	PageSummaries(ctx context.Context, pages []redaktor.Page) ([]redaktor.PageSummary, error)
	UpdatePage(ctx context.Context, pageID string, e redaktor.AuditEntry, change func(p *redaktor.Page) bool) (redaktor.Page, error)
	RecordAudit(ctx context.Context, pageID string, e redaktor.AuditEntry) error
	SaveInvite(ctx context.Context, inv redaktor.Invite) error
	SetSession(ctx context.Context, userID int64, se redaktor.Session) error
	Session(ctx context.Context, userID int64) (redaktor.Session, bool, error)
}

// Admin is the district admin's desk.
type Admin struct {
	*base
	store adminStore
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
func (a *Admin) adminPages(ctx context.Context, p who, offset, messageID int) error {
	pages, err := a.store.AllPages(ctx)
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		a.reply(ctx, p, p.t.T("admin_no_pages"))
		return nil
	}
	offset = max(0, min(offset, (len(pages)-1)/adminPageSize*adminPageSize))
	shown := pages[offset:min(offset+adminPageSize, len(pages))]
	sums, err := a.store.PageSummaries(ctx, shown)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(p.t.T("admin_pages_title", map[string]any{"Count": len(pages), "From": offset + 1, "To": offset + len(shown)}))
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, s := range sums {
		n := offset + i + 1
		fmt.Fprintf(&b, "\n\n%d. %s", n, a.summaryLine(p, s))
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
	a.sendOrEdit(ctx, p, messageID, b.String(), &kb)
	return nil
}

// summaryLine is a page as the admin's list shows it.
func (a *Admin) summaryLine(p who, s redaktor.PageSummary) string {
	var b strings.Builder
	b.WriteString(s.Page.Title)
	if s.Page.Archived {
		b.WriteString(" " + p.t.T("admin_archived_mark"))
	}
	b.WriteString("\n" + p.t.T("admin_line", map[string]any{
		"Chiefs":  chiefNames(p, s.Chiefs),
		"Channel": channelName(p, s.Page),
		"Last":    a.lastPublished(p, s),
		"Pending": s.Pending,
		"Queued":  s.Queued,
	}))
	return b.String()
}

func chiefNames(p who, chiefs []redaktor.Member) string {
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

func (a *Admin) lastPublished(p who, s redaktor.PageSummary) string {
	if s.LastPublished.IsZero() {
		return p.t.T("admin_never")
	}
	return formatTime(s.LastPublished, a.pageLoc(s.Page), a.now())
}

// onAdminPress handles the admin's buttons; nobody else may press them.
func (a *Admin) onAdminPress(ctx context.Context, p who, pr press, messageID int) (string, error) {
	if !a.admin[p.ID] {
		return p.t.T("not_allowed"), nil
	}
	if pr.act == btnAdminList {
		offset, err := strconv.Atoi(pr.arg)
		if err != nil {
			offset = 0 // a garbled (or forged) offset shows the list from its start
		}
		return "", a.adminPages(ctx, p, offset, messageID)
	}
	if pr.act == btnNewPageAnyway {
		return a.newPageAnyway(ctx, p)
	}
	page, err := a.base.store.Page(ctx, pr.pageID)
	if isNotFound(err) {
		return p.t.T("button_stale"), nil
	}
	if err != nil {
		return "", err
	}
	switch pr.act {
	case btnAdminOpen:
		return "", a.adminCard(ctx, p, page, 0)
	case btnAdminLink:
		return "", a.chiefLink(ctx, p, page)
	case btnAdminRename:
		if err := a.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionRename, PageID: page.ID}); err != nil {
			return "", err
		}
		a.reply(ctx, p, p.t.T("admin_rename_ask", map[string]any{"Page": page.Title})+"\n"+p.t.T("cancel_hint"))
	case btnAdminArchive:
		if page.Archived {
			return p.t.T("admin_archived_already"), nil
		}
		kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData(p.t.T("admin_archive_yes"), btnAdminConfirm+":"+page.ID)))
		a.send(ctx, p.ID, p.t.T("admin_archive_confirm", map[string]any{"Page": page.Title}), &kb)
	case btnAdminConfirm, btnAdminRestore:
		return a.setArchived(ctx, p, page, pr.act == btnAdminConfirm, messageID)
	case btnAdminActAs:
		p.CurrentPage = page.ID
		if err := a.base.store.SaveUser(ctx, p.User); err != nil {
			return "", err
		}
		a.reply(ctx, p, p.t.T("admin_acting", map[string]any{"Page": page.Title}))
	}
	return "", nil
}

// adminCard shows one page to the admin with what they can do with it.
func (a *Admin) adminCard(ctx context.Context, p who, page redaktor.Page, messageID int) error {
	sums, err := a.store.PageSummaries(ctx, []redaktor.Page{page})
	if err != nil {
		return err
	}
	text := p.t.T("admin_card_title", map[string]any{"ID": page.ID}) + "\n" + a.summaryLine(p, sums[0])
	if page.Archived {
		text += "\n" + p.t.T("admin_card_archived", map[string]any{"When": formatTime(page.ArchivedAt, a.pageLoc(page), a.now())})
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
	a.sendOrEdit(ctx, p, messageID, text, &kb)
	return nil
}

// chiefLink gives the admin a new one-time link that makes its opener a
// chief editor of the page: the way in for a director's successor.
func (a *Admin) chiefLink(ctx context.Context, p who, page redaktor.Page) error {
	inv := redaktor.Invite{Code: randomCode(), PageID: page.ID, Role: redaktor.RoleChief,
		CreatedBy: p.ID, CreatedAt: a.now(), ExpiresAt: a.now().Add(redaktor.PageCreationTTL)}
	if err := a.store.SaveInvite(ctx, inv); err != nil {
		return err
	}
	a.reply(ctx, p, p.t.T("invite_done", map[string]any{
		"Page": page.Title, "Role": p.t.T("role_chief"), "Link": a.link(inv.Code),
		"Until": formatTime(inv.ExpiresAt, a.pageLoc(page), a.now())}))
	return nil
}

// onRenameAnswer takes the page's new title.
func (a *Admin) onRenameAnswer(ctx context.Context, p who, se redaktor.Session, m *tgbotapi.Message) error {
	if !a.admin[p.ID] {
		a.endSession(ctx, p)
		a.reply(ctx, p, p.t.T("not_allowed"))
		return nil
	}
	title := strings.TrimSpace(m.Text)
	if title == "" || len([]rune(title)) > maxTitle {
		a.reply(ctx, p, p.t.T("admin_rename_bad", map[string]any{"Max": maxTitle})+"\n"+p.t.T("cancel_hint"))
		return nil
	}
	page, err := a.base.store.Page(ctx, se.PageID)
	if err != nil {
		return err // the session stays: the title is taken when handled again
	}
	old := page.Title
	page, err = a.store.UpdatePage(ctx, page.ID, redaktor.AuditEntry{At: a.now(), ActorID: p.ID,
		Action: redaktor.AuditRenamed, Note: old + " → " + title},
		func(pg *redaktor.Page) bool { pg.Title = title; return true })
	if err != nil {
		return err
	}
	a.endSession(ctx, p)
	a.reply(ctx, p, p.t.T("admin_renamed", map[string]any{"Old": old, "Page": title}))
	a.tellTeam(ctx, page, "page_renamed_notice", map[string]any{"Old": old, "Page": title})
	return nil
}

// setArchived archives or restores a page. While archived nothing of the
// page is published: the scheduler marks each post whose time comes
// failed, with the reason; after the restore a chief editor retries or
// cancels it. Drafts, the queue, history and the team are kept.
func (a *Admin) setArchived(ctx context.Context, p who, page redaktor.Page, archive bool, messageID int) (string, error) {
	act := redaktor.AuditRestored
	if archive {
		act = redaktor.AuditArchived
	}
	changed := false
	page, err := a.store.UpdatePage(ctx, page.ID, redaktor.AuditEntry{At: a.now(), ActorID: p.ID, Action: act},
		func(pg *redaktor.Page) bool {
			if pg.Archived == archive {
				return false // done already (another press, or a second admin)
			}
			pg.Archived, pg.ArchivedAt, changed = archive, time.Time{}, true
			if archive {
				pg.ArchivedAt = a.now()
			}
			return true
		})
	if err != nil {
		return "", err
	}
	if err := a.adminCard(ctx, p, page, messageID); err != nil {
		a.log.Warn("show the page card after archiving", "page", page.ID, "err", err)
	}
	if !changed {
		return p.t.T("done"), nil
	}
	key := "page_restored_notice"
	if archive {
		key = "page_archived_notice"
	}
	a.tellTeam(ctx, page, key, map[string]any{"Page": page.Title})
	if archive {
		return p.t.T("admin_archived"), nil
	}
	return p.t.T("admin_restored"), nil
}

// maxTitle is the longest page title accepted, in characters.
const maxTitle = 128

func (a *Admin) cmdNewPage(ctx context.Context, p who, title string) error {
	if !a.admin[p.ID] {
		a.reply(ctx, p, p.t.T("admin_only"))
		return nil
	}
	title = strings.TrimSpace(title)
	if title == "" || len([]rune(title)) > maxTitle {
		a.reply(ctx, p, p.t.T("newpage_usage"))
		return nil
	}
	existing, found, err := a.samePage(ctx, title)
	if err != nil {
		return err
	}
	if found {
		return a.warnSameTitle(ctx, p, title, existing)
	}
	return a.createPage(ctx, p, title)
}

// createPage makes a page and gives the admin its first chief editor's link.
// Only a failure before the page is stored is returned.
func (a *Admin) createPage(ctx context.Context, p who, title string) error {
	pageID, err := a.store.NextID(ctx, "page")
	if err != nil {
		return err
	}
	page := redaktor.Page{ID: pageID, Title: title, TimeZone: a.cfg.Location.String(),
		Slots: redaktor.DefaultSlots(), CreatedBy: p.ID, CreatedAt: a.now()}
	if err := a.store.SavePage(ctx, page); err != nil {
		return err
	}
	// From here the page is made: handled again, the command would find it
	// and warn the admin of their own page. A failure is logged, not returned.
	if err := a.store.RecordAudit(ctx, pageID, redaktor.AuditEntry{At: a.now(), ActorID: p.ID,
		Action: redaktor.AuditPageCreated, Note: title}); err != nil {
		a.log.Warn("record page creation", "page", pageID, "err", err)
	}
	inv := redaktor.Invite{Code: randomCode(), PageID: pageID, Role: redaktor.RoleChief,
		CreatedBy: p.ID, CreatedAt: a.now(), ExpiresAt: a.now().Add(redaktor.PageCreationTTL)}
	if err := a.store.SaveInvite(ctx, inv); err != nil {
		a.log.Error("save the new page's chief editor link", "page", pageID, "user", p.ID, "err", err)
		// The page's card has the button that makes the link again.
		if err := a.adminCard(ctx, p, page, 0); err != nil {
			a.log.Error("show the new page", "page", pageID, "user", p.ID, "err", err)
			a.reply(ctx, p, p.t.T("error_internal"))
		}
		return nil
	}
	a.reply(ctx, p, p.t.T("newpage_done", map[string]any{"Page": title, "Link": a.link(inv.Code)}))
	return nil
}

// samePage finds a page whose title is the same as title but for case and
// spacing.
func (a *Admin) samePage(ctx context.Context, title string) (redaktor.Page, bool, error) {
	pages, err := a.store.AllPages(ctx)
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
func (a *Admin) warnSameTitle(ctx context.Context, p who, title string, existing redaktor.Page) error {
	if err := a.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionNewPage, Text: title}); err != nil {
		return err
	}
	a.reply(ctx, p, p.t.T("newpage_exists", map[string]any{"Page": existing.Title}))
	if err := a.adminCard(ctx, p, existing, 0); err != nil {
		a.log.Warn("show the page of the same title", "page", existing.ID, "err", err)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("newpage_anyway", map[string]any{"Page": limitRunes(title, 40)}), btnNewPageAnyway+":0")))
	a.send(ctx, p.ID, p.t.T("newpage_anyway_ask", map[string]any{"Page": title}), &kb)
	return nil
}

func (a *Admin) newPageAnyway(ctx context.Context, p who) (string, error) {
	se, ok, err := a.store.Session(ctx, p.ID)
	if err != nil {
		return "", err
	}
	if !ok || se.Kind != redaktor.SessionNewPage || se.Text == "" {
		return p.t.T("button_stale"), nil
	}
	if err := a.base.store.ClearSession(ctx, p.ID); err != nil {
		return "", err
	}
	// From here a retry finds no session and answers the button as stale:
	// a failure to create is answered, not handled again.
	if err := a.createPage(ctx, p, se.Text); err != nil {
		a.log.Error("create a page", "user", p.ID, "err", err)
		a.reply(ctx, p, p.t.T("error_internal"))
	}
	return "", nil
}
