package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redis/go-redis/v9"
)

// The intake stream: every update from Telegram is appended to a Redis
// stream before Telegram is told it arrived, and handlers consume the
// stream through one consumer group. An entry is acknowledged and deleted
// after handling, so the stream holds exactly the updates not yet handled.
//
//	{p}:updates        stream; entry fields id (update id), u (update JSON)
//	{p}:updates:seen   zset update id → ms it was first added: duplicates are dropped
//	{p}:updates:done   zset update id → ms it was handled: a redelivery is skipped
//	{p}:updates:dead   stream of updates set aside after too many failed
//	                   attempts; entries older than DeadKeep are trimmed
//	                   whenever an update is handled or set aside, and at
//	                   every reclaim (every few seconds)
//
// An update holds the sender's name and username, so a handled one is
// deleted at once; seen and done hold update ids only (no personal data).
//
// Update ids are not used as stream ids on purpose: Telegram picks a new
// random start after a week without updates, and a smaller id would be
// refused by XADD as if it were a duplicate.

// StreamGroup is the consumer group every handler process reads with.
const StreamGroup = "handlers"

// SeenWindow is how long an update id is remembered. Telegram keeps an
// unconfirmed update for 24 hours, so no duplicate can come later.
const SeenWindow = 48 * time.Hour

// DeadMax bounds the dead-letter stream (approximately).
const DeadMax = 10000

// DeadKeep is how long an update set aside is kept for the operators to
// look at (issue 10: it holds the sender's name).
const DeadKeep = 7 * 24 * time.Hour

// deadMinID is the smallest stream id of the set-aside updates kept at now:
// stream ids start with the Redis clock's milliseconds when added.
func deadMinID(now time.Time) string { return strconv.FormatInt(now.Add(-DeadKeep).UnixMilli(), 10) }

// addUpdates appends updates not seen before.
//
// KEYS[1] stream, KEYS[2] seen zset
// ARGV[1] now ms, ARGV[2] forget-before ms, ARGV[3..] pairs (update id, JSON)
// Returns how many were appended. Running it twice appends nothing twice.
var addUpdates = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[2])
local added = 0
for i = 3, #ARGV, 2 do
  if redis.call('ZADD', KEYS[2], 'NX', ARGV[1], ARGV[i]) == 1 then
    redis.call('XADD', KEYS[1], '*', 'id', ARGV[i], 'u', ARGV[i+1])
    added = added + 1
  end
end
return added
`)

// ackUpdates marks updates handled, acknowledges and deletes their
// entries, and trims the set-aside updates older than DeadKeep.
//
// KEYS[1] stream, KEYS[2] done zset, KEYS[3] dead stream
// ARGV[1] group, ARGV[2] now ms, ARGV[3] forget-before ms, ARGV[4] dead
// min id, ARGV[5..] pairs (entry id, update id)
// Returns the number of entries acknowledged. Safe to run twice.
var ackUpdates = redis.NewScript(`
local n = 0
for i = 5, #ARGV, 2 do
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[i+1])
  n = n + redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
  redis.call('XDEL', KEYS[1], ARGV[i])
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[3])
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[4])
return n
`)

// deadLetter sets an entry aside: it is copied to the dead-letter stream,
// acknowledged and deleted, and its update counts as done. An entry
// another consumer holds now (it took it over) is left to it.
//
// KEYS[1] stream, KEYS[2] dead stream, KEYS[3] done zset
// ARGV[1] group, ARGV[2] entry id, ARGV[3] update id, ARGV[4] JSON,
// ARGV[5] deliveries, ARGV[6] reason, ARGV[7] now ms, ARGV[8] dead max length,
// ARGV[9] dead min id (older entries are trimmed), ARGV[10] consumer
// Returns 1 when set aside, 0 when the entry was no longer the consumer's
// (another process took it over or finished it, or this ran twice).
var deadLetter = redis.NewScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #p == 0 or p[1][2] ~= ARGV[10] then
  return 0
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'id', ARGV[3], 'u', ARGV[4], 'deliveries', ARGV[5], 'reason', ARGV[6])
redis.call('XTRIM', KEYS[2], 'MINID', ARGV[9])
return 1
`)

// EnsureStream creates the intake stream and its consumer group if they
// do not exist (a fresh Redis, or one restarted without its data).
func (s *Store) EnsureStream(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.k.updates(), StreamGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create intake stream: %w", err)
	}
	return nil
}

