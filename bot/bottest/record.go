package bottest

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Call is one request the server answered.
type Call struct {
	Method string            // canonical spelling, e.g. "sendMessage"
	Params map[string]string // every parameter as sent; nested objects as JSON text
	Files  map[string]string // multipart field → uploaded file name
	ChatID int64             // the chat the call addressed, once resolved; 0 otherwise
	Time   time.Time         // by the server's clock
	Result json.RawMessage   // the "result" answered, nil on error
	Err    *APIError         // the error answered, nil on success

	// Uploads holds the uploaded files' bytes by field (the first MiB).
	Uploads map[string][]byte
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Err == nil }

// Stats counts answers so tests can assert on retries and backoff.
type Stats struct {
	Calls       int         // requests answered, including errors
	SentOK      int         // successful send requests (sendX, copyMessage, forwardMessage(s))
	SendErrors  map[int]int // failed send requests by error code
	RateLimited int         // 429 answers of any method
	Connections int         // TCP connections clients opened
}

// stored is a message in a chat's history; outgoing ones are what tests
// inspect through [Sent].
type stored struct {
	msg       tgbotapi.Message // current state, as Telegram would return it
	fromBot   bool
	method    string
	kind      Kind
	fileID    string
	parseMode string
	rawMarkup string // reply_markup as sent, whatever the keyboard type
	edits     int
	deleted   bool
	// silent: sent with disable_notification (forwards and copies).
	silent bool
	// copied is a deep copy of msg as of copiedAt edits: tests read a
	// chat's messages in loops, and copying each on every read made
	// bottest the busiest part of the whole-program tests.
	copied   *tgbotapi.Message
	copiedAt int
}

// Sent is a snapshot of a message the bot posted, in its current state:
// edits replace text and keyboard, deletion sets Deleted. Snapshots of one
// state share their slices and pointers: read them, do not change them.
type Sent struct {
	ChatID       int64
	MessageID    int
	Method       string // the method that created it
	Kind         Kind
	Text         string                   // text, or caption of a media message
	Entities     []tgbotapi.MessageEntity // entities, or caption entities
	ParseMode    string
	FileID       string // the media's file id, empty for text
	MediaGroupID string
	Keyboard     *tgbotapi.InlineKeyboardMarkup // current inline keyboard, nil if none
	ReplyMarkup  string                         // reply_markup as last sent, any keyboard type
	Date         time.Time
	Edits        int
	Deleted      bool
	// Silent: sent with disable_notification (recorded for forwards and
	// copies): the person's phone did not ring.
	Silent  bool
	Message tgbotapi.Message // the full object Telegram would return now
}

