package handlers

import (
	"context"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/quality"
)

// publishedCacheSize bounds the published posts whose fingerprints a
// process keeps: a month of 160 pages posting twice a day. A fingerprint
// takes 8 bytes a word: about 1 KB for a usual post of 100 words, 6 KB
// for the longest text Telegram takes, so 10 MB as usually filled and
// 60 MB at most. A region with more pages only reads more from Redis.
const publishedCacheSize = 10_000

// newPublishedCache keeps what the writing advice compares a draft with —
// the fingerprint of a published post's text — by post id. A published
// post never changes, so an entry is never stale; without it every card
// read and fingerprinted the page's whole last month (60 posts at two a
// day), which was most of a draft's cost.
func newPublishedCache() *lru.Cache[string, quality.Published] {
	c, err := lru.New[string, quality.Published](publishedCacheSize)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return c
}

// published returns the posts of ids (except one, the post being checked)
// as the advice compares with them, in the order of ids, reading from
// Redis only those this process has not seen yet.
func (a *Advice) published(ctx context.Context, ids []string, except string) ([]quality.Published, error) {
	got := make([]quality.Published, len(ids))
	var missing []string
	for i, id := range ids {
		if p, ok := a.seen.Get(id); ok {
			got[i] = p
		} else if id != except {
			missing = append(missing, id)
		}
	}
	var err error
	if len(missing) > 0 {
		var posts []redaktor.Post
		posts, err = a.store.Posts(ctx, missing)
		read := make(map[string]quality.Published, len(posts))
		for _, p := range posts {
			pub := quality.Published{Ref: p.ID, Fingerprint: quality.Fingerprint(p.Content.Text)}
			read[p.ID] = pub
			if p.Status == redaktor.StatusPublished {
				a.seen.Add(p.ID, pub)
			}
		}
		for i, id := range ids {
			if p, ok := read[id]; ok {
				got[i] = p
			}
		}
	}
	out := got[:0]
	for _, p := range got {
		if p.Fingerprint != nil && p.Ref != except {
			out = append(out, p)
		}
	}
	return out, err
}
