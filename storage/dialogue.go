package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// markDialogueEnded notes when a team member's dialogue with the bot ended.
// Only a person with a record (a team member, an admin) gets the note: of
// a stranger or a subscriber nothing outlives the handling of their
// update. KEYS[1] the note, KEYS[2] the user record; ARGV[1] the time
// (ms), ARGV[2] how long the note is kept (ms).
var markDialogueEnded = redis.NewScript(`
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// MarkDialogueEnded notes that the person's dialogue with the bot ended at
// at; the note is kept for keep. The time is the desk's clock, so that
// what counts as "soon after" follows the clock the desk runs on; keep
// only bounds how long the note takes room.
func (s *Store) MarkDialogueEnded(ctx context.Context, userID int64, at time.Time, keep time.Duration) error {
	err := markDialogueEnded.Run(ctx, s.rdb, []string{s.k.dialogueEnded(userID), s.k.user(userID)},
		at.UnixMilli(), keep.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("note the end of a dialogue: %w", err)
	}
	return nil
}

// DialogueEnded returns when the person's last dialogue ended; ok is false
// when no note is kept (none ended lately, or it was unreadable).
func (s *Store) DialogueEnded(ctx context.Context, userID int64) (at time.Time, ok bool, err error) {
	v, err := s.rdb.Get(ctx, s.k.dialogueEnded(userID)).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read the end of a dialogue: %w", err)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false, nil
	}
	return time.UnixMilli(ms), true, nil
}

// KeepStray keeps a short text the person was asked about («make a draft
// of this?») under the question's message id, with when it was asked (the
// desk's clock), for keep: a later message of theirs does not lose it.
func (s *Store) KeepStray(ctx context.Context, userID int64, questionID int, text string, at time.Time, keep time.Duration) error {
	v := strconv.FormatInt(at.UnixMilli(), 10) + "|" + text
	if err := s.rdb.Set(ctx, s.k.strayText(userID, questionID), v, keep).Err(); err != nil {
		return fmt.Errorf("keep the text asked about: %w", err)
	}
	return nil
}

// StrayText returns the text kept under the question and when it was
// asked; ok is false when none is kept.
func (s *Store) StrayText(ctx context.Context, userID int64, questionID int) (text string, at time.Time, ok bool, err error) {
	v, err := s.rdb.Get(ctx, s.k.strayText(userID, questionID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("read the text asked about: %w", err)
	}
	msStr, text, found := strings.Cut(v, "|")
	ms, perr := strconv.ParseInt(msStr, 10, 64)
	if !found || perr != nil {
		return "", time.Time{}, false, nil
	}
	return text, time.UnixMilli(ms), true, nil
}

// DropStray forgets the text kept under the question.
func (s *Store) DropStray(ctx context.Context, userID int64, questionID int) error {
	if err := s.rdb.Del(ctx, s.k.strayText(userID, questionID)).Err(); err != nil {
		return fmt.Errorf("forget the text asked about: %w", err)
	}
	return nil
}
