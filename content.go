package redaktor

import (
	"fmt"
	"unicode/utf16"
)

// Telegram's limits on what one message carries, in UTF-16 code units as
// Telegram counts them.
const (
	TextLimit    = 4096
	CaptionLimit = 1024
	AlbumMin     = 2
	AlbumMax     = 10
)

// MediaKind is the kind of one media item.
type MediaKind string

const (
	MediaPhoto     MediaKind = "photo"
	MediaVideo     MediaKind = "video"
	MediaAnimation MediaKind = "animation"
	MediaDocument  MediaKind = "document"
	MediaAudio     MediaKind = "audio"
)

// Entity is one formatting span of a text, kept exactly as Telegram sent it
// so a post looks in the channel as it looked in the moderator's chat.
type Entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	UserID        int64  `json:"user_id,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// Media is one photo, video, animation, document or audio, by Telegram file id.
type Media struct {
	Kind   MediaKind `json:"kind"`
	FileID string    `json:"file_id"`
	// Caption belongs to this item only; used for the second and later items
	// of an album whose items carry captions of their own.
	Caption         string   `json:"caption,omitempty"`
	CaptionEntities []Entity `json:"caption_entities,omitempty"`
}

// Content is what a post says and shows. With media, Text is the caption of
// the single item or of the album.
type Content struct {
	Text     string   `json:"text,omitempty"`
	Entities []Entity `json:"entities,omitempty"`
	Media    []Media  `json:"media,omitempty"`
}

// IsAlbum reports whether the content is sent as a media group.
func (c Content) IsAlbum() bool { return len(c.Media) > 1 }

// HasMedia reports whether the content has any media item.
func (c Content) HasMedia() bool { return len(c.Media) > 0 }

// TextLength is the length of the text as Telegram counts it.
func (c Content) TextLength() int { return UTF16Len(c.Text) }

// CaptionSeparate reports whether the text is too long to be a caption and
// will be sent as its own message after the media.
func (c Content) CaptionSeparate() bool {
	return c.HasMedia() && c.TextLength() > CaptionLimit
}

// ContentProblem says why content cannot be sent. The desk turns it into
// words in the reader's language; the domain holds no words.
type ContentProblem string

// Content problems.
const (
	ContentEmpty          ContentProblem = "empty"            // neither text nor media
	ContentTooLong        ContentProblem = "too_long"         // Count characters of text, Limit allowed
	ContentAlbumTooBig    ContentProblem = "album_too_big"    // Count items, Limit allowed
	ContentNoFile         ContentProblem = "no_file"          // a media item without its file
	ContentCaptionTooLong ContentProblem = "caption_too_long" // an album item's caption over Limit
)

// ContentError is content Telegram would refuse. It wraps ErrInvalid.
type ContentError struct {
	Problem      ContentProblem
	Count, Limit int
}

func (e *ContentError) Error() string {
	return fmt.Sprintf("content %s (%d, limit %d)", e.Problem, e.Count, e.Limit)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *ContentError) Unwrap() error { return ErrInvalid }

// Validate checks what Telegram would refuse, so a bad draft is refused at
// once instead of failing at publication time. Its errors are *ContentError.
func (c Content) Validate() error {
	if c.Text == "" && !c.HasMedia() {
		return &ContentError{Problem: ContentEmpty}
	}
	if c.TextLength() > TextLimit {
		return &ContentError{Problem: ContentTooLong, Count: c.TextLength(), Limit: TextLimit}
	}
	if len(c.Media) > AlbumMax {
		return &ContentError{Problem: ContentAlbumTooBig, Count: len(c.Media), Limit: AlbumMax}
	}
	for _, m := range c.Media {
		if m.FileID == "" {
			return &ContentError{Problem: ContentNoFile}
		}
		if n := UTF16Len(m.Caption); n > CaptionLimit {
			return &ContentError{Problem: ContentCaptionTooLong, Count: n, Limit: CaptionLimit}
		}
	}
	return nil
}

// UTF16Len counts s as Telegram counts text length and entity offsets.
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
