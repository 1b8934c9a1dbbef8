package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// A channel belongs to one page at a time. The index channel → page is the
// truth: linking claims it atomically, so two pages linking the same channel
// at once cannot both win, and publication checks it before every post.

// linkChannel claims a channel for a page and writes the page, releasing
// the page's previous channel. The page is compare-and-set against what the
// caller read, so a concurrent change of the page is not overwritten. A
// claim whose holder page no longer has the channel (deleted, or saved
// over by a stale write) is stale and taken over.
// KEYS[1] index of the new channel, KEYS[2] page, KEYS[3] index of the
// page's old channel (KEYS[1] when none), KEYS[4] the page of the holder
// the caller saw (KEYS[2] when none).
// ARGV[1] page id, ARGV[2] page as read, ARGV[3] page as it becomes,
// ARGV[4] the holder the caller saw ("" for none), ARGV[5] the channel as
// the holder's page JSON names it ("ChannelID":<id>).
// Returns {"ok"}, {"held", holder page id}, {"gone"} (no page) or
// {"changed"} (the page or the holder changed since they were read). A
// second run finds the page already written and the claim its own, and
// answers "ok" again.
var linkChannel = redis.NewScript(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  if holder ~= ARGV[4] then return {'changed'} end
  local hp = redis.call('GET', KEYS[4])
  if hp and (string.find(hp, ARGV[5] .. ',', 1, true) or string.find(hp, ARGV[5] .. '}', 1, true)) then
    return {'held', holder}
  end
end
local cur = redis.call('GET', KEYS[2])
if not cur then return {'gone'} end
if cur ~= ARGV[2] and cur ~= ARGV[3] then return {'changed'} end
if KEYS[3] ~= KEYS[1] and redis.call('GET', KEYS[3]) == ARGV[1] then
  redis.call('DEL', KEYS[3])
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[3])
return {'ok'}
`)

// unlinkChannel releases a page's channel and writes the page without it.
// KEYS[1] index of the channel, KEYS[2] page.
// ARGV[1] page id, ARGV[2] page as read, ARGV[3] page as it becomes.
// Returns {"ok"}, {"gone"} or {"changed"}; safe to run twice.
var unlinkChannel = redis.NewScript(`
local cur = redis.call('GET', KEYS[2])
if not cur then return {'gone'} end
if cur ~= ARGV[2] and cur ~= ARGV[3] then return {'changed'} end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[2], ARGV[3])
return {'ok'}
`)

// claimChannel answers whether a channel is the page's, claiming it when
// no page holds it (pages linked before the index existed).
// KEYS[1] index of the channel. ARGV[1] page id. Returns 1 or 0.
var claimChannel = redis.NewScript(`
local holder = redis.call('GET', KEYS[1])
if not holder then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
if holder == ARGV[1] then return 1 end
return 0
`)

// casAttempts bounds the retries of a page changed between read and write;
// pages change rarely, so a second try almost always wins.
const casAttempts = 5

// LinkChannel links a channel to a page, unless another page holds it
// (*ChannelTakenError names that page). The page's previous channel is
// released. Returns the page as saved.
func (s *Store) LinkChannel(ctx context.Context, pageID string, ch redaktor.Channel) (redaktor.Page, error) {
	return s.changeChannel(ctx, pageID, func(p *redaktor.Page) ([]string, []any, error) {
		holder, err := s.ChannelPage(ctx, ch.ID)
		if err != nil {
			return nil, nil, err
		}
		holderPage := s.k.page(pageID)
		if holder != "" {
			holderPage = s.k.page(holder)
		}
		old := ch.ID
		if p.HasChannel() {
			old = p.ChannelID
		}
		p.ChannelID, p.ChannelTitle, p.ChannelUsername = ch.ID, ch.Title, ch.Username
		keys := []string{s.k.channelPage(ch.ID), s.k.page(pageID), s.k.channelPage(old), holderPage}
		return keys, []any{holder, `"ChannelID":` + id(ch.ID)}, nil
	}, linkChannel)
}

// UnlinkChannel takes channelID off a page, freeing it for other pages;
// ErrChannelNotLinked when the page has another channel or none.
func (s *Store) UnlinkChannel(ctx context.Context, pageID string, channelID int64) (redaktor.Page, error) {
	return s.changeChannel(ctx, pageID, func(p *redaktor.Page) ([]string, []any, error) {
		if p.ChannelID != channelID || channelID == 0 {
			return nil, nil, redaktor.ErrChannelNotLinked
		}
		p.ChannelID, p.ChannelTitle, p.ChannelUsername = 0, "", ""
		return []string{s.k.channelPage(channelID), s.k.page(pageID)}, nil, nil
	}, unlinkChannel)
}

// changeChannel reads the page, applies change (which names the script's
// keys and its arguments after the pages) and writes it with script, again
// if anything changed meanwhile.
func (s *Store) changeChannel(ctx context.Context, pageID string, change func(*redaktor.Page) ([]string, []any, error), script *redis.Script) (redaktor.Page, error) {
	for range casAttempts {
		was, err := s.rdb.Get(ctx, s.k.page(pageID)).Result()
		if err != nil {
			return redaktor.Page{}, notFound(err, "page "+pageID)
		}
		var p redaktor.Page
		if err := json.Unmarshal([]byte(was), &p); err != nil {
			return redaktor.Page{}, fmt.Errorf("decode page %s: %w", pageID, err)
		}
		keys, args, err := change(&p)
		if err != nil {
			return redaktor.Page{}, err
		}
		next, err := json.Marshal(p)
		if err != nil {
			return redaktor.Page{}, fmt.Errorf("encode page: %w", err)
		}
		res, err := script.Run(ctx, s.rdb, keys, append([]any{pageID, was, next}, args...)...).StringSlice()
		if err != nil || len(res) == 0 {
			return redaktor.Page{}, fmt.Errorf("channel of page %s: %w", pageID, err)
		}
		switch res[0] {
		case "ok":
			return p, nil
		case "held":
			return redaktor.Page{}, &redaktor.ChannelTakenError{PageID: res[1]}
		case "gone":
			return redaktor.Page{}, fmt.Errorf("page %s: %w", pageID, redaktor.ErrNotFound)
		}
	}
	return redaktor.Page{}, fmt.Errorf("page %s kept changing: %w", pageID, redaktor.ErrConflict)
}

// ChannelPage returns the id of the page a channel is linked to, "" for
// none.
func (s *Store) ChannelPage(ctx context.Context, channelID int64) (string, error) {
	pageID, err := s.rdb.Get(ctx, s.k.channelPage(channelID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the page of channel %d: %w", channelID, err)
	}
	return pageID, nil
}

// OwnsChannel reports whether a page may post to a channel: the channel is
// linked to it. A channel no page holds is claimed by the page that has it,
// so pages linked before the index existed keep publishing, unless another
// page names the same channel too: then neither gets it (one of them took
// it before links were checked), and whoever runs the channel links it
// again with /channel, which checks them.
func (s *Store) OwnsChannel(ctx context.Context, pageID string, channelID int64) (bool, error) {
	holder, err := s.ChannelPage(ctx, channelID)
	if err != nil {
		return false, err
	}
	if holder != "" {
		return holder == pageID, nil
	}
	pages, err := s.AllPages(ctx)
	if err != nil {
		return false, fmt.Errorf("check the channel of page %s: %w", pageID, err)
	}
	for _, p := range pages {
		if p.ID != pageID && p.ChannelID == channelID {
			return false, nil
		}
	}
	n, err := claimChannel.Run(ctx, s.rdb, []string{s.k.channelPage(channelID)}, pageID).Int()
	if err != nil {
		return false, fmt.Errorf("check the channel of page %s: %w", pageID, err)
	}
	return n == 1, nil
}
