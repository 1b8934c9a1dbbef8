package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// An edit or a removal of a published post is stored with the post's change
// in one step, as a job (handlers/afterpub.go carries it out):
//
//	bc:<post>:msgs       hash  subscriber → the ids of the messages they got
//	                           (written by the broadcast's Record; a forward
//	                           replaced by a job gets its new ids here)
//	ap:<post>:job        string "op|rev|by": the job of the post's last change
//	ap:<post>:progress   hash  channel (ok/failed), done, failed, total,
//	                           cursor (in bc:<post>:msgs), finished, lease
//	                           (the token of the runner holding the job),
//	                           pending:<user> (a forward on its way)
//	ap:<post>:done       set   subscribers finished with by this job
//	ap:jobs              zset  posts with a job to run, score = when its
//	                           lease ends (ms; 0: free)
//
// A newer change of the post replaces the job and clears its progress; the
// scripts below check the job's revision, so a runner still busy with the
// older job changes nothing more, and the lease token, so a runner that
// outlasted its lease changes nothing once another took over. Each subscriber is recorded once per job:
// a job run again (its runner died, or the handling was retried) skips
// those done.

// KeepCopies is how long what subscribers got of a post is kept: while the
// post can be changed, and an hour more for a job under way.
const KeepCopies = redaktor.ChangeWindow + time.Hour

// ErrSuperseded: a newer change of the post replaced the job.
var ErrSuperseded = fmt.Errorf("%w: a newer change of the post replaced the job", redaktor.ErrConflict)

func joinIDs(ids []int) string {
	out := make([]string, len(ids))
	for i, n := range ids {
		out[i] = strconv.Itoa(n)
	}
	return strings.Join(out, ",")
}

func splitIDs(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func jobValue(j redaktor.AfterPubJob) string {
	return string(j.Op) + "|" + strconv.FormatInt(j.Rev, 10) + "|" + strconv.FormatInt(j.By, 10)
}

func parseJob(s string) (redaktor.AfterPubJob, error) {
	f := strings.Split(s, "|")
	if len(f) != 3 {
		return redaktor.AfterPubJob{}, fmt.Errorf("%w: job %q", redaktor.ErrCorrupt, s)
	}
	rev, err1 := strconv.ParseInt(f[1], 10, 64)
	by, err2 := strconv.ParseInt(f[2], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return redaktor.AfterPubJob{}, fmt.Errorf("%w: job %q", redaktor.ErrCorrupt, s)
	}
	return redaktor.AfterPubJob{Op: redaktor.AfterPubOp(f[0]), Rev: rev, By: by}, nil
}

// SaveAfterPub is SavePost for an edit or a removal of a published post:
// the job that carries it to the channel and the subscribers is stored in
// the same step. Run twice (a retry after a lost answer) it is recognised
// as done, and the job is not made again.
func (s *Store) SaveAfterPub(ctx context.Context, old, next redaktor.Post, ev redaktor.Event, job redaktor.AfterPubJob) error {
	job.Rev = next.Rev
	ops := append(s.indexOps(&old, next),
		op{kind: "set", key: s.k.apJob(next.ID), score: float64(KeepCopies.Milliseconds()), member: jobValue(job)},
		op{kind: "del", key: s.k.apProgress(next.ID)},
		op{kind: "del", key: s.k.apDone(next.ID)},
		op{kind: "zadd", key: s.k.apJobs(), score: 0, member: next.ID})
	return s.save(ctx, old.Rev, next, ev, ops)
}

// claimJob leases the first job free at now.
// KEYS[1] jobs zset; ARGV[1] now ms, ARGV[2] lease ms
var claimJob = redis.NewScript(`
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #ids == 0 then return false end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ids[1])
return ids[1]
`)

// ClaimAfterPub leases the next job to run until now+lease; ok is false
// when none waits. A job whose record is gone (it expired) is dropped. The
// job carries a new lease token: a runner that outlasted its lease finds
// its token replaced, and every step it tries is refused (ErrLeaseLost).
func (s *Store) ClaimAfterPub(ctx context.Context, now time.Time, lease time.Duration) (postID string, job redaktor.AfterPubJob, ok bool, err error) {
	for {
		postID, err = claimJob.Run(ctx, s.rdb, []string{s.k.apJobs()}, now.UnixMilli(), lease.Milliseconds()).Text()
		if errors.Is(err, redis.Nil) {
			return "", job, false, nil
		}
		if err != nil {
			return "", job, false, fmt.Errorf("claim a job: %w", err)
		}
		v, err := s.rdb.Get(ctx, s.k.apJob(postID)).Result()
		if errors.Is(err, redis.Nil) {
			if err := s.rdb.ZRem(ctx, s.k.apJobs(), postID).Err(); err != nil {
				return "", job, false, fmt.Errorf("drop a lost job: %w", err)
			}
			continue
		}
		if err != nil {
			return "", job, false, fmt.Errorf("read job of post %s: %w", postID, err)
		}
		if job, err = parseJob(v); err != nil {
			return "", job, false, err
		}
		job.Lease = rand.Text()
		if err := s.rdb.HSet(ctx, s.k.apProgress(postID), "lease", job.Lease).Err(); err != nil {
			return "", job, false, fmt.Errorf("lease job of post %s: %w", postID, err)
		}
		return postID, job, true, nil
	}
}

// RenewAfterPub extends a job's lease to until, while it is still queued
// and still the caller's.
func (s *Store) RenewAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob, until time.Time) error {
	_, err := s.jobStep(ctx, postID, job, "renew", ms(until), postID)
	return err
}

