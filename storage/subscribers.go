package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// Subscribers of a page are people who follow it through the bot and get
// its publications in their private chat.
//
//	page:<p>:subs      zset  active subscribers; score = the page's subscription
//	                         sequence number, unique, so a broadcast walks the
//	                         set with a cursor that survives restarts
//	page:<p>:subseq    counter of that sequence
//	page:<p>:gone      set   subscribers found inactive (blocked the bot,
//	                         deleted their account): counted, not sent to
//	page:<p>:subs:en   set   the page's subscribers whose Telegram speaks
//	                         English (the button under an announcement is
//	                         in their language); Russian is the default
//	page:<p>:audience  hash  code (public subscribe code), off ("1": publish
//	                         to the channel only), copy ("1": plain copies
//	                         instead of forwards)
//	subcode:<code>     string the page of a subscribe code
//
// That is all the bot keeps of a subscriber (152-ФЗ): their chat
// id as a member of the page's sets, and English or not. No name, no
// username, no key of their own: about 100 bytes of Redis memory a
// subscriber (BenchmarkSubscriberMemory). Which pages a person follows is
// found by asking each page (Follows): a district has tens of pages, and
// the question comes only with /stop, /subscriptions, /forgetme and a
// blocked bot, so a per-person index would cost every subscriber memory to
// save a rare round trip. (Keys are built in keys.go.)

// subscribe adds an active subscriber and remembers their language.
// KEYS[1] subs zset, KEYS[2] subseq, KEYS[3] gone set, KEYS[4] English set
// ARGV[1] user id, ARGV[2] "1" English, "0" not
// Returns 1 subscribed, 0 was already an active subscriber.
var subscribe = redis.NewScript(`
if ARGV[2] == '1' then redis.call('SADD', KEYS[4], ARGV[1]) else redis.call('SREM', KEYS[4], ARGV[1]) end
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
`)

func (s *Store) subscribeKeys(pageID string) []string {
	return []string{s.k.subs(pageID), s.k.subSeq(pageID), s.k.subsGone(pageID), s.k.subsEn(pageID)}
}

// Subscribe makes a person an active subscriber of a page; already
// reports that they were one. english remembers their language for the
// buttons under announcements.
func (s *Store) Subscribe(ctx context.Context, pageID string, userID int64, english bool) (already bool, err error) {
	n, err := subscribe.Run(ctx, s.rdb, s.subscribeKeys(pageID), userID, flag(english)).Int()
	if err != nil {
		return false, fmt.Errorf("subscribe %d to page %s: %w", userID, pageID, err)
	}
	return n == 0, nil
}

// Unsubscribe ends a subscription and forgets the subscriber on that page
// (language included); ok is false when there was none.
func (s *Store) Unsubscribe(ctx context.Context, pageID string, userID int64) (bool, error) {
	pipe := s.rdb.TxPipeline()
	z := pipe.ZRem(ctx, s.k.subs(pageID), userID)
	g := pipe.SRem(ctx, s.k.subsGone(pageID), userID)
	pipe.SRem(ctx, s.k.subsEn(pageID), userID)
	if _, err := pipe.Exec(ctx); err != nil {
		return false, fmt.Errorf("unsubscribe %d from page %s: %w", userID, pageID, err)
	}
	return z.Val()+g.Val() > 0, nil
}

// Subscribed reports whether a person is an active subscriber of a page.
func (s *Store) Subscribed(ctx context.Context, pageID string, userID int64) (bool, error) {
	_, err := s.rdb.ZScore(ctx, s.k.subs(pageID), id(userID)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read subscription: %w", err)
	}
	return true, nil
}

// Follows lists the pages a person subscribed to, active or not, in id
// order. Every page is asked, in one round trip per pageBatch pages.
func (s *Store) Follows(ctx context.Context, userID int64) ([]string, error) {
	subs, err := s.subscriptions(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(subs))
	for _, sub := range subs {
		out = append(out, sub.PageID)
	}
	return out, nil
}

// Subscription is a person's subscription to one page.
type Subscription struct {
	PageID  string
	Active  bool
	English bool
}

// pageBatch is how many pages one round trip asks about a person.
const pageBatch = 200

// subscriptions asks every page (ids 1 to the last one made) whether the
// person is an active or inactive subscriber, and in which language.
func (s *Store) subscriptions(ctx context.Context, userID int64) ([]Subscription, error) {
	last, err := s.lastPageID(ctx)
	if err != nil {
		return nil, err
	}
	var out []Subscription
	for from := int64(1); from <= last; from += pageBatch {
		pipe := s.rdb.Pipeline()
		type asked struct {
			page     string
			on       *redis.FloatCmd
			off, eng *redis.BoolCmd
		}
		var all []asked
		for p := from; p <= min(last, from+pageBatch-1); p++ {
			page := id(p)
			all = append(all, asked{page: page, on: pipe.ZScore(ctx, s.k.subs(page), id(userID)),
				off: pipe.SIsMember(ctx, s.k.subsGone(page), userID), eng: pipe.SIsMember(ctx, s.k.subsEn(page), userID)})
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("read subscriptions of %d: %w", userID, err)
		}
		for _, a := range all {
			active := a.on.Err() == nil
			if active || a.off.Val() {
				out = append(out, Subscription{PageID: a.page, Active: active, English: a.eng.Val()})
			}
		}
	}
	return out, nil
}

// lastPageID is the id of the last page made (page ids are NextID("page")).
func (s *Store) lastPageID(ctx context.Context) (int64, error) {
	n, err := s.rdb.Get(ctx, s.k.seq("page")).Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("read the last page id: %w", err)
	}
	return n, nil
}

