package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// PagesAfter reads up to limit pages whose number is above after, in
// order, and the number to read on from (0 when there are no more). Page
// ids are the numbers NextID("page") gave, so a walk over every page
// holds one batch at a time, whatever the number of pages.
func (s *Store) PagesAfter(ctx context.Context, after int64, limit int) ([]redaktor.Page, int64, error) {
	last, err := s.lastPageID(ctx)
	if err != nil {
		return nil, 0, err
	}
	if after >= last {
		return nil, 0, nil
	}
	to := min(after+int64(limit), last)
	keys := make([]string, 0, to-after)
	for i := after + 1; i <= to; i++ {
		keys = append(keys, s.k.page(id(i)))
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("read pages: %w", err)
	}
	out := make([]redaktor.Page, 0, len(vals))
	for _, v := range vals {
		raw, _ := v.(string)
		var p redaktor.Page
		if raw == "" || json.Unmarshal([]byte(raw), &p) != nil {
			continue // an id spent by a creation that failed
		}
		out = append(out, p)
	}
	next := to
	if to >= last {
		next = 0
	}
	return out, next, nil
}

// RemindAfter is how many working hours a post of the page may wait for
// approval before its chief editors are reminded; set is false when the
// page never chose (the caller's default applies). 0 means off.
func (s *Store) RemindAfter(ctx context.Context, pageID string) (hours int, set bool, err error) {
	v, err := s.rdb.Get(ctx, s.k.remindAfter(pageID)).Int()
	if errors.Is(err, redis.Nil) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read the reminder setting of page %s: %w", pageID, err)
	}
	return v, true, nil
}

// SetRemindAfter stores the page's choice (0: no reminders of waiting posts).
func (s *Store) SetRemindAfter(ctx context.Context, pageID string, hours int) error {
	if err := s.rdb.Set(ctx, s.k.remindAfter(pageID), hours, 0).Err(); err != nil {
		return fmt.Errorf("save the reminder setting of page %s: %w", pageID, err)
	}
	return nil
}

// passKeep is how long the count of a minute's reminder passes is kept.
const passKeep = time.Hour

// PassDone counts a process's pass of the reminders through every page in
// the minute starting at minute: a sign that the reminders are alive, and
// the event tests wait for before asserting that nothing was sent.
func (s *Store) PassDone(ctx context.Context, minute time.Time) error {
	key := s.k.remindersPass(minute.UnixMilli())
	pipe := s.rdb.TxPipeline()
	pipe.Incr(ctx, key)
	pipe.Expire(ctx, key, passKeep)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("count the reminders' pass of %s: %w", minute.UTC().Format(time.RFC3339), err)
	}
	return nil
}

// DigestDone reports whether the page's morning digest of day was sent
// (or found nothing to say) by any process.
func (s *Store) DigestDone(ctx context.Context, pageID, day string) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.k.digest(pageID, day)).Result()
	if err != nil {
		return false, fmt.Errorf("read the digest mark of page %s: %w", pageID, err)
	}
	return n == 1, nil
}

// claimDigest marks a page's digest of a day as taken, the waiting posts
// it tells of as reminded, and the passed proposed times it tells as told,
// at once: of several processes one takes the digest, and neither a
// reminder nor a notice of the same posts can follow it.
//
// KEYS[1] digest mark, KEYS[2] reminded hash, KEYS[3..] told marks
// ARGV[1] mark lifetime ms, ARGV[2] told lifetime ms, ARGV[3] n,
// ARGV[4..3+2n] pairs: post id, since ms
// Returns {} when taken before, else {1, i...}: the told marks (by KEYS
// index - 2) this call set.
var claimDigest = redis.NewScript(`
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) == false then return {} end
local n = tonumber(ARGV[3])
for i = 4, 3 + 2 * n, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i+1]) end
local out = {1}
for i = 3, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[2]) then table.insert(out, i - 2) end
end
return out
`)

// ClaimDigest takes the page's digest of day for this process. covered
// are the waiting posts it tells of (post id → when it began waiting),
// marked as reminded with it; passed the posts whose proposed time passed
// (post id → that time), marked as told with it (see ClaimTold). ok is
// false when another process took the digest first; told are the passed
// posts this call marked.
func (s *Store) ClaimDigest(ctx context.Context, pageID, day string, keep time.Duration, covered, passed map[string]time.Time) (ok bool, told []string, err error) {
	keys := []string{s.k.digest(pageID, day), s.k.reminded(pageID)}
	args := []any{keep.Milliseconds(), ToldKeep.Milliseconds(), len(covered)}
	for pid, since := range covered {
		args = append(args, pid, strconv.FormatInt(since.UnixMilli(), 10))
	}
	ids := make([]string, 0, len(passed))
	for pid, at := range passed {
		ids = append(ids, pid)
		keys = append(keys, s.k.postTold(pid, "proposal", strconv.FormatInt(at.UnixMilli(), 10)))
	}
	res, err := claimDigest.Run(ctx, s.rdb, keys, args...).Int64Slice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return false, nil, fmt.Errorf("claim the digest of page %s: %w", pageID, err)
	}
	if len(res) == 0 {
		return false, nil, nil
	}
	for _, i := range res[1:] {
		told = append(told, ids[i-1])
	}
	return true, told, nil
}

