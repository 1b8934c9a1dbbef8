package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// savePost writes a post, its history line and its index entries at once.
//
// KEYS[1] post hash (fields rev, status, data)
// KEYS[2] history list
// KEYS[3..] keys named by the ops
// ARGV[1] expected rev ("0": the post must not exist yet)
// ARGV[2] new rev   ARGV[3] new status   ARGV[4] post JSON   ARGV[5] event JSON ("" for none)
// ARGV[6..] ops, 4 values each: kind, key index, score, member
//
//	kind "guard": ZSCORE key member must equal score (checked before any write)
//	kind "mark": the key must not exist (checked before any write); it is
//	             then set to member, expiring after score milliseconds
//	kind "zadd", "zrem", "del"
//	kind "set": set the key to member, expiring after score milliseconds
//	kind "lpush": push member on the list, keeping its first score items
//
// Returns {1, rev} applied; {0, rev} already applied (a retried call);
// {-1, rev} the post is at another revision; {-2, ""} no such post;
// {-3, ""} a guard failed; {-4, value} a mark exists already, with its value.
var savePost = redis.NewScript(`
local rev = redis.call('HGET', KEYS[1], 'rev')
if rev and rev == ARGV[2] and redis.call('HGET', KEYS[1], 'data') == ARGV[4] then
  return {0, rev}
end
if ARGV[1] == '0' then
  if rev then return {-1, rev} end
else
  if not rev then return {-2, ''} end
  if rev ~= ARGV[1] then return {-1, rev} end
end
for i = 6, #ARGV, 4 do
  if ARGV[i] == 'guard' then
    local sc = redis.call('ZSCORE', KEYS[tonumber(ARGV[i+1])], ARGV[i+3])
    if (not sc) or tonumber(sc) ~= tonumber(ARGV[i+2]) then return {-3, ''} end
  elseif ARGV[i] == 'mark' then
    local made = redis.call('GET', KEYS[tonumber(ARGV[i+1])])
    if made then return {-4, made} end
  end
end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'status', ARGV[3], 'data', ARGV[4])
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[5]) end
for i = 6, #ARGV, 4 do
  local kind, key = ARGV[i], KEYS[tonumber(ARGV[i+1])]
  if kind == 'zadd' then redis.call('ZADD', key, ARGV[i+2], ARGV[i+3])
  elseif kind == 'zrem' then redis.call('ZREM', key, ARGV[i+3])
  elseif kind == 'del' then redis.call('DEL', key)
  elseif kind == 'lpush' then
    redis.call('LPUSH', key, ARGV[i+3])
    redis.call('LTRIM', key, 0, tonumber(ARGV[i+2]) - 1)
  elseif kind == 'mark' or kind == 'set' then redis.call('SET', key, ARGV[i+3], 'PX', ARGV[i+2]) end
end
return {1, ARGV[2]}
`)

// op is one extra write (or guard) of savePost.
type op struct {
	kind   string
	key    string
	score  float64
	member string
}

// ms is the score of a time in the sorted sets.
func ms(t time.Time) float64 { return float64(t.UnixMilli()) }

// indexes lists the sorted sets a post belongs to in its state, with its
// score in each. Membership is derived from the post alone, so a transition
// moves a post between indexes by comparing before and after.
func (s *Store) indexes(p redaktor.Post) map[string]float64 {
	m := map[string]float64{}
	switch p.Status {
	case redaktor.StatusPublished, redaktor.StatusCancelled, redaktor.StatusRemoved:
	default:
		m[s.k.userPosts(p.AuthorID)] = ms(p.UpdatedAt)
	}
	switch p.Status {
	case redaktor.StatusPending:
		m[s.k.pending(p.PageID)] = ms(p.UpdatedAt)
		if !p.ProposedAt.IsZero() && !p.Reminded {
			m[s.k.reminders()] = ms(p.ProposedAt)
		}
	case redaktor.StatusScheduled:
		m[s.k.queue(p.PageID)] = ms(p.PublishAt)
		m[s.k.due()] = ms(p.DueAt())
	case redaktor.StatusPublishing, redaktor.StatusFailed:
		m[s.k.queue(p.PageID)] = ms(p.PublishAt)
	case redaktor.StatusPublished:
		m[s.k.published(p.PageID)] = ms(p.PublishedAt)
	}
	return m
}

