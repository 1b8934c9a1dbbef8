package handlers

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// Stray text: a person answers the bot's question once more, or late
// («завтра» after the time was already taken), and the answer would
// become a draft. The rule: a message from a person the bot waits for
// nothing from is asked about («сделать из этого черновик?») instead of
// made a draft when
//
//   - it is a plain text (no media, no formatting or links, not a
//     forward) of one line, at most strayMaxRunes characters and
//     strayMaxWords words;
//   - it reads as an answer: a single word (да, ок, завтра…), or a date or
//     time (anything ParseMoment recognises, even a past one or a day
//     without a time), or posting times, or it begins with a yes or no;
//   - the person's last dialogue ended less than strayWindow ago: a
//     message of theirs was taken as the answer to a question, or they
//     cancelled one with /cancel.
//
// Anything else becomes a draft at once, as before.
const (
	strayWindow   = 10 * time.Minute
	strayMaxRunes = 40
	strayMaxWords = 4
)

// btnStray is the question's buttons: sd:y makes the draft, sd:n drops
// the text. Both act on the presser's own session only (the text is kept
// there), so forged data can do no more than the presser's own message.
const btnStray = "sd"

func isStrayButton(data string) bool { return strings.HasPrefix(data, btnStray+":") }

// strayStore is what asking about stray text keeps in Redis.
type strayStore interface {
	MarkDialogueEnded(ctx context.Context, userID int64, at time.Time, keep time.Duration) error
	DialogueEnded(ctx context.Context, userID int64) (time.Time, bool, error)
	SetSession(ctx context.Context, userID int64, se redaktor.Session) error
	KeepStray(ctx context.Context, userID int64, questionID int, text string, at time.Time, keep time.Duration) error
	StrayText(ctx context.Context, userID int64, questionID int) (text string, at time.Time, ok bool, err error)
	DropStray(ctx context.Context, userID int64, questionID int) error
}

// Stray asks before a short answer-like text after a dialogue becomes a
// draft.
type Stray struct {
	*base
	store  strayStore
	drafts *Drafts
}

// dialogueEnded notes that the person's dialogue ended now. It is a side
// item of the answer: a failure is logged, and the next short text is
// then made a draft as any other.
func (s *Stray) dialogueEnded(ctx context.Context, p who) {
	if err := s.store.MarkDialogueEnded(ctx, p.ID, s.now(), strayWindow); err != nil {
		s.log.Warn("note the end of a dialogue", "user", p.ID, "err", err)
	}
}

// ask asks the person whether m is to be a draft when the rule above
// says so; asked is false when m is to be read as any other message.
func (s *Stray) ask(ctx context.Context, p who, m *tgbotapi.Message) (asked bool, err error) {
	text, ok := answerLike(m, s.now(), s.cfg.Location)
	if !ok {
		return false, nil
	}
	at, ok, err := s.store.DialogueEnded(ctx, p.ID)
	if err != nil {
		return false, err
	}
	if since := s.now().Sub(at); !ok || since < 0 || since > strayWindow {
		return false, nil
	}
	if err := s.store.SetSession(ctx, p.ID, redaktor.Session{Kind: redaktor.SessionStray, Text: text}); err != nil {
		return false, err
	}
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_stray_yes"), btnStray+":y"),
		tgbotapi.NewInlineKeyboardButtonData(p.t.T("btn_stray_no"), btnStray+":n")))
	// The text is also kept under the question, for strayWindow: a next
	// message ends the session, and «Да» still makes the draft.
	if qid := s.send(ctx, p.ID, p.t.T("stray_ask", map[string]any{"Text": text}), &kb); qid != 0 {
		if err := s.store.KeepStray(ctx, p.ID, qid, text, s.now(), strayWindow); err != nil {
			s.log.Warn("keep the text asked about", "user", p.ID, "err", err)
		}
	}
	return true, nil
}

// asked returns the text the question q was asked about: the one kept
// under it, or the session's (a question whose text was not kept).
func (s *Stray) asked(ctx context.Context, p who, q *tgbotapi.CallbackQuery) (string, bool, error) {
	if q.Message != nil {
		text, at, ok, err := s.store.StrayText(ctx, p.ID, q.Message.MessageID)
		if err != nil {
			return "", false, err
		}
		if ok {
			since := s.now().Sub(at)
			return text, since >= 0 && since <= strayWindow, nil
		}
	}
	if se := p.session; se != nil && se.Kind == redaktor.SessionStray {
		return se.Text, true, nil
	}
	return "", false, nil
}

