package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// HeldCards returns, by post id, the message of the card of each of
// postIDs that the chat holds, in one round trip: a person's role change
// redraws every card they hold of a page, and reading each post's cards
// apart took a round trip a post. A post of which the chat holds no card
// is left out.
func (s *Store) HeldCards(ctx context.Context, chatID int64, postIDs []string) (map[string]int, error) {
	held := make(map[string]int, len(postIDs))
	if len(postIDs) == 0 {
		return held, nil
	}
	pipe := s.rdb.Pipeline()
	msgs := make([]*redis.StringCmd, len(postIDs))
	for i, pid := range postIDs {
		msgs[i] = pipe.HGet(ctx, s.k.cards(pid), id(chatID))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read the cards %d holds: %w", chatID, err)
	}
	for i, cmd := range msgs {
		msg, err := cmd.Result()
		switch {
		case errors.Is(err, redis.Nil):
			continue
		case err != nil:
			return nil, fmt.Errorf("read the card %d holds of post %s: %w", chatID, postIDs[i], err)
		}
		mid, err := strconv.Atoi(msg)
		if err != nil {
			continue // not a card (Cards skips it too)
		}
		held[postIDs[i]] = mid
	}
	return held, nil
}
