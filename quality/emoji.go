package quality

import "unicode/utf8"

// emojiSpans returns each emoji as the reader sees it: one span per
// pictograph together with its variation selector, skin tone, keycap and
// zero-width-joiner sequence, and one span per flag (a pair of regional
// indicators). So 👨‍👩‍👧 or 👍🏽 count as one emoji, not three or two.
func emojiSpans(text string) []span {
	var out []span
	for i := 0; i < len(text); {
		// Fast path: ordinary ASCII and two-byte letters (Cyrillic, Latin-1
		// except © and ®) cannot start an emoji.
		switch b := text[i]; {
		case b < utf8.RuneSelf && b != '#' && b != '*' && (b < '0' || b > '9'):
			i++
			continue
		case b >= 0xC3 && b <= 0xDF:
			i += 2
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		end := -1
		switch {
		case isRegionalIndicator(r):
			end = i + n
			if q, m := utf8.DecodeRuneInString(text[end:]); isRegionalIndicator(q) {
				end += m
			}
		case r == '#' || r == '*' || ('0' <= r && r <= '9'):
			// Keycap: 1️⃣ is a digit, an optional FE0F and U+20E3.
			j := i + n
			if q, m := utf8.DecodeRuneInString(text[j:]); q == 0xFE0F {
				j += m
			}
			if q, m := utf8.DecodeRuneInString(text[j:]); q == 0x20E3 {
				end = j + m
			}
		case isPictograph(r) || (r >= 0xA9 && !isWordRune(r) && followedByFE0F(text, i+n)):
			end = extendEmoji(text, i+n)
		}
		if end < 0 {
			i += n
			continue
		}
		out = append(out, span{i, end})
		i = end
	}
	return out
}

// extendEmoji consumes modifiers and joined parts after an emoji base.
func extendEmoji(text string, j int) int {
	for j < len(text) {
		q, m := utf8.DecodeRuneInString(text[j:])
		switch {
		case q == 0xFE0F || q == 0xFE0E || q == 0x20E3 || isSkinTone(q) || (0xE0020 <= q && q <= 0xE007F):
			j += m
		case q == 0x200D:
			j += m
			if j < len(text) {
				_, k := utf8.DecodeRuneInString(text[j:])
				j += k
			}
		default:
			return j
		}
	}
	return j
}

func followedByFE0F(text string, j int) bool {
	q, _ := utf8.DecodeRuneInString(text[j:])
	return q == 0xFE0F
}

func isRegionalIndicator(r rune) bool { return 0x1F1E6 <= r && r <= 0x1F1FF }

func isSkinTone(r rune) bool { return 0x1F3FB <= r && r <= 0x1F3FF }

// isPictograph reports code points that show as emoji on their own. Symbols
// that are plain text by default (©, →, ▶) count only with U+FE0F after them.
func isPictograph(r rune) bool {
	switch {
	case 0x1F000 <= r && r <= 0x1FAFF:
		return true
	case 0x2600 <= r && r <= 0x27BF:
		return true
	case r == 0x231A, r == 0x231B, r == 0x2328, r == 0x23CF,
		0x23E9 <= r && r <= 0x23F3, 0x23F8 <= r && r <= 0x23FA:
		return true
	case 0x2B05 <= r && r <= 0x2B07, r == 0x2B1B, r == 0x2B1C, r == 0x2B50, r == 0x2B55:
		return true
	case r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299:
		return true
	}
	return false
}
