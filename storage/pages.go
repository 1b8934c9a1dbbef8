package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// SavePage stores a new page. A page that exists is changed where it
// stands, by UpdatePage, EditPage or the channel's scripts; should a whole
// page be saved over one (a page made twice), whether it is archived stays
// as stored.
func (s *Store) SavePage(ctx context.Context, p redaktor.Page) error {
	key := s.k.page(p.ID)
	for range 5 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			cur, err := tx.Get(ctx, key).Bytes()
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			var stored redaktor.Page
			if len(cur) > 0 && json.Unmarshal(cur, &stored) == nil {
				p.Archived, p.ArchivedAt = stored.Archived, stored.ArchivedAt
			}
			b, err := json.Marshal(p)
			if err != nil {
				return fmt.Errorf("encode page: %w", err)
			}
			_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.Set(ctx, key, b, 0)
				return nil
			})
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return fmt.Errorf("save page %s: %w", p.ID, err)
		}
		return nil
	}
	return fmt.Errorf("save page %s: changed too often meanwhile: %w", p.ID, redaktor.ErrConflict)
}

// Page reads one page.
func (s *Store) Page(ctx context.Context, pageID string) (redaktor.Page, error) {
	b, err := s.rdb.Get(ctx, s.k.page(pageID)).Bytes()
	if err != nil {
		return redaktor.Page{}, notFound(err, "page "+pageID)
	}
	var p redaktor.Page
	if err := json.Unmarshal(b, &p); err != nil {
		return redaktor.Page{}, fmt.Errorf("decode page %s: %w", pageID, err)
	}
	return p, nil
}

// Membership reads a page and a person's role on it ("" when they are not a
// member) in one round trip: almost every command and press checks both.
func (s *Store) Membership(ctx context.Context, pageID string, userID int64) (redaktor.Page, redaktor.Role, error) {
	pipe := s.rdb.Pipeline()
	page := pipe.Get(ctx, s.k.page(pageID))
	role := pipe.HGet(ctx, s.k.members(pageID), id(userID))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return redaktor.Page{}, "", fmt.Errorf("read page %s and role: %w", pageID, err)
	}
	b, err := page.Bytes()
	if err != nil {
		return redaktor.Page{}, "", notFound(err, "page "+pageID)
	}
	var p redaktor.Page
	if err := json.Unmarshal(b, &p); err != nil {
		return redaktor.Page{}, "", fmt.Errorf("decode page %s: %w", pageID, err)
	}
	return p, redaktor.Role(role.Val()), nil
}

// Role returns a person's role on a page, "" when they are not a member.
func (s *Store) Role(ctx context.Context, pageID string, userID int64) (redaktor.Role, error) {
	r, err := s.rdb.HGet(ctx, s.k.members(pageID), id(userID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read role: %w", err)
	}
	return redaktor.Role(r), nil
}

// Members lists a page's team, chief editors first, with their names.
func (s *Store) Members(ctx context.Context, pageID string) ([]redaktor.Member, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.members(pageID)).Result()
	if err != nil {
		return nil, fmt.Errorf("read members: %w", err)
	}
	out := make([]redaktor.Member, 0, len(m))
	for uid, role := range m {
		n, err := strconv.ParseInt(uid, 10, 64)
		if err != nil {
			continue
		}
		mem := redaktor.Member{PageID: pageID, UserID: n, Role: redaktor.Role(role)}
		if u, err := s.User(ctx, n); err == nil {
			mem.Name = u.Name
		}
		out = append(out, mem)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Role != out[j].Role {
			return out[i].Role == redaktor.RoleChief
		}
		return out[i].UserID < out[j].UserID
	})
	return out, nil
}