// AfterPubProgress reads the job of a post's last change and how far it
// went; ErrNotFound when the post has none.
func (s *Store) AfterPubProgress(ctx context.Context, postID string) (redaktor.AfterPubProgress, error) {
	pipe := s.rdb.Pipeline()
	job := pipe.Get(ctx, s.k.apJob(postID))
	prog := pipe.HGetAll(ctx, s.k.apProgress(postID))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return redaktor.AfterPubProgress{}, fmt.Errorf("read job of post %s: %w", postID, err)
	}
	if errors.Is(job.Err(), redis.Nil) {
		return redaktor.AfterPubProgress{}, fmt.Errorf("job of post %s: %w", postID, redaktor.ErrNotFound)
	}
	j, err := parseJob(job.Val())
	if err != nil {
		return redaktor.AfterPubProgress{}, err
	}
	m := prog.Val()
	num := func(f string) int64 { n, _ := strconv.ParseInt(m[f], 10, 64); return n }
	return redaktor.AfterPubProgress{Job: j, Channel: m["channel"], Done: num("done"), Failed: num("failed"),
		Total: num("total"), Finished: m["finished"] == "1"}, nil
}

// jobStep writes to a job's progress if the job is still the post's and
// the caller still holds its lease.
// KEYS[1] job, KEYS[2] progress, KEYS[3] done set, KEYS[4] messages hash, KEYS[5] jobs zset
// ARGV[1] rev, ARGV[2] lease token, ARGV[3] step, ARGV[4..] its values
//
//	renew <until ms> <post>    the lease is extended
//	channel <ok|failed>        the channel's outcome (kept if set before)
//	start <total>              the number of subscribers, once
//	cursor <n>                 where the walk of the messages hash is
//	begin <user> <1|0>         before the sends for a subscriber: 1 go on,
//	                           0 done already, 2 a forward marked pending
//	                           by an earlier run (possibly sent), 3 no
//	                           longer among those who got the post
//	                           (/forgetme); with 1 a pending mark is left
//	unpend <user>              the forward was refused: not sent
//	sub <user> <ok|failed> <ids|"-"|"">  a subscriber's outcome, once: new
//	                           ids replace theirs, "-" forgets them; nothing
//	                           for a subscriber no longer in the hash
//	finish <keep ms> <post>    the job is done (0 if it was already)
//
// Returns 1 written, 0 already written, -1 the job was replaced, -2 the
// lease was taken over.
var jobStep = redis.NewScript(`
local j = redis.call('GET', KEYS[1])
if not j or not string.find(j, '|' .. ARGV[1] .. '|', 1, true) then return -1 end
if redis.call('HGET', KEYS[2], 'lease') ~= ARGV[2] then return -2 end
local step = ARGV[3]
if step == 'renew' then
  redis.call('ZADD', KEYS[5], 'XX', ARGV[4], ARGV[5])
  return 1
elseif step == 'channel' then
  return redis.call('HSETNX', KEYS[2], 'channel', ARGV[4])
elseif step == 'start' then
  return redis.call('HSETNX', KEYS[2], 'total', ARGV[4])
elseif step == 'cursor' then
  redis.call('HSET', KEYS[2], 'cursor', ARGV[4])
  return 1
elseif step == 'begin' then
  if redis.call('SISMEMBER', KEYS[3], ARGV[4]) == 1 then return 0 end
  if redis.call('HEXISTS', KEYS[4], ARGV[4]) == 0 then return 3 end
  if ARGV[5] == '1' and redis.call('HSETNX', KEYS[2], 'pending:' .. ARGV[4], 1) == 0 then return 2 end
  return 1
elseif step == 'unpend' then
  redis.call('HDEL', KEYS[2], 'pending:' .. ARGV[4])
  return 1
elseif step == 'sub' then
  if redis.call('HEXISTS', KEYS[4], ARGV[4]) == 0 then return 0 end
  if redis.call('SADD', KEYS[3], ARGV[4]) == 0 then return 0 end
  redis.call('HDEL', KEYS[2], 'pending:' .. ARGV[4])
  if ARGV[5] == 'ok' then
    redis.call('HINCRBY', KEYS[2], 'done', 1)
  else
    redis.call('HINCRBY', KEYS[2], 'failed', 1)
  end
  if ARGV[6] == '-' then
    redis.call('HDEL', KEYS[4], ARGV[4])
  elseif ARGV[6] ~= '' then
    redis.call('HSET', KEYS[4], ARGV[4], ARGV[6])
  end
  return 1
elseif step == 'finish' then
  if redis.call('HGET', KEYS[2], 'finished') == '1' then return 0 end
  redis.call('HSET', KEYS[2], 'finished', 1)
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
  redis.call('ZREM', KEYS[5], ARGV[5])
  return 1
end
return redis.error_reply('unknown step ' .. step)
`)

