package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// The pacer every send of every process books (package pace) lives in
// Redis, on Redis's clock, so that the processes' clocks need not agree:
//
//	rl:tat         the next free send slot of the bot (µs)
//	rl:chat:<id>   the next free send slot of one chat (µs)
//
// Broadcasts book it within Take, together with the subscriber.

// acquire books one send slot of the shared pacer for a chat outside a
// take: the desk's own messages, a post's further parts to a subscriber.
// The send goes at the bot's next free slot, and only if the chat's next
// free slot is not further ahead of it than the chat's burst allows;
// otherwise nothing is booked and the caller asks again when the chat is
// free (a booking far ahead in one chat would hold a slot of the bot the
// others could use). The chat's slot moves on from the send by the gap
// (with no gap nothing is written: a chat key would only outlive the
// person, who may have just asked to be forgotten).
// KEYS[1] pacer key; ARGV[1] interval µs, ARGV[2] chat key (same hash tag),
// ARGV[3] chat gap µs, ARGV[4] max ahead µs, ARGV[5] chat burst µs
// Returns {1, wait µs} booked, {0, wait µs} full: ask again after wait.
var acquire = redis.NewScript(`
local t = redis.call('TIME')
local nowus = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = math.max(nowus, tonumber(redis.call('GET', KEYS[1]) or '0'))
if slot - nowus > tonumber(ARGV[4]) then
  return {0, string.format('%.0f', slot - nowus - tonumber(ARGV[4]) + tonumber(ARGV[1]))}
end
local chat = tonumber(redis.call('GET', ARGV[2]) or '0')
local burst = tonumber(ARGV[5])
if chat - slot > burst then
  return {0, string.format('%.0f', chat - burst - nowus)}
end
redis.call('SET', KEYS[1], string.format('%.0f', slot + tonumber(ARGV[1])), 'PX', 60000)
local gap = tonumber(ARGV[3])
if gap > 0 then
  local nxt = math.max(chat, slot) + gap
  redis.call('SET', ARGV[2], string.format('%.0f', nxt), 'PX', math.floor((nxt - nowus) / 1000) + 1)
end
return {1, string.format('%.0f', slot - nowus)}
`)

// Acquire books a send slot for a chat; the caller sends after wait. ok is
// false when the pacer or the chat is booked too far ahead: wait, then ask
// again.
func (s *Store) Acquire(ctx context.Context, chatID int64, p redaktor.Pace) (wait time.Duration, ok bool, err error) {
	res, err := acquire.Run(ctx, s.rdb, []string{s.k.rlTAT()}, p.Interval.Microseconds(),
		s.k.rlChatPrefix()+id(chatID), p.ChatGap.Microseconds(), p.MaxAhead.Microseconds(), p.ChatBurst.Microseconds()).Slice()
	if err != nil {
		return 0, false, fmt.Errorf("acquire send slot: %w", err)
	}
	us, _ := strconv.ParseInt(fmt.Sprint(res[1]), 10, 64)
	return time.Duration(us) * time.Microsecond, fmt.Sprint(res[0]) == "1", nil
}

// holdChat sets one chat's next slot to now + ARGV[1] µs.
var holdChat = redis.NewScript(`
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', until_), 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1)
return 1
`)

// HoldChat stops every send of every process to one chat for d: Telegram
// answered 429 to a send there, and said when to send again. That is the
// chat's next slot, earlier or later than booked: the refused send did
// not count, so the turn it took (3 s in a channel) is not waited out.
func (s *Store) HoldChat(ctx context.Context, chatID int64, d time.Duration) error {
	if err := holdChat.Run(ctx, s.rdb, []string{s.k.rlChatPrefix() + id(chatID)}, d.Microseconds()).Err(); err != nil {
		return fmt.Errorf("hold sends to chat %d: %w", chatID, err)
	}
	return nil
}

// pause pushes the shared pacer's next slot to at least now + ARGV[1] µs.
var pause = redis.NewScript(`
local t = redis.call('TIME')
local until_ = tonumber(t[1]) * 1000000 + tonumber(t[2]) + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], string.format('%.0f', until_), 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 60000)
end
return 1
`)

// Pause stops every sender of every process for d: Telegram answered 429.
func (s *Store) Pause(ctx context.Context, d time.Duration) error {
	if err := pause.Run(ctx, s.rdb, []string{s.k.rlTAT()}, d.Microseconds()).Err(); err != nil {
		return fmt.Errorf("pause senders: %w", err)
	}
	return nil
}