// onPress carries out the answer to the question; it returns the answer
// to the press. The draft is made by the press's update, so a press
// handled again shows the same draft instead of a second one.
func (s *Stray) onPress(ctx context.Context, p who, q *tgbotapi.CallbackQuery) (string, error) {
	if q.Data != btnStray+":y" && q.Data != btnStray+":n" {
		return p.t.T("button_stale"), nil
	}
	text, ok, err := s.asked(ctx, p, q)
	if err != nil {
		return "", err
	}
	if !ok {
		return p.t.T("button_stale"), nil
	}
	question := ""
	if q.Message != nil {
		question = q.Message.Text
	}
	if q.Data == btnStray+":n" {
		s.answered(ctx, p, q)
		s.settle(ctx, p, q, p.t.T("stray_dropped"))
		return "", nil
	}
	stray := p.session != nil && p.session.Kind == redaktor.SessionStray
	if stray {
		p.session = nil
	}
	if err := s.drafts.takeContent(ctx, p, nil, redaktor.Content{Text: text}, nil); err != nil {
		return "", err
	}
	if stray {
		s.endSession(ctx, p)
	}
	s.answered(ctx, p, q)
	s.settle(ctx, p, q, question) // the buttons go; the draft's card follows
	return "", nil
}

// answered forgets the text of an answered question. No ends a question
// open in the session too; a newer question's text stays kept under it.
func (s *Stray) answered(ctx context.Context, p who, q *tgbotapi.CallbackQuery) {
	if p.session != nil && p.session.Kind == redaktor.SessionStray && q.Data == btnStray+":n" {
		s.endSession(ctx, p)
	}
	if q.Message == nil {
		return
	}
	if err := s.store.DropStray(ctx, p.ID, q.Message.MessageID); err != nil {
		s.log.Warn("forget the text asked about", "user", p.ID, "err", err)
	}
}

// settle replaces the question by text, without its buttons.
func (s *Stray) settle(ctx context.Context, p who, q *tgbotapi.CallbackQuery, text string) {
	if q.Message == nil || text == "" {
		return
	}
	if err := s.tg.EditText(ctx, p.ID, q.Message.MessageID, text, nil); err != nil {
		s.log.Debug("settle the draft question", "chat", p.ID, "err", err)
	}
}

// answerLike returns the trimmed text of m when it reads as an answer to
// a question (see the rule above).
func answerLike(m *tgbotapi.Message, now time.Time, loc *time.Location) (string, bool) {
	if m.Text == "" || len(m.Entities) > 0 || m.ForwardFrom != nil || m.ForwardFromChat != nil ||
		m.ForwardSenderName != "" || m.ForwardDate != 0 || m.MediaGroupID != "" {
		return "", false
	}
	text := strings.TrimSpace(m.Text)
	words := strings.Fields(text)
	if len([]rune(text)) > strayMaxRunes || strings.ContainsAny(text, "\n\r") || len(words) == 0 || len(words) > strayMaxWords {
		return "", false
	}
	if len(words) == 1 || yesOrNo[strings.ToLower(strings.TrimFunc(words[0], notLetter))] {
		return text, true
	}
	if _, err := redaktor.ParseMoment(text, now, loc); !errors.Is(err, redaktor.ErrUnreadableTime) || errors.Is(err, redaktor.ErrMissingTime) {
		return text, true // a time, even one past or a day without a time
	}
	if _, err := redaktor.ParseSlots(text); err == nil {
		return text, true
	}
	return "", false
}

func notLetter(r rune) bool { return !unicode.IsLetter(r) }

// yesOrNo are the words an answer to a question begins with.
var yesOrNo = map[string]bool{
	"да": true, "нет": true, "ок": true, "окей": true, "хорошо": true, "ладно": true, "ага": true, "угу": true,
	"конечно": true, "согласен": true, "согласна": true, "понятно": true, "спасибо": true, "отлично": true,
	"ok": true, "okay": true, "yes": true, "no": true, "sure": true, "thanks": true,
}
