package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redaktor/redaktor"
)

// Telegram delivers an album as separate messages that share a
// media_group_id. They are buffered here and become ONE draft once no item
// has arrived for a quiet moment.

// addAlbumItem appends an item and moves the album's deadline.
// KEYS[1] album list, KEYS[2] albums zset, KEYS[3] message ids seen.
// ARGV[1] item JSON, ARGV[2] deadline ms, ARGV[3] message id (an item
// already buffered is not added twice: intake may deliver an update again).
var addAlbumItem = redis.NewScript(`
if redis.call('HSETNX', KEYS[3], ARGV[3], 1) == 0 then return 0 end
redis.call('PEXPIRE', KEYS[3], 86400000)
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
return 1
`)

// AddAlbumItem buffers one album message of a user; the album is ready once
// quiet has passed without another item.
func (s *Store) AddAlbumItem(ctx context.Context, userID int64, group string, it redaktor.AlbumItem, now time.Time, quiet time.Duration) error {
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("encode album item: %w", err)
	}
	key := s.k.album(userID, group)
	if err := addAlbumItem.Run(ctx, s.rdb, []string{key, s.k.albums(), key + ":seen"}, string(b), ms(now.Add(quiet)), it.MessageID).Err(); err != nil {
		return fmt.Errorf("buffer album item: %w", err)
	}
	return nil
}

// Reading pages past the albums Skip and PerUser leave out, at most
// albumScanMax of them in one read: one person's backlog does not hide
// another's album, and a read stays bounded however large the backlog is.
const (
	albumScanPage = 256
	albumScanMax  = 8192
)

// ReadyAlbums returns albums whose deadline has passed, the oldest first,
// as pick says. They stay buffered until CreatePost consumes them, so a
// crash here loses nothing.
func (s *Store) ReadyAlbums(ctx context.Context, now time.Time, pick redaktor.AlbumPick) ([]redaktor.ReadyAlbum, error) {
	var zs []redis.Z
	taken := map[int64]int{}
	for offset := int64(0); len(zs) < pick.Limit && offset < albumScanMax; offset += albumScanPage {
		page, err := s.rdb.ZRangeArgsWithScores(ctx, redis.ZRangeArgs{
			Key: s.k.albums(), ByScore: true, Start: "-inf", Stop: ms(now), Offset: offset, Count: albumScanPage,
		}).Result()
		if err != nil {
			return nil, fmt.Errorf("find ready albums: %w", err)
		}
		for _, z := range page {
			if user, ok := s.k.albumUser(z.Member.(string)); ok {
				if pick.Skip != nil && pick.Skip(user) || pick.PerUser > 0 && taken[user] >= pick.PerUser {
					continue
				}
				taken[user]++
			}
			if zs = append(zs, z); len(zs) == pick.Limit {
				break
			}
		}
		if len(page) < albumScanPage {
			break
		}
	}
	if len(zs) == 0 {
		return nil, nil
	}
	// The albums' items in one round trip, however many albums are ready.
	pipe := s.rdb.Pipeline()
	lists := make([]*redis.StringSliceCmd, len(zs))
	for i, z := range zs {
		lists[i] = pipe.LRange(ctx, z.Member.(string), 0, -1)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("read albums: %w", err)
	}
	out := make([]redaktor.ReadyAlbum, 0, len(zs))
	for i, z := range zs {
		a := redaktor.ReadyAlbum{Ref: redaktor.AlbumRef{Key: z.Member.(string), Deadline: z.Score}}
		for _, r := range lists[i].Val() {
			var it redaktor.AlbumItem
			if err := json.Unmarshal([]byte(r), &it); err == nil {
				a.Items = append(a.Items, it)
				a.UserID = it.UserID
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// albumUser is the person whose album key is, as album builds it.
func (k keys) albumUser(key string) (int64, bool) {
	rest, ok := strings.CutPrefix(key, k.p+"album:")
	if !ok {
		return 0, false
	}
	user, _, _ := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(user, 10, 64)
	return n, err == nil
}

// DropAlbum removes a buffered album that cannot become a draft (its owner
// left the page, say), after the owner has been told.
func (s *Store) DropAlbum(ctx context.Context, ref redaktor.AlbumRef) error {
	pipe := s.rdb.TxPipeline()
	pipe.ZRem(ctx, s.k.albums(), ref.Key)
	pipe.Del(ctx, ref.Key)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("drop album: %w", err)
	}
	return nil
}
