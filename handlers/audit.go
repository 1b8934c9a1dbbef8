package handlers

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// /audit: a page's last team actions for its chief editors and the
// admins, as a message and, on a press, as a CSV file.

// auditStore is what the audit log needs of storage.
type auditStore interface {
	AuditLog(ctx context.Context, pageID string) ([]redaktor.AuditEntry, error)
	Names(ctx context.Context, userIDs []int64) (map[int64]string, error)
}

// Audit shows a page's audit log.
type Audit struct {
	*base
	store auditStore
}

// Audit buttons.
const (
	btnAudit    = "ad" // ad:pageID: the log as a message
	btnAuditCSV = "ac" // ac:pageID: the log as a CSV file
)

// auditChunk keeps each message of the log under Telegram's 4096
// characters.
const auditChunk = 3800

func (au *Audit) cmdAudit(ctx context.Context, p who) error {
	page, ok, err := au.chiefPage(ctx, p)
	if !ok {
		return err
	}
	return au.showAudit(ctx, p, page)
}

// onAuditPress shows or sends the log of the page the button names, to a
// chief editor of that page or an admin.
func (au *Audit) onAuditPress(ctx context.Context, p who, pr press) (string, error) {
	page, answer, ok, err := au.pressedByChief(ctx, p, pr.pageID)
	if !ok {
		return answer, err
	}
	if pr.act == btnAuditCSV {
		return "", au.sendAuditCSV(ctx, p, page)
	}
	return "", au.showAudit(ctx, p, page)
}

// auditLine is one entry in words.
type auditLine struct {
	at, actor, action, user, role, post, note string
}

// auditLines reads the log and puts names to the ids it holds: a person
// the bot no longer knows shows as a former member.
func (au *Audit) auditLines(ctx context.Context, t tr, page redaktor.Page) ([]auditLine, error) {
	entries, err := au.store.AuditLog(ctx, page.ID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.ActorID, e.UserID)
	}
	names, err := au.store.Names(ctx, ids)
	if err != nil {
		return nil, err
	}
	name := func(uid int64) string {
		switch {
		case uid == 0:
			return ""
		case names[uid] != "":
			return names[uid]
		}
		return t.T("audit_former_member")
	}
	loc := au.pageLoc(page)
	out := make([]auditLine, len(entries))
	for i, e := range entries {
		actor := name(e.ActorID)
		if e.ActorID == 0 {
			actor = t.T("audit_bot")
		}
		l := auditLine{at: e.At.In(loc).Format("02.01.2006 15:04"), actor: actor,
			action: t.T("audit_" + string(e.Action)), user: name(e.UserID), post: e.PostID, note: e.Note}
		if e.Role.Valid() {
			l.role = roleText(t, e.Role)
		}
		out[i] = l
	}
	return out, nil
}

func (au *Audit) showAudit(ctx context.Context, p who, page redaktor.Page) error {
	lines, err := au.auditLines(ctx, p.t, page)
	if err != nil {
		return err
	}
	if len(lines) == 0 {
		au.reply(ctx, p, p.t.T("audit_empty", map[string]any{"Page": page.Title}))
		return nil
	}
	var msgs []string
	var b strings.Builder
	b.WriteString(p.t.T("audit_title", map[string]any{"Page": page.Title, "Count": len(lines)}))
	for _, l := range lines {
		line := "\n• " + l.at + " — " + l.actor + ": " + l.action
		var what []string
		for _, s := range []string{l.user, l.role} {
			if s != "" {
				what = append(what, s)
			}
		}
		if l.post != "" {
			what = append(what, "#"+l.post)
		}
		if l.note != "" {
			what = append(what, "«"+l.note+"»")
		}
		if len(what) > 0 {
			line += " (" + strings.Join(what, ", ") + ")"
		}
		if b.Len()+len(line) > auditChunk {
			msgs = append(msgs, b.String())
			b.Reset()
		}
		b.WriteString(line)
	}
	msgs = append(msgs, b.String())
	for _, m := range msgs[:len(msgs)-1] {
		au.reply(ctx, p, m)
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("audit_csv"), btnAuditCSV+":"+page.ID)))
	au.send(ctx, p.ID, msgs[len(msgs)-1], &kb)
	return nil
}

func (au *Audit) sendAuditCSV(ctx context.Context, p who, page redaktor.Page) error {
	lines, err := au.auditLines(ctx, p.t, page)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // so spreadsheet programs read the file as UTF-8
	records := [][]string{strings.Split(p.t.T("audit_csv_header"), ",")}
	for _, l := range lines {
		records = append(records, []string{l.at, csvCell(l.actor), l.action, csvCell(l.user), l.role, l.post, csvCell(l.note)})
	}
	if err := csv.NewWriter(&buf).WriteAll(records); err != nil {
		return fmt.Errorf("write the audit log of page %s as CSV: %w", page.ID, err)
	}
	name := "audit-page-" + page.ID + "-" + au.now().In(au.pageLoc(page)).Format("2006-01-02") + ".csv"
	if _, err := au.tg.SendDocument(ctx, p.ID, name, buf.Bytes(), p.t.T("audit_csv_caption", map[string]any{"Page": page.Title})); err != nil {
		au.log.Warn("send audit csv", "err", err)
		au.reply(ctx, p, p.t.T("audit_csv_failed"))
	}
	return nil
}

// csvCell keeps a value a spreadsheet would run as a formula (a member's
// Telegram name or a channel's title starting with = + - @) as text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
