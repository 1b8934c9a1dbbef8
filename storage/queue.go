package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redaktor/redaktor"
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

func deliveryField(chatID int64, part int) string { return id(chatID) + ":" + strconv.Itoa(part) }

// Delivery reads the delivery record of a post to a chat.
func (s *Store) Delivery(ctx context.Context, postID string, chatID int64) (redaktor.Delivery, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.delivery(postID)).Result()
	if err != nil {
		return redaktor.Delivery{}, fmt.Errorf("read delivery of %s: %w", postID, err)
	}
	d := redaktor.Delivery{Sent: map[int][]int{}}
	prefix := id(chatID) + ":"
	for field, v := range m {
		if !strings.HasPrefix(field, prefix) {
			continue
		}
		part, err := strconv.Atoi(strings.TrimPrefix(field, prefix))
		if err != nil {
			continue
		}
		if strings.HasPrefix(v, "sending") || strings.HasPrefix(v, "orphan:") {
			d.InFlight = append(d.InFlight, part)
			continue
		}
		d.Sent[part] = messageIDs(v)
	}
	return d, nil
}

func messageIDs(v string) []int {
	var ids []int
	for _, f := range strings.Split(v, ",") {
		if n, err := strconv.Atoi(f); err == nil {
			ids = append(ids, n)
		}
	}
	return ids
}

// beginPart marks a part of a post as being sent to a chat, unless it is
// sent already or may be: a mark left by a holder that never recorded the
// outcome is either a crash (the send may have happened) or a holder still
// alive that waits for Redis to take its record. The first claimer to meet
// such a mark does not send: it turns the mark into "orphan:<ms>" and waits
// a grace counted from then, i.e. from a moment Redis answers, so the live
// holder's journal has time to land the record. Only a mark still there
// after the grace is resent (the crash case: the only possible duplicate).
//
// KEYS[1] delivery hash
// ARGV[1] field (chat:part), ARGV[2] now ms, ARGV[3] grace ms, ARGV[4] the
// caller's mark (unique per call)
// Returns {"send", ""}: marked "sending:<mark>", send now; {"sent", ids}:
// recorded as sent (ids comma separated); {"wait", ms}: another holder's
// mark, ask again after ms; {"resend", ""}: an orphan past its grace,
// marked, send again. Running it twice (go-redis repeats a script whose
// answer was lost) meets the caller's own mark and answers send again.
var beginPart = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
local now = tonumber(ARGV[2])
local mine = 'sending:' .. ARGV[4]
if not v or v == mine then
  redis.call('HSET', KEYS[1], ARGV[1], mine)
  return {'send', ''}
end
if string.sub(v, 1, 7) == 'sending' then
  redis.call('HSET', KEYS[1], ARGV[1], 'orphan:' .. string.format('%.0f', now + tonumber(ARGV[3])))
  return {'wait', ARGV[3]}
end
if string.sub(v, 1, 7) == 'orphan:' then
  local at = tonumber(string.sub(v, 8))
  if now < at then return {'wait', string.format('%.0f', at - now)} end
  redis.call('HSET', KEYS[1], ARGV[1], mine)
  return {'resend', ''}
end
return {'sent', v}
`)

// BeginPart marks a part as about to be sent, unless it is sent already or
// another holder's outcome is still unaccounted for (see beginPart).
func (s *Store) BeginPart(ctx context.Context, postID string, chatID int64, part int, now time.Time, grace time.Duration) (redaktor.PartStart, error) {
	mark := strconv.FormatUint(rand.Uint64(), 36)
	res, err := beginPart.Run(ctx, s.rdb, []string{s.k.delivery(postID)},
		deliveryField(chatID, part), now.UnixMilli(), grace.Milliseconds(), mark).StringSlice()
	if err != nil {
		return redaktor.PartStart{}, fmt.Errorf("record delivery start: %w", err)
	}
	if len(res) != 2 {
		return redaktor.PartStart{}, fmt.Errorf("record delivery start: answer %v", res)
	}
	switch res[0] {
	case "send":
		return redaktor.PartStart{Send: true, Mark: mark}, nil
	case "resend":
		return redaktor.PartStart{Send: true, Resend: true, Mark: mark}, nil
	case "wait":
		ms, _ := strconv.ParseInt(res[1], 10, 64)
		return redaktor.PartStart{Wait: time.Duration(ms) * time.Millisecond}, nil
	}
	return redaktor.PartStart{Sent: messageIDs(res[1])}, nil
}

// AbortPart removes the caller's mark (PartStart.Mark) of a part whose
// send failed: the sender knows it was not delivered (or knows no more
// than anybody), so the next attempt needs no grace. A recorded send, or
// another holder's mark, is left alone.
func (s *Store) AbortPart(ctx context.Context, postID string, chatID int64, part int, mark string) error {
	if err := abortPart.Run(ctx, s.rdb, []string{s.k.delivery(postID)}, deliveryField(chatID, part), "sending:"+mark).Err(); err != nil {
		return fmt.Errorf("clear delivery start: %w", err)
	}
	return nil
}

// abortPart: KEYS[1] delivery hash, ARGV[1] field, ARGV[2] the caller's
// mark. Deletes the field only while it holds that mark; returns 1
// deleted, 0 not.
var abortPart = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`)

// EndPart records the message ids a part was delivered as. The record of
// a send wins over any mark, whoever holds the post now: it is safe to
// run late, after a re-lease, and twice.
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

// requeue makes a post being published due at a time: a leased one is
// moved to the due set, a due one is brought forward (another claimer put
// it back to wait for a record that has landed now).
// KEYS[1] due zset, KEYS[2] leased zset; ARGV[1] post id, ARGV[2] due ms.
// Returns 1 moved, 0 not (finished by someone, or due earlier already: a
// repeated run).
var requeue = redis.NewScript(`
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return 1
end
local due = redis.call('ZSCORE', KEYS[1], ARGV[1])
if due and tonumber(due) > tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
  return 1
end
return 0
`)

// Requeue gives up the lease of a post still being published, or brings
// its due time forward, so that it is due at at: a claim then continues it
// from its delivery records, without sending what they record as sent.
func (s *Store) Requeue(ctx context.Context, postID string, at time.Time) error {
	if err := requeue.Run(ctx, s.rdb, []string{s.k.due(), s.k.leased()}, postID, at.UnixMilli()).Err(); err != nil {
		return fmt.Errorf("requeue %s: %w", postID, err)
	}
	return nil
}
