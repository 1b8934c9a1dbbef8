package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// A broadcast sends one published post to every active subscriber of its
// page. Its state lives in Redis, so any process may continue it:
//
//	bc:<post>           hash  the record: page, source messages, mode,
//	                          state (running/done), cursor in the page's
//	                          subscriber set, counters
//	bc:<post>:done      set   subscribers finished with (delivered, inactive
//	                          or failed for good): a resume skips them
//	bc:<post>:sending   zset  subscribers taken by a sender, score = lease end
//	                          (ms). A send whose holder died shows up here after
//	                          its lease: it may have reached the person, so
//	                          sending it again is the only possible duplicate,
//	                          and it is counted (resent)
//	bc:<post>:suspect   set   subscribers whose lease ran out once: their
//	                          holder may be alive and waiting for Redis to
//	                          take its record, so they are given a grace
//	                          before they are sent to again
//	bc:<post>:retry     zset  subscribers to try again, score = when (ms)
//	bc:<post>:tries     hash  failed attempts per subscriber (only those retried)
//	bc:active           zset  running broadcasts; urgent ones have a negative
//	                          score so they sort first
//
// A take also books the shared pacer (pace.go) for the send it hands out.

// KeepBroadcast is how long a finished broadcast's records are kept.
const KeepBroadcast = 14 * 24 * time.Hour

// startBroadcast creates a broadcast once.
// KEYS[1] bc hash, KEYS[2] page subs zset, KEYS[3] active zset
// ARGV: 1 post, 2 page, 3 urgent, 4 copy, 5 from, 6 message ids, 7 now ms, 8 active score
// Returns 1 created and running, 2 created with no subscribers (done),
// 0 it existed already (a repeated start).
var startBroadcast = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local total = redis.call('ZCARD', KEYS[2])
local state = 'running'
if total == 0 then state = 'done' end
redis.call('HSET', KEYS[1], 'post', ARGV[1], 'page', ARGV[2], 'urgent', ARGV[3], 'copy', ARGV[4],
  'from', ARGV[5], 'msgs', ARGV[6], 'started', ARGV[7], 'total', total, 'state', state,
  'delivered', 0, 'inactive', 0, 'failed', 0, 'resent', 0)
if total == 0 then
  redis.call('HSET', KEYS[1], 'finished', ARGV[7])
  return 2