// ErrLeaseLost: the job's lease ran out and another runner took it over;
// the runner that lost it must write nothing more.
var ErrLeaseLost = fmt.Errorf("%w: another runner took the job over", redaktor.ErrConflict)

func (s *Store) jobStep(ctx context.Context, postID string, job redaktor.AfterPubJob, step string, args ...any) (int, error) {
	argv := append([]any{job.Rev, job.Lease, step}, args...)
	n, err := jobStep.Run(ctx, s.rdb, []string{s.k.apJob(postID), s.k.apProgress(postID), s.k.apDone(postID),
		s.k.bcMessages(postID), s.k.apJobs()}, argv...).Int()
	switch {
	case err != nil:
		return 0, fmt.Errorf("job of post %s, %s: %w", postID, step, err)
	case n == -1:
		return 0, fmt.Errorf("job of post %s at %d: %w", postID, job.Rev, ErrSuperseded)
	case n == -2:
		return 0, fmt.Errorf("job of post %s at %d: %w", postID, job.Rev, ErrLeaseLost)
	}
	return n, nil
}

// SetAfterPubChannel records the channel's outcome of a job once.
func (s *Store) SetAfterPubChannel(ctx context.Context, postID string, job redaktor.AfterPubJob, ok bool) error {
	o := "failed"
	if ok {
		o = "ok"
	}
	_, err := s.jobStep(ctx, postID, job, "channel", o)
	return err
}

// SubscriberStart is what a job is to do for one subscriber (BeginAfterPub).
type SubscriberStart int

const (
	SubscriberGo        SubscriberStart = 1 // change their copy
	SubscriberDone      SubscriberStart = 0 // recorded already
	SubscriberMaybeSent SubscriberStart = 2 // a forward of an earlier run may have reached them
	SubscriberGone      SubscriberStart = 3 // no longer among those who got it (/forgetme)
)