// SubscriberEnglish reports whether the person subscribed to any page
// with an English Telegram: the language of what the bot sends them
// unasked (a subscriber has no record of their own).
func (s *Store) SubscriberEnglish(ctx context.Context, userID int64) (bool, error) {
	subs, err := s.subscriptions(ctx, userID)
	if err != nil {
		return false, err
	}
	for _, sub := range subs {
		if sub.English {
			return true, nil
		}
	}
	return false, nil
}

// SubscriberCounts returns a page's active and inactive subscribers.
func (s *Store) SubscriberCounts(ctx context.Context, pageID string) (active, inactive int64, err error) {
	pipe := s.rdb.Pipeline()
	a := pipe.ZCard(ctx, s.k.subs(pageID))
	g := pipe.SCard(ctx, s.k.subsGone(pageID))
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, 0, fmt.Errorf("count subscribers: %w", err)
	}
	return a.Val(), g.Val(), nil
}

// setActive moves one subscriber between active and gone.
// KEYS[1] subs zset, KEYS[2] subseq, KEYS[3] gone set
// ARGV[1] user id, ARGV[2] "off" (deactivate) or "on" (reactivate)
// Returns 1 changed, 0 nothing to change.
var setActive = redis.NewScript(`
if ARGV[2] == 'off' then
  if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
    redis.call('SADD', KEYS[3], ARGV[1])
    return 1
  end
  return 0
end
if redis.call('SREM', KEYS[3], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[1])
  return 1
end
return 0
`)

// DeactivateSubscriber marks a person inactive on every page they follow
// (they blocked the bot or their account is gone). It returns the pages
// that changed.
func (s *Store) DeactivateSubscriber(ctx context.Context, userID int64) ([]string, error) {
	return s.setSubscriberActive(ctx, userID, "off")
}

// ReactivateSubscriber undoes DeactivateSubscriber (they unblocked the bot).
func (s *Store) ReactivateSubscriber(ctx context.Context, userID int64) ([]string, error) {
	return s.setSubscriberActive(ctx, userID, "on")
}

func (s *Store) setSubscriberActive(ctx context.Context, userID int64, mode string) ([]string, error) {
	pages, err := s.Follows(ctx, userID)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, p := range pages {
		n, err := setActive.Run(ctx, s.rdb, []string{s.k.subs(p), s.k.subSeq(p), s.k.subsGone(p)}, userID, mode).Int()
		if err != nil {
			return changed, fmt.Errorf("mark subscriber %d %s on page %s: %w", userID, mode, p, err)
		}
		if n == 1 {
			changed = append(changed, p)
		}
	}
	return changed, nil
}

// Audience reads a page's subscriber settings.
func (s *Store) Audience(ctx context.Context, pageID string) (redaktor.Audience, error) {
	m, err := s.rdb.HGetAll(ctx, s.k.audience(pageID)).Result()
	if err != nil {
		return redaktor.Audience{}, fmt.Errorf("read audience of page %s: %w", pageID, err)
	}
	return redaktor.Audience{Code: m["code"], Off: m["off"] == "1", Copy: m["copy"] == "1"}, nil
}

// SetAudience changes whether a page's publications go to subscribers and
// whether as forwards or copies. The code is not touched.
func (s *Store) SetAudience(ctx context.Context, pageID string, a redaktor.Audience) error {
	if err := s.rdb.HSet(ctx, s.k.audience(pageID), "off", flag(a.Off), "copy", flag(a.Copy)).Err(); err != nil {
		return fmt.Errorf("save audience of page %s: %w", pageID, err)
	}
	return nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// ensureCode gives a page its subscribe code once.
// KEYS[1] audience hash, KEYS[2] subcode:<candidate>
// ARGV[1] candidate, ARGV[2] page id
// Returns the page's code, or "" when the candidate is taken (try another).
var ensureCode = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'code')
if cur then return cur end
if redis.call('SET', KEYS[2], ARGV[2], 'NX') then
  redis.call('HSET', KEYS[1], 'code', ARGV[1])
  return ARGV[1]
end
return ''
`)

// SubscribeCode returns the page's public subscribe code, making it from
// newCode the first time.
func (s *Store) SubscribeCode(ctx context.Context, pageID string, newCode func() string) (string, error) {
	for range 5 {
		cand := newCode()
		code, err := ensureCode.Run(ctx, s.rdb, []string{s.k.audience(pageID), s.k.subscribeCode(cand)}, cand, pageID).Text()
		if err != nil {
			return "", fmt.Errorf("subscribe code of page %s: %w", pageID, err)
		}
		if code != "" {
			return code, nil
		}
	}
	return "", fmt.Errorf("subscribe code of page %s: no free code: %w", pageID, redaktor.ErrConflict)
}

// PageByCode returns the page a subscribe code belongs to.
func (s *Store) PageByCode(ctx context.Context, code string) (string, error) {
	p, err := s.rdb.Get(ctx, s.k.subscribeCode(code)).Result()
	if err != nil {
		return "", notFound(err, "subscribe code")
	}
	return p, nil
}

// SubscribeMany subscribes many people to a page in pipelined batches (an
// import, a load test).
func (s *Store) SubscribeMany(ctx context.Context, pageID string, userIDs []int64) error {
	const batch = 1000
	if err := subscribe.Load(ctx, s.rdb).Err(); err != nil {
		return fmt.Errorf("load subscribe script: %w", err)
	}
	for start := 0; start < len(userIDs); start += batch {
		pipe := s.rdb.Pipeline()
		for _, u := range userIDs[start:min(start+batch, len(userIDs))] {
			subscribe.EvalSha(ctx, pipe, s.subscribeKeys(pageID), u, "0")
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("subscribe to page %s: %w", pageID, err)
		}
	}
	return nil
}
