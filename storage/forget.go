package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// /forgetme (issue 10, 152-ФЗ): everything the bot holds about a person is
// deleted, and where a record belongs to a page (a post, its history) the
// person is replaced by a former member: actor id 0 and no name, shown as
// «бывший участник». Pages and posts are found by their ids (1 to the
// last one made), so nothing needs an index per person.

// postBatch is how many posts one round trip of ForgetUser reads.
const postBatch = 200

// FormerMemberKeep is how long the record of a person removed from their
// last team is kept: long enough to tell them, not more (names are kept
// for team members only). Joining a team again keeps it for good.
const FormerMemberKeep = 24 * time.Hour

// RefreshUser updates the record of a person the bot keeps one of (their
// name or language changed), keeping its expiry, and never makes one: a
// record deleted meanwhile (/forgetme) stays deleted.
func (s *Store) RefreshUser(ctx context.Context, u redaktor.User) error {
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode user: %w", err)
	}
	if err := s.rdb.SetArgs(ctx, s.k.user(u.ID), b, redis.SetArgs{Mode: "XX", KeepTTL: true}).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("refresh user: %w", err)
	}
	return nil
}

// SoleChiefOf lists the pages whose only chief editor the person is.
func (s *Store) SoleChiefOf(ctx context.Context, userID int64) ([]redaktor.Page, error) {
	pages, roles, err := s.UserPages(ctx, userID)
	if err != nil {
		return nil, err
	}
	var out []redaktor.Page
	for i, p := range pages {
		if roles[i] != redaktor.RoleChief {
			continue
		}
		team, err := s.rdb.HVals(ctx, s.k.members(p.ID)).Result()
		if err != nil {
			return nil, fmt.Errorf("read team of page %s: %w", p.ID, err)
		}
		chiefs := 0
		for _, r := range team {
			if r == string(redaktor.RoleChief) {
				chiefs++
			}
		}
		if chiefs <= 1 {
			out = append(out, p)
		}
	}
	return out, nil
}

// ForgetUser deletes everything the bot holds about a person: their place
// in every team (refused with a *LastChiefError, before anything else is
// deleted, where they are a page's only chief editor), subscriptions,
// record, session, open drafts, buffered albums, invites they made or
// used, cards and delivery records in their chat, updates of theirs set
// aside as failed; in the posts and histories of the pages their id and
// name give way to a former member. Running it again finds nothing more.
func (s *Store) ForgetUser(ctx context.Context, userID int64) error {
	if err := s.leaveTeams(ctx, userID); err != nil {
		return err
	}
	steps := []func(context.Context, int64) error{
		s.forgetSubscriptionsAndPages, s.forgetInPosts, s.forgetAlbums, s.forgetInvites, s.forgetDeadUpdates,
		s.ForgetInAudit,
	}
	for _, step := range steps {
		if err := step(ctx, userID); err != nil {
			return err
		}
	}
	err := s.rdb.Del(ctx, s.k.user(userID), s.k.userPages(userID), s.k.userPosts(userID), s.k.session(userID),
		s.k.rlChatPrefix()+id(userID), s.k.flood(userID), s.k.dialogueEnded(userID), s.k.told(userID)).Err()
	if err != nil {
		return fmt.Errorf("delete the records of %d: %w", userID, err)
	}
	return nil
}

func (s *Store) leaveTeams(ctx context.Context, userID int64) error {
	sole, err := s.SoleChiefOf(ctx, userID)
	if err != nil {
		return err
	}
	if len(sole) > 0 {
		return &redaktor.LastChiefError{Page: sole[0]}
	}
	pages, err := s.rdb.SMembers(ctx, s.k.userPages(userID)).Result()
	if err != nil {
		return fmt.Errorf("read pages of %d: %w", userID, err)
	}
	for _, pageID := range pages {
		err := s.RemoveMember(ctx, pageID, userID)
		switch {
		case errors.Is(err, redaktor.ErrLastChief):
			page, perr := s.Page(ctx, pageID)
			if perr != nil {
				page = redaktor.Page{ID: pageID}
			}
			return &redaktor.LastChiefError{Page: page}
		case err != nil && !errors.Is(err, redaktor.ErrNotFound):
			return err
		}
	}
	return nil
}

