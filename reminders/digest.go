package reminders

import (
	"context"
	"slices"
	"time"

	"github.com/redaktor/redaktor"
)

// digest sends the page's morning digest, once across processes. Taking
// it marks, in the same step, the posts it lists as waiting long as
// reminded and the proposed times that passed overnight as told: the
// morning brings one message, and no reminder or notice of the same
// posts follows it.
func (r *Reminders) digest(ctx context.Context, page redaktor.Page, now, local time.Time, hours int) error {
	ws, _, err := r.waitingPosts(ctx, page, now)
	if err != nil {
		return err
	}
	day := at(local, 0, 0)
	queued, published, err := r.store.DayPosts(ctx, page.ID, day, at(local, 1, 0), dayRead)
	if err != nil {
		return err
	}
	today := slices.Clone(published)
	for _, p := range queued {
		if p.Status == redaktor.StatusScheduled || p.Status == redaktor.StatusPublishing {
			today = append(today, p)
		}
	}
	slices.SortStableFunc(today, func(a, b redaktor.Post) int { return dayTime(a).Compare(dayTime(b)) })
	// At the weekend the digest comes only on a day something is
	// published: a post waiting since Friday waits for Monday's digest,
	// and nothing is marked as told by one not sent.
	silent := !workday(local) && len(today) == 0
	covered, passed := map[string]time.Time{}, map[string]time.Time{}
	for _, w := range ws {
		if silent {
			break
		}
		if hours > 0 && !now.Before(dueAfter(w.Since, hours, r.loc(page))) {
			covered[w.Post.ID] = w.Since
		}
		if w.Passed && !w.Post.Reminded {
			passed[w.Post.ID] = w.Post.ProposedAt
		}
	}
	ok, told, err := r.store.ClaimDigest(ctx, page.ID, local.Format(time.DateOnly), digestKeep, covered, passed)
	if err != nil || !ok {
		return err
	}
	// The post records what was told, as a notice of its own would.
	for _, id := range told {
		for i, w := range ws {
			if w.Post.ID == id {
				if next, ok, err := r.transition(ctx, w.Post, now); err != nil {
					r.log.Warn("record a passed proposed time told in the digest", "post", id, "err", err)
				} else if ok {
					ws[i].Post = next
				}
			}
		}
	}
	if silent || len(today) == 0 && len(ws) == 0 {
		return nil
	}
	r.notify.Digest(ctx, page, Digest{Day: day, Today: today, Waiting: ws})
	return nil
}

// dayTime is when a post of the day goes out or went out.
func dayTime(p redaktor.Post) time.Time {
	if p.Status == redaktor.StatusPublished {
		return p.PublishedAt
	}
	return p.PublishAt
}
