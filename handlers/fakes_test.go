package handlers

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot"
)

// fakeTG is Telegram as the features' unit tests see it: it keeps what
// the bot sent.
type fakeTG struct {
	mu      sync.Mutex
	texts   []sent
	content []int64 // chats a post's preview went to
	answers []string
	edited  []int // messages edited in place
}

type sent struct {
	chat int64
	text string
	kb   bot.Keyboard
}

func (f *fakeTG) Username() string    { return "redaktor_bot" }
func (f *fakeTG) Self() tgbotapi.User { return tgbotapi.User{ID: 1, UserName: "redaktor_bot"} }
func (f *fakeTG) SendText(ctx context.Context, chat int64, text string, kb bot.Keyboard) (int, error) {
	if err := ctx.Err(); err != nil { // as bot.Client: nothing is sent on an ended context
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.texts = append(f.texts, sent{chat, text, kb})
	return len(f.texts), nil
}
func (f *fakeTG) EditText(_ context.Context, _ int64, messageID int, _ string, _ bot.Keyboard) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.edited = append(f.edited, messageID)
	return nil
}
func (f *fakeTG) SendContent(ctx context.Context, chat int64, _ redaktor.Content) ([]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.content = append(f.content, chat)
	return []int{1}, nil
}
func (f *fakeTG) Answer(_ context.Context, _ string, text string, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answers = append(f.answers, text)
	return nil
}
func (f *fakeTG) Chat(context.Context, string) (tgbotapi.Chat, error) {
	return tgbotapi.Chat{}, fmt.Errorf("no chats here")
}
func (f *fakeTG) ChatMember(context.Context, int64, int64) (tgbotapi.ChatMember, error) {
	return tgbotapi.ChatMember{}, fmt.Errorf("no members here")
}
func (f *fakeTG) SendPhotoFile(context.Context, int64, string, []byte, string) (int, error) {
	return 0, nil
}
func (f *fakeTG) SendDocument(context.Context, int64, string, []byte, string) (int, error) {
	return 0, nil
}
func (f *fakeTG) SetCommands(context.Context, string, []bot.Command) error    { return nil }
func (f *fakeTG) SetChatCommands(context.Context, int64, []bot.Command) error { return nil }
func (f *fakeTG) DeleteChatCommands(context.Context, int64) error             { return nil }

// memStore is a page's desk in memory: one page, its team and their
// records. It counts the calls made to it and fails those named in fail.
// A method it does not have panics through the nil Store: a feature that
// reads more than a test expects fails the test.
type memStore struct {
	Store
	mu       sync.Mutex
	page     redaktor.Page
	roles    map[int64]redaktor.Role
	users    map[int64]redaktor.User
	fail     map[string]error
	calls    map[string]int
	created  []redaktor.Post
	cards    []redaktor.Card
	audience redaktor.Audience
	posts    map[string]redaktor.Post
	sessions map[int64]redaktor.Session
	held     map[string]int // post id → message of the card the moderator holds
	ended    map[int64]time.Time
	// stored, if set, runs once a draft is stored.
	stored func()

	// beforeSave, when set, changes the posts once just before the next
	// SavePost compares revisions: another writer got there first.
	beforeSave func(posts map[string]redaktor.Post)
}

func newMemStore() *memStore {
	return &memStore{
		page:  redaktor.Page{ID: "1", Title: "МБОУ СОШ №4", TimeZone: "Europe/Moscow"},
		roles: map[int64]redaktor.Role{chiefID: redaktor.RoleChief, modID: redaktor.RoleModerator},
		users: map[int64]redaktor.User{
			chiefID: {ID: chiefID, Name: "Анна", Username: "anna", Lang: "ru", CurrentPage: "1"},
			modID:   {ID: modID, Name: "Ирина", Username: "irina", Lang: "ru", CurrentPage: "1"},
		},
		fail: map[string]error{}, calls: map[string]int{}, posts: map[string]redaktor.Post{},
		sessions: map[int64]redaktor.Session{}, held: map[string]int{},
	}
}

const (
	chiefID int64 = 200
	modID   int64 = 300
)

// call counts a call and returns the error the test set for it.
func (s *memStore) call(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[name]++
	return s.fail[name]
}

func (s *memStore) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[name]
}

