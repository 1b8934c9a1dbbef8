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

// openInvitesShown bounds the open invites a page lists.
const openInvitesShown = 50

// SaveInvite stores a new invite, lists it among the page's open invites
// (a sorted set by expiry) and records it in the page's audit log, in one
// transaction.
func (s *Store) SaveInvite(ctx context.Context, inv redaktor.Invite) error {
	key := s.k.invite(inv.Code)
	entry, err := encodeAudit(redaktor.AuditEntry{At: inv.CreatedAt, ActorID: inv.CreatedBy,
		Action: redaktor.AuditInviteMade, Role: inv.Role})
	if err != nil {
		return err
	}
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, key, "page", inv.PageID, "role", string(inv.Role),
		"expires", inv.ExpiresAt.UnixMilli(), "by", inv.CreatedBy, "at", inv.CreatedAt.UnixMilli())
	pipe.PExpireAt(ctx, key, inv.ExpiresAt.Add(inviteKeep))
	pipe.ZAdd(ctx, s.k.invites(inv.PageID), redis.Z{Score: ms(inv.ExpiresAt), Member: inv.Code})
	pipe.LPush(ctx, s.k.audit(inv.PageID), entry)
	pipe.LTrim(ctx, s.k.audit(inv.PageID), 0, redaktor.AuditKeep-1)
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
	return decodeInvite(code, m), nil
}

func decodeInvite(code string, m map[string]string) redaktor.Invite {
	num := func(f string) int64 { n, _ := strconv.ParseInt(m[f], 10, 64); return n }
	inv := redaktor.Invite{
		Code: code, PageID: m["page"], Role: redaktor.Role(m["role"]),
		ExpiresAt: time.UnixMilli(num("expires")), CreatedBy: num("by"), UsedBy: num("used_by"),
	}
	if at := num("at"); at != 0 {
		inv.CreatedAt = time.UnixMilli(at)
	}
	if at := num("used_at"); at != 0 {
		inv.UsedAt = time.UnixMilli(at)
	}
	return inv
}

// OpenInvites lists a page's invites nobody used, revoked or let expire,
// soonest to expire first (at most openInvitesShown). Expired ones leave
// the list as they are found.
func (s *Store) OpenInvites(ctx context.Context, pageID string, now time.Time) ([]redaktor.Invite, error) {
	pipe := s.rdb.Pipeline()
	pipe.ZRemRangeByScore(ctx, s.k.invites(pageID), "-inf", strconv.FormatInt(now.UnixMilli(), 10))
	codes := pipe.ZRange(ctx, s.k.invites(pageID), 0, openInvitesShown-1)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("list invites of page %s: %w", pageID, err)
	}
	if len(codes.Val()) == 0 {
		return nil, nil
	}
	pipe = s.rdb.Pipeline()
	reads := make([]*redis.MapStringStringCmd, len(codes.Val()))
	for i, c := range codes.Val() {
		reads[i] = pipe.HGetAll(ctx, s.k.invite(c))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("read invites of page %s: %w", pageID, err)
	}
	var out []redaktor.Invite
	for i, r := range reads {
		m := r.Val()
		if len(m) == 0 || m["used_by"] != "" || m["revoked"] != "" || m["page"] != pageID {
			continue
		}
		out = append(out, decodeInvite(codes.Val()[i], m))
	}
	return out, nil
}

// revokeInvite ends an open invite of a page.
// KEYS[1] invite hash, KEYS[2] page's open invites, KEYS[3] page's audit.
// ARGV[1] page id, ARGV[2] now ms, ARGV[3] who revokes, ARGV[4] code.
// Returns 1 revoked; 0 revoked already (a retry); -2 no such invite of this
// page; -4 used already.
var revokeInvite = redis.NewScript(luaAudit + `
local inv = redis.call('HMGET', KEYS[1], 'page', 'role', 'by', 'used_by', 'revoked')
if not inv[1] or inv[1] ~= ARGV[1] then return -2 end
if inv[5] then return 0 end
if inv[4] then return -4 end
redis.call('HSET', KEYS[1], 'revoked', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[4])
audit(KEYS[3], ARGV[2], ARGV[3], 'invite_revoked', inv[3], inv[2])
return 1
`)

