package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// Sessions stored by earlier versions read with their kind; a stored kind
// this version does not know, or a session that cannot be read, counts as
// none (the person's next message is read afresh), never as an error.
func TestStoredSessionKinds(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	const user = 21
	if err := s.SaveUser(ctx, redaktor.User{ID: user, Name: "Ира"}); err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("{%s}:user:%d:session", r.Prefix, user)
	tests := []struct {
		stored string
		want   redaktor.Session
		ok     bool
	}{
		{`{"kind":"comment:reject","post_id":"7","rev":3}`, redaktor.Session{Kind: redaktor.SessionReject, PostID: "7", Rev: 3}, true},
		{`{"kind":"comment:request_changes","post_id":"7","rev":3}`, redaktor.Session{Kind: redaktor.SessionRequestChanges, PostID: "7", Rev: 3}, true},
		{`{"kind":"new_version","post_id":"8","rev":1}`, redaktor.Session{Kind: redaktor.SessionNewVersion, PostID: "8", Rev: 1}, true},
		{`{"kind":"newpage","text":"Школа"}`, redaktor.Session{Kind: redaktor.SessionNewPage, Text: "Школа"}, true},
		{`{"kind":"channel","page_id":"2"}`, redaktor.Session{Kind: redaktor.SessionChannel, PageID: "2"}, true},
		{`{"kind":"comment","post_id":"7"}`, redaktor.Session{}, false},
		{`{"kind":"vk_token","page_id":"2"}`, redaktor.Session{}, false},
		{`{"post_id":"7"}`, redaktor.Session{}, false},
		{`{"kind":42}`, redaktor.Session{}, false},
		{`not json`, redaktor.Session{}, false},
	}
	for _, tc := range tests {
		if err := r.Client.Set(ctx, key, tc.stored, 0).Err(); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Session(ctx, user)
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("Session of %s = %+v, %v, %v; want %+v, %v", tc.stored, got, ok, err, tc.want, tc.ok)
		}
		_, got, ok, err = s.UserSession(ctx, user)
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("UserSession of %s = %+v, %v, %v; want %+v, %v", tc.stored, got, ok, err, tc.want, tc.ok)
		}
	}
}

func TestSetSessionRefusesUnknownKind(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	err := s.SetSession(ctx, 22, redaktor.Session{Kind: "comment"})
	if !errors.Is(err, redaktor.ErrInvalid) {
		t.Fatalf("unknown kind saved: %v", err)
	}
	if _, ok, err := s.Session(ctx, 22); ok || err != nil {
		t.Fatalf("a session after a refused save: %v %v", ok, err)
	}
}