// AddUpdates persists updates (ids[i] with its JSON payloads[i]) and drops
// those whose id was added before. It returns how many were new. When it
// returns nil every update is in Redis, whichever process added it.
func (s *Store) AddUpdates(ctx context.Context, ids []int64, payloads [][]byte) (int, error) {
	if len(ids) != len(payloads) {
		return 0, fmt.Errorf("add updates: %d ids for %d payloads", len(ids), len(payloads))
	}
	if len(ids) == 0 {
		return 0, nil
	}
	now := time.Now()
	args := make([]any, 0, 2+2*len(ids))
	args = append(args, now.UnixMilli(), now.Add(-SeenWindow).UnixMilli())
	for i, id := range ids {
		args = append(args, id, payloads[i])
	}
	n, err := addUpdates.Run(ctx, s.rdb, []string{s.k.updates(), s.k.updatesSeen()}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("persist %d updates: %w", len(ids), err)
	}
	return n, nil
}

// ReadUpdates hands up to count fresh entries to consumer, waiting up to
// block for one to arrive (not at all for block <= 0). A group lost with the data of a restarted
// Redis is created again.
func (s *Store) ReadUpdates(ctx context.Context, consumer string, count int64, block time.Duration) ([]redaktor.QueuedUpdate, error) {
	if block <= 0 {
		block = -1 // go-redis: no BLOCK argument (BLOCK 0 waits forever)
	}
	args := &redis.XReadGroupArgs{Group: StreamGroup, Consumer: consumer,
		Streams: []string{s.k.updates(), ">"}, Count: count, Block: block}
	res, err := s.rdb.XReadGroup(ctx, args).Result()
	if err != nil && strings.HasPrefix(err.Error(), "NOGROUP") {
		if err := s.EnsureStream(ctx); err != nil {
			return nil, err
		}
		res, err = s.rdb.XReadGroup(ctx, args).Result()
	}
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read intake stream: %w", err)
	}
	var out []redaktor.QueuedUpdate
	for _, st := range res {
		for _, m := range st.Messages {
			out = append(out, entryOf(m, 1))
		}
	}
	return out, nil
}

func entryOf(m redis.XMessage, deliveries int64) redaktor.QueuedUpdate {
	e := redaktor.QueuedUpdate{ID: m.ID, Deliveries: deliveries}
	if v, ok := m.Values["id"].(string); ok {
		e.UpdateID, _ = strconv.ParseInt(v, 10, 64)
	}
	if v, ok := m.Values["u"].(string); ok {
		e.Payload = []byte(v)
	}
	return e
}

// AckUpdates records the entries' updates as handled and removes them from
// the stream, in one round trip.
func (s *Store) AckUpdates(ctx context.Context, entries []redaktor.QueuedUpdate) error {
	if len(entries) == 0 {
		return nil
	}
	now := time.Now()
	args := make([]any, 0, 4+2*len(entries))
	args = append(args, StreamGroup, now.UnixMilli(), now.Add(-SeenWindow).UnixMilli(), deadMinID(now))
	for _, e := range entries {
		args = append(args, e.ID, e.UpdateID)
	}
	if err := ackUpdates.Run(ctx, s.rdb, []string{s.k.updates(), s.k.updatesDone(), s.k.updatesDead()}, args...).Err(); err != nil {
		return fmt.Errorf("acknowledge %d updates: %w", len(entries), err)
	}
	return nil
}

