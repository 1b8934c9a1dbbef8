// Package pace keeps the bot's sends, from every process, under
// Telegram's limits.
package pace

import (
	"context"
	"time"
)

type waitKey struct{}

// WithWaitObserver returns a context whose pacer waits are told to
// observe: the intake uses it so that time spent waiting for a turn under
// Telegram's limit does not count against an update's handling deadline.
func WithWaitObserver(ctx context.Context, observe func(waited time.Duration)) context.Context {
	return context.WithValue(ctx, waitKey{}, observe)
}

// Waited tells the observer of ctx, if any, that its caller waited d for
// a turn of the pacer.
func Waited(ctx context.Context, d time.Duration) {
	if observe, ok := ctx.Value(waitKey{}).(func(time.Duration)); ok && d > 0 {
		observe(d)
	}
}
