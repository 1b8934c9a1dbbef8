package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// inviteKeep is how long a used or expired invite is remembered, so that
// opening it again gets "already used" or "expired" instead of "unknown".
const inviteKeep = 30 * 24 * time.Hour

// SaveInvite stores a new invite.
func (s *Store) SaveInvite(ctx context.Context, inv redaktor.Invite) error {
	key := s.k.invite(inv.Code)
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, key, "page", inv.PageID, "role", string(inv.Role),
		"expires", inv.ExpiresAt.UnixMilli(), "by", inv.CreatedBy)
	pipe.PExpireAt(ctx, key, inv.ExpiresAt.Add(inviteKeep))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("save invite: %w", err)
	}
	return nil
}

// Invite reads an invite.
func (s *Store) Invite(ctx context.Context, code string) (redaktor.Invite, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.invite(code)).Result()
	if err != nil {
		return redaktor.Invite{}, fmt.Errorf("read invite: %w", err)
	}
	if len(m) == 0 {
		return redaktor.Invite{}, fmt.Errorf("invite: %w", redaktor.ErrNotFound)
	}
	exp, _ := strconv.ParseInt(m["expires"], 10, 64)
	by, _ := strconv.ParseInt(m["by"], 10, 64)
	used, _ := strconv.ParseInt(m["used_by"], 10, 64)
	return redaktor.Invite{
		Code: code, PageID: m["page"], Role: redaktor.Role(m["role"]),
		ExpiresAt: time.UnixMilli(exp), CreatedBy: by, UsedBy: used,
	}, nil
}

// redeemInvite gives the opener the invite's role, once.
// KEYS[1] invite hash, KEYS[2] page members, KEYS[3] the person's pages.
// ARGV[1] now ms, ARGV[2] user id, ARGV[3] page id read before.
// Returns {1, role} joined; {0, role} this person already used it (a retry);
// -2 unknown; -4 used by someone else; -5 expired.
var redeemInvite = redis.NewScript(`
local inv = redis.call('HMGET', KEYS[1], 'page', 'role', 'expires', 'used_by')
if not inv[1] or inv[1] ~= ARGV[3] then return {-2, ''} end
if inv[4] then
  if inv[4] == ARGV[2] then return {0, redis.call('HGET', KEYS[2], ARGV[2]) or ''} end
  return {-4, ''}
end
if tonumber(inv[3]) < tonumber(ARGV[1]) then return {-5, ''} end
redis.call('HSET', KEYS[1], 'used_by', ARGV[2], 'used_at', ARGV[1])
local role = inv[2]
if redis.call('HGET', KEYS[2], ARGV[2]) == 'chief' then role = 'chief' end
redis.call('HSET', KEYS[2], ARGV[2], role)
redis.call('SADD', KEYS[3], ARGV[3])
return {1, role}
`)

// Invite errors, each wrapping a domain sentinel.
var (
	ErrInviteUsed    = fmt.Errorf("invite already used: %w", redaktor.ErrConflict)
	ErrInviteExpired = fmt.Errorf("invite expired: %w", redaktor.ErrInvalid)
)

// RedeemInvite makes userID a member with the invite's role (a chief
// editor invited as moderator stays chief) and returns the page and role.
func (s *Store) RedeemInvite(ctx context.Context, code string, userID int64, now time.Time) (redaktor.Invite, redaktor.Role, error) {
	inv, err := s.Invite(ctx, code)
	if err != nil {
		return inv, "", err
	}
	res, err := redeemInvite.Run(ctx, s.rdb,
		[]string{s.k.invite(code), s.k.members(inv.PageID), s.k.userPages(userID)},
		now.UnixMilli(), userID, inv.PageID).Slice()
	if err != nil {
		return inv, "", fmt.Errorf("redeem invite: %w", err)
	}
	role, _ := res[1].(string)
	switch res[0].(int64) {
	case 1, 0:
		return inv, redaktor.Role(role), nil
	case -4:
		return inv, "", ErrInviteUsed
	case -5:
		return inv, "", ErrInviteExpired
	default:
		return inv, "", fmt.Errorf("invite: %w", redaktor.ErrNotFound)
	}
}