// ToldKeep is how long the mark of a told proposed time is kept: it only
// has to outlive processes racing for it; the post itself records the
// reminder (Reminded).
const ToldKeep = 7 * 24 * time.Hour

// claimWaiting takes the reminders of posts that crossed the page's
// threshold: a post is reminded of once per time it began waiting, by
// one process. Marks of posts no longer waiting are dropped.
//
// KEYS[1] reminded hash
// ARGV[1] "1" when the ids list every post waiting (marks of others go)
// ARGV[2] n, ARGV[3..2+n] ids of the posts waiting
// ARGV[3+n..] pairs: post id over the threshold, since ms
// Returns the ids this call took.
var claimWaiting = redis.NewScript(`
local n = tonumber(ARGV[2])
if ARGV[1] == '1' then
  local now = {}
  for i = 3, 2 + n do now[ARGV[i]] = true end
  for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
    if not now[f] then redis.call('HDEL', KEYS[1], f) end
  end
end
local out = {}
for i = 3 + n, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i+1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i+1])
    table.insert(out, ARGV[i])
  end
end
return out
`)

// ClaimWaiting takes the reminders of the posts over the threshold (post
// id → when it began waiting) not reminded of since then, and returns
// their ids. waiting are the posts of the page still waiting; all says
// they are every one of them, so marks of the others may go.
func (s *Store) ClaimWaiting(ctx context.Context, pageID string, waiting []string, all bool, over map[string]time.Time) ([]string, error) {
	args := []any{"0", len(waiting)}
	if all {
		args[0] = "1"
	}
	for _, w := range waiting {
		args = append(args, w)
	}
	for pid, since := range over {
		args = append(args, pid, strconv.FormatInt(since.UnixMilli(), 10))
	}
	ids, err := claimWaiting.Run(ctx, s.rdb, []string{s.k.reminded(pageID)}, args...).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("claim reminders of page %s: %w", pageID, err)
	}
	return ids, nil
}

// holdReminder moves a post's reminder of its proposed time to a later
// moment (the page's night), unless the post changed meanwhile (its score
// is not the one read): the index stays derived from the post.
//
// KEYS[1] reminders zset; ARGV[1] post id, ARGV[2] score read, ARGV[3] new score
var holdReminder = redis.NewScript(`
local sc = redis.call('ZSCORE', KEYS[1], ARGV[1])
if sc and tonumber(sc) == tonumber(ARGV[2]) then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 0
`)

// DueProposals reads the posts waiting for approval whose proposed time
// (or the moment a reminder of it was put off to) is at or before now,
// with that moment, lowest first.
func (s *Store) DueProposals(ctx context.Context, now time.Time, limit int64) ([]string, []time.Time, error) {
	zs, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
		Key: s.k.reminders(), ByScore: true, Start: "-inf", Stop: ms(now), Count: limit,
	}).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("find passed proposed times: %w", err)
	}
	ids, at := make([]string, len(zs)), make([]time.Time, len(zs))
	for i, z := range zs {
		ids[i], _ = z.Member.(string)
		at[i] = time.UnixMilli(int64(z.Score))
	}
	return ids, at, nil
}

// HoldProposal puts the reminder of a post's passed proposed time off
// from was to until.
func (s *Store) HoldProposal(ctx context.Context, postID string, was, until time.Time) error {
	if err := holdReminder.Run(ctx, s.rdb, []string{s.k.reminders()}, postID, ms(was), ms(until)).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("put off the reminder of post %s: %w", postID, err)
	}
	return nil
}

// DayPosts reads a page's posts of one day: those queued for it (in time
// order) and those published in it, at most limit of each.
func (s *Store) DayPosts(ctx context.Context, pageID string, from, to time.Time, limit int64) (queued, published []redaktor.Post, err error) {
	stop := "(" + strconv.FormatFloat(ms(to), 'f', -1, 64)
	pipe := s.rdb.Pipeline()
	q := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.k.queue(pageID), ByScore: true, Start: ms(from), Stop: stop, Count: limit})
	p := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.k.published(pageID), ByScore: true, Start: ms(from), Stop: stop, Count: limit})
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, nil, fmt.Errorf("read the day's posts of page %s: %w", pageID, err)
	}
	if queued, err = s.posts(ctx, q.Val()); err != nil {
		return nil, nil, err
	}
	if published, err = s.posts(ctx, p.Val()); err != nil {
		return nil, nil, err
	}
	return queued, published, nil
}

// ClaimTold takes the telling that a post's proposed time (at) passed,
// for this process: true for the first caller only (a morning digest
// that told it counts as one).
func (s *Store) ClaimTold(ctx context.Context, postID string, at time.Time) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, s.k.postTold(postID, "proposal", strconv.FormatInt(at.UnixMilli(), 10)), "1", ToldKeep).Result()
	if err != nil {
		return false, fmt.Errorf("claim telling the passed time of post %s: %w", postID, err)
	}
	return ok, nil
}
