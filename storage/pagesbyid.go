package storage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redaktor/redaktor"
)

// PagesByID reads pages in one round trip, in the order of ids; a page
// that does not exist is left out.
func (s *Store) PagesByID(ctx context.Context, ids []string) ([]redaktor.Page, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, pid := range ids {
		keys[i] = s.k.page(pid)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("read %d pages: %w", len(ids), err)
	}
	out := make([]redaktor.Page, 0, len(vals))
	for i, v := range vals {
		raw, ok := v.(string)
		if !ok {
			continue // no such page
		}
		var p redaktor.Page
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return nil, fmt.Errorf("decode page %s: %w", ids[i], err)
		}
		out = append(out, p)
	}
	return out, nil
}
