package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// readCardViewers returns a post's live cards with each viewer's record
// and role on the page, in one round trip: {chat, message, record or
// false, role or false, …}. Keys of the records are built from ARGV[1]
// (every key has the one hash tag, so they share the cards hash's slot).
// KEYS[1] the post's cards, KEYS[2] the page's members. ARGV[1] user key
// prefix.
var readCardViewers = redis.NewScript(`
local c = redis.call('HGETALL', KEYS[1])
local out = {}
for i = 1, #c, 2 do
  out[#out+1] = c[i]
  out[#out+1] = c[i+1]
  out[#out+1] = redis.call('GET', ARGV[1] .. c[i]) or false
  out[#out+1] = redis.call('HGET', KEYS[2], c[i]) or false
end
return out
`)

// CardViewers reads a post's live cards with their viewers' records (by
// chat; a viewer the bot has no record of is left out) and roles on pageID
// (a viewer off its team is left out), in one round trip: every change of
// a post redraws all its cards, and reading each viewer apart took two
// round trips a card. A viewer whose record cannot be decoded is left out
// too, and the rest is returned with an error wrapping redaktor.ErrCorrupt
// that names them.
func (s *Store) CardViewers(ctx context.Context, postID, pageID string) ([]redaktor.Card, map[int64]redaktor.User, map[int64]redaktor.Role, error) {
	res, err := readCardViewers.Run(ctx, s.rdb, []string{s.k.cards(postID), s.k.members(pageID)}, s.k.userPrefix()).Slice()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read the cards of post %s: %w", postID, err)
	}
	cards := make([]redaktor.Card, 0, len(res)/4)
	users := make(map[int64]redaktor.User, len(res)/4)
	roles := make(map[int64]redaktor.Role, len(res)/4)
	var corrupt []error
	for i := 0; i+3 < len(res); i += 4 {
		chat, _ := res[i].(string)
		msg, _ := res[i+1].(string)
		c, err1 := strconv.ParseInt(chat, 10, 64)
		mid, err2 := strconv.Atoi(msg)
		if err1 != nil || err2 != nil {
			continue // not a card (Cards skips it too)
		}
		cards = append(cards, redaktor.Card{ChatID: c, MessageID: mid})
		if u, ok := userRecord(res[i+2], c, &corrupt); ok {
			users[c] = u
		}
		if role, ok := res[i+3].(string); ok {
			roles[c] = redaktor.Role(role)
		}
	}
	if len(corrupt) > 0 {
		return cards, users, roles, fmt.Errorf("read the card viewers of post %s: %w: %w", postID, redaktor.ErrCorrupt, errors.Join(corrupt...))
	}
	return cards, users, roles, nil
}