end
redis.call('ZADD', KEYS[3], ARGV[8], ARGV[1])
return 1
`)

// StartBroadcast creates the broadcast of a post unless it exists; created
// is true when this call made it and it has subscribers to reach.
func (s *Store) StartBroadcast(ctx context.Context, b redaktor.Broadcast, now time.Time) (created bool, err error) {
	score := float64(now.UnixMilli())
	if b.Urgent {
		score -= 1e14
	}
	msgs := make([]string, len(b.MessageIDs))
	for i, m := range b.MessageIDs {
		msgs[i] = strconv.Itoa(m)
	}
	n, err := startBroadcast.Run(ctx, s.rdb, []string{s.k.bc(b.PostID), s.k.subs(b.PageID), s.k.bcActive()},
		b.PostID, b.PageID, flag(b.Urgent), flag(b.Copy), b.From, strings.Join(msgs, ","), now.UnixMilli(),
		strconv.FormatFloat(score, 'f', -1, 64)).Int()
	if err != nil {
		return false, fmt.Errorf("start broadcast of post %s: %w", b.PostID, err)
	}
	return n == 1, nil
}

// Broadcast reads a broadcast's record.
func (s *Store) Broadcast(ctx context.Context, postID string) (redaktor.Broadcast, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.bc(postID)).Result()
	if err != nil {
		return redaktor.Broadcast{}, fmt.Errorf("read broadcast %s: %w", postID, err)
	}
	if len(m) == 0 {
		return redaktor.Broadcast{}, fmt.Errorf("broadcast %s: %w", postID, redaktor.ErrNotFound)
	}
	num := func(f string) int64 { n, _ := strconv.ParseInt(m[f], 10, 64); return n }
	at := func(f string) time.Time {
		if n := num(f); n > 0 {
			return time.UnixMilli(n)
		}
		return time.Time{}
	}
	b := redaktor.Broadcast{PostID: m["post"], PageID: m["page"], Urgent: m["urgent"] == "1", Copy: m["copy"] == "1",
		From: num("from"), Running: m["state"] == "running", Total: num("total"), Delivered: num("delivered"),
		Inactive: num("inactive"), Failed: num("failed"), Resent: num("resent"),
		StartedAt: at("started"), FinishedAt: at("finished")}
	for _, f := range strings.Split(m["msgs"], ",") {
		if n, err := strconv.Atoi(f); err == nil {
			b.MessageIDs = append(b.MessageIDs, n)
		}
	}
	return b, nil
}

// ActiveBroadcasts lists the running broadcasts, urgent ones first, then
// oldest first.
func (s *Store) ActiveBroadcasts(ctx context.Context) ([]redaktor.ActiveBroadcast, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, s.k.bcActive(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	out := make([]redaktor.ActiveBroadcast, len(zs))
	for i, z := range zs {
		out[i] = redaktor.ActiveBroadcast{PostID: fmt.Sprint(z.Member), Urgent: z.Score < 0}
	}
	return out, nil
}

// take hands one subscriber of a broadcast to a sender, together with a
// send slot of the shared pacer: the global slot is the next free one
// (never earlier than now, so idle time does not accumulate a burst), and
// the subscriber's chat slot is respected. Subscribers come from, in order:
// leases that ran out (their holder died), retries that are due, and the
// page's subscriber set after the cursor (skipping those done or held).
// A lease that runs out is not taken at once: its holder may be alive,
// with the outcome in its journal while Redis was away. The first sighting
// marks it suspect and extends it by a grace (counted from a moment Redis
// answers); only at the second is it sent again. Anybody recorded as done
// meanwhile is dropped from the leases and retries, never sent again.
//
// KEYS[1] bc hash, KEYS[2] done set, KEYS[3] sending zset, KEYS[4] retry zset,
// KEYS[5] page subs zset, KEYS[6] pacer key, KEYS[7] active zset,
// KEYS[8] the page's English-speaking subscribers, KEYS[9] suspect set
// ARGV[1] now ms (leases, retries), ARGV[2] lease ms, ARGV[3] interval µs,
// ARGV[4] max ahead µs, ARGV[5] chat pacer key prefix (same hash tag),
// ARGV[6] chat gap µs, ARGV[7] post id, ARGV[8] keep seconds, ARGV[9] grace ms
// Returns {kind, user id, wait µs, resend, english}.
var take = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'state') ~= 'running' then return {'gone', '', '0', 0, 0} end
local t = redis.call('TIME')
local nowus = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slot = math.max(nowus, tonumber(redis.call('GET', KEYS[6]) or '0'))
if slot - nowus > tonumber(ARGV[4]) then
  return {'wait', '', string.format('%.0f', slot - nowus - tonumber(ARGV[4]) + tonumber(ARGV[3])), 0, 0}
end
local now = tonumber(ARGV[1])
local uid, resend = nil, 0
local exp = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 16)
for _, m in ipairs(exp) do
  if redis.call('SISMEMBER', KEYS[2], m) == 1 then
    redis.call('ZREM', KEYS[3], m)
    redis.call('SREM', KEYS[9], m)
  elseif redis.call('SISMEMBER', KEYS[9], m) == 1 then
    redis.call('SREM', KEYS[9], m)
    uid = m; resend = 1
    break
  else
    redis.call('SADD', KEYS[9], m)
    redis.call('ZADD', KEYS[3], string.format('%.0f', now + tonumber(ARGV[9])), m)
  end
end
if not uid then
  local due = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 1)
  if #due > 0 then
    redis.call('ZREM', KEYS[4], due[1])
    if redis.call('SISMEMBER', KEYS[2], due[1]) == 0 then uid = due[1] end
  end
end
if not uid and redis.call('HGET', KEYS[1], 'exhausted') ~= '1' then
  local cursor = redis.call('HGET', KEYS[1], 'cursor')
  for round = 1, 32 do
    local lo = '-inf'
    if cursor then lo = '(' .. cursor end
    local batch = redis.call('ZRANGEBYSCORE', KEYS[5], lo, '+inf', 'WITHSCORES', 'LIMIT', 0, 32)
    if #batch == 0 then
      redis.call('HSET', KEYS[1], 'exhausted', '1')
      break
    end
    for i = 1, #batch, 2 do
      cursor = batch[i + 1]
      local m = batch[i]
      if redis.call('SISMEMBER', KEYS[2], m) == 0 and not redis.call('ZSCORE', KEYS[3], m)
         and not redis.call('ZSCORE', KEYS[4], m) then
        uid = m
        break
      end
    end
    redis.call('HSET', KEYS[1], 'cursor', cursor)
    if uid then break end
  end
end
if not uid then
  if redis.call('HGET', KEYS[1], 'exhausted') == '1' and redis.call('ZCARD', KEYS[3]) == 0
     and redis.call('ZCARD', KEYS[4]) == 0 then
    redis.call('HSET', KEYS[1], 'state', 'done', 'finished', ARGV[1])
    redis.call('ZREM', KEYS[7], ARGV[7])
    redis.call('EXPIRE', KEYS[1], ARGV[8])
    redis.call('EXPIRE', KEYS[2], ARGV[8])
    redis.call('DEL', KEYS[9])
    return {'done', '', '0', 0, 0}
  end
  local nxt = now + 250
  for _, k in ipairs({KEYS[3], KEYS[4]}) do
    local first = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    if #first > 0 then nxt = math.min(nxt, tonumber(first[2])) end
  end
  return {'idle', '', string.format('%.0f', math.max(0, nxt - now) * 1000), 0, 0}
end
local ck = ARGV[5] .. uid
local at = math.max(slot, tonumber(redis.call('GET', ck) or '0'))
redis.call('SET', KEYS[6], string.format('%.0f', slot + tonumber(ARGV[3])), 'PX', 60000)
local gap = tonumber(ARGV[6])
redis.call('SET', ck, string.format('%.0f', at + gap), 'PX', math.floor((at + gap - nowus) / 1000) + 1)
redis.call('ZADD', KEYS[3], string.format('%.0f', now + math.ceil((at - nowus) / 1000) + tonumber(ARGV[2])), uid)
if resend == 1 then redis.call('HINCRBY', KEYS[1], 'resent', 1) end
return {'send', uid, string.format('%.0f', at - nowus), resend, redis.call('SISMEMBER', KEYS[8], uid)}
`)

