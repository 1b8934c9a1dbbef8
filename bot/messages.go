package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/redaktor/redaktor"
)

// Keyboard is an inline keyboard; nil means none.
type Keyboard = *tgbotapi.InlineKeyboardMarkup

// SendText sends the bot's own plain text, with buttons if kb is not nil.
func (c *Client) SendText(ctx context.Context, chatID int64, text string, kb Keyboard) (int, error) {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "text": fit(text),
		"link_preview_options": `{"is_disabled":true}`}
	if err := addMarkup(p, kb); err != nil {
		return 0, err
	}
	ids, err := c.sendForIDs(ctx, "sendMessage", p)
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// EditText replaces the text and buttons of a message the bot sent. An
// edit that changes nothing is not an error.
func (c *Client) EditText(ctx context.Context, chatID int64, messageID int, text string, kb Keyboard) error {
	p := tgbotapi.Params{"chat_id": strconv.FormatInt(chatID, 10), "message_id": strconv.Itoa(messageID),
		"text": fit(text), "link_preview_options": `{"is_disabled":true}`}
	if err := addMarkup(p, kb); err != nil {
		return err
	}
	if _, err := c.Call(ctx, "editMessageText", p); err != nil && !NotModified(err) {
		return err
	}
	return nil
}

// Answer answers a button press; with alert the text shows as a dialog.
func (c *Client) Answer(ctx context.Context, callbackID, text string, alert bool) error {
	p := tgbotapi.Params{"callback_query_id": callbackID}
	p.AddNonEmpty("text", text)
	p.AddBool("show_alert", alert)
	_, err := c.Call(ctx, "answerCallbackQuery", p)
	return err
}

// DeleteMessage deletes a message the bot sent.
func (c *Client) DeleteMessage(ctx context.Context, chatID int64, messageID int) error {
	_, err := c.Call(ctx, "deleteMessage", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chatID, 10), "message_id": strconv.Itoa(messageID)})
	return err
}

// Chat looks a chat up by numeric id or @username.
func (c *Client) Chat(ctx context.Context, ref string) (tgbotapi.Chat, error) {
	res, err := c.Call(ctx, "getChat", tgbotapi.Params{"chat_id": ref})
	if err != nil {
		return tgbotapi.Chat{}, err
	}
	var ch tgbotapi.Chat
	if err := json.Unmarshal(res, &ch); err != nil {
		return ch, fmt.Errorf("decode chat: %w", err)
	}
	return ch, nil
}

// ChatMember reads one member's status and rights in a chat.
func (c *Client) ChatMember(ctx context.Context, chatID, userID int64) (tgbotapi.ChatMember, error) {
	res, err := c.Call(ctx, "getChatMember", tgbotapi.Params{
		"chat_id": strconv.FormatInt(chatID, 10), "user_id": strconv.FormatInt(userID, 10)})
	if err != nil {
		return tgbotapi.ChatMember{}, err
	}
	var m tgbotapi.ChatMember
	if err := json.Unmarshal(res, &m); err != nil {
		return m, fmt.Errorf("decode chat member: %w", err)
	}
	return m, nil
}

// Command is one entry of the bot's command menu.
type Command struct{ Name, Description string }

// SetCommands sets the command menu shown to users of a language ("" for
// everybody else) in every chat that has no menu of its own.
func (c *Client) SetCommands(ctx context.Context, lang string, cmds []Command) error {
	return c.setCommands(ctx, "", lang, cmds)
}

// SetChatCommands gives one private chat a menu of its own (scope
// "chat"), in place of the default one: a person's menu fits their role.
func (c *Client) SetChatCommands(ctx context.Context, chatID int64, cmds []Command) error {
	return c.setCommands(ctx, chatScope(chatID), "", cmds)
}

// DeleteChatCommands takes a chat's own menu away: the default one shows
// again.
func (c *Client) DeleteChatCommands(ctx context.Context, chatID int64) error {
	_, err := c.Call(ctx, "deleteMyCommands", tgbotapi.Params{"scope": chatScope(chatID)})
	return err
}

func chatScope(chatID int64) string {
	return `{"type":"chat","chat_id":` + strconv.FormatInt(chatID, 10) + `}`
}

func (c *Client) setCommands(ctx context.Context, scope, lang string, cmds []Command) error {
	list := make([]tgbotapi.BotCommand, len(cmds))
	for i, cmd := range cmds {
		list[i] = tgbotapi.BotCommand{Command: cmd.Name, Description: cmd.Description}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("encode commands: %w", err)
	}
	p := tgbotapi.Params{"commands": string(b)}
	p.AddNonEmpty("scope", scope)
	p.AddNonEmpty("language_code", lang)
	_, err = c.Call(ctx, "setMyCommands", p)
	return err
}

func addMarkup(p tgbotapi.Params, kb Keyboard) error {
	if kb == nil {
		return nil
	}
	b, err := json.Marshal(kb)
	if err != nil {
		return fmt.Errorf("encode keyboard: %w", err)
	}
	p["reply_markup"] = string(b)
	return nil
}

// fit cuts the bot's own text to Telegram's 4096 UTF-16 units, so a long
// list or history is shortened instead of refused.
func fit(s string) string {
	if redaktor.UTF16Len(s) <= redaktor.TextLimit {
		return s
	}
	n := 0
	for i, r := range s {
		w := utf16.RuneLen(r)
		if n+w > redaktor.TextLimit-1 {
			return s[:i] + "…"
		}
		n += w
	}
	return s
}
