package reminders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redaktor/redaktor"
)

// transition records on the post that its passed proposed time was told
// (ActRemind, which takes it out of the index of proposed times). ok is
// false when the post changed meanwhile (approved, or recorded by
// another process).
func (r *Reminders) transition(ctx context.Context, p redaktor.Post, now time.Time) (redaktor.Post, bool, error) {
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActRemind, Actor: redaktor.System}, now)
	if err != nil {
		return p, false, nil // no longer waiting: nothing to record
	}
	if err := r.store.SavePost(ctx, p, next, ev); err != nil {
		if errors.Is(err, redaktor.ErrConflict) || errors.Is(err, redaktor.ErrNotFound) {
			return p, false, nil
		}
		return p, false, err
	}
	return next, true, nil
}

// markReminded records on the post that its passed proposed time is
// told, then takes the telling. The claim is needed besides the post's
// compare-and-set: two processes making the same change at the same
// moment both see that succeed (a repeat of an applied change is taken as
// applied); and a morning digest that told it holds the claim already.
// A crash between the two loses the message; it is never sent twice.
func (r *Reminders) markReminded(ctx context.Context, p redaktor.Post, now time.Time) (redaktor.Post, bool, error) {
	next, ok, err := r.transition(ctx, p, now)
	if err != nil || !ok {
		return p, false, err
	}
	mine, err := r.store.ClaimTold(ctx, p.ID, p.ProposedAt)
	if err != nil || !mine {
		return p, false, err
	}
	return next, true, nil
}

// proposals tells of posts whose proposed time passed while they wait for
// approval. One that passed at night is put off to the page's morning;
// one that passed before the morning digest waits a minute for it.
func (r *Reminders) proposals(ctx context.Context, now time.Time) error {
	ids, due, err := r.store.DueProposals(ctx, now, 100)
	if err != nil {
		return err
	}
	pages := map[string]redaktor.Page{}
	var errs []error
	for i, id := range ids {
		if err := r.proposal(ctx, id, due[i], now, pages); err != nil {
			errs = append(errs, fmt.Errorf("post %s: %w", id, err))
		}
	}
	return errors.Join(errs...)
}

func (r *Reminders) proposal(ctx context.Context, id string, due, now time.Time, pages map[string]redaktor.Page) error {
	post, err := r.store.Post(ctx, id)
	if err != nil {
		return err
	}
	// The index was read before the post: meanwhile the author may have
	// withdrawn it or proposed a later time (the index follows the post,
	// so that time is already in it). Only a time that passed is told.
	if post.Status != redaktor.StatusPending || post.ProposedAt.IsZero() || post.ProposedAt.After(now) {
		return nil
	}
	page, ok := pages[post.PageID]
	if !ok {
		if page, err = r.store.Page(ctx, post.PageID); err != nil {
			return err
		}
		pages[post.PageID] = page
	}
	if page.Archived {
		_, _, err := r.markReminded(ctx, post, now) // nobody is told on an archived page
		return err
	}
	local := now.In(r.loc(page))
	if !awake(local) {
		return r.store.HoldProposal(ctx, id, due, nextWake(local))
	}
	if clock(local) < digestUntil {
		done, err := r.store.DigestDone(ctx, page.ID, local.Format(time.DateOnly))
		if err != nil {
			return err
		}
		if !done {
			return r.store.HoldProposal(ctx, id, due, now.Add(time.Minute))
		}
	}
	next, ok, err := r.markReminded(ctx, post, now)
	if err != nil || !ok {
		return err
	}
	r.notify.ProposalPassed(ctx, page, next)
	return nil
}
