package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// Part is one Bot API call of a post: the text, one media item, or an album.
// A post is one to three parts: with a caption over Telegram's 1024
// characters the media goes first and the text follows as its own message.
type Part struct {
	Method string
	Params tgbotapi.Params
}

var sendMethod = map[redaktor.MediaKind]string{
	redaktor.MediaPhoto:     "sendPhoto",
	redaktor.MediaVideo:     "sendVideo",
	redaktor.MediaAnimation: "sendAnimation",
	redaktor.MediaDocument:  "sendDocument",
	redaktor.MediaAudio:     "sendAudio",
}

// Parts renders content for a chat. Entities are sent as Telegram gave them
// (no parse mode), so formatting survives exactly.
func Parts(chatID int64, c redaktor.Content) ([]Part, error) {
	chat := strconv.FormatInt(chatID, 10)
	separate := c.CaptionSeparate()
	var parts []Part
	switch len(c.Media) {
	case 0:
	case 1:
		m := c.Media[0]
		method, ok := sendMethod[m.Kind]
		if !ok {
			return nil, fmt.Errorf("%w: media kind %q", redaktor.ErrInvalid, m.Kind)
		}
		p := tgbotapi.Params{"chat_id": chat, string(m.Kind): m.FileID}
		if !separate && c.Text != "" {
			p["caption"] = c.Text
			if err := addJSON(p, "caption_entities", c.Entities); err != nil {
				return nil, err
			}
		}
		parts = append(parts, Part{Method: method, Params: p})
	default:
		items := make([]inputMedia, len(c.Media))
		for i, m := range c.Media {
			items[i] = inputMedia{Type: string(m.Kind), Media: m.FileID, Caption: m.Caption, CaptionEntities: m.CaptionEntities}
		}
		if !separate && c.Text != "" {
			items[0].Caption, items[0].CaptionEntities = c.Text, c.Entities
		}
		p := tgbotapi.Params{"chat_id": chat}
		if err := addJSON(p, "media", items); err != nil {
			return nil, err
		}
		parts = append(parts, Part{Method: "sendMediaGroup", Params: p})
	}
	if (len(c.Media) == 0 || separate) && c.Text != "" {
		p := tgbotapi.Params{"chat_id": chat, "text": c.Text}
		if err := addJSON(p, "entities", c.Entities); err != nil {
			return nil, err
		}
		parts = append(parts, Part{Method: "sendMessage", Params: p})
	}
	return parts, nil
}

// inputMedia is the Bot API's InputMedia with our entity type, which keeps
// fields (custom_emoji_id) the library's type lacks.
type inputMedia struct {
	Type            string            `json:"type"`
	Media           string            `json:"media"`
	Caption         string            `json:"caption,omitempty"`
	CaptionEntities []redaktor.Entity `json:"caption_entities,omitempty"`
}

func addJSON(p tgbotapi.Params, key string, v any) error {
	if v == nil {
		return nil
	}
	if s, ok := v.([]redaktor.Entity); ok && len(s) == 0 {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	p[key] = string(b)
	return nil
}

// SendPart sends one part and returns the ids of the messages it became.
func (c *Client) SendPart(ctx context.Context, p Part) ([]int, error) {
	return c.sendForIDs(ctx, p.Method, p.Params)
}

// SendContent sends a whole post to a chat, part after part (a preview in
// the author's chat, say). It returns every message id in order.
func (c *Client) SendContent(ctx context.Context, chatID int64, content redaktor.Content) ([]int, error) {
	parts, err := Parts(chatID, content)
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, p := range parts {
		got, err := c.SendPart(ctx, p)
		if err != nil {
			return ids, err
		}
		ids = append(ids, got...)
	}
	return ids, nil
}
