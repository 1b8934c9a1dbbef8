package quality

import (
	"strings"
	"unicode/utf8"
)

// findURLs finds links written out in the text: anything with a scheme,
// anything starting with "www.", and host/path forms such as vk.com/school5
// or школа.рф/новости. Trailing punctuation belongs to the sentence.
func findURLs(text string) []span {
	var out []span
	start := -1 // start of the current space-free chunk
	for i := 0; i < len(text); {
		// Only the bytes C2 (U+0085, U+00A0) and E1…E3 (U+1680…U+3000)
		// begin a space beyond ASCII, so only they need decoding. Any
		// other byte of a longer character is no space: stepping over
		// such characters byte by byte finds the same chunks without
		// decoding every Cyrillic letter.
		space, n := false, 1
		switch b := text[i]; {
		case b < utf8.RuneSelf:
			space = b == ' ' || b-'\t' < 5 // isSpace for ASCII, inline
		case b == 0xC2 || (0xE1 <= b && b <= 0xE3):
			var r rune
			r, n = decode(text, i)
			space = isSpace(r)
		}
		i += n
		if !space {
			if start < 0 {
				start = i - n
			}
			continue
		}
		if start >= 0 {
			if s, ok := urlIn(text, start, i-n); ok {
				out = append(out, s)
			}
			start = -1
		}
	}
	if start >= 0 {
		if s, ok := urlIn(text, start, len(text)); ok {
			out = append(out, s)
		}
	}
	return out
}

// urlIn looks for a link inside the space-free chunk text[i:j].
func urlIn(text string, i, j int) (span, bool) {
	chunk := text[i:j]
	// Two byte searches, not ContainsAny: it decodes a short chunk rune by
	// rune, and every word of the post is a chunk.
	if strings.IndexByte(chunk, '/') < 0 && strings.IndexByte(chunk, '.') < 0 {
		return span{}, false // neither a scheme, nor www., nor host/path
	}
	start := -1
	if k := indexFold(chunk, "http"); k >= 0 {
		rest := chunk[k+4:]
		if strings.HasPrefix(rest, "://") || hasPrefixFold(rest, "s://") {
			start = i + k
		}
	}
	if start < 0 {
		// Skip opening punctuation: («https://…», (www.…).
		k := 0
		for k < len(chunk) {
			r, n := utf8.DecodeRuneInString(chunk[k:])
			if isWordRune(r) {
				break
			}
			k += n
		}
		rest := chunk[k:]
		if hasPrefixFold(rest, "www.") || looksLikeHostPath(rest) {
			start = i + k
		}
	}
	if start < 0 {
		return span{}, false
	}
	end := j
	for end > start {
		r, n := utf8.DecodeLastRuneInString(text[start:end])
		if !strings.ContainsRune(".,;:!?)]}»\"'…“”", r) {
			break
		}
		end -= n
	}
	if end-start < 5 {
		return span{}, false
	}
	return span{start, end}, true
}

// looksLikeHostPath matches "host.tld/…" where the host has only letters,
// digits, dots and hyphens and the top-level domain is at least two letters.
func looksLikeHostPath(s string) bool {
	slash := strings.IndexByte(s, '/')
	if slash <= 0 || slash == len(s)-1 {
		return false
	}
	host := s[:slash]
	dot := strings.LastIndexByte(host, '.')
	if dot <= 0 {
		return false
	}
	tld := host[dot+1:]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !isLetter(r) {
			return false
		}
	}
	for _, r := range host {
		if !isWordRune(r) && r != '.' && r != '-' {
			return false
		}
	}
	return true
}

// indexFold finds an ASCII lower-case sub in s, ignoring ASCII case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i]|0x20 == sub[0] && hasPrefixFold(s[i:], sub) {
			return i
		}
	}
	return -1
}

// hasPrefixFold reports whether s starts with the ASCII lower-case prefix,
// ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}