// Take hands a sender the next subscriber of a broadcast (of page pageID)
// and the moment to send (Grant.Wait from now). The subscriber stays leased to the caller
// until Record, or until lease (after the slot) runs out; a lease that ran
// out is given grace more before anybody sends to the person again.
func (s *Store) Take(ctx context.Context, postID, pageID string, now time.Time, lease, grace time.Duration, p redaktor.Pace) (redaktor.Grant, error) {
	res, err := take.Run(ctx, s.rdb,
		[]string{s.k.bc(postID), s.k.bcDone(postID), s.k.bcSending(postID), s.k.bcRetry(postID),
			s.k.subs(pageID), s.k.rlTAT(), s.k.bcActive(), s.k.subsEn(pageID), s.k.bcSuspect(postID)},
		now.UnixMilli(), lease.Milliseconds(), p.Interval.Microseconds(), p.MaxAhead.Microseconds(),
		s.k.rlChatPrefix(), p.ChatGap.Microseconds(), postID, int64(KeepBroadcast.Seconds()), grace.Milliseconds()).Slice()
	if err != nil {
		return redaktor.Grant{}, fmt.Errorf("take from broadcast %s: %w", postID, err)
	}
	if len(res) != 5 {
		return redaktor.Grant{}, fmt.Errorf("take from broadcast %s: answer %v", postID, res)
	}
	g := redaktor.Grant{Kind: redaktor.GrantKind(fmt.Sprint(res[0]))}
	if u := fmt.Sprint(res[1]); u != "" {
		if g.UserID, err = strconv.ParseInt(u, 10, 64); err != nil {
			return redaktor.Grant{}, fmt.Errorf("take from broadcast %s: user %q", postID, u)
		}
	}
	us, _ := strconv.ParseInt(fmt.Sprint(res[2]), 10, 64)
	g.Wait = time.Duration(us) * time.Microsecond
	g.Resend = fmt.Sprint(res[3]) == "1"
	g.English = fmt.Sprint(res[4]) == "1"
	return g, nil
}