// Buttons lists the inline keyboard row by row flattened, for assertions.
func (m Sent) Buttons() []tgbotapi.InlineKeyboardButton {
	if m.Keyboard == nil {
		return nil
	}
	var out []tgbotapi.InlineKeyboardButton
	for _, row := range m.Keyboard.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

// CallbackData returns the callback_data of the button labelled text, or ""
// when there is no such button; handy with [Server.Press].
func (m Sent) CallbackData(text string) string {
	for _, b := range m.Buttons() {
		if b.Text == text && b.CallbackData != nil {
			return *b.CallbackData
		}
	}
	return ""
}

func (st *stored) snapshot() Sent {
	// A message changes after it is posted only by an edit (applyEdit
	// counts them); its creation finishes under Server.mu before anyone
	// can read it.
	if st.copied == nil || st.copiedAt != st.edits {
		c := cloneMessage(st.msg)
		st.copied, st.copiedAt = &c, st.edits
	}
	msg := *st.copied
	text, entities := msg.Text, msg.Entities
	if st.kind != KindText {
		text, entities = msg.Caption, msg.CaptionEntities
	}
	return Sent{
		ChatID:       msg.Chat.ID,
		MessageID:    msg.MessageID,
		Method:       st.method,
		Kind:         st.kind,
		Text:         text,
		Entities:     entities,
		ParseMode:    st.parseMode,
		FileID:       st.fileID,
		MediaGroupID: msg.MediaGroupID,
		Keyboard:     msg.ReplyMarkup,
		ReplyMarkup:  st.rawMarkup,
		Date:         time.Unix(int64(msg.Date), 0),
		Edits:        st.edits,
		Deleted:      st.deleted,
		Silent:       st.silent,
		Message:      msg,
	}
}

// cloneMessage deep-copies through JSON so snapshots never alias live state.
func cloneMessage(m tgbotapi.Message) tgbotapi.Message {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // tgbotapi.Message always marshals
	}
	var out tgbotapi.Message
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// record stores the call, updates the counters and returns the body to send.
func (s *Server) record(req *request, started time.Time, result any, apiErr *APIError) []byte {
	var raw json.RawMessage
	if apiErr == nil {
		b, err := json.Marshal(result)
		if err != nil {
			apiErr = &APIError{Code: 500, Description: "Internal Server Error"}
			s.t.Errorf("bottest: cannot encode result of %s: %v", req.method, err)
		} else {
			raw = b
		}
	}
	call := Call{
		Method: req.method,
		Params: maps.Clone(req.params),
		Files:  map[string]string{},
		ChatID: req.chatID,
		Time:   started,
		Result: raw,
	}
	call.Uploads = map[string][]byte{}
	for field, up := range req.files {
		call.Files[field] = up.name
		call.Uploads[field] = up.data
	}
	if apiErr != nil {
		e := *apiErr
		call.Err = &e
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	s.stats.Calls++
	if apiErr != nil && apiErr.Code == 429 {
		s.stats.RateLimited++
	}
	if isSend(req.method) {
		if apiErr == nil {
			s.stats.SentOK++
		} else {
			if s.stats.SendErrors == nil {
				s.stats.SendErrors = map[int]int{}
			}
			s.stats.SendErrors[apiErr.Code]++
		}
	}
	s.signalLocked()
	return encode(raw, apiErr)
}

func isSend(method string) bool {
	switch method {
	case "sendMessage", "sendPhoto", "sendVideo", "sendAnimation", "sendDocument", "sendAudio",
		"sendVoice", "sendMediaGroup", "copyMessage", "forwardMessage", "forwardMessages":
		return true
	}
	return false
}

// Calls returns the recorded calls, oldest first, optionally only those of
// the given methods.
func (s *Server) Calls(methods ...string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if len(methods) == 0 || slices.Contains(methods, c.Method) {
			c.Params = maps.Clone(c.Params)
			c.Files = maps.Clone(c.Files)
			c.Uploads = maps.Clone(c.Uploads)
			out = append(out, c)
		}
	}
	return out
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.SendErrors = maps.Clone(st.SendErrors)
	return st
}

// Messages returns the bot's messages in a chat that still exist, oldest
// first, in their current state.
func (s *Server) Messages(chatID int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return nil
	}
	var out []Sent
	for _, st := range c.order {
		if st.fromBot && !st.deleted {
			out = append(out, st.snapshot())
		}
	}
	return out
}

// LastMessage returns the bot's newest message in a chat that still exists.
func (s *Server) LastMessage(chatID int64) (Sent, bool) {
	msgs := s.Messages(chatID)
	if len(msgs) == 0 {
		return Sent{}, false
	}
	return msgs[len(msgs)-1], true
}

// Message returns one message of the bot by id, including a deleted one
// (with Deleted set), so tests can assert that a card went away.
func (s *Server) Message(chatID int64, messageID int) (Sent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		return Sent{}, false
	}
	st := c.byID[messageID]
	if st == nil || !st.fromBot {
		return Sent{}, false
	}
	return st.snapshot(), true
}

// WaitFor blocks until cond holds, re-checking whenever the server's state
// changes (and every few milliseconds, for conditions on the bot's own
// state). It fails the test after timeout. Call it from the test goroutine;
// cond may call the server's accessors.
func (s *Server) WaitFor(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-tick.C:
		case <-deadline.C:
			t.Fatalf("bottest: condition not met within %v", timeout)
			return
		}
	}
}