// BeginAfterPub is called before a job sends anything to a subscriber.
// With forward, a pending mark is left first: a run taken over while the
// forward is on its way finds it and does not forward again.
func (s *Store) BeginAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob, userID int64, forward bool) (SubscriberStart, error) {
	mark := "0"
	if forward {
		mark = "1"
	}
	n, err := s.jobStep(ctx, postID, job, "begin", userID, mark)
	return SubscriberStart(n), err
}

// ForwardRefused drops the pending mark of a forward Telegram refused: it
// was not sent, and a later run may send it.
func (s *Store) ForwardRefused(ctx context.Context, postID string, job redaktor.AfterPubJob, userID int64) error {
	_, err := s.jobStep(ctx, postID, job, "unpend", userID)
	return err
}

// StartAfterPubSubscribers counts the subscribers who got the post, once
// per job, and returns where the walk over them stands.
func (s *Store) StartAfterPubSubscribers(ctx context.Context, postID string, job redaktor.AfterPubJob) (cursor uint64, err error) {
	n, err := s.rdb.HLen(ctx, s.k.bcMessages(postID)).Result()
	if err != nil {
		return 0, fmt.Errorf("count the copies of post %s: %w", postID, err)
	}
	if _, err := s.jobStep(ctx, postID, job, "start", n); err != nil {
		return 0, err
	}
	c, err := s.rdb.HGet(ctx, s.k.apProgress(postID), "cursor").Uint64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("read the cursor of post %s: %w", postID, err)
	}
	return c, nil
}

// SetAfterPubCursor records where the walk over the subscribers stands.
func (s *Store) SetAfterPubCursor(ctx context.Context, postID string, job redaktor.AfterPubJob, cursor uint64) error {
	_, err := s.jobStep(ctx, postID, job, "cursor", cursor)
	return err
}

// SubscriberCopies reads up to about count subscribers' copies of a post
// from cursor (0: the start), leaving out those the job finished with;
// next is 0 at the end. Memory is one batch, whatever the number of
// subscribers.
func (s *Store) SubscriberCopies(ctx context.Context, postID, pageID string, cursor uint64, count int64) ([]redaktor.SubscriberCopy, uint64, error) {
	kv, next, err := s.rdb.HScan(ctx, s.k.bcMessages(postID), cursor, "", count).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("read the copies of post %s: %w", postID, err)
	}
	if len(kv) == 0 {
		return nil, next, nil
	}
	users := make([]any, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		users = append(users, kv[i])
	}
	pipe := s.rdb.Pipeline()
	doneCmd := pipe.SMIsMember(ctx, s.k.apDone(postID), users...)
	enCmd := pipe.SMIsMember(ctx, s.k.subsEn(pageID), users...)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, fmt.Errorf("read the copies of post %s: %w", postID, err)
	}
	done, en := doneCmd.Val(), enCmd.Val()
	var out []redaktor.SubscriberCopy
	for i := 0; i+1 < len(kv); i += 2 {
		uid, err := strconv.ParseInt(kv[i], 10, 64)
		if err != nil || done[i/2] {
			continue
		}
		out = append(out, redaktor.SubscriberCopy{UserID: uid, MessageIDs: splitIDs(kv[i+1]), English: en[i/2]})
	}
	return out, next, nil
}

// RecordAfterPub records once what a job did for one subscriber. newIDs
// replace the ids of what they have (a forward replaced); gone forgets
// them (their copy was deleted).
func (s *Store) RecordAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob, userID int64, ok bool, newIDs []int, gone bool) error {
	o, ids := "failed", joinIDs(newIDs)
	if ok {
		o = "ok"
	}
	if gone {
		ids = "-"
	}
	_, err := s.jobStep(ctx, postID, job, "sub", userID, o, ids)
	return err
}

// FinishAfterPub marks a job done and takes it off the queue; first is
// false when it was done already (the outcome was told then).
func (s *Store) FinishAfterPub(ctx context.Context, postID string, job redaktor.AfterPubJob) (first bool, err error) {
	n, err := s.jobStep(ctx, postID, job, "finish", KeepCopies.Milliseconds(), postID)
	return n == 1, err
}
