package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// AllPages reads every page of the bot, in the order they were made.
// Page ids are the numbers NextID("page") gave, so the pages are read by
// number in one round trip, with no index to keep.
func (s *Store) AllPages(ctx context.Context) ([]redaktor.Page, error) {
	n, err := s.rdb.Get(ctx, s.k.seq("page")).Int64()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("count pages: %w", err)
	}
	var out []redaktor.Page
	const chunk = 500
	for from := int64(1); from <= n; from += chunk {
		keys := make([]string, 0, chunk)
		for i := from; i < from+chunk && i <= n; i++ {
			keys = append(keys, s.k.page(id(i)))
		}
		vals, err := s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, fmt.Errorf("read pages: %w", err)
		}
		for _, v := range vals {
			raw, _ := v.(string)
			if raw == "" {
				continue // an id spent by a creation that failed
			}
			var p redaktor.Page
			if err := json.Unmarshal([]byte(raw), &p); err != nil {
				continue
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// PageSummary is a line of the admins' list of pages.
type PageSummary struct {
	Page          redaktor.Page
	Chiefs        []redaktor.Member // with names, as the bot knows them
	LastPublished time.Time         // zero: nothing published yet
	Pending       int               // posts waiting for approval
	Queued        int               // scheduled, publishing or failed
}

// PageSummaries reads what the admins' list shows of each page, in two
// round trips whatever the number of pages.
func (s *Store) PageSummaries(ctx context.Context, pages []redaktor.Page) ([]PageSummary, error) {
	pipe := s.rdb.Pipeline()
	type reads struct {
		members *redis.MapStringStringCmd
		last    *redis.ZSliceCmd
		pending *redis.IntCmd
		queued  *redis.IntCmd
	}
	rs := make([]reads, len(pages))
	for i, p := range pages {
		rs[i] = reads{
			members: pipe.HGetAll(ctx, s.k.members(p.ID)),
			last:    pipe.ZRangeWithScores(ctx, s.k.published(p.ID), -1, -1),
			pending: pipe.ZCard(ctx, s.k.pending(p.ID)),
			queued:  pipe.ZCard(ctx, s.k.queue(p.ID)),
		}
	}
	if len(pages) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("read page summaries: %w", err)
		}
	}
	out := make([]PageSummary, len(pages))
	var chiefIDs []int64
	for i, p := range pages {
		sum := PageSummary{Page: p, Pending: int(rs[i].pending.Val()), Queued: int(rs[i].queued.Val())}
		if z := rs[i].last.Val(); len(z) == 1 {
			sum.LastPublished = time.UnixMilli(int64(z[0].Score)).UTC()
		}
		for uid, role := range rs[i].members.Val() {
			n, err := strconv.ParseInt(uid, 10, 64)
			if err != nil || redaktor.Role(role) != redaktor.RoleChief {
				continue
			}
			sum.Chiefs = append(sum.Chiefs, redaktor.Member{PageID: p.ID, UserID: n, Role: redaktor.RoleChief})
			chiefIDs = append(chiefIDs, n)
		}
		sort.Slice(sum.Chiefs, func(a, b int) bool { return sum.Chiefs[a].UserID < sum.Chiefs[b].UserID })
		out[i] = sum
	}
	names, err := s.Names(ctx, chiefIDs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for j := range out[i].Chiefs {
			out[i].Chiefs[j].Name = names[out[i].Chiefs[j].UserID]
		}
	}
	return out, nil
}

// Names reads the names of people in one round trip; a person the bot
// does not know (or forgot) is left out of the map.
func (s *Store) Names(ctx context.Context, userIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(userIDs) == 0 {
		return out, nil
	}
	keys := make([]string, len(userIDs))
	for i, u := range userIDs {
		keys[i] = s.k.user(u)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("read names: %w", err)
	}
	for i, v := range vals {
		raw, _ := v.(string)
		var u redaktor.User
		if raw == "" || json.Unmarshal([]byte(raw), &u) != nil {
			continue
		}
		out[userIDs[i]] = u.Name
	}
	return out, nil
}

// updatePage replaces a page and records the change in its audit log.
// KEYS[1] page, KEYS[2] audit log.
// ARGV[1] new page JSON, ARGV[2] audit entry.
// Returns 1 done; 0 done already (a retry).
var updatePage = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], 0, ` + strconv.Itoa(redaktor.AuditKeep-1) + `)
return 1
`)

// UpdatePage stores a changed page with an entry of its audit log in one
// step: rename, archive, restore. Like SavePage it writes the page whole.
func (s *Store) UpdatePage(ctx context.Context, p redaktor.Page, e redaktor.AuditEntry) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode page: %w", err)
	}
	entry, err := encodeAudit(e)
	if err != nil {
		return err
	}
	if err := updatePage.Run(ctx, s.rdb, []string{s.k.page(p.ID), s.k.audit(p.ID)}, b, entry).Err(); err != nil {
		return fmt.Errorf("update page %s: %w", p.ID, err)
	}
	return nil
}
