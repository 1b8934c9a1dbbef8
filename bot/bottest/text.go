package bottest

import (
	"encoding/json"
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Telegram's length limits, counted in UTF-16 code units after entity
// parsing, which is why an emoji counts twice.
const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
	maxCallback   = 64 // bytes
)

// utf16Len is the length Telegram measures text and entity offsets in.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1) // -1 only for surrogates, which UTF-8 cannot carry
	}
	return n
}

// formatted parses text the way Telegram does before storing it: markup
// according to parseMode, or explicit entities (JSON) when parseMode is
// empty. It returns the plain text and its entities, including the ones
// Telegram detects by itself (commands, mentions, hashtags, links).
func formatted(text, parseMode, entitiesJSON string) (string, []tgbotapi.MessageEntity, *APIError) {
	var (
		plain    = text
		entities []tgbotapi.MessageEntity
		err      *APIError
	)
	switch strings.ToLower(parseMode) {
	case "":
		if entitiesJSON != "" {
			if json.Unmarshal([]byte(entitiesJSON), &entities) != nil {
				return "", nil, errEntitiesJSON
			}
		}
	case "html":
		plain, entities, err = parseHTML(text)
	case "markdownv2":
		plain, entities, err = parseMarkdown(text, true)
	case "markdown":
		plain, entities, err = parseMarkdown(text, false)
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", nil, err
	}
	return plain, withDetected(plain, entities), nil
}

func cantParse(format string, args ...any) *APIError {
	return badRequest("can't parse entities: "+format, args...)
}

var htmlTags = map[string]string{
	"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "code": "code", "pre": "pre",
	"a": "text_link", "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote",
}

