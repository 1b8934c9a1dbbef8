package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// A page's audit log is a list, newest first, capped at
// redaktor.AuditKeep entries. An entry is JSON holding ids only (see
// auditRecord); scripts that change the team push theirs in the same
// step as the change (luaAudit), so a change is never without its line.

// auditRecord is an entry as stored.
type auditRecord struct {
	At   int64  `json:"at"` // unix ms
	By   int64  `json:"by"`
	Act  string `json:"act"`
	User int64  `json:"user,omitempty"`
	Role string `json:"role,omitempty"`
	Post string `json:"post,omitempty"`
	Note string `json:"note,omitempty"`
}

func encodeAudit(e redaktor.AuditEntry) (string, error) {
	b, err := json.Marshal(auditRecord{At: e.At.UnixMilli(), By: e.ActorID, Act: string(e.Action),
		User: e.UserID, Role: string(e.Role), Post: e.PostID, Note: e.Note})
	if err != nil {
		return "", fmt.Errorf("encode audit entry: %w", err)
	}
	return string(b), nil
}

// luaAudit is prepended to scripts that record team actions.
// audit(key, at, by, act, user, role) pushes one entry; at, by and user
// are digits and act and role known words, so plain concatenation makes
// valid JSON.
var luaAudit = `
local function audit(key, at, by, act, user, role)
  local e = '{"at":' .. at .. ',"by":' .. by .. ',"act":"' .. act .. '"'
  if user and user ~= '' and user ~= '0' then e = e .. ',"user":' .. user end
  if role and role ~= '' then e = e .. ',"role":"' .. role .. '"' end
  redis.call('LPUSH', key, e .. '}')
  redis.call('LTRIM', key, 0, ` + strconv.Itoa(redaktor.AuditKeep-1) + `)
end
`

// RecordAudit adds one entry to a page's audit log. Team changes made by
// storage record themselves; this is for what happens elsewhere (a
// channel linked or unlinked).
func (s *Store) RecordAudit(ctx context.Context, pageID string, e redaktor.AuditEntry) error {
	entry, err := encodeAudit(e)
	if err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.LPush(ctx, s.k.audit(pageID), entry)
	pipe.LTrim(ctx, s.k.audit(pageID), 0, redaktor.AuditKeep-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record audit of page %s: %w", pageID, err)
	}
	return nil
}

// auditOp is the savePost op that records an entry with a post's change.
func (s *Store) auditOp(pageID string, e redaktor.AuditEntry) (op, error) {
	entry, err := encodeAudit(e)
	if err != nil {
		return op{}, err
	}
	return op{kind: "lpush", key: s.k.audit(pageID), score: redaktor.AuditKeep, member: entry}, nil
}

// postAudit names the post changes the audit log keeps.
var postAudit = map[redaktor.Action]redaktor.AuditAction{
	redaktor.ActPublished: redaktor.AuditPublished,
	redaktor.ActDelete:    redaktor.AuditDeleted,
	redaktor.ActCancel:    redaktor.AuditCancelled,
}

// AuditLog returns a page's audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, pageID string) ([]redaktor.AuditEntry, error) {
	raw, err := s.rdb.LRange(ctx, s.k.audit(pageID), 0, redaktor.AuditKeep-1).Result()
	if err != nil {
		return nil, fmt.Errorf("read audit of page %s: %w", pageID, err)
	}
	out := make([]redaktor.AuditEntry, 0, len(raw))
	for _, r := range raw {
		var rec auditRecord
		if err := json.Unmarshal([]byte(r), &rec); err != nil {
			continue // one bad line does not hide the others
		}
		out = append(out, redaktor.AuditEntry{At: time.UnixMilli(rec.At).UTC(), ActorID: rec.By,
			Action: redaktor.AuditAction(rec.Act), UserID: rec.User, Role: redaktor.Role(rec.Role),
			PostID: rec.Post, Note: rec.Note})
	}
	return out, nil
}

// FormerMember stands in an audit entry for a person the bot forgot.
const FormerMember int64 = -1

// ForgetInAudit replaces a person's id in every page's audit log by
// FormerMember, and forgets which cards of posts they were shown, for
// /forgetme: the actions stay in the log, the person does not. A log
// changed meanwhile is read again (WATCH).
func (s *Store) ForgetInAudit(ctx context.Context, userID int64) error {
	pages, err := s.AllPages(ctx)
	if err != nil {
		return err
	}
	for _, p := range pages {
		if err := s.rdb.Del(ctx, s.k.memberCards(p.ID, userID)).Err(); err != nil {
			return fmt.Errorf("forget cards of page %s: %w", p.ID, err)
		}
		key := s.k.audit(p.ID)
		var lastErr error
		for range 5 {
			lastErr = s.rdb.Watch(ctx, func(tx *redis.Tx) error {
				raw, err := tx.LRange(ctx, key, 0, -1).Result()
				if err != nil {
					return err
				}
				changed := false
				for i, r := range raw {
					var rec auditRecord
					if json.Unmarshal([]byte(r), &rec) != nil || (rec.By != userID && rec.User != userID) {
						continue
					}
					if rec.By == userID {
						rec.By = FormerMember
					}
					if rec.User == userID {
						rec.User = FormerMember
					}
					b, err := json.Marshal(rec)
					if err != nil {
						return err
					}
					raw[i], changed = string(b), true
				}
				if !changed {
					return nil
				}
				_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
					pipe.Del(ctx, key)
					vals := make([]any, len(raw))
					for i, r := range raw {
						vals[i] = r
					}
					pipe.RPush(ctx, key, vals...)
					return nil
				})
				return err
			}, key)
			if !errors.Is(lastErr, redis.TxFailedErr) {
				break
			}
		}
		if lastErr != nil {
			return fmt.Errorf("forget %d in the audit of page %s: %w", userID, p.ID, lastErr)
		}
	}
	return nil
}
