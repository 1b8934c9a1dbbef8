package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"time"
)

// shownWithin bounds the sends that show what a handling stored.
const shownWithin = 20 * time.Second

// showing is the context a handler goes on with once what it was asked to
// do is stored: the preview, the card and the notices that show it go out
// even if the handling is cancelled meanwhile (the intake cancels its
// handlers when its liveness lapses, as in every Redis failover). Cut off
// between the store and them, the update is handled again and shows the
// stored post a second time.
func showing(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), shownWithin)
}

// randomCode makes an unguessable code for a deep link: 16 characters of
// the alphabet Telegram allows in a start parameter.
func randomCode() string {
	b := make([]byte, 12)
	rand.Read(b) // never fails: crypto/rand crashes the program rather than return an error
	return base64.RawURLEncoding.EncodeToString(b)
}

// formatTime shows a time in the page's zone the way people write it.
func formatTime(t time.Time, loc *time.Location, now time.Time) string {
	t = t.In(loc)
	if t.Year() != now.In(loc).Year() {
		return t.Format("02.01.2006 15:04")
	}
	return t.Format("02.01 15:04")
}
