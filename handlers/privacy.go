package handlers

import (
	"context"
	"errors"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// /privacy and /forgetme (issue 10, 152-ФЗ).

// btnForget is the confirmation under /forgetme: fg:yes deletes, fg:no
// keeps. Either acts on the presser only, so forged data can do no more
// than the presser's own /forgetme.
const btnForget = "fg"

// privacyStore is what forgetting a person needs of storage.
type privacyStore interface {
	SoleChiefOf(ctx context.Context, userID int64) ([]redaktor.Page, error)
	ForgetUser(ctx context.Context, userID int64) error
}

// Privacy tells a person what the bot keeps of them and forgets them on
// request.
type Privacy struct {
	*base
	store privacyStore
}

// Person is how a person's name is shown: a person who asked the bot to
// forget them (or whom it never knew) is «бывший участник».
func (t tr) Person(name string) string {
	if name == "" {
		return t.T("former_member")
	}
	return name
}

// cmdPrivacy tells anyone what the bot keeps about them, why and for how long.
func (pv *Privacy) cmdPrivacy(ctx context.Context, p who) {
	pv.reply(ctx, p, p.t.T("privacy"))
}

// cmdForgetMe asks to confirm; the only chief editor of a page is first
// asked to hand it over.
func (pv *Privacy) cmdForgetMe(ctx context.Context, p who) error {
	sole, err := pv.store.SoleChiefOf(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(sole) > 0 {
		pv.reply(ctx, p, lastChiefText(p.t, sole))
		return nil
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_forgetme_yes"), btnForget+":yes"),
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_forgetme_no"), btnForget+":no")))
	pv.send(ctx, p.ID, p.t.T("forgetme_confirm"), &kb)
	return nil
}

func lastChiefText(t tr, pages []redaktor.Page) string {
	titles := make([]string, len(pages))
	for i, page := range pages {
		titles[i] = page.Title
	}
	return t.T("forgetme_last_chief", map[string]any{"Pages": strings.Join(titles, "», «")})
}

func isForgetButton(data string) bool { return strings.HasPrefix(data, btnForget+":") }

// forgetPress carries out the answer to the confirmation; it returns the
// answer to the press.
func (pv *Privacy) forgetPress(ctx context.Context, p who, q *tgbotapi.CallbackQuery) (string, error) {
	done := func(key string) string {
		if q.Message != nil {
			if err := pv.tg.EditText(ctx, p.ID, q.Message.MessageID, p.t.T(key), nil); err != nil {
				pv.log.Debug("edit the forgetme question", "err", err)
			}
		}
		return p.t.T(key)
	}
	switch q.Data {
	case btnForget + ":no":
		return done("forgetme_kept"), nil
	case btnForget + ":yes":
	default:
		return p.t.T("button_stale"), nil
	}
	err := pv.store.ForgetUser(ctx, p.ID)
	var last *redaktor.LastChiefError
	switch {
	case errors.As(err, &last):
		pv.reply(ctx, p, lastChiefText(p.t, []redaktor.Page{last.Page}))
		return "", nil
	case err != nil:
		return "", err
	}
	pv.log.Info("a person was forgotten at their request") // no id: the log keeps nothing of them either
	// Their menu was of what they were: a team member's goes (an admin's
	// stays, they still are one). Logged without their id, as above.
	if pv.admin[p.ID] {
		pv.refreshMenu(ctx, p.ID, p.Lang)
	} else if err := pv.tg.DeleteChatCommands(ctx, p.ID); err != nil {
		pv.log.Warn("take a forgotten person's menu away", "err", err)
	}
	return done("forgetme_done"), nil
}
