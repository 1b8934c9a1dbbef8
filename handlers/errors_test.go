package handlers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/redaktor/redaktor"
)

// failingStore answers the reads these tests make and fails the rest as
// the test says; any other call panics through the nil baseStore.
type failingStore struct {
	baseStore
	clearErr error
	users    map[int64]redaktor.User
	userErr  error
}

func (s failingStore) ClearSession(context.Context, int64) error { return s.clearErr }

func (s failingStore) User(_ context.Context, id int64) (redaktor.User, error) {
	if s.userErr != nil {
		return redaktor.User{}, s.userErr
	}
	if u, ok := s.users[id]; ok {
		return u, nil
	}
	return redaktor.User{}, fmt.Errorf("user %d: %w", id, redaktor.ErrNotFound)
}

func deskLogging(store baseStore) (*base, *bytes.Buffer) {
	var buf bytes.Buffer
	return &base{store: store, log: slog.New(slog.NewTextHandler(&buf, nil))}, &buf
}

// A session that cannot be ended is logged once, at Warn, with the
// person's id and the cause; never their name.
func TestEndSessionLogsAFailure(t *testing.T) {
	d, logs := deskLogging(failingStore{clearErr: errors.New("clear session: i/o timeout")})
	d.endSession(context.Background(), who{User: redaktor.User{ID: 42, Name: "Ирина Петрова"}})
	out := logs.String()
	if strings.Count(out, "level=WARN") != 1 || !strings.Contains(out, "user=42") || !strings.Contains(out, "i/o timeout") {
		t.Fatalf("log %q, want one warning with the user id and the cause", out)
	}
	if strings.Contains(out, "Ирина") {
		t.Fatalf("a name in the log: %q", out)
	}

	d, logs = deskLogging(failingStore{})
	d.endSession(context.Background(), who{User: redaktor.User{ID: 42}})
	if logs.Len() != 0 {
		t.Fatalf("a session ended fine was logged: %q", logs.String())
	}
}

func TestUserToTell(t *testing.T) {
	anna := redaktor.User{ID: 7, Name: "Анна", Lang: "ru"}
	tests := []struct {
		name   string
		store  failingStore
		id     int64
		want   bool
		logged bool
	}{
		{"known", failingStore{users: map[int64]redaktor.User{7: anna}}, 7, true, false},
		{"no record: skipped quietly", failingStore{}, 8, false, false},
		{"Redis down: skipped and logged", failingStore{userErr: errors.New("read user: connection refused")}, 7, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, logs := deskLogging(tc.store)
			u, ok := d.userToTell(context.Background(), tc.id)
			if ok != tc.want || (ok && u != anna) {
				t.Fatalf("userToTell(%d) = %+v, %v; want ok=%v", tc.id, u, ok, tc.want)
			}
			if logged := strings.Contains(logs.String(), "level=WARN"); logged != tc.logged {
				t.Fatalf("logged %v (%q), want %v", logged, logs.String(), tc.logged)
			}
			if tc.logged && !strings.Contains(logs.String(), fmt.Sprintf("user=%d", tc.id)) {
				t.Fatalf("the warning does not name the user: %q", logs.String())
			}
		})
	}
}