func (s *Store) indexOps(old *redaktor.Post, next redaktor.Post) []op {
	var ops []op
	after := s.indexes(next)
	if old != nil {
		for key := range s.indexes(*old) {
			if _, keep := after[key]; !keep {
				ops = append(ops, op{kind: "zrem", key: key, member: next.ID})
			}
		}
		// A publication in progress holds a lease; leaving that state ends it.
		if old.Status == redaktor.StatusPublishing && next.Status != redaktor.StatusPublishing {
			ops = append(ops, op{kind: "zrem", key: s.k.leased(), member: next.ID})
		}
	}
	for key, score := range after {
		ops = append(ops, op{kind: "zadd", key: key, score: score, member: next.ID})
	}
	return ops
}

// CreatePost stores a new draft.
func (s *Store) CreatePost(ctx context.Context, p redaktor.Post, from redaktor.Origin) error {
	ops := s.indexOps(nil, p)
	if a := from.Album; a != nil {
		ops = append(ops,
			op{kind: "guard", key: s.k.albums(), score: a.Deadline, member: a.Key},
			op{kind: "zrem", key: s.k.albums(), member: a.Key},
			op{kind: "del", key: a.Key})
	}
	if from.Update != 0 {
		ops = append(ops, s.markMade(from.Update, p.ID))
	}
	return s.save(ctx, 0, p, p.Last, ops)
}

// markMade marks an update as having made a post, for as long as
// Telegram may deliver the update again; the script refuses a second mark.
func (s *Store) markMade(update int64, postID string) op {
	return op{kind: "mark", key: s.k.updateMade(update), score: float64(SeenWindow.Milliseconds()), member: postID}
}

// NewPostID allocates the id of a new post made of an update, in the same
// round trip as it looks whether that update made a post already (it was
// handled before a crash and is handled again): then made is that post's
// id, and postID is spent unused. update 0 is work no update started.
func (s *Store) NewPostID(ctx context.Context, update int64) (postID, made string, err error) {
	if update == 0 {
		postID, err = s.NextID(ctx, "post")
		return postID, "", err
	}
	pipe := s.rdb.Pipeline()
	prior := pipe.Get(ctx, s.k.updateMade(update))
	next := pipe.Incr(ctx, s.k.seq("post"))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return "", "", fmt.Errorf("allocate post id: %w", err)
	}
	if err := errors.Join(next.Err(), ignoreNil(prior.Err())); err != nil {
		return "", "", fmt.Errorf("allocate post id: %w", err)
	}
	return id(next.Val()), prior.Val(), nil
}

// SavePost stores next in place of old if the post is still at old's
// revision; otherwise it returns an error wrapping ErrConflict and the
// caller shows the current state.
// Publications and deletions are recorded in the page's audit log in the
// same step.
func (s *Store) SavePost(ctx context.Context, old, next redaktor.Post, ev redaktor.Event) error {
	ops := s.indexOps(&old, next)
	if act, ok := postAudit[ev.Action]; ok {
		o, err := s.auditOp(next.PageID, redaktor.AuditEntry{At: ev.At, ActorID: ev.ActorID, Action: act, PostID: next.ID})
		if err != nil {
			return err
		}
		ops = append(ops, o)
	}
	return s.save(ctx, old.Rev, next, ev, ops)
}

// SaveNewVersion is SavePost for a new version a person sent in answer to
// "Send new version": their session ends in the same step, and the update
// it came in (0: none) is marked as having made the post, as a draft's is.
// A crash between the two would otherwise leave the session waiting, and
// the message handled again would be refused as a second new version.
func (s *Store) SaveNewVersion(ctx context.Context, old, next redaktor.Post, ev redaktor.Event, userID, update int64) error {
	ops := append(s.indexOps(&old, next), op{kind: "del", key: s.k.session(userID)})
	if update != 0 {
		ops = append(ops, s.markMade(update, next.ID))
	}
	return s.save(ctx, old.Rev, next, ev, ops)
}

