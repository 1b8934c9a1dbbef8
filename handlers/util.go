package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

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
