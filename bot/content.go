package bot

import (
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// ContentOf reads what a message carries as post content. ok is false for
// what a channel post cannot be made of here (stickers, polls, locations,
// contacts, voice notes...): the caller tells the person so.
func ContentOf(m *tgbotapi.Message) (c redaktor.Content, ok bool) {
	if m == nil {
		return c, false
	}
	media, hasMedia := mediaOf(m)
	if hasMedia {
		return redaktor.Content{
			Text: m.Caption, Entities: entitiesOf(m.CaptionEntities), Media: []redaktor.Media{media},
		}, true
	}
	if m.Text != "" {
		return redaktor.Content{Text: m.Text, Entities: entitiesOf(m.Entities)}, true
	}
	return c, false
}

// MediaOf returns the one media item of a message, if it has a supported one.
func mediaOf(m *tgbotapi.Message) (redaktor.Media, bool) {
	switch {
	case len(m.Photo) > 0:
		// Telegram lists sizes smallest first; the largest keeps quality.
		return redaktor.Media{Kind: redaktor.MediaPhoto, FileID: m.Photo[len(m.Photo)-1].FileID}, true
	case m.Video != nil:
		return redaktor.Media{Kind: redaktor.MediaVideo, FileID: m.Video.FileID}, true
	case m.Animation != nil: // before Document: an animation also carries a document
		return redaktor.Media{Kind: redaktor.MediaAnimation, FileID: m.Animation.FileID}, true
	case m.Document != nil:
		return redaktor.Media{Kind: redaktor.MediaDocument, FileID: m.Document.FileID}, true
	case m.Audio != nil:
		return redaktor.Media{Kind: redaktor.MediaAudio, FileID: m.Audio.FileID}, true
	}
	return redaktor.Media{}, false
}

func entitiesOf(in []tgbotapi.MessageEntity) []redaktor.Entity {
	if len(in) == 0 {
		return nil
	}
	out := make([]redaktor.Entity, len(in))
	for i, e := range in {
		out[i] = redaktor.Entity{Type: e.Type, Offset: e.Offset, Length: e.Length, URL: e.URL, Language: e.Language}
		if e.User != nil {
			out[i].UserID = e.User.ID
		}
	}
	return out
}
