package bottest

import (
	"maps"
	"time"
)

// Outage is the server's reachability, see [Server.SetOutage].
type Outage int

const (
	// Online answers normally.
	Online Outage = iota
	// BadGateway answers every request with 502 "Bad Gateway", as
	// api.telegram.org does while its backend is down.
	BadGateway
	// Unreachable drops every connection without an answer, which the
	// client sees as a network error.
	Unreachable
)

// SetOutage takes the server down or brings it back (Online).
func (s *Server) SetOutage(o Outage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = o
	s.signalLocked()
}

// Block makes the user block the bot: sends, edits and deletions in their
// private chat answer 403 "Forbidden: bot was blocked by the user".
func (s *Server) Block(userID int64) { s.setUser(userID, func(u *user) { u.blocked = true }) }

// Unblock undoes [Server.Block].
func (s *Server) Unblock(userID int64) { s.setUser(userID, func(u *user) { u.blocked = false }) }

// Deactivate deletes the user's account: 403 "Forbidden: user is deactivated".
func (s *Server) Deactivate(userID int64) { s.setUser(userID, func(u *user) { u.deactivated = true }) }

func (s *Server) setUser(id int64, change func(*user)) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		s.t.Errorf("bottest: user %d is not registered; call AddUser first", id)
		return
	}
	change(u)
}

// failRule fails the next n calls of a method.
type failRule struct {
	method string // "" for any
	left   int
	err    APIError
}

// FailNext answers the next n calls of method ("" for any method) with the
// error Telegram gives for code (see [ErrorFor]): bursts of 429, 500, 502.
// Rules queue up and are consumed in order.
func (s *Server) FailNext(method string, n int, code int) {
	s.FailNextWith(method, n, ErrorFor(code))
}

// FailNextWith is [Server.FailNext] with a specific error, e.g. a 429 with
// a longer retry_after.
func (s *Server) FailNextWith(method string, n int, err *APIError) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &failRule{method: method, left: n, err: *err})
}

type hook struct {
	fn func(method string, params map[string]string) *APIError
}

// Intercept runs fn before every method (after the token check); a non-nil
// result is answered instead of the method. It returns a function that
// removes the hook. fn runs without the server lock and may call the
// server's accessors.
func (s *Server) Intercept(fn func(method string, params map[string]string) *APIError) (remove func()) {
	h := &hook{fn: fn}
	s.mu.Lock()
	s.hooks = append(s.hooks, h)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, x := range s.hooks {
			if x == h {
				s.hooks = append(s.hooks[:i:i], s.hooks[i+1:]...)
				return
			}
		}
	}
}

// SetLatency delays every answer by d, for timeout and cancellation tests.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

func (s *Server) waitLatency(req *request) *APIError {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.ctx.Done(): // the client gave up; whatever we answer is not read
	case <-s.done:
	}
	return nil
}

// injected returns the fault to answer instead of the method, if any.
func (s *Server) injected(req *request) *APIError {
	s.mu.Lock()
	hooks := append([]*hook(nil), s.hooks...)
	for i, r := range s.faults {
		if r.method == "" || r.method == req.method {
			r.left--
			if r.left <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
			err := r.err
			s.mu.Unlock()
			return &err
		}
	}
	s.mu.Unlock()
	for _, h := range hooks {
		if err := h.fn(req.method, maps.Clone(req.params)); err != nil {
			return err
		}
	}
	return nil
}