// parseHTML implements the subset of Telegram's HTML style bots use, with
// Telegram's error messages for unknown and unbalanced tags.
func parseHTML(src string) (string, []tgbotapi.MessageEntity, *APIError) {
	type open struct {
		tag    string
		entity tgbotapi.MessageEntity
	}
	var (
		out      strings.Builder
		stack    []open
		entities []tgbotapi.MessageEntity
		pos      int // UTF-16 length of out
	)
	for i := 0; i < len(src); {
		switch src[i] {
		case '<':
			end := strings.IndexByte(src[i:], '>')
			if end < 0 {
				return "", nil, cantParse("Unclosed start tag at byte offset %d", i)
			}
			body := src[i+1 : i+end]
			if closing, ok := strings.CutPrefix(body, "/"); ok {
				name := strings.ToLower(strings.TrimSpace(closing))
				if len(stack) == 0 {
					return "", nil, cantParse("Unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top.tag {
					return "", nil, cantParse(`Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"`, i, top.tag, name)
				}
				stack = stack[:len(stack)-1]
				top.entity.Length = pos - top.entity.Offset
				if top.entity.Length > 0 {
					entities = append(entities, top.entity)
				}
			} else {
				name, attrs, _ := strings.Cut(body, " ")
				name = strings.ToLower(name)
				typ, known := htmlTags[name]
				if !known || (name == "span" && !strings.Contains(attrs, "tg-spoiler")) {
					return "", nil, cantParse(`Unsupported start tag "%s" at byte offset %d`, name, i)
				}
				e := tgbotapi.MessageEntity{Type: typ, Offset: pos}
				if name == "a" {
					e.URL = html.UnescapeString(attrValue(attrs, "href"))
				}
				stack = append(stack, open{tag: name, entity: e})
			}
			i += end + 1
		case '&':
			end := strings.IndexByte(src[i:], ';')
			if end < 0 || end > 10 {
				out.WriteByte('&')
				pos++
				i++
				continue
			}
			decoded := html.UnescapeString(src[i : i+end+1])
			out.WriteString(decoded)
			pos += utf16Len(decoded)
			i += end + 1
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			out.WriteRune(r)
			pos += utf16.RuneLen(r)
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, cantParse(`Can't find end tag corresponding to start tag "%s"`, stack[len(stack)-1].tag)
	}
	sortEntities(entities)
	return out.String(), entities, nil
}

func attrValue(attrs, name string) string {
	_, after, ok := strings.Cut(attrs, name+"=")
	if !ok || after == "" {
		return ""
	}
	quote := after[0]
	if quote != '"' && quote != '\'' {
		v, _, _ := strings.Cut(after, " ")
		return v
	}
	v, _, _ := strings.Cut(after[1:], string(quote))
	return v
}

// markdownV2Reserved must be escaped outside entities in MarkdownV2.
const markdownV2Reserved = "_*[]()~`>#+-=|{}.!"

// parseMarkdown implements Markdown (legacy) and MarkdownV2 closely enough
// to produce Telegram's entities and its errors for unescaped or unclosed
// markup.
func parseMarkdown(src string, v2 bool) (string, []tgbotapi.MessageEntity, *APIError) {
	type open struct {
		marker string
		entity tgbotapi.MessageEntity
		at     int // byte offset, for the error message
	}
	markers := map[string]string{"*": "bold", "_": "italic", "`": "code", "```": "pre"}
	names := map[string]string{"bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough", "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl"}
	if v2 {
		markers["__"] = "underline"
		markers["~"] = "strikethrough"
		markers["||"] = "spoiler"
	}
	var (
		out      strings.Builder
		stack    []open
		entities []tgbotapi.MessageEntity
		pos      int
	)
	inCode := func() bool {
		return len(stack) > 0 && (stack[len(stack)-1].marker == "`" || stack[len(stack)-1].marker == "```")
	}
	for i := 0; i < len(src); {
		c := src[i]
		if c == '\\' && i+1 < len(src) && (v2 || strings.IndexByte("_*`[", src[i+1]) >= 0) {
			r, size := utf8.DecodeRuneInString(src[i+1:])
			out.WriteRune(r)
			pos += utf16.RuneLen(r)
			i += 1 + size
			continue
		}
		marker := ""
		for _, m := range []string{"```", "__", "||", "*", "_", "~", "`"} {
			if _, ok := markers[m]; ok && strings.HasPrefix(src[i:], m) {
				marker = m
				break
			}
		}
		if marker != "" && (!inCode() || marker == stack[len(stack)-1].marker) {
			if n := len(stack); n > 0 && stack[n-1].marker == marker {
				top := stack[n-1]
				stack = stack[:n-1]
				top.entity.Length = pos - top.entity.Offset
				if top.entity.Length > 0 {
					entities = append(entities, top.entity)
				}
			} else {
				stack = append(stack, open{marker: marker, entity: tgbotapi.MessageEntity{Type: markers[marker], Offset: pos}, at: i})
			}
			i += len(marker)
			continue
		}
		if c == '[' && !inCode() {
			closeText := strings.Index(src[i:], "](")
			closeURL := -1
			if closeText > 0 {
				closeURL = strings.IndexByte(src[i+closeText:], ')')
			}
			if closeText < 0 || closeURL < 0 {
				if v2 {
					return "", nil, cantParse("Character '[' is reserved and must be escaped with the preceding '\\'")
				}
				return "", nil, cantParse("Can't find end of the entity starting at byte offset %d", i)
			}
			inner, innerEntities, err := parseMarkdown(src[i+1:i+closeText], v2)
			if err != nil {
				return "", nil, err
			}
			for _, e := range innerEntities {
				e.Offset += pos
				entities = append(entities, e)
			}
			url := src[i+closeText+2 : i+closeText+closeURL]
			n := utf16Len(inner)
			if n > 0 {
				entities = append(entities, tgbotapi.MessageEntity{Type: "text_link", Offset: pos, Length: n, URL: url})
			}
			out.WriteString(inner)
			pos += n
			i += closeText + closeURL + 1
			continue
		}
		if v2 && !inCode() && strings.IndexByte(markdownV2Reserved, c) >= 0 {
			return "", nil, cantParse("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		out.WriteRune(r)
		pos += utf16.RuneLen(r)
		i += size
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		if v2 {
			return "", nil, cantParse("Can't find end of %s entity at byte offset %d", names[top.entity.Type], top.at)
		}
		return "", nil, cantParse("Can't find end of the entity starting at byte offset %d", top.at)
	}
	sortEntities(entities)
	return out.String(), entities, nil
}

func sortEntities(es []tgbotapi.MessageEntity) {
	sort.SliceStable(es, func(i, j int) bool { return es[i].Offset < es[j].Offset })
}

// withDetected adds the entities Telegram recognises in plain text:
// /commands, @mentions, #hashtags and http(s) links, skipping spans that an
// explicit entity already covers.
func withDetected(text string, explicit []tgbotapi.MessageEntity) []tgbotapi.MessageEntity {
	out := append([]tgbotapi.MessageEntity(nil), explicit...)
	covered := func(off, n int) bool {
		for _, e := range explicit {
			if off < e.Offset+e.Length && e.Offset < off+n {
				return true
			}
		}
		return false
	}
	pos := 0
	for i := 0; i < len(text); {
		start := i == 0 || isSpaceBefore(text, i)
		if start {
			if typ, word := detectWord(text[i:]); typ != "" {
				n := utf16Len(word)
				if !covered(pos, n) {
					out = append(out, tgbotapi.MessageEntity{Type: typ, Offset: pos, Length: n})
				}
				i += len(word)
				pos += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		pos += utf16.RuneLen(r)
		i += size
	}
	sortEntities(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

func isSpaceBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsSpace(r) || strings.ContainsRune("([{,;", r)
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// detectWord returns the entity type and the text of an auto-detected
// entity at the start of s, or "" when there is none.
func detectWord(s string) (string, string) {
	word := func(prefixLen int, extra string) string {
		end := prefixLen
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if !isWordRune(r) && !strings.ContainsRune(extra, r) {
				break
			}
			end += size
		}
		return s[:end]
	}
	switch {
	case strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://"):
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		return "url", strings.TrimRight(s[:end], ".,;:!?)")
	case strings.HasPrefix(s, "/"):
		if w := word(1, "@"); len(w) > 1 && len(w) <= 65 {
			return "bot_command", w
		}
	case strings.HasPrefix(s, "@"):
		if w := word(1, ""); len(w) >= 6 { // usernames have at least 5 characters
			return "mention", w
		}
	case strings.HasPrefix(s, "#"):
		if w := word(1, ""); len(w) > 1 {
			return "hashtag", w
		}
	}
	return "", ""
}

// markup is a parsed reply_markup parameter.
type markup struct {
	raw      string
	isInline bool
	inline   *tgbotapi.InlineKeyboardMarkup // nil for other keyboards, which messages do not echo, and for an empty one
}

// parseMarkup validates reply_markup as Telegram does for inline keyboards:
// every button needs exactly one action, callback_data is 1-64 bytes.
func parseMarkup(raw string) (markup, *APIError) {
	if raw == "" || raw == "null" {
		return markup{}, nil
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &probe) != nil {
		return markup{}, errMarkupJSON
	}
	if _, ok := probe["inline_keyboard"]; !ok {
		return markup{raw: raw}, nil // reply keyboard, remove_keyboard or force_reply
	}
	var kb tgbotapi.InlineKeyboardMarkup
	if json.Unmarshal([]byte(raw), &kb) != nil {
		return markup{}, errMarkupJSON
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if err := checkButton(b); err != nil {
				return markup{}, err
			}
		}
	}
	if len(kb.InlineKeyboard) == 0 {
		return markup{raw: raw, isInline: true}, nil // an empty inline keyboard removes the keyboard
	}
	return markup{raw: raw, isInline: true, inline: &kb}, nil
}

func checkButton(b tgbotapi.InlineKeyboardButton) *APIError {
	actions := 0
	for _, set := range []bool{b.URL != nil, b.LoginURL != nil, b.CallbackData != nil, b.SwitchInlineQuery != nil,
		b.SwitchInlineQueryCurrentChat != nil, b.CallbackGame != nil, b.Pay} {
		if set {
			actions++
		}
	}
	switch {
	case actions == 0:
		return errTextButtons
	case b.CallbackData != nil && (len(*b.CallbackData) == 0 || len(*b.CallbackData) > maxCallback):
		return errButtonData
	case b.URL != nil && !validButtonURL(*b.URL):
		return badRequest("inline keyboard button URL '%s' is invalid: Unsupported URL protocol", *b.URL)
	case b.Text == "":
		return badRequest("text buttons are unallowed in the inline keyboard")
	}
	return nil
}

func validButtonURL(u string) bool {
	for _, scheme := range []string{"http://", "https://", "tg://"} {
		if strings.HasPrefix(strings.ToLower(u), scheme) && len(u) > len(scheme) {
			return true
		}
	}
	return false
}

// sameKeyboard decides "message is not modified" for the keyboard part.
func sameKeyboard(a, b *tgbotapi.InlineKeyboardMarkup) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func sameEntities(a, b []tgbotapi.MessageEntity) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
