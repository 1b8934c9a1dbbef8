package reminders

import (
	"context"
	"slices"
	"time"

	"github.com/redaktor/redaktor"
)

// threshold is the page's choice of working hours, 0 for off.
func (r *Reminders) threshold(ctx context.Context, pageID string) (int, error) {
	hours, set, err := r.store.RemindAfter(ctx, pageID)
	if err != nil || !set {
		return DefaultAfter, err
	}
	return hours, nil
}

// waitingPosts reads the page's posts waiting for approval, with the time
// each began waiting. all is false when there were more than were read.
func (r *Reminders) waitingPosts(ctx context.Context, page redaktor.Page, now time.Time) (ws []Waiting, all bool, err error) {
	pending, err := r.store.PendingPosts(ctx, page.ID, pendingRead)
	if err != nil {
		return nil, false, err
	}
	for _, p := range pending {
		if p.Status != redaktor.StatusPending {
			continue
		}
		since, err := r.since(ctx, p)
		if err != nil {
			return nil, false, err
		}
		ws = append(ws, Waiting{Post: p, Since: since, Passed: !p.ProposedAt.IsZero() && !p.ProposedAt.After(now)})
	}
	slices.SortStableFunc(ws, func(a, b Waiting) int { return a.Since.Compare(b.Since) })
	return ws, len(pending) < pendingRead, nil
}

// since is when a post last went to approval: its last version sent or
// its submission. The post's last change is almost always that; otherwise
// (a reminder of its proposed time came after) the history tells.
func (r *Reminders) since(ctx context.Context, p redaktor.Post) (time.Time, error) {
	if entered(p.Last.Action) {
		return p.Last.At, nil
	}
	hist, err := r.store.History(ctx, p.ID)
	if err != nil {
		return time.Time{}, err
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if entered(hist[i].Action) {
			return hist[i].At, nil
		}
	}
	return p.UpdatedAt, nil
}

func entered(a redaktor.Action) bool { return a == redaktor.ActSubmit || a == redaktor.ActNewVersion }

// waiting reminds the chief editors of posts that waited past the page's
// threshold since the last reminder; the message lists every post waiting
// that long, so one look shows the whole backlog.
func (r *Reminders) waiting(ctx context.Context, page redaktor.Page, now time.Time, hours int) error {
	if hours <= 0 {
		return nil
	}
	ws, all, err := r.waitingPosts(ctx, page, now)
	if err != nil || len(ws) == 0 {
		return err
	}
	loc := r.loc(page)
	over := map[string]time.Time{}
	var long []Waiting
	ids := make([]string, 0, len(ws))
	for _, w := range ws {
		ids = append(ids, w.Post.ID)
		if !now.Before(dueAfter(w.Since, hours, loc)) {
			over[w.Post.ID] = w.Since
			long = append(long, w)
		}
	}
	if len(over) == 0 {
		return nil
	}
	claimed, err := r.store.ClaimWaiting(ctx, page.ID, ids, all, over)
	if err != nil || len(claimed) == 0 {
		return err
	}
	r.notify.Waiting(ctx, page, hours, long)
	return nil
}