// swapString replaces a string value only if it is still what was read.
// KEYS[1] the key; ARGV[1] old value, ARGV[2] new value. Returns 1 replaced
// (or already new), 0 changed meanwhile.
var swapString = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[2] then return 1 end
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
`)

// forgetSubscriptionsAndPages ends the person's subscriptions on every
// page and takes them off as the creator of a page.
func (s *Store) forgetSubscriptionsAndPages(ctx context.Context, userID int64) error {
	last, err := s.lastPageID(ctx)
	if err != nil {
		return err
	}
	for from := int64(1); from <= last; from += pageBatch {
		pipe := s.rdb.Pipeline()
		var pages []*redis.StringCmd
		for p := from; p <= min(last, from+pageBatch-1); p++ {
			page := id(p)
			pipe.ZRem(ctx, s.k.subs(page), userID)
			pipe.SRem(ctx, s.k.subsGone(page), userID)
			pipe.SRem(ctx, s.k.subsEn(page), userID)
			pages = append(pages, pipe.Get(ctx, s.k.page(page)))
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("end subscriptions of %d: %w", userID, err)
		}
		for _, g := range pages {
			old := g.Val()
			var page redaktor.Page
			if old == "" || json.Unmarshal([]byte(old), &page) != nil || page.CreatedBy != userID {
				continue
			}
			page.CreatedBy = 0
			b, err := json.Marshal(page)
			if err != nil {
				return fmt.Errorf("encode page %s: %w", page.ID, err)
			}
			if err := swapString.Run(ctx, s.rdb, []string{s.k.page(page.ID)}, old, string(b)).Err(); err != nil {
				return fmt.Errorf("forget the creator of page %s: %w", page.ID, err)
			}
		}
	}
	return nil
}

// forgetInPost rewrites a post and its history lines as read, or deletes
// the post (ARGV[2] ""), only if nothing changed since. A rewritten post
// gets a new revision, so that a change made from a copy read before (a
// chief editor's press, the scheduler's publication) is refused as a
// conflict and cannot write the person back. A scheduler that claimed the
// post and had not yet saved its claim gives its lease up on that
// conflict: the post is made due again when the lease would have ended.
// KEYS[1] post hash, KEYS[2] history list, KEYS[3] cards, KEYS[4] the
// author's open posts, KEYS[5] due posts, KEYS[6] leased posts;
// ARGV[1] data read, ARGV[2] new data or "" to delete, ARGV[3] post id,
// ARGV[4] revision read, ARGV[5] new revision,
// ARGV[6..] triples (index from 0, line read, new line).
// Returns 1 done, 0 changed meanwhile (read again).
var forgetInPost = redis.NewScript(`
if (redis.call('HGET', KEYS[1], 'data') or '') ~= ARGV[1] then return 0 end
if (redis.call('HGET', KEYS[1], 'rev') or '') ~= ARGV[4] then return 0 end
for i = 6, #ARGV, 3 do
  if redis.call('LINDEX', KEYS[2], tonumber(ARGV[i])) ~= ARGV[i+1] then return 0 end
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('ZREM', KEYS[4], ARGV[3])
  return 1
end
if ARGV[1] ~= '' and ARGV[2] ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 'data', ARGV[2], 'rev', ARGV[5])
  if redis.call('HGET', KEYS[1], 'status') == 'scheduled' then
    local lease = redis.call('ZSCORE', KEYS[6], ARGV[3])
    if lease then redis.call('ZADD', KEYS[5], 'NX', lease, ARGV[3]) end
  end
end
for i = 6, #ARGV, 3 do
  redis.call('LSET', KEYS[2], tonumber(ARGV[i]), ARGV[i+2])
