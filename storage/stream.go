package storage

import (
	"context"
	"errors"
	"fmt"
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
// acknowledged and deleted, and its update counts as done.
//
// KEYS[1] stream, KEYS[2] dead stream, KEYS[3] done zset
// ARGV[1] group, ARGV[2] entry id, ARGV[3] update id, ARGV[4] JSON,
// ARGV[5] deliveries, ARGV[6] reason, ARGV[7] now ms, ARGV[8] dead max length,
// ARGV[9] dead min id (older entries are trimmed)
// Returns 1 when set aside, 0 when the entry was no longer pending (another
// process finished it, or this ran twice).
var deadLetter = redis.NewScript(`
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then
  return 0
end
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

// DeadLetter sets an entry aside after it failed too often. It reports
// false when the entry was no longer pending (someone else finished it).
func (s *Store) DeadLetter(ctx context.Context, e redaktor.QueuedUpdate, reason string) (bool, error) {
	n, err := deadLetter.Run(ctx, s.rdb, []string{s.k.updates(), s.k.updatesDead(), s.k.updatesDone()},
		StreamGroup, e.ID, e.UpdateID, e.Payload, e.Deliveries, reason, time.Now().UnixMilli(), DeadMax, deadMinID(time.Now())).Int()
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

// ForgetConsumer removes a stopping consumer from the group when it holds
// no pending entries (deleting one that does would drop them).
func (s *Store) ForgetConsumer(ctx context.Context, consumer string) error {
	pend, err := s.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.k.updates(), Group: StreamGroup,
		Start: "-", End: "+", Count: 1, Consumer: consumer}).Result()
	if err != nil {
		return fmt.Errorf("check pending of %s: %w", consumer, err)
	}
	if len(pend) > 0 {
		return nil
	}
	if err := s.rdb.XGroupDelConsumer(ctx, s.k.updates(), StreamGroup, consumer).Err(); err != nil {
		return fmt.Errorf("remove consumer %s: %w", consumer, err)
	}
	return nil
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

// TouchUpdates claims entries again for the consumer that holds them,
// which resets their idle time: entries waiting in a process for their
// chat's turn are not stuck, and ReclaimUpdates elsewhere must not take
// them over. Their delivery counts are kept as they were read (RETRYCOUNT:
// JUSTID alone keeps it on Redis but not on every server).
func (s *Store) TouchUpdates(ctx context.Context, consumer string, entries []redaktor.QueuedUpdate) error {
	if len(entries) == 0 {
		return nil
	}
	byCount := map[int64][]any{}
	for _, e := range entries {
		byCount[e.Deliveries] = append(byCount[e.Deliveries], e.ID)
	}
	pipe := s.rdb.Pipeline()
	for n, ids := range byCount {
		args := append([]any{"XCLAIM", s.k.updates(), StreamGroup, consumer, 0}, ids...)
		pipe.Do(ctx, append(args, "RETRYCOUNT", n, "JUSTID")...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("touch waiting updates: %w", err)
	}
	return nil
}