// ReclaimUpdates takes over up to count entries that were handed out and
// not acknowledged for minIdle (their handler crashed, timed out, or its
// process died). Deliveries tells how often each was handed out, this time
// included. Of several processes reclaiming at once each entry goes to one.
// In the same round trip it trims the set-aside updates older than
// DeadKeep: the intake reclaims every few seconds, so they go on time even
// when no update comes.
func (s *Store) ReclaimUpdates(ctx context.Context, consumer string, minIdle time.Duration, count int64) ([]redaktor.QueuedUpdate, error) {
	pipe := s.rdb.Pipeline()
	trim := pipe.XTrimMinID(ctx, s.k.updatesDead(), deadMinID(time.Now()))
	pending := pipe.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.k.updates(), Group: StreamGroup,
		Idle: minIdle, Start: "-", End: "+", Count: count})
	_, _ = pipe.Exec(ctx) // errors are read per command below
	if err := trim.Err(); err != nil {
		return nil, fmt.Errorf("trim set-aside updates: %w", err)
	}
	pend, err := pending.Result()
	if err != nil {
		if strings.HasPrefix(err.Error(), "NOGROUP") {
			return nil, nil
		}
		return nil, fmt.Errorf("list stuck updates: %w", err)
	}
	if len(pend) == 0 {
		return nil, nil
	}
	ids := make([]string, len(pend))
	prior := make(map[string]int64, len(pend))
	for i, p := range pend {
		ids[i], prior[p.ID] = p.ID, p.RetryCount
	}
	msgs, err := s.rdb.XClaim(ctx, &redis.XClaimArgs{Stream: s.k.updates(), Group: StreamGroup,
		Consumer: consumer, MinIdle: minIdle, Messages: ids}).Result()
	if err != nil {
		return nil, fmt.Errorf("claim stuck updates: %w", err)
	}
	out := make([]redaktor.QueuedUpdate, 0, len(msgs))
	for _, m := range msgs {
		if m.Values == nil {
			continue // deleted meanwhile
		}
		out = append(out, entryOf(m, prior[m.ID]+1))
	}
	return out, nil
}

// DeadLetter sets aside an entry consumer holds, after it failed too
// often. It reports false when the entry was no longer consumer's: another
// process took it over (it is left to it) or finished it.
func (s *Store) DeadLetter(ctx context.Context, consumer string, e redaktor.QueuedUpdate, reason string) (bool, error) {
	n, err := deadLetter.Run(ctx, s.rdb, []string{s.k.updates(), s.k.updatesDead(), s.k.updatesDone()},
		StreamGroup, e.ID, e.UpdateID, e.Payload, e.Deliveries, reason, time.Now().UnixMilli(), DeadMax, deadMinID(time.Now()), consumer).Int()
	if err != nil {
		return false, fmt.Errorf("set update %d aside: %w", e.UpdateID, err)
	}
	return n == 1, nil
}

// WasHandled reports whether the update was handled (or set aside) within
// the seen window.
func (s *Store) WasHandled(ctx context.Context, updateID int64) (bool, error) {
	_, err := s.rdb.ZScore(ctx, s.k.updatesDone(), strconv.FormatInt(updateID, 10)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check update %d: %w", updateID, err)
	}
	return true, nil
}

// DeadUpdates returns the update ids set aside, oldest first.
func (s *Store) DeadUpdates(ctx context.Context, limit int64) ([]int64, error) {
	msgs, err := s.rdb.XRangeN(ctx, s.k.updatesDead(), "-", "+", limit).Result()
	if err != nil {
		return nil, fmt.Errorf("read set-aside updates: %w", err)
	}
	ids := make([]int64, 0, len(msgs))
	for _, m := range msgs {
		ids = append(ids, entryOf(m, 0).UpdateID)
	}
	return ids, nil
}

// QueueDepths counts what waits in Redis, for the metrics: updates not yet
// handed out, handed out and not acknowledged, set aside; posts due,
// being published, waiting for a reminder.
func (s *Store) QueueDepths(ctx context.Context) (map[string]int64, error) {
	pipe := s.rdb.Pipeline()
	streamLen := pipe.XLen(ctx, s.k.updates())
	pending := pipe.XPending(ctx, s.k.updates(), StreamGroup)
	dead := pipe.XLen(ctx, s.k.updatesDead())
	due := pipe.ZCard(ctx, s.k.due())
	leased := pipe.ZCard(ctx, s.k.leased())
	reminders := pipe.ZCard(ctx, s.k.reminders())
	_, err := pipe.Exec(ctx)
	if err != nil && !errors.Is(err, redis.Nil) && !strings.HasPrefix(err.Error(), "NOGROUP") {
		return nil, fmt.Errorf("read queue depths: %w", err)
	}
	var inFlight int64
	if p, err := pending.Result(); err == nil {
		inFlight = p.Count
	}
	return map[string]int64{
		"updates_waiting":   max(streamLen.Val()-inFlight, 0),
		"updates_in_flight": inFlight,
		"updates_dead":      dead.Val(),
		"posts_due":         due.Val(),
		"posts_publishing":  leased.Val(),
		"reminders":         reminders.Val(),
	}, nil
}

