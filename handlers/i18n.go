package handlers

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// Texts are split by feature: locales/ru.json holds the common ones and
// locales/<feature>.<lang>.json a feature's own, so that features grow
// their texts without touching each other's files.
//
//go:embed locales/*.json
var localeFiles embed.FS

// Texts holds every text the bot shows, in Russian (the default) and English.
type Texts struct {
	bundle *i18n.Bundle
	ru, en *i18n.Localizer
}

// LoadTexts reads the embedded locale files.
func LoadTexts() (*Texts, error) {
	b := i18n.NewBundle(language.Russian)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	names, err := fs.Glob(localeFiles, "locales/*.json")
	if err != nil {
		return nil, fmt.Errorf("list locales: %w", err)
	}
	for _, name := range names {
		if _, err := b.LoadMessageFileFS(localeFiles, name); err != nil {
			return nil, fmt.Errorf("load %s: %w", name, err)
		}
	}
	return &Texts{bundle: b, ru: i18n.NewLocalizer(b, "ru"), en: i18n.NewLocalizer(b, "en")}, nil
}

// tr renders texts in one person's language.
type tr struct {
	l    *i18n.Localizer
	lang string
}

// For picks English for people whose Telegram speaks English and Russian
// for everyone else: the pages are Russian institutions.
func (t *Texts) For(telegramLang string) tr {
	if strings.HasPrefix(strings.ToLower(telegramLang), "en") {
		return tr{l: t.en, lang: "en"}
	}
	return tr{l: t.ru, lang: "ru"}
}

// T renders a text; data fills {{.Name}} placeholders.
func (t tr) T(id string, data ...map[string]any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := t.l.Localize(cfg)
	if err != nil {
		return id // a missing text shows its id; TestLocalesComplete keeps that from shipping
	}
	return s
}

// N renders a text with a count, in the language's plural form
// (Russian: 1 пост, 2 поста, 5 постов).
func (t tr) N(id string, n int, data map[string]any) string {
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = n
	s, err := t.l.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// menuCommands are the commands of the bot's menu, in menu order.
var menuCommands = []string{"drafts", "pending", "queue", "plan", "check", "stats", "remind", "pages", "team", "invite", "audit", "channel", "subscribers", "slots", "subscriptions", "privacy", "forgetme", "cancel", "help"}

// Menu is the command menu in a language ("ru" or "en").
func (t *Texts) Menu(lang string) []bot.Command {
	tt := t.For(lang)
	out := make([]bot.Command, len(menuCommands))
	for i, c := range menuCommands {
		out[i] = bot.Command{Name: c, Description: tt.T("cmd_" + c)}
	}
	return out
}

// roleText names a role on a page; a role the desk does not know (one
// stored by a later version, say) reads as a plain team member.
func roleText(t tr, r redaktor.Role) string {
	if !r.Valid() {
		return t.T("role_member")
	}
	return t.T("role_" + string(r))
}