// record stores the outcome of a send once. A final outcome (delivered,
// inactive, failed) sticks whoever holds the subscriber now: it may come
// late from a journal, after the lease ran out and another sender took the
// person (or put them in the retries). An outcome that asks for another
// try counts only from the holder. Once the subscriber is done, nothing
// changes any more: a repeated run, or a second sender's record. A person
// the broadcast and the page no longer know (neither leased nor waiting
// for a retry, neither subscribed nor inactive: they used /forgetme
// meanwhile) is not written back: nothing is recorded or counted.
// KEYS[1] bc hash, KEYS[2] done, KEYS[3] sending, KEYS[4] retry, KEYS[5] tries,
// KEYS[6] page subs, KEYS[7] page gone, KEYS[8] suspect set, KEYS[9] messages hash
// ARGV[1] user id, ARGV[2] outcome, ARGV[3] now ms, ARGV[4] later: at ms,
// ARGV[5] max tries, ARGV[6] backoff base ms, ARGV[7] backoff cap ms,
// ARGV[8] the message ids delivered ("" unknown), ARGV[9] keep them ms
// Returns 1 recorded, 0 nothing to do (done before, a try asked by a
// sender that no longer holds the person, or a person forgotten).
var record = redis.NewScript(`
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
local o = ARGV[2]
local final = o == 'ok' or o == 'inactive' or o == 'failed'
if not final and not redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 0 end
if not redis.call('ZSCORE', KEYS[3], ARGV[1]) and not redis.call('ZSCORE', KEYS[4], ARGV[1])
   and not redis.call('ZSCORE', KEYS[6], ARGV[1]) and redis.call('SISMEMBER', KEYS[7], ARGV[1]) == 0 then
  return 0
end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[8], ARGV[1])
if o == 'later' then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  return 1
end
if o == 'retry' then
  local n = redis.call('HINCRBY', KEYS[5], ARGV[1], 1)
  if n < tonumber(ARGV[5]) then
    local wait = math.min(tonumber(ARGV[7]), tonumber(ARGV[6]) * (2 ^ (n - 1)))
    redis.call('ZADD', KEYS[4], string.format('%.0f', tonumber(ARGV[3]) + wait), ARGV[1])
    return 1
  end
  o = 'failed'
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
if o == 'ok' then
  redis.call('HINCRBY', KEYS[1], 'delivered', 1)
  if ARGV[8] ~= '' then
    redis.call('HSET', KEYS[9], ARGV[1], ARGV[8])
    redis.call('PEXPIRE', KEYS[9], ARGV[9])
  end
elseif o == 'inactive' then
  redis.call('HINCRBY', KEYS[1], 'inactive', 1)
  if redis.call('ZREM', KEYS[6], ARGV[1]) == 1 then redis.call('SADD', KEYS[7], ARGV[1]) end
else
  redis.call('HINCRBY', KEYS[1], 'failed', 1)
end
return 1
`)

// Record stores what became of the send to one subscriber. at is when a
// Later outcome is tried again. Recording twice changes nothing. The ids of
// the messages delivered (when known) are kept while the post can still be
// edited or taken down (afterpub.go).
func (s *Store) Record(ctx context.Context, postID, page string, userID int64, o redaktor.SendOutcome, now, at time.Time, r redaktor.Retries, msgIDs ...int) error {
	err := record.Run(ctx, s.rdb,
		[]string{s.k.bc(postID), s.k.bcDone(postID), s.k.bcSending(postID), s.k.bcRetry(postID), s.k.bcTries(postID),
			s.k.subs(page), s.k.subsGone(page), s.k.bcSuspect(postID), s.k.bcMessages(postID)},
		userID, string(o), now.UnixMilli(), at.UnixMilli(), r.Max, r.Base.Milliseconds(), r.Cap.Milliseconds(),
		joinIDs(msgIDs), KeepCopies.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("record send of broadcast %s to %d: %w", postID, userID, err)
	}
	return nil
}

// ClaimProgressTick reports whether the caller should update a broadcast's
// progress message now: at most once per every across all processes.
func (s *Store) ClaimProgressTick(ctx context.Context, postID string, every time.Duration) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k.bcTick(postID), 1, every).Result()
	if err != nil {
		return false, fmt.Errorf("progress tick of %s: %w", postID, err)
	}
	return ok, nil
}
