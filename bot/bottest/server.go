package bottest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// DefaultToken is the token a server accepts unless [WithToken] says otherwise.
// It has the shape of a real token so that code validating tokens accepts it.
const DefaultToken = "1000:AAbottestbottestbottestbottestbott"

// Server is a fake Bot API server. Create it with [New]; all methods are safe
// for concurrent use.
type Server struct {
	t     testing.TB
	ts    *httptest.Server
	token string
	clock Clock
	done  chan struct{} // closed when the test ends, to release long polls

	mu        sync.Mutex
	bot       tgbotapi.User
	chats     map[int64]*chat
	users     map[int64]*user
	usernames map[string]int64 // lower-cased public username → chat id
	files     map[string]Kind  // file ids Telegram would recognise
	seq       int              // source of file ids, callback ids and album ids
	changed   chan struct{}    // closed and replaced on every state change

	updates   []tgbotapi.Update // not yet confirmed, ascending update_id
	nextUpdID int
	confirmed int
	allowed   []string      // allowed_updates of the last getUpdates that set it
	poller    chan struct{} // closed to terminate the running getUpdates
	callbacks map[string]bool
	commands  map[commandKey][]tgbotapi.BotCommand
	webhook   Webhook

	calls []Call
	stats Stats

	limits  *limiter
	faults  []*failRule
	hooks   []*hook
	latency time.Duration
	outage  Outage

	handlers map[string]handler // lower-cased method name → handler
}

// Option configures a [Server].
type Option func(*Server)

// WithToken sets the token the server accepts; any other gets 401.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithBot sets the identity getMe answers.
func WithBot(id int64, username, firstName string) Option {
	return func(s *Server) {
		s.bot = tgbotapi.User{ID: id, IsBot: true, FirstName: firstName, UserName: username, CanJoinGroups: true}
	}
}

// WithClock injects the clock used for message dates, the deletion window
// and flood limits.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithRateLimits turns on Telegram's flood limits; zero fields take the
// defaults documented on [Limits].
func WithRateLimits(l Limits) Option {
	return func(s *Server) { s.limits = newLimiter(l.withDefaults()) }
}

// New starts a server for the duration of t.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{
		t:         t,
		token:     DefaultToken,
		clock:     systemClock{},
		done:      make(chan struct{}),
		bot:       tgbotapi.User{ID: 1000, IsBot: true, FirstName: "Redaktor Test", UserName: "redaktor_test_bot", CanJoinGroups: true},
		chats:     map[int64]*chat{},
		users:     map[int64]*user{},
		usernames: map[string]int64{},
		files:     map[string]Kind{},
		changed:   make(chan struct{}),
		nextUpdID: 100000,
		callbacks: map[string]bool{},
		commands:  map[commandKey][]tgbotapi.BotCommand{},
	}
	for _, o := range opts {
		o(s)
	}
	s.handlers = s.methods()
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.mu.Lock()
			s.stats.Connections++
			s.mu.Unlock()
		}
	}
	s.ts.Start()
	t.Cleanup(func() {
		close(s.done)
		s.ts.Close()
	})
	return s
}

// Token is the token the server accepts.
func (s *Server) Token() string { return s.token }

// URL is the server's base URL.
func (s *Server) URL() string { return s.ts.URL }

// Endpoint is the format string tgbotapi.NewBotAPIWithClient expects.
func (s *Server) Endpoint() string { return s.ts.URL + "/bot%s/%s" }

// Bot is the identity getMe answers.
func (s *Server) Bot() tgbotapi.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bot
}

func (s *Server) now() time.Time { return s.clock.Now() }

// signalLocked wakes everything waiting for a state change: long polls and
// WaitFor. Callers hold s.mu.
func (s *Server) signalLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) nextSeq() int {
	s.seq++
	return s.seq
}

// handler answers one method. Unless it is marked unlocked, it runs with
// s.mu held, so it reads and writes state freely.
type handler struct {
	fn       func(*request) (any, *APIError)
	name     string // canonical spelling, for the record
	unlocked bool
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	outage := s.outage
	s.mu.Unlock()
	switch outage {
	case Unreachable:
		dropConnection(w)
		return
	case BadGateway:
		writeAnswer(w, nil, errBadGateway)
		return
	}

	token, method, ok := splitPath(r.URL.Path)
	if !ok {
		writeAnswer(w, nil, errNotFound)
		return
	}
	req, perr := parseRequest(r, method)
	if perr != nil {
		writeAnswer(w, nil, perr)
		return
	}
	h, known := s.handlers[strings.ToLower(method)]
	if known {
		req.method = h.name
	}
	started := s.now()
	result, apiErr := s.answer(req, token, h, known)
	body := s.record(req, started, result, apiErr)
	writeRaw(w, body, apiErr)
}

// answer runs the checks Telegram applies before a method, then the method.
func (s *Server) answer(req *request, token string, h handler, known bool) (any, *APIError) {
	if token != s.token {
		return nil, errUnauthorized
	}
	if err := s.waitLatency(req); err != nil {
		return nil, err
	}
	if err := s.injected(req); err != nil {
		return nil, err
	}
	if !known {
		return nil, errNotFound
	}
	if h.unlocked {
		return h.fn(req)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return h.fn(req)
}

// splitPath takes "/bot<token>/<method>" apart.
func splitPath(p string) (token, method string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/bot")
	if !ok {
		return "", "", false
	}
	token, method, ok = strings.Cut(rest, "/")
	return token, method, ok && method != "" && !strings.Contains(method, "/")
}

type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *errorParams    `json:"parameters,omitempty"`
}

type errorParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

const okPrefix = `{"ok":true,"result":`

// encode renders the answer body exactly as api.telegram.org does.
func encode(result json.RawMessage, apiErr *APIError) []byte {
	if apiErr == nil && len(result) > 0 {
		// result came from json.Marshal, so it is already compact and valid:
		// marshalling it again inside the envelope would only check that
		// again, which was a tenth of bottest's time in the benchmarks.
		body := make([]byte, 0, len(okPrefix)+len(result)+1)
		return append(append(append(body, okPrefix...), result...), '}')
	}
	env := envelope{OK: apiErr == nil, Result: result}
	if apiErr != nil {
		env.Result = nil
		env.ErrorCode = apiErr.Code
		env.Description = apiErr.Description
		if apiErr.RetryAfter > 0 {
			env.Parameters = &errorParams{RetryAfter: apiErr.RetryAfter}
		}
	}
	body, err := json.Marshal(env)
	if err != nil { // only RawMessage and plain fields: cannot fail
		panic(err)
	}
	return body
}

func writeAnswer(w http.ResponseWriter, result json.RawMessage, apiErr *APIError) {
	writeRaw(w, encode(result, apiErr), apiErr)
}

func writeRaw(w http.ResponseWriter, body []byte, apiErr *APIError) {
	w.Header().Set("Content-Type", "application/json")
	status := http.StatusOK
	if apiErr != nil {
		status = apiErr.Code
	}
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client hung up; nothing left to tell it
}

// dropConnection closes the TCP connection without an answer, which the
// client sees as a network error, as during a real outage.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeAnswer(w, nil, errBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close() // the point is to break the connection
}
