package storage

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// A post's publication is reported to each of its people in one message,
// edited as the delivery to the subscribers goes and ending as the
// report. Any process may write it (the scheduler that published, any
// broadcast sender), so the writing is claimed:
//
//	post:<id>:report       hash  chat → message id of the report there;
//	                             explain:<chat> → 1 when that message
//	                             explains «заблокировали бота»;
//	                             dirty → 1 while a writer holds the claim
//	                             and somebody else asked for a new state
//	post:<id>:report:lock  string the claim: a writer's token
//
// A writer claims, reads the state, sends or edits each message, and
// gives the claim back; asked meanwhile, it writes again before giving it
// back, so the last state always reaches the messages and two processes
// never send one person two reports. A writer that died keeps the claim
// until it lapses; only a send it made and did not record can be repeated.

// ClaimReport takes the claim on a post's report messages for ttl. When
// another writer holds it, it is told to write again and ok is false.
func (s *Store) ClaimReport(ctx context.Context, postID, token string, ttl time.Duration) (ok bool, err error) {
	n, err := claimReport.Run(ctx, s.rdb, []string{s.k.reportLock(postID), s.k.report(postID)},
		token, ttl.Milliseconds(), int64(KeepBroadcast.Seconds())).Int()
	if err != nil {
		return false, fmt.Errorf("claim the report of post %s: %w", postID, err)
	}
	return n == 1, nil
}

// KEYS[1] claim, KEYS[2] report hash; ARGV[1] token, ARGV[2] ttl ms, ARGV[3] keep s
var claimReport = redis.NewScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  redis.call('HSET', KEYS[2], 'dirty', '1')
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HDEL', KEYS[2], 'dirty')
return 1
`)

// ReleaseReport gives the claim back, unless somebody asked for a new
// state meanwhile: then again is true, the claim is kept for ttl more, and
// the caller writes again. A claim that lapsed and was taken by another
// writer is left to it.
func (s *Store) ReleaseReport(ctx context.Context, postID, token string, ttl time.Duration) (again bool, err error) {
	n, err := releaseReport.Run(ctx, s.rdb, []string{s.k.reportLock(postID), s.k.report(postID)},
		token, ttl.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("release the report of post %s: %w", postID, err)
	}
	return n == 1, nil
}

// KEYS[1] claim, KEYS[2] report hash; ARGV[1] token, ARGV[2] ttl ms
var releaseReport = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[2], 'dirty') == '1' then
  redis.call('HDEL', KEYS[2], 'dirty')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
redis.call('DEL', KEYS[1])
return 0
`)

// ReportMessages returns the report's message in each chat it was sent
// to, and the chats whose message explains «заблокировали бота».
func (s *Store) ReportMessages(ctx context.Context, postID string) (msgs map[int64]int, explained map[int64]bool, err error) {
	m, err := s.rdb.HGetAll(ctx, s.k.report(postID)).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("read the report of post %s: %w", postID, err)
	}
	msgs, explained = map[int64]int{}, map[int64]bool{}
	for f, v := range m {
		if c, ok := strings.CutPrefix(f, "explain:"); ok {
			if chat, err := strconv.ParseInt(c, 10, 64); err == nil {
				explained[chat] = true
			}
			continue
		}
		chat, err1 := strconv.ParseInt(f, 10, 64)
		id, err2 := strconv.Atoi(v)
		if err1 == nil && err2 == nil {
			msgs[chat] = id
		}
	}
	return msgs, explained, nil
}

// SetReportMessage records the report's message in a chat, at once after
// it was sent: a writer after this one edits it instead of sending.
func (s *Store) SetReportMessage(ctx context.Context, postID string, chatID int64, messageID int) error {
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, s.k.report(postID), id(chatID), messageID)
	pipe.Expire(ctx, s.k.report(postID), KeepBroadcast)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("record the report of post %s in %d: %w", postID, chatID, err)
	}
	return nil
}

// ExplainInReport marks the report's message in a chat as the one that
// explains «заблокировали бота», so that its later edits keep explaining.
func (s *Store) ExplainInReport(ctx context.Context, postID string, chatID int64) error {
	if err := s.rdb.HSet(ctx, s.k.report(postID), "explain:"+id(chatID), 1).Err(); err != nil {
		return fmt.Errorf("mark the report of post %s in %d: %w", postID, chatID, err)
	}
	return nil
}

// FirstTold reports whether this is the first time the person is told
// what (a word of the code): true once per person, whoever asks.
func (s *Store) FirstTold(ctx context.Context, userID int64, what string) (bool, error) {
	ok, err := s.rdb.HSetNX(ctx, s.k.told(userID), what, 1).Result()
	if err != nil {
		return false, fmt.Errorf("mark %d told of %s: %w", userID, what, err)
	}
	return ok, nil
}

// A report whose final state could not be written (an edit refused, or
// Telegram away) is retried by a sweep (handlers/reports.go), a few times:
//
//	report:retry           zset  posts whose report is to be written
//	                             again, score = when (ms)
//	post:<id>:report       retries → how many times it was put there

// RetryReport puts a post's report on the retry list, due step after now
// for the first retry, twice that for the second, and so on, unless it was
// tried max times already; queued is false then.
func (s *Store) RetryReport(ctx context.Context, postID string, now time.Time, step time.Duration, max int64) (tries int64, queued bool, err error) {
	tries, err = s.rdb.HIncrBy(ctx, s.k.report(postID), "retries", 1).Result()
	if err != nil {
		return 0, false, fmt.Errorf("count the retries of the report of post %s: %w", postID, err)
	}
	if tries > max {
		return tries, false, nil
	}
	at := now.Add(time.Duration(tries) * step)
	if err := s.rdb.ZAdd(ctx, s.k.reportRetry(), redis.Z{Score: ms(at), Member: postID}).Err(); err != nil {
		return tries, false, fmt.Errorf("queue the report of post %s: %w", postID, err)
	}
	return tries, true, nil
}

// ReportWritten takes a post's report off the retry list: its final state
// was written.
func (s *Store) ReportWritten(ctx context.Context, postID string) error {
	pipe := s.rdb.TxPipeline()
	pipe.ZRem(ctx, s.k.reportRetry(), postID)
	pipe.HDel(ctx, s.k.report(postID), "retries")
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("clear the retry of the report of post %s: %w", postID, err)
	}
	return nil
}

// DueReports takes up to n reports due for a retry at now off the list:
// each goes to one caller only (the one whose ZREM took it).
func (s *Store) DueReports(ctx context.Context, now time.Time, n int64) ([]string, error) {
	ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.k.reportRetry(), Start: "-inf", Stop: ms(now),
		ByScore: true, Count: n}).Result()
	if err != nil {
		return nil, fmt.Errorf("read the reports to retry: %w", err)
	}
	var out []string
	for _, id := range ids {
		took, err := s.rdb.ZRem(ctx, s.k.reportRetry(), id).Result()
		if err != nil {
			return out, fmt.Errorf("take the report of post %s to retry: %w", id, err)
		}
		if took == 1 {
			out = append(out, id)
		}
	}
	return out, nil
}
