package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// claimDue moves due posts into the leased set, so that of several
// schedulers on one Redis exactly one takes each post. Leases that ran out
// (their holder died) first go back to the due set.
//
// KEYS[1] due zset (score: due ms), KEYS[2] leased zset (score: lease end ms)
// ARGV[1] now ms, ARGV[2] lease end ms, ARGV[3] limit
// Returns the ids claimed. Running it twice claims nothing twice: a claimed
// id is no longer in the due set.
var claimDue = redis.NewScript(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(expired) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], ARGV[1], id)
end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], ARGV[2], id)
end
return ids
`)

// ClaimDue takes up to limit posts due at now, leased until now+lease. The
// cost does not grow with the number of posts scheduled for later: both
// range reads start at the low end of a sorted set.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]string, error) {
	ids, err := claimDue.Run(ctx, s.rdb, []string{s.k.due(), s.k.leased()},
		now.UnixMilli(), now.Add(lease).UnixMilli(), limit).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim due posts: %w", err)
	}
	return ids, nil
}

// Unlease drops the lease of a post that turned out not to need publishing
// (cancelled or published meanwhile).
func (s *Store) Unlease(ctx context.Context, postID string) error {
	if err := s.rdb.ZRem(ctx, s.k.leased(), postID).Err(); err != nil {
		return fmt.Errorf("unlease %s: %w", postID, err)
	}
	return nil
}

// DueReminders returns pending posts whose proposed time has passed.
func (s *Store) DueReminders(ctx context.Context, now time.Time, limit int64) ([]string, error) {
	ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: s.k.reminders(), ByScore: true, Start: "-inf", Stop: ms(now), Count: limit,
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("find due reminders: %w", err)
	}
	return ids, nil
}

// Delivery records what was sent of a post to one chat, part by part, so a
// publication interrupted by a crash resumes without sending twice what
// was recorded as sent.
type Delivery struct {
	// Sent maps a part number to the message ids Telegram returned.
	Sent map[int][]int
	// InFlight lists parts begun and never recorded: sent or not, nobody
	// knows. Resending them is the only possible duplicate.
	InFlight []int
}

func deliveryField(chatID int64, part int) string { return id(chatID) + ":" + strconv.Itoa(part) }

// Delivery reads the delivery record of a post to a chat.
func (s *Store) Delivery(ctx context.Context, postID string, chatID int64) (Delivery, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.delivery(postID)).Result()
	if err != nil {
		return Delivery{}, fmt.Errorf("read delivery of %s: %w", postID, err)
	}
	d := Delivery{Sent: map[int][]int{}}
	prefix := id(chatID) + ":"
	for field, v := range m {
		if !strings.HasPrefix(field, prefix) {
			continue
		}
		part, err := strconv.Atoi(strings.TrimPrefix(field, prefix))
		if err != nil {
			continue
		}
		if v == "sending" {
			d.InFlight = append(d.InFlight, part)
			continue
		}
		var ids []int
		for _, f := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(f); err == nil {
				ids = append(ids, n)
			}
		}
		d.Sent[part] = ids
	}
	return d, nil
}

// BeginPart records that a part is about to be sent.
func (s *Store) BeginPart(ctx context.Context, postID string, chatID int64, part int) error {
	if err := s.rdb.HSet(ctx, s.k.delivery(postID), deliveryField(chatID, part), "sending").Err(); err != nil {
		return fmt.Errorf("record delivery start: %w", err)
	}
	return nil
}

// EndPart records the message ids a part was delivered as.
func (s *Store) EndPart(ctx context.Context, postID string, chatID int64, part int, messageIDs []int) error {
	parts := make([]string, len(messageIDs))
	for i, m := range messageIDs {
		parts[i] = strconv.Itoa(m)
	}
	if err := s.rdb.HSet(ctx, s.k.delivery(postID), deliveryField(chatID, part), strings.Join(parts, ",")).Err(); err != nil {
		return fmt.Errorf("record delivery: %w", err)
	}
	return nil
}