func (s *Store) save(ctx context.Context, expected int64, p redaktor.Post, ev redaktor.Event, ops []op) error {
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode post %s: %w", p.ID, err)
	}
	evData := ""
	if ev.Action != "" {
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encode event: %w", err)
		}
		evData = string(b)
	}
	keys := []string{s.k.post(p.ID), s.k.history(p.ID)}
	args := []any{expected, p.Rev, string(p.Status), string(data), evData}
	for _, o := range ops {
		keys = append(keys, o.key)
		args = append(args, o.kind, len(keys), strconv.FormatFloat(o.score, 'f', -1, 64), o.member)
	}
	res, err := savePost.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return fmt.Errorf("save post %s: %w", p.ID, err)
	}
	switch code := res[0].(int64); code {
	case 0, 1:
		return nil
	case -2:
		return fmt.Errorf("post %s: %w", p.ID, redaktor.ErrNotFound)
	case -3:
		return fmt.Errorf("album of post %s grew meanwhile: %w", p.ID, redaktor.ErrConflict)
	case -4:
		made, _ := res[1].(string)
		return &redaktor.MadeError{PostID: made}
	default:
		return fmt.Errorf("post %s is at revision %v, not %d: %w", p.ID, res[1], expected, redaktor.ErrConflict)
	}
}

// Post reads one post.
func (s *Store) Post(ctx context.Context, postID string) (redaktor.Post, error) {
	vals, err := s.rdb.HGetAll(ctx, s.k.post(postID)).Result()
	if err != nil {
		return redaktor.Post{}, fmt.Errorf("read post %s: %w", postID, err)
	}
	return decodePost(postID, vals)
}

// decodePost reads the hash; rev and status fields are authoritative because
// the scheduler's claim changes them without rewriting the JSON.
func decodePost(postID string, vals map[string]string) (redaktor.Post, error) {
	if len(vals) == 0 {
		return redaktor.Post{}, fmt.Errorf("post %s: %w", postID, redaktor.ErrNotFound)
	}
	var p redaktor.Post
	if err := json.Unmarshal([]byte(vals["data"]), &p); err != nil {
		return redaktor.Post{}, fmt.Errorf("decode post %s: %w", postID, err)
	}
	rev, err := strconv.ParseInt(vals["rev"], 10, 64)
	if err != nil {
		return redaktor.Post{}, fmt.Errorf("decode post %s rev: %w", postID, err)
	}
	p.Rev = rev
	p.Status = redaktor.Status(vals["status"])
	return p, nil
}

// posts reads several posts in one round trip, skipping ones gone meanwhile.
func (s *Store) posts(ctx context.Context, ids []string) ([]redaktor.Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, pid := range ids {
		cmds[i] = pipe.HGetAll(ctx, s.k.post(pid))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("read posts: %w", err)
	}
	out := make([]redaktor.Post, 0, len(ids))
	for i, c := range cmds {
		p, err := decodePost(ids[i], c.Val())
		if err != nil {
			continue // removed between the index read and now
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Store) listIndex(ctx context.Context, key string, newestFirst bool, limit int64) ([]redaktor.Post, error) {
	ids, err := s.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: key, Start: 0, Stop: limit - 1, Rev: newestFirst}).Result()
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", key, err)
	}
	return s.posts(ctx, ids)
}

// UserPosts lists a person's open posts, newest change first.
func (s *Store) UserPosts(ctx context.Context, userID int64, limit int64) ([]redaktor.Post, error) {
	return s.listIndex(ctx, s.k.userPosts(userID), true, limit)
}

// PendingPosts lists a page's posts waiting for approval, oldest first.
func (s *Store) PendingPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error) {
	return s.listIndex(ctx, s.k.pending(pageID), false, limit)
}

// QueuedPosts lists a page's scheduled, publishing and failed posts in time order.
func (s *Store) QueuedPosts(ctx context.Context, pageID string, limit int64) ([]redaktor.Post, error) {
	return s.listIndex(ctx, s.k.queue(pageID), false, limit)
}

// PageActivity reads the ids of a page's posts published since (the
// latest limit of them) and counts those since weekStart, in one round
// trip: every draft card shows both. The posts themselves are read with
// Posts, by those who do not have them yet (a published post does not
// change).
func (s *Store) PageActivity(ctx context.Context, pageID string, since, weekStart time.Time, limit int64) (redaktor.Activity, error) {
	pipe := s.rdb.Pipeline()
	ids := pipe.ZRangeArgs(ctx, redis.ZRangeArgs{Key: s.k.published(pageID), ByScore: true,
		Start: "+inf", Stop: ms(since), Rev: true, Count: limit})
	week := pipe.ZCount(ctx, s.k.published(pageID), strconv.FormatFloat(ms(weekStart), 'f', -1, 64), "+inf")
	if _, err := pipe.Exec(ctx); err != nil {
		return redaktor.Activity{}, fmt.Errorf("read page activity: %w", err)
	}
	recent := ids.Val()
	slices.Reverse(recent)
	return redaktor.Activity{Recent: recent, Week: int(week.Val())}, nil
}

