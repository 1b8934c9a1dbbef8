package handlers

import (
	"context"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func (s *memStore) MarkDialogueEnded(_ context.Context, id int64, at time.Time, _ time.Duration) error {
	if err := s.call("MarkDialogueEnded"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended == nil {
		s.ended = map[int64]time.Time{}
	}
	s.ended[id] = at
	return nil
}

func (s *memStore) DialogueEnded(_ context.Context, id int64) (time.Time, bool, error) {
	if err := s.call("DialogueEnded"); err != nil {
		return time.Time{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.ended[id]
	return at, ok, nil
}

// What reads as an answer to a question, and what is a post however
// short.
func TestAnswerLike(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Moscow")
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, loc)
	for _, c := range []struct {
		text string
		want bool
	}{
		{"завтра", true}, {"  Да ", true}, {"ок", true}, {"да, давай", true}, {"Нет, не надо", true},
		{"завтра в 10", true}, {"в пятницу в 9", true}, {"18.00", true}, {"вчера 10:00", true},
		{"10:00 14:00 18:00", true}, {"спасибо", true}, {"Субботник", true}, {"tomorrow 10am", true},
		{"Поправьте дату", false}, {"Субботник в пятницу", false},
		{"Завтра в школе день открытых дверей для всех", false},
		{"завтра\nв 10", false},
		{"Сегодня прошёл субботник: спасибо всем, кто пришёл!", false},
	} {
		_, got := answerLike(&tgbotapi.Message{Text: c.text}, now, loc)
		if got != c.want {
			t.Errorf("%q reads as an answer: %v, want %v", c.text, got, c.want)
		}
	}
	bold := &tgbotapi.Message{Text: "Субботник", Entities: []tgbotapi.MessageEntity{{Type: "bold", Length: 9}}}
	fwd := &tgbotapi.Message{Text: "да", ForwardDate: 1}
	for _, m := range []*tgbotapi.Message{bold, fwd} {
		if _, ok := answerLike(m, now, loc); ok {
			t.Errorf("%+v reads as an answer: formatted text and forwards are posts", m)
		}
	}
}