func (s *memStore) UserSession(_ context.Context, id int64) (redaktor.User, redaktor.Session, bool, error) {
	if err := s.call("UserSession"); err != nil {
		return redaktor.User{}, redaktor.Session{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return u, redaktor.Session{}, false, fmt.Errorf("user %d: %w", id, redaktor.ErrNotFound)
	}
	se, ok := s.sessions[id]
	return u, se, ok, nil
}

func (s *memStore) SetSession(_ context.Context, id int64, se redaktor.Session) error {
	if err := s.call("SetSession"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = se
	return nil
}

func (s *memStore) ClearSession(_ context.Context, id int64) error {
	if err := s.call("ClearSession"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, id)
	return nil
}

func (s *memStore) User(_ context.Context, id int64) (redaktor.User, error) {
	if err := s.call("User"); err != nil {
		return redaktor.User{}, err
	}
	if u, ok := s.users[id]; ok {
		return u, nil
	}
	return redaktor.User{}, fmt.Errorf("user %d: %w", id, redaktor.ErrNotFound)
}

func (s *memStore) Page(_ context.Context, pageID string) (redaktor.Page, error) {
	if err := s.call("Page"); err != nil {
		return redaktor.Page{}, err
	}
	if pageID != s.page.ID {
		return redaktor.Page{}, fmt.Errorf("page %s: %w", pageID, redaktor.ErrNotFound)
	}
	return s.page, nil
}

func (s *memStore) Role(_ context.Context, pageID string, id int64) (redaktor.Role, error) {
	if err := s.call("Role"); err != nil {
		return "", err
	}
	if pageID != s.page.ID {
		return "", nil
	}
	return s.roles[id], nil
}

func (s *memStore) Membership(ctx context.Context, pageID string, id int64) (redaktor.Page, redaktor.Role, error) {
	if err := s.call("Membership"); err != nil {
		return redaktor.Page{}, "", err
	}
	if pageID != s.page.ID {
		return redaktor.Page{}, "", fmt.Errorf("page %s: %w", pageID, redaktor.ErrNotFound)
	}
	return s.page, s.roles[id], nil
}

func (s *memStore) Team(_ context.Context, pageID string) ([]redaktor.Member, map[int64]redaktor.User, error) {
	if err := s.call("Team"); err != nil {
		return nil, nil, err
	}
	var members []redaktor.Member
	users := map[int64]redaktor.User{}
	for _, id := range []int64{chiefID, modID} {
		if role := s.roles[id]; role != "" {
			u := s.users[id]
			members = append(members, redaktor.Member{PageID: pageID, UserID: id, Role: role, Name: u.Name})
			users[id] = u
		}
	}
	return members, users, nil
}

func (s *memStore) StartDraft(_ context.Context, pageID string, id, _ int64, _ time.Time, _ int64) (redaktor.DraftStart, error) {
	if err := s.call("StartDraft"); err != nil {
		return redaktor.DraftStart{}, err
	}
	return redaktor.DraftStart{Page: s.page, Role: s.roles[id], PostID: "7"}, nil
}

func (s *memStore) CreatePost(_ context.Context, p redaktor.Post, _ redaktor.Origin) error {
	if err := s.call("CreatePost"); err != nil {
		return err
	}
	s.mu.Lock()
	s.created = append(s.created, p)
	stored := s.stored
	s.mu.Unlock()
	if stored != nil {
		stored()
	}
	return nil
}

func (s *memStore) SetCard(_ context.Context, _, _ string, c redaktor.Card) error {
	if err := s.call("SetCard"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cards = append(s.cards, c)
	return nil
}

func (s *memStore) CardViewers(context.Context, string, string) ([]redaktor.Card, map[int64]redaktor.User, map[int64]redaktor.Role, error) {
	return nil, nil, nil, s.call("CardViewers")
}

func (s *memStore) ReadPress(_ context.Context, userID int64, postID, pageID string, _ bool) (redaktor.Press, error) {
	if err := s.call("ReadPress"); err != nil {
		return redaktor.Press{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := redaktor.Press{User: s.users[userID]}
	post, ok := s.posts[postID]
	if !ok || post.PageID != pageID {
		pr.ViewErr = fmt.Errorf("post %s: %w", postID, redaktor.ErrNotFound)
		return pr, nil
	}
	pr.View = redaktor.PostView{Post: post, Page: s.page, Role: s.roles[userID]}
	return pr, nil
}

func (s *memStore) Post(_ context.Context, postID string) (redaktor.Post, error) {
	if err := s.call("Post"); err != nil {
		return redaktor.Post{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	post, ok := s.posts[postID]
	if !ok {
		return redaktor.Post{}, fmt.Errorf("post %s: %w", postID, redaktor.ErrNotFound)
	}
	return post, nil
}

func (s *memStore) SavePost(_ context.Context, old, next redaktor.Post, _ redaktor.Event) error {
	if err := s.call("SavePost"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if moved := s.beforeSave; moved != nil { // once: another writer got there first
		s.beforeSave = nil
		moved(s.posts)
	}
	if s.posts[old.ID].Rev != old.Rev {
		return fmt.Errorf("post %s moved on: %w", old.ID, redaktor.ErrConflict)
	}
	s.posts[next.ID] = next
	return nil
}

// newTestDesk is the desk on memStore and fakeTG, with no admins and no
// writing advice.
func newTestDesk(t *testing.T, s *memStore) (*Desk, *fakeTG) {
	t.Helper()
	texts, err := LoadTexts()
	if err != nil {
		t.Fatal(err)
	}
	tg := &fakeTG{}
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	return New(tg, s, texts, now, slog.New(slog.NewTextHandler(io.Discard, nil)), Config{}), tg
}

// message is a private text message from a person of memStore.
func message(s *memStore, from int64, text string) tgbotapi.Update {
	u := s.users[from]
	m := &tgbotapi.Message{MessageID: 10, Text: text, Chat: &tgbotapi.Chat{ID: from, Type: "private"},
		From: &tgbotapi.User{ID: from, FirstName: u.Name, UserName: u.Username, LanguageCode: u.Lang}}
	if strings.HasPrefix(text, "/") {
		cmd, _, _ := strings.Cut(text, " ")
		m.Entities = []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: len(cmd)}}
	}
	return tgbotapi.Update{UpdateID: 5, Message: m}
}

// press is a press of a button with data by a person of memStore.
func pressOf(s *memStore, from int64, data string) tgbotapi.Update {
	u := s.users[from]
	return tgbotapi.Update{UpdateID: 6, CallbackQuery: &tgbotapi.CallbackQuery{ID: "q", Data: data,
		From:    &tgbotapi.User{ID: from, FirstName: u.Name, UserName: u.Username, LanguageCode: u.Lang},
		Message: &tgbotapi.Message{MessageID: 3, Chat: &tgbotapi.Chat{ID: from, Type: "private"}}}}
}

func (s *memStore) Audience(context.Context, string) (redaktor.Audience, error) {
	if err := s.call("Audience"); err != nil {
		return redaktor.Audience{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.audience, nil
}

func (s *memStore) SetAudience(_ context.Context, _ string, a redaktor.Audience) error {
	if err := s.call("SetAudience"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audience = a
	return nil
}

func (s *memStore) SubscribeCode(context.Context, string, func() string) (string, error) {
	return "code", s.call("SubscribeCode")
}

func (s *memStore) ScheduledTimes(context.Context, string, time.Time, time.Time) (map[int64]bool, error) {
	if err := s.call("ScheduledTimes"); err != nil {
		return nil, err
	}
	return map[int64]bool{}, nil
}

func (s *memStore) OpenInvites(context.Context, string, time.Time) ([]redaktor.Invite, error) {
	return nil, s.call("OpenInvites")
}

func (s *memStore) RevokeInvite(context.Context, string, string, int64, time.Time) error {
	return s.call("RevokeInvite")
}

func (s *memStore) MemberCards(_ context.Context, _ string, userID int64) ([]string, error) {
	if err := s.call("MemberCards"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for pid := range s.held {
		if userID == modID {
			ids = append(ids, pid)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

func (s *memStore) HeldCards(_ context.Context, chatID int64, postIDs []string) (map[string]int, error) {
	if err := s.call("HeldCards"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, pid := range postIDs {
		if msg, ok := s.held[pid]; ok && chatID == modID {
			out[pid] = msg
		}
	}
	return out, nil
}

func (s *memStore) Posts(_ context.Context, ids []string) ([]redaktor.Post, error) {
	if err := s.call("Posts"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []redaktor.Post
	for _, pid := range ids {
		if p, ok := s.posts[pid]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}
