package bot

import (
	"context"
	"sync/atomic"
)

type refusalsKey struct{}

// WithRefusals returns a context that notes whether a call was refused
// because the context had ended (nothing was sent), and a function that
// tells. A handler cut off midway may still return nil, having only
// logged its failed sends; the intake asks this to know that the handling
// did not finish and must be done again.
func WithRefusals(ctx context.Context) (context.Context, func() bool) {
	var refused atomic.Bool
	return context.WithValue(ctx, refusalsKey{}, &refused), refused.Load
}

// refuse notes on ctx that a call was not made because ctx ended, and
// returns ctx's error.
func refuse(ctx context.Context) error {
	if r, ok := ctx.Value(refusalsKey{}).(*atomic.Bool); ok {
		r.Store(true)
	}
	return ctx.Err()
}
