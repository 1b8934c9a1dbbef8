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

// readTeam returns a page's members with their records in one round trip:
// {user id, role, record or false, …}. The records' keys are built from
// ARGV[1], the prefix of a person's key (every key has the one hash tag,
// so they share the members hash's slot).
// KEYS[1] members hash. ARGV[1] user key prefix.
var readTeam = redis.NewScript(`
local m = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #m, 2 do
  out[#out+1] = m[i]
  out[#out+1] = m[i+1]
  out[#out+1] = redis.call('GET', ARGV[1] .. m[i]) or false
end
return out
`)

// Team lists a page's team, chief editors first, with each member's record
// (by user id; a member the bot has no record of is left out of users),
// in one round trip: the team list, its notices and the chief editors'
// news read every member at once, however large the team. A member whose
// record cannot be decoded is kept without it, and the team is returned
// with an error wrapping redaktor.ErrCorrupt that names them.
func (s *Store) Team(ctx context.Context, pageID string) ([]redaktor.Member, map[int64]redaktor.User, error) {
	res, err := readTeam.Run(ctx, s.rdb, []string{s.k.members(pageID)}, s.k.userPrefix()).Slice()
	if err != nil {
		return nil, nil, fmt.Errorf("read team of page %s: %w", pageID, err)
	}
	members := make([]redaktor.Member, 0, len(res)/3)
	users := make(map[int64]redaktor.User, len(res)/3)
	var corrupt []error
	for i := 0; i+2 < len(res); i += 3 {
		uid, _ := res[i].(string)
		role, _ := res[i+1].(string)
		n, err := strconv.ParseInt(uid, 10, 64)
		if err != nil {
			continue // not a member's field (Members skips it too)
		}
		m := redaktor.Member{PageID: pageID, UserID: n, Role: redaktor.Role(role)}
		if u, ok := userRecord(res[i+2], n, &corrupt); ok {
			users[n], m.Name = u, u.Name
		}
		members = append(members, m)
	}
	sort.Slice(members, func(i, j int) bool {
		if members[i].Role != members[j].Role {
			return members[i].Role == redaktor.RoleChief
		}
		return members[i].UserID < members[j].UserID
	})
	if len(corrupt) > 0 {
		return members, users, fmt.Errorf("read team of page %s: %w: %w", pageID, redaktor.ErrCorrupt, errors.Join(corrupt...))
	}
	return members, users, nil
}

// userRecord decodes a person's record a script returned (false when
// there is none). A record that cannot be decoded is noted in corrupt and
// left out, so that one bad record does not blank a whole read.
func userRecord(v any, userID int64, corrupt *[]error) (redaktor.User, bool) {
	rec, ok := v.(string)
	if !ok {
		return redaktor.User{}, false
	}
	var u redaktor.User
	if err := json.Unmarshal([]byte(rec), &u); err != nil {
		*corrupt = append(*corrupt, fmt.Errorf("user %d: %w", userID, err))
		return redaktor.User{}, false
	}
	return u, true
}