// Posts reads posts by id in one round trip; a post removed meanwhile is
// left out.
func (s *Store) Posts(ctx context.Context, ids []string) ([]redaktor.Post, error) {
	return s.posts(ctx, ids)
}

// PublishedCount counts a page's posts published at or after since.
func (s *Store) PublishedCount(ctx context.Context, pageID string, since time.Time) (int, error) {
	n, err := s.rdb.ZCount(ctx, s.k.published(pageID), strconv.FormatFloat(ms(since), 'f', -1, 64), "+inf").Result()
	if err != nil {
		return 0, fmt.Errorf("count published: %w", err)
	}
	return int(n), nil
}

// ScheduledTimes returns the times of a page's queued posts between from
// and to, for finding the next free slot.
func (s *Store) ScheduledTimes(ctx context.Context, pageID string, from, to time.Time) (map[int64]bool, error) {
	zs, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
		Key: s.k.queue(pageID), ByScore: true, Start: ms(from), Stop: ms(to),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("read scheduled times: %w", err)
	}
	taken := make(map[int64]bool, len(zs))
	for _, z := range zs {
		taken[int64(z.Score)/1000] = true
	}
	return taken, nil
}

// History returns a post's history, oldest first.
func (s *Store) History(ctx context.Context, postID string) ([]redaktor.Event, error) {
	raw, err := s.rdb.LRange(ctx, s.k.history(postID), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", postID, err)
	}
	return decodeHistory(postID, raw)
}

func decodeHistory(postID string, raw []string) ([]redaktor.Event, error) {
	out := make([]redaktor.Event, 0, len(raw))
	for _, r := range raw {
		var ev redaktor.Event
		if err := json.Unmarshal([]byte(r), &ev); err != nil {
			return nil, fmt.Errorf("decode history of %s: %w", postID, err)
		}
		out = append(out, ev)
	}
	return out, nil
}

// SetCard remembers the live card of a post of a page in one chat, so the
// cards of every editor can be brought up to date when the post changes,
// and a person taken off the page's team loses the buttons of all theirs.
func (s *Store) SetCard(ctx context.Context, pageID, postID string, c redaktor.Card) error {
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, s.k.cards(postID), id(c.ChatID), c.MessageID)
	pipe.SAdd(ctx, s.k.memberCards(pageID, c.ChatID), postID)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("remember card: %w", err)
	}
	return nil
}

// MemberCards lists the posts of a page of which the person was shown a card.
func (s *Store) MemberCards(ctx context.Context, pageID string, userID int64) ([]string, error) {
	ids, err := s.rdb.SMembers(ctx, s.k.memberCards(pageID, userID)).Result()
	if err != nil {
		return nil, fmt.Errorf("read cards of %d: %w", userID, err)
	}
	return ids, nil
}

// DropCards forgets a person's cards of posts (of one page): they are
// updated no more.
func (s *Store) DropCards(ctx context.Context, pageID string, userID int64, postIDs []string) error {
	pipe := s.rdb.TxPipeline()
	for _, pid := range postIDs {
		pipe.HDel(ctx, s.k.cards(pid), id(userID))
	}
	pipe.Del(ctx, s.k.memberCards(pageID, userID))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("drop cards of %d: %w", userID, err)
	}
	return nil
}

// Cards returns the live cards of a post.
func (s *Store) Cards(ctx context.Context, postID string) ([]redaktor.Card, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.cards(postID)).Result()
	if err != nil {
		return nil, fmt.Errorf("read cards: %w", err)
	}
	out := make([]redaktor.Card, 0, len(m))
	for chat, msg := range m {
		c, err1 := strconv.ParseInt(chat, 10, 64)
		mid, err2 := strconv.Atoi(msg)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, redaktor.Card{ChatID: c, MessageID: mid})
	}
	return out, nil
}