// Liveness of the consumers (issue 11: a dead process's updates are taken
// over within seconds, a live one's never).
//
//	{p}:updates:alive:<consumer>  string, the consumer's name, with a time to live
//	                              (a few seconds); renewed about every second
//	{p}:updates:beaters           zset consumer → ms of its last beat: the
//	                              consumers that write liveness keys
//
// A consumer in the beaters set whose key lapsed died (or stopped): its
// entries idle for at least the key's time to live are taken over. A
// consumer that never beat is a replica of an older version, which writes
// no key: its entries are taken over by idle time alone, as that version
// does (ReclaimUpdates), after the long idle time. Consumers that have not
// beaten for BeatersKeep are forgotten; their entries are idle at least as
// long, so the older rule takes them over just as well.

// BeatersKeep is how long a consumer that stopped beating is remembered as
// one that beats.
const BeatersKeep = time.Hour

// beatConsumer renews a consumer's liveness.
//
// KEYS[1] liveness key, KEYS[2] beaters zset
// ARGV[1] consumer, ARGV[2] ttl ms, ARGV[3] now ms, ARGV[4] forget-before ms
var beatConsumer = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
return 1
`)

// takeOver claims for a claimer the entries of one other consumer that is
// not alive. Checking the owner's liveness and claiming are one step, so a
// live owner keeps every entry, and of several claimers each entry goes to
// one.
//
// KEYS[1] stream, KEYS[2] beaters zset, KEYS[3] the owner's liveness key
// ARGV[1] group, ARGV[2] owner, ARGV[3] claimer, ARGV[4] count,
// ARGV[5] min idle ms of an owner that beat, ARGV[6] of one that never did
// Returns {entry id, deliveries, fields} for each entry taken. An owner
// left with nothing pending leaves the group and the beaters.
var takeOver = redis.NewScript(`
if ARGV[2] == ARGV[3] or redis.call('EXISTS', KEYS[3]) == 1 then
  return {}
end
local idle = ARGV[6]
if redis.call('ZSCORE', KEYS[2], ARGV[2]) then
  idle = ARGV[5]
end
local out = {}
local pend = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', idle, '-', '+', tonumber(ARGV[4]), ARGV[2])
for _, p in ipairs(pend) do
  local got = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], idle, p[1])
  if type(got[1]) == 'table' and got[1][2] then
    table.insert(out, {p[1], p[4] + 1, got[1][2]})
  end
end
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return out
`)

// claimOwn claims entries again for the consumer that holds them: entries
// it no longer handles (their handling was cut off). Their delivery counts
// stay: the delivery count tells how often processes died handling an
// update, and this one lives. Those another consumer took meanwhile, or
// that were finished, are left alone.
//
// KEYS[1] stream
// ARGV[1] group, ARGV[2] consumer, ARGV[3..] entry ids
// Returns {entry id, deliveries, fields} for each entry claimed.
var claimOwn = redis.NewScript(`
local out = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] == ARGV[2] then
    local got = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'RETRYCOUNT', p[1][4])
    if type(got[1]) == 'table' and got[1][2] then
      table.insert(out, {ARGV[i], p[1][4], got[1][2]})
    end
  end
end
return out
`)

// touchOwn resets the idle time of the entries a consumer still holds,
// keeping their delivery counts, and names those another consumer holds
// now: an entry is never taken back from another consumer. Entries no
// longer pending (finished) are left alone.
//
// KEYS[1] stream
// ARGV[1] group, ARGV[2] consumer, ARGV[3..] entry ids
var touchOwn = redis.NewScript(`
local lost = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 then
    if p[1][2] == ARGV[2] then
      redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'RETRYCOUNT', p[1][4], 'JUSTID')
    else
      table.insert(lost, ARGV[i])
    end
  end