// changeMember sets (ARGV[2] a role) or removes (ARGV[2] "") a member,
// refusing to leave a page without a chief editor unless ARGV[6] is "1"
// (an admin stepping in). A member removed or no longer chief loses the
// open invites they made, and the change and each revocation are written
// to the audit log, all in this one step. A removal that leaves the person
// on no team sets their record to expire (FormerMemberKeep), also when it
// is repeated (its reply was lost), never putting an expiry off.
// KEYS[1] members hash, KEYS[2] the person's pages set, KEYS[3] the page's
// open invites, KEYS[4] the page's audit log, KEYS[5] the person's record.
// ARGV[1] user id, ARGV[2] new role or "", ARGV[3] page id, ARGV[4] who
// acts, ARGV[5] now ms, ARGV[6] "1" may leave no chief, ARGV[7] the prefix
// of invite keys (same hash tag: the codes are only known here), ARGV[8]
// how long the record of a person on no team is kept, ms.
// Returns {1, revoked} done; {2, 0} the role was that already (a retry);
// {0, 0} not a member; {-1, 0} would remove the last chief editor.
var changeMember = redis.NewScript(luaAudit + `
local function expireOffTeam()
  if ARGV[2] == '' and redis.call('SCARD', KEYS[2]) == 0 and redis.call('PTTL', KEYS[5]) == -1 then
    redis.call('PEXPIRE', KEYS[5], ARGV[8])
  end
end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  expireOffTeam()
  return {0, 0}
end
if cur == ARGV[2] then return {2, 0} end
if cur == 'chief' and ARGV[2] ~= 'chief' and ARGV[6] ~= '1' then
  local chiefs = 0
  local all = redis.call('HVALS', KEYS[1])
  for _, r in ipairs(all) do if r == 'chief' then chiefs = chiefs + 1 end end
  if chiefs <= 1 then return {-1, 0} end
end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[3])
  expireOffTeam()
  audit(KEYS[4], ARGV[5], ARGV[4], 'removed', ARGV[1], cur)
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  audit(KEYS[4], ARGV[5], ARGV[4], 'role_changed', ARGV[1], ARGV[2])
end
local revoked = 0
if ARGV[2] ~= 'chief' then
  for _, code in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    local ik = ARGV[7] .. code
    local inv = redis.call('HMGET', ik, 'by', 'role', 'used_by', 'revoked')
    if inv[1] == ARGV[1] and not inv[3] and not inv[4] then
      redis.call('HSET', ik, 'revoked', ARGV[5])
      redis.call('ZREM', KEYS[3], code)
      audit(KEYS[4], ARGV[5], ARGV[4], 'invite_revoked', ARGV[1], inv[2])
      revoked = revoked + 1
    end
  end
end
return {1, revoked}
`)

// ChangeMember changes a member's role or removes them; the invites they
// made are revoked when they are no longer chief. It returns how many
// were revoked.
func (s *Store) ChangeMember(ctx context.Context, c redaktor.MemberChange) (revoked int, err error) {
	orphan := "0"
	if c.MayLeaveNoChief {
		orphan = "1"
	}
	res, err := changeMember.Run(ctx, s.rdb,
		[]string{s.k.members(c.PageID), s.k.userPages(c.UserID), s.k.invites(c.PageID), s.k.audit(c.PageID), s.k.user(c.UserID)},
		c.UserID, string(c.Role), c.PageID, c.By, c.At.UnixMilli(), orphan, s.k.invite(""),
		FormerMemberKeep.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, fmt.Errorf("change member: %w", err)
	}
	switch res[0] {
	case 0:
		return 0, fmt.Errorf("member %d of page %s: %w", c.UserID, c.PageID, redaktor.ErrNotFound)
	case -1:
		return 0, redaktor.ErrLastChief
	}
	return int(res[1]), nil
}

// SetRole changes a member's role; the audit log names nobody as its author.
func (s *Store) SetRole(ctx context.Context, pageID string, userID int64, role redaktor.Role) error {
	_, err := s.ChangeMember(ctx, redaktor.MemberChange{PageID: pageID, UserID: userID, Role: role, At: time.Now()})
	return err
}

// RemoveMember takes a person off a page's team as if they left it
// themselves.
func (s *Store) RemoveMember(ctx context.Context, pageID string, userID int64) error {
	_, err := s.ChangeMember(ctx, redaktor.MemberChange{PageID: pageID, UserID: userID, By: userID, At: time.Now()})
	return err
}

// UserPages lists the pages a person is on, with their role on each.
func (s *Store) UserPages(ctx context.Context, userID int64) ([]redaktor.Page, []redaktor.Role, error) {
	ids, err := s.rdb.SMembers(ctx, s.k.userPages(userID)).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("read pages of %d: %w", userID, err)
	}
	sort.Slice(ids, func(i, j int) bool {
		a, _ := strconv.Atoi(ids[i])
		b, _ := strconv.Atoi(ids[j])
		return a < b
	})
	var pages []redaktor.Page
	var roles []redaktor.Role
	for _, pid := range ids {
		p, err := s.Page(ctx, pid)
		if err != nil {
			continue
		}
		r, err := s.Role(ctx, pid, userID)
		if err != nil {
			return nil, nil, err
		}
		if r == "" {
			continue
		}
		pages = append(pages, p)
		roles = append(roles, r)
	}
	return pages, roles, nil
}

// SaveUser stores what the bot knows of a person.
func (s *Store) SaveUser(ctx context.Context, u redaktor.User) error {
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode user: %w", err)
	}
	if err := s.rdb.Set(ctx, s.k.user(u.ID), b, 0).Err(); err != nil {
		return fmt.Errorf("save user: %w", err)
	}
	return nil
}

// User reads a person; ErrNotFound when the bot has never seen them.
func (s *Store) User(ctx context.Context, userID int64) (redaktor.User, error) {
	b, err := s.rdb.Get(ctx, s.k.user(userID)).Bytes()
	if err != nil {
		return redaktor.User{}, notFound(err, "user "+id(userID))
	}
	var u redaktor.User
	if err := json.Unmarshal(b, &u); err != nil {
		return redaktor.User{}, fmt.Errorf("decode user: %w", err)
	}
	return u, nil
}