end
return 1
`)

// forgetInPosts goes through every post: the person's cards, delivery
// records and broadcast records go; their own unsubmitted drafts go whole;
// elsewhere the author and the actor of history lines become a former
// member.
func (s *Store) forgetInPosts(ctx context.Context, userID int64) error {
	last, err := s.rdb.Get(ctx, s.k.seq("post")).Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("read the last post id: %w", err)
	}
	uid := id(userID)
	for from := int64(1); from <= last; from += postBatch {
		pipe := s.rdb.Pipeline()
		type read struct {
			post     string
			data     *redis.SliceCmd
			history  *redis.StringSliceCmd
			delivery *redis.StringSliceCmd
			job      *redis.StringCmd
		}
		var all []read
		for p := from; p <= min(last, from+postBatch-1); p++ {
			post := id(p)
			pipe.HDel(ctx, s.k.cards(post), uid)
			pipe.SRem(ctx, s.k.bcDone(post), uid)
			pipe.ZRem(ctx, s.k.bcSending(post), uid)
			pipe.SRem(ctx, s.k.bcSuspect(post), uid)
			pipe.ZRem(ctx, s.k.bcRetry(post), uid)
			pipe.HDel(ctx, s.k.bcTries(post), uid)
			pipe.HDel(ctx, s.k.report(post), uid, "explain:"+uid)
			pipe.HDel(ctx, s.k.bcMessages(post), uid)
			pipe.SRem(ctx, s.k.apDone(post), uid)
			pipe.HDel(ctx, s.k.apProgress(post), "pending:"+uid)
			all = append(all, read{post: post, data: pipe.HMGet(ctx, s.k.post(post), "data", "rev"),
				history: pipe.LRange(ctx, s.k.history(post), 0, -1), delivery: pipe.HKeys(ctx, s.k.delivery(post)),
				job: pipe.Get(ctx, s.k.apJob(post))})
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("read posts for %d: %w", userID, err)
		}
		for _, r := range all {
			for _, f := range r.delivery.Val() {
				if strings.HasPrefix(f, uid+":") {
					if err := s.rdb.HDel(ctx, s.k.delivery(r.post), f).Err(); err != nil {
						return fmt.Errorf("forget delivery of post %s: %w", r.post, err)
					}
				}
			}
			if err := s.forgetInJob(ctx, userID, r.post, r.job.Val()); err != nil {
				return err
			}
			data, rev := dataAndRev(r.data.Val())
			if err := s.forgetInOnePost(ctx, userID, r.post, data, rev, r.history.Val()); err != nil {
				return err
			}
		}
	}
	return nil
}

// forgetInJob makes a former member of who a post's after-publication job
// tells the outcome (the job's record keeps its expiry).
func (s *Store) forgetInJob(ctx context.Context, userID int64, postID, v string) error {
	if v == "" {
		return nil
	}
	job, err := parseJob(v)
	if err != nil {
		return err
	}
	if job.By != userID {
		return nil
	}
	job.By = 0
	if err := swapString.Run(ctx, s.rdb, []string{s.k.apJob(postID)}, v, jobValue(job)).Err(); err != nil {
		return fmt.Errorf("forget %d in the job of post %s: %w", userID, postID, err)
	}
	return nil
}

// dataAndRev is the post JSON and revision of an HMGET of both ("" where absent).
func dataAndRev(vals []any) (data, rev string) {
	if len(vals) == 2 {
		data, _ = vals[0].(string)
		rev, _ = vals[1].(string)
	}
	return data, rev
}

// forgetInOnePost rewrites one post as read; when it changed meanwhile it
// reads it again, a few times.
func (s *Store) forgetInOnePost(ctx context.Context, userID int64, postID, data, rev string, history []string) error {
	for range 5 {
		args, changed, err := forgetArgs(userID, postID, data, rev, history)
		if err != nil || !changed {
			return err
		}
		n, err := forgetInPost.Run(ctx, s.rdb, []string{s.k.post(postID), s.k.history(postID), s.k.cards(postID),
			s.k.userPosts(userID), s.k.due(), s.k.leased()}, args...).Int()
		if err != nil {
			return fmt.Errorf("forget %d in post %s: %w", userID, postID, err)
		}
		if n == 1 {
			return nil
		}
		pipe := s.rdb.Pipeline()
		d := pipe.HMGet(ctx, s.k.post(postID), "data", "rev")
		h := pipe.LRange(ctx, s.k.history(postID), 0, -1)
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("read post %s again: %w", postID, err)
		}
		data, rev = dataAndRev(d.Val())
		history = h.Val()
	}
	return fmt.Errorf("forget %d in post %s: it keeps changing: %w", userID, postID, redaktor.ErrConflict)
}

// forgetArgs is forgetInPost's arguments for a post as read; changed is
// false when the person is in neither the post nor its history.
func forgetArgs(userID int64, postID, data, rev string, history []string) (args []any, changed bool, err error) {
	newData, newRev := data, rev
	if data != "" {
		var p redaktor.Post
		if err := json.Unmarshal([]byte(data), &p); err != nil {
			return nil, false, fmt.Errorf("decode post %s: %w", postID, err)
		}
		switch {
		case p.AuthorID == userID && p.Status == redaktor.StatusDraft:
			// Never submitted: nobody but them has seen it.
			return []any{data, "", postID, rev, rev}, true, nil
		case p.AuthorID == userID || p.Last.ActorID == userID || p.Revised != nil && p.Revised.By == userID:
			if p.AuthorID == userID {
				p.AuthorID, p.AuthorName = 0, ""
			}
			if p.Revised != nil && p.Revised.By == userID {
				p.Revised = nil // their proposed edit goes with them
			}
			p.Last = formerActor(p.Last, userID)
			n, err := strconv.ParseInt(rev, 10, 64)
			if err != nil {
				return nil, false, fmt.Errorf("decode post %s rev %q: %w", postID, rev, err)
			}
			p.Rev = n + 1
			b, err := json.Marshal(p)
			if err != nil {
				return nil, false, fmt.Errorf("encode post %s: %w", postID, err)
			}
			newData, newRev, changed = string(b), strconv.FormatInt(p.Rev, 10), true
		}
	}
	args = []any{data, newData, postID, rev, newRev}
	for i, line := range history {
		var ev redaktor.Event
		if json.Unmarshal([]byte(line), &ev) != nil || ev.ActorID != userID {
			continue
		}
		b, err := json.Marshal(formerActor(ev, userID))
		if err != nil {
			return nil, false, fmt.Errorf("encode history of %s: %w", postID, err)
		}
		args = append(args, strconv.Itoa(i), line, string(b))
		changed = true
	}
	return args, changed, nil
}

// formerActor is an event whose actor, if it is the person, is a former
// member: no id, no name.
func formerActor(ev redaktor.Event, userID int64) redaktor.Event {
	if ev.ActorID == userID {
		ev.ActorID, ev.ActorName = 0, ""
	}
	return ev
}

// forgetAlbums drops the person's buffered albums.
func (s *Store) forgetAlbums(ctx context.Context, userID int64) error {
	keys, err := s.rdb.ZRange(ctx, s.k.albums(), 0, -1).Result()
	if err != nil {
		return fmt.Errorf("read albums: %w", err)
	}
	prefix := s.k.album(userID, "")
	for _, key := range keys {
		if !strings.HasPrefix(key, prefix) {
			continue
		}
		pipe := s.rdb.TxPipeline()
		pipe.ZRem(ctx, s.k.albums(), key)
		pipe.Del(ctx, key, key+":seen")
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("drop album: %w", err)
		}
	}
	return nil
}

// forgetInvites deletes the invites the person made (revoked, as when a
// chief editor is removed) or used.
func (s *Store) forgetInvites(ctx context.Context, userID int64) error {
	uid := id(userID)
	return s.scanKeys(ctx, s.k.invite("*"), func(keys []string) error {
		pipe := s.rdb.Pipeline()
		who := make([]*redis.SliceCmd, len(keys))
		for i, k := range keys {
			who[i] = pipe.HMGet(ctx, k, "by", "used_by")
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("read invites: %w", err)
		}
		for i, w := range who {
			for _, v := range w.Val() {
				if v == uid {
					if err := s.rdb.Del(ctx, keys[i]).Err(); err != nil {
						return fmt.Errorf("delete invite: %w", err)
					}
					break
				}
			}
		}
		return nil
	})
}

// scanKeys calls fn with the keys matching pattern, a batch at a time. All
// of redaktor's keys share one hash tag, so in a Cluster they are on one
// master; every master is scanned.
func (s *Store) scanKeys(ctx context.Context, pattern string, fn func([]string) error) error {
	scan := func(ctx context.Context, c redis.Cmdable) error {
		var cursor uint64
		for {
			keys, next, err := c.Scan(ctx, cursor, pattern, 500).Result()
			if err != nil {
				return fmt.Errorf("scan %s: %w", pattern, err)
			}
			if len(keys) > 0 {
				if err := fn(keys); err != nil {
					return err
				}
			}
			if next == 0 {
				return nil
			}
			cursor = next
		}
	}
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	}
	return scan(ctx, s.rdb)
}

// forgetDeadUpdates deletes the person's updates among those set aside as
// failed (handled updates are deleted from the intake stream as soon as
// they are handled).
func (s *Store) forgetDeadUpdates(ctx context.Context, userID int64) error {
	start := "-"
	for {
		msgs, err := s.rdb.XRangeN(ctx, s.k.updatesDead(), start, "+", 500).Result()
		if err != nil {
			return fmt.Errorf("read set-aside updates: %w", err)
		}
		var theirs []string
		for _, m := range msgs {
			if e := entryOf(m, 0); UpdateFrom(e.Payload) == userID {
				theirs = append(theirs, m.ID)
			}
		}
		if len(theirs) > 0 {
			if err := s.rdb.XDel(ctx, s.k.updatesDead(), theirs...).Err(); err != nil {
				return fmt.Errorf("delete set-aside updates: %w", err)
			}
		}
		if len(msgs) < 500 {
			return nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// UpdateFrom is the person an update comes from (the private chat of a
// member update), 0 when unreadable or from nobody.
func UpdateFrom(payload []byte) int64 {
	var u tgbotapi.Update
	if json.Unmarshal(payload, &u) != nil {
		return 0
	}
	if from := u.SentFrom(); from != nil {
		return from.ID
	}
	if u.MyChatMember != nil && u.MyChatMember.Chat.Type == "private" {
		return u.MyChatMember.Chat.ID
	}
	return 0
}