end
return lost
`)

// ackOwn records updates as handled, and acknowledges and deletes those of
// their entries the consumer still holds. An entry another consumer took
// over meanwhile is left to it: it is recorded as handled, so the other
// skips it unless it has begun already.
//
// KEYS[1] stream, KEYS[2] done zset, KEYS[3] dead stream
// ARGV[1] group, ARGV[2] consumer, ARGV[3] now ms, ARGV[4] forget-before ms,
// ARGV[5] dead min id, ARGV[6..] pairs (entry id, update id)
// Returns the ids of the entries another consumer holds. Safe to run twice.
var ackOwn = redis.NewScript(`
local taken = {}
for i = 6, #ARGV, 2 do
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[i+1])
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p == 1 and p[1][2] ~= ARGV[2] then
    table.insert(taken, ARGV[i])
  else
    redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
    redis.call('XDEL', KEYS[1], ARGV[i])
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
redis.call('XTRIM', KEYS[3], 'MINID', ARGV[5])
return taken
`)

// handBack ends a stopping consumer's liveness and makes its entries look
// idle for long, so the others take them over at their next look instead
// of after the liveness time; a consumer holding nothing leaves the group.
// The delivery count of an entry whose handling never began here goes
// back by one: the taker's claim adds one, and a clean stop is no death.
//
// KEYS[1] stream, KEYS[2] beaters zset, KEYS[3] its liveness key
// ARGV[1] group, ARGV[2] consumer, ARGV[3] idle ms to give its entries,
// ARGV[4..] ids of the entries whose handling began (their count stays)
// Returns how many entries it handed back.
var handBack = redis.NewScript(`
redis.call('DEL', KEYS[3])
local begun = {}
for i = 4, #ARGV do
  begun[ARGV[i]] = true
