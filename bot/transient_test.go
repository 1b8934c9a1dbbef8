package bot

import (
	"errors"
	"fmt"
	"testing"
)

// Transient decides whether the intake handles an update again a little
// later (true) or tells the person at once (false).
func TestTransient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"429", &APIError{Code: 429, RetryAfter: 3}, true},
		{"502", &APIError{Code: 502}, true},
		{"500 wrapped", fmt.Errorf("send card: %w", &APIError{Code: 500}), true},
		{"unreachable", &NetError{msg: "dial tcp: connection refused"}, true},
		{"timed out", &NetError{msg: "timeout", timeout: true}, true},
		{"400 chat not found", &APIError{Code: 400, Description: "Bad Request: chat not found"}, false},
		{"403 blocked", &APIError{Code: 403, Description: "Forbidden: bot was blocked by the user"}, false},
		{"done, but the answer unreadable", &AnswerError{Method: "sendMessage", Err: errors.New("bad JSON")}, false},
		{"anything else", errors.New("no such post"), false},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("%s: Transient = %v, want %v", tc.name, got, tc.want)
		}
	}
}