// RevokeInvite ends an open invite of the page; opening it afterwards says
// it was revoked. ErrNotFound when the page has no such invite,
// ErrInviteUsed when someone joined with it already.
func (s *Store) RevokeInvite(ctx context.Context, pageID, code string, by int64, now time.Time) error {
	n, err := revokeInvite.Run(ctx, s.rdb,
		[]string{s.k.invite(code), s.k.invites(pageID), s.k.audit(pageID)},
		pageID, now.UnixMilli(), by, code).Int()
	if err != nil {
		return fmt.Errorf("revoke invite: %w", err)
	}
	switch n {
	case -2:
		return fmt.Errorf("invite of page %s: %w", pageID, redaktor.ErrNotFound)
	case -4:
		return redaktor.ErrInviteUsed
	}
	return nil
}

// redeemInvite gives the opener the invite's role, once.
// KEYS[1] invite hash, KEYS[2] page members, KEYS[3] the person's pages,
// KEYS[4] page's open invites, KEYS[5] page's audit.
// ARGV[1] now ms, ARGV[2] user id, ARGV[3] page id read before, ARGV[4] code.
// Returns {1, role} joined; {0, role} this person already used it (a retry,
// or the link opened again; role is "" when they left the page since);
// -2 unknown; -4 used by someone else; -5 expired; -6 revoked.
var redeemInvite = redis.NewScript(luaAudit + `
local inv = redis.call('HMGET', KEYS[1], 'page', 'role', 'expires', 'used_by', 'revoked')
if not inv[1] or inv[1] ~= ARGV[3] then return {-2, ''} end
if inv[4] then
  if inv[4] == ARGV[2] then return {0, redis.call('HGET', KEYS[2], ARGV[2]) or ''} end
  return {-4, ''}
end
if inv[5] then return {-6, ''} end
if tonumber(inv[3]) < tonumber(ARGV[1]) then return {-5, ''} end
redis.call('HSET', KEYS[1], 'used_by', ARGV[2], 'used_at', ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[4])
local role = inv[2]
if redis.call('HGET', KEYS[2], ARGV[2]) == 'chief' then role = 'chief' end
redis.call('HSET', KEYS[2], ARGV[2], role)
redis.call('SADD', KEYS[3], ARGV[3])
audit(KEYS[5], ARGV[1], ARGV[2], 'joined', ARGV[2], role)
return {1, role}
`)

// Redeem makes userID a member with the invite's role (a chief editor
// invited as moderator stays chief).
func (s *Store) Redeem(ctx context.Context, code string, userID int64, now time.Time) (redaktor.Redeemed, error) {
	inv, err := s.Invite(ctx, code)
	if err != nil {
		return redaktor.Redeemed{Invite: inv}, err
	}
	res, err := redeemInvite.Run(ctx, s.rdb,
		[]string{s.k.invite(code), s.k.members(inv.PageID), s.k.userPages(userID), s.k.invites(inv.PageID), s.k.audit(inv.PageID)},
		now.UnixMilli(), userID, inv.PageID, code).Slice()
	if err != nil {
		return redaktor.Redeemed{Invite: inv}, fmt.Errorf("redeem invite: %w", err)
	}
	role, _ := res[1].(string)
	out := redaktor.Redeemed{Invite: inv, Role: redaktor.Role(role)}
	switch res[0].(int64) {
	case 1:
		return out, nil
	case 0:
		out.Again = true
		return out, nil
	case -4:
		return out, redaktor.ErrInviteUsed
	case -5:
		return out, redaktor.ErrInviteExpired
	case -6:
		return out, redaktor.ErrInviteRevoked
	default:
		return out, fmt.Errorf("invite: %w", redaktor.ErrNotFound)
	}
}

// RedeemInvite is Redeem returning the invite and the role only.
func (s *Store) RedeemInvite(ctx context.Context, code string, userID int64, now time.Time) (redaktor.Invite, redaktor.Role, error) {
	r, err := s.Redeem(ctx, code, userID, now)
	return r.Invite, r.Role, err
}