end
local pend = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 10000, ARGV[2])
for _, p in ipairs(pend) do
  local count = p[4]
  if not begun[p[1]] then
    count = math.max(count - 1, 0)
  end
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, p[1], 'IDLE', ARGV[3], 'RETRYCOUNT', count, 'JUSTID')
end
if #pend == 0 then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return #pend
`)

// BeatConsumer tells the other consumers that consumer lives for ttl more.
// A consumer's entries are never taken over while it beats.
func (s *Store) BeatConsumer(ctx context.Context, consumer string, ttl time.Duration) error {
	now := time.Now()
	err := beatConsumer.Run(ctx, s.rdb, []string{s.k.updatesAlive(consumer), s.k.updatesBeaters()},
		consumer, ttl.Milliseconds(), now.UnixMilli(), now.Add(-BeatersKeep).UnixMilli()).Err()
	if err != nil {
		return fmt.Errorf("renew liveness of %s: %w", consumer, err)
	}
	return nil
}

// TakeOverUpdates claims for consumer up to count entries of consumers
// that are not alive: those of a consumer whose liveness lapsed once idle
// for lapsedIdle (at least the liveness time to live), those of a consumer
// that never beat (an older version) once idle for oldIdle. Deliveries
// tells how often each was handed out, this time included. In the same
// round trip it trims the set-aside updates older than DeadKeep.
func (s *Store) TakeOverUpdates(ctx context.Context, consumer string, lapsedIdle, oldIdle time.Duration, count int64) ([]redaktor.QueuedUpdate, error) {
	pipe := s.rdb.Pipeline()
	trim := pipe.XTrimMinID(ctx, s.k.updatesDead(), deadMinID(time.Now()))
	summary := pipe.XPending(ctx, s.k.updates(), StreamGroup)
	_, _ = pipe.Exec(ctx) // errors are read per command below
	if err := trim.Err(); err != nil {
		return nil, fmt.Errorf("trim set-aside updates: %w", err)
	}
	sum, err := summary.Result()
	if err != nil {
		if strings.HasPrefix(err.Error(), "NOGROUP") || errors.Is(err, redis.Nil) {
			return nil, nil
		}
		return nil, fmt.Errorf("list pending updates: %w", err)
	}
	var out []redaktor.QueuedUpdate
	for owner, n := range sum.Consumers {
		left := count - int64(len(out))
		if owner == consumer || n == 0 || left <= 0 {
			continue
		}
		res, err := takeOver.Run(ctx, s.rdb, []string{s.k.updates(), s.k.updatesBeaters(), s.k.updatesAlive(owner)},
			StreamGroup, owner, consumer, left, lapsedIdle.Milliseconds(), oldIdle.Milliseconds()).Slice()
		if err != nil {
			return out, fmt.Errorf("take over updates of %s: %w", owner, err)
		}
		out = appendClaimed(out, res)
	}
	return out, nil
}

// ClaimOwnUpdates claims the entries again for consumer, those it still
// holds (no other consumer took them over meanwhile): its handling of them
// was cut off. Their delivery counts stay as they were.
func (s *Store) ClaimOwnUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) ([]redaktor.QueuedUpdate, error) {
	var out []redaktor.QueuedUpdate
	for chunk := range slices.Chunk(entries, touchChunk) {
		args := make([]any, 0, 2+len(chunk))
		args = append(args, StreamGroup, consumer)
		for _, e := range chunk {
			args = append(args, e.ID)
		}
		res, err := claimOwn.Run(ctx, s.rdb, []string{s.k.updates()}, args...).Slice()
		if err != nil {
			return out, fmt.Errorf("claim again %d updates of %s: %w", len(chunk), consumer, err)
		}
		out = appendClaimed(out, res)
	}
	return out, nil
}

// appendClaimed reads the {entry id, deliveries, fields} rows of a claim.
func appendClaimed(out []redaktor.QueuedUpdate, rows []any) []redaktor.QueuedUpdate {
	for _, r := range rows {
		row, ok := r.([]any)
		if !ok || len(row) != 3 {
			continue
		}
		id, _ := row[0].(string)
		deliveries, _ := row[1].(int64)
		fields, _ := row[2].([]any)
		values := make(map[string]any, len(fields)/2)
		for i := 0; i+1 < len(fields); i += 2 {
			if k, ok := fields[i].(string); ok {
				values[k] = fields[i+1]
			}
		}
		if id != "" {
			out = append(out, entryOf(redis.XMessage{ID: id, Values: values}, deliveries))
		}
	}
	return out
}

// touchChunk bounds the entries of one touch or acknowledgement script, so
// that none holds Redis for long.
const touchChunk = 512

// TouchOwnUpdates resets the idle time of the entries consumer still
// holds, so a replica of an older version, which takes over by idle time,
// leaves them alone while they wait here or are being handled. It returns
// the ids of those another consumer holds now: it took them over (this
// process's liveness lapsed), and they are no longer this process's to
// handle.
func (s *Store) TouchOwnUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) ([]string, error) {
	var lost []string
	for chunk := range slices.Chunk(entries, touchChunk) {
		args := make([]any, 0, 2+len(chunk))
		args = append(args, StreamGroup, consumer)
		for _, e := range chunk {
			args = append(args, e.ID)
		}
		ids, err := touchOwn.Run(ctx, s.rdb, []string{s.k.updates()}, args...).StringSlice()
		if err != nil {
			return lost, fmt.Errorf("touch %d held updates: %w", len(chunk), err)
		}
		lost = append(lost, ids...)
	}
	return lost, nil
}

// AckOwnUpdates records the entries' updates as handled and removes from
// the stream those consumer still holds, in one round trip (per
// touchChunk). It returns the ids of entries another consumer had taken
// over: those were handled here and may be handled there too.
func (s *Store) AckOwnUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) ([]string, error) {
	var taken []string
	now := time.Now()
	for chunk := range slices.Chunk(entries, touchChunk) {
		args := make([]any, 0, 5+2*len(chunk))
		args = append(args, StreamGroup, consumer, now.UnixMilli(), now.Add(-SeenWindow).UnixMilli(), deadMinID(now))
		for _, e := range chunk {
			args = append(args, e.ID, e.UpdateID)
		}
		ids, err := ackOwn.Run(ctx, s.rdb, []string{s.k.updates(), s.k.updatesDone(), s.k.updatesDead()}, args...).StringSlice()
		if err != nil {
			return taken, fmt.Errorf("acknowledge %d updates: %w", len(chunk), err)
		}
		taken = append(taken, ids...)
	}
	return taken, nil
}

// handBackIdle is the idle time a stopping consumer gives the entries it
// hands back: past every takeover's minimum.
const handBackIdle = 24 * time.Hour

// HandBackUpdates is a stopping consumer's last word: its liveness ends,
// the others take over at once what it leaves pending (none of it is being
// handled any more), and a consumer that leaves nothing leaves the group.
// begun names the entries whose handling began here and was cut off: they
// keep their delivery count; the others were never tried here, and are
// handed back as if never handed out to it. It reports how many entries
// it handed back.
func (s *Store) HandBackUpdates(ctx context.Context, consumer string, begun ...string) (int, error) {
	args := make([]any, 0, 3+len(begun))
	args = append(args, StreamGroup, consumer, handBackIdle.Milliseconds())
	for _, id := range begun {
		args = append(args, id)
	}
	n, err := handBack.Run(ctx, s.rdb, []string{s.k.updates(), s.k.updatesBeaters(), s.k.updatesAlive(consumer)},
		args...).Int()
	if err != nil && !strings.HasPrefix(err.Error(), "NOGROUP") {
		return 0, fmt.Errorf("hand back updates of %s: %w", consumer, err)
	}
	return n, nil
}
