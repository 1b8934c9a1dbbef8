package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// SavePage stores a page (created or changed: channel, slots).
func (s *Store) SavePage(ctx context.Context, p redaktor.Page) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode page: %w", err)
	}
	if err := s.rdb.Set(ctx, s.k.page(p.ID), b, 0).Err(); err != nil {
		return fmt.Errorf("save page %s: %w", p.ID, err)
	}
	return nil
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
// refusing to leave a page without a chief editor.
// KEYS[1] members hash, KEYS[2] the person's pages set.
// ARGV[1] user id, ARGV[2] new role or "", ARGV[3] page id.
// Returns 1 done, 0 not a member, -1 would remove the last chief editor.
var changeMember = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return 0 end
if cur == 'chief' and ARGV[2] ~= 'chief' then
  local chiefs = 0
  local all = redis.call('HVALS', KEYS[1])
  for _, r in ipairs(all) do if r == 'chief' then chiefs = chiefs + 1 end end
  if chiefs <= 1 then return -1 end
end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[2], ARGV[3])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
`)

// ErrLastChief: the change would leave a page without a chief editor.
var ErrLastChief = fmt.Errorf("the page's only chief editor: %w", redaktor.ErrConflict)

// SetRole changes a member's role.
func (s *Store) SetRole(ctx context.Context, pageID string, userID int64, role redaktor.Role) error {
	return s.changeMember(ctx, pageID, userID, string(role))
}

// RemoveMember takes a person off a page's team.
func (s *Store) RemoveMember(ctx context.Context, pageID string, userID int64) error {
	return s.changeMember(ctx, pageID, userID, "")
}

func (s *Store) changeMember(ctx context.Context, pageID string, userID int64, role string) error {
	n, err := changeMember.Run(ctx, s.rdb, []string{s.k.members(pageID), s.k.userPages(userID)}, userID, role, pageID).Int()
	if err != nil {
		return fmt.Errorf("change member: %w", err)
	}
	switch n {
	case 0:
		return fmt.Errorf("member %d of page %s: %w", userID, pageID, redaktor.ErrNotFound)
	case -1:
		return ErrLastChief
	}
	if role == "" {
		return s.expireFormerMember(ctx, userID)
	}
	return nil
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
