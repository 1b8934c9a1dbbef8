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

// PageSummaries reads what the admins' list shows of each page, in two
// round trips whatever the number of pages.
func (s *Store) PageSummaries(ctx context.Context, pages []redaktor.Page) ([]redaktor.PageSummary, error) {
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
	out := make([]redaktor.PageSummary, len(pages))
	var chiefIDs []int64
	for i, p := range pages {
		sum := redaktor.PageSummary{Page: p, Pending: int(rs[i].pending.Val()), Queued: int(rs[i].queued.Val())}
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

// UpdatePage changes a page where it stands, with an entry of its audit
// log, in one transaction: rename, archive, restore. change edits the page
// as stored now and reports whether there is anything to do (false: no
// write, no log line). The page is read under WATCH, so a change made
// meanwhile (a channel linked) is neither lost nor overwritten: the read
// is done again.
func (s *Store) UpdatePage(ctx context.Context, pageID string, e redaktor.AuditEntry, change func(p *redaktor.Page) bool) (redaktor.Page, error) {
	return s.updatePage(ctx, pageID, &e, change)
}

// EditPage changes a setting of a page where it stands (slots, the weekly
// goal), like UpdatePage but with no line in the audit log: a page read
// before a rename, a link or an unlink and saved after it would otherwise
// put the old title or channel back.
func (s *Store) EditPage(ctx context.Context, pageID string, change func(p *redaktor.Page) bool) (redaktor.Page, error) {
	return s.updatePage(ctx, pageID, nil, change)
}

func (s *Store) updatePage(ctx context.Context, pageID string, e *redaktor.AuditEntry, change func(p *redaktor.Page) bool) (redaktor.Page, error) {
	key := s.k.page(pageID)
	var out redaktor.Page
	for range 5 {
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			b, err := tx.Get(ctx, key).Bytes()
			if err != nil {
				return notFound(err, "page "+pageID)
			}
			var p redaktor.Page
			if err := json.Unmarshal(b, &p); err != nil {
				return fmt.Errorf("decode page %s: %w", pageID, err)
			}
			out = p
			if !change(&out) {
				return nil
			}
			next, err := json.Marshal(out)
			if err != nil {
				return fmt.Errorf("encode page: %w", err)
			}
			entry := ""
			if e != nil {
				if entry, err = encodeAudit(*e); err != nil {
					return err
				}
			}
			_, err = tx.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
				pipe.Set(ctx, key, next, 0)
				if entry != "" {
					pipe.LPush(ctx, s.k.audit(pageID), entry)
					pipe.LTrim(ctx, s.k.audit(pageID), 0, redaktor.AuditKeep-1)
				}
				return nil
			})
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("update page %s: %w", pageID, err)
		}
		return out, nil
	}
	return out, fmt.Errorf("update page %s: changed too often meanwhile: %w", pageID, redaktor.ErrConflict)
}
