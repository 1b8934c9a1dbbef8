package bottest

import (
	"testing"
)

func TestFormatted(t *testing.T) {
	tests := []struct {
		name, text, mode, entities string
		plain                      string
		types                      []string
		lens                       []int
		err                        string
	}{
		{name: "html", text: `<b>A</b> &amp; <a href="https://x.org">link</a> 😀<i>i</i>`, mode: "HTML",
			plain: "A & link 😀i", types: []string{"bold", "text_link", "italic"}, lens: []int{1, 4, 1}},
		{name: "html unknown tag", text: "<blink>x</blink>", mode: "HTML",
			err: `Bad Request: can't parse entities: Unsupported start tag "blink" at byte offset 0`},
		{name: "html mismatched", text: "<b><i>x</b></i>", mode: "HTML",
			err: `Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{name: "markdownv2", text: `*bold* _it_ __u__ ~s~ ||sp|| ` + "`c.d`" + ` [t](https://x.org) 1\.0`, mode: "MarkdownV2",
			plain: "bold it u s sp c.d t 1.0", types: []string{"bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link"}},
		{name: "markdownv2 unclosed", text: "*bold", mode: "MarkdownV2",
			err: "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0"},
		{name: "markdown legacy", text: "*b* _i_ done.", mode: "Markdown", plain: "b i done.", types: []string{"bold", "italic"}},
		{name: "markdown legacy unclosed", text: "a _b", mode: "Markdown",
			err: "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 2"},
		{name: "explicit entities", text: "hello", entities: `[{"type":"bold","offset":0,"length":5}]`, plain: "hello", types: []string{"bold"}},
		{name: "bad entities json", text: "hello", entities: `{`, err: "Bad Request: can't parse entities JSON object"},
		{name: "detected", text: "/start @someone #tag https://a.org/x.", plain: "/start @someone #tag https://a.org/x.",
			types: []string{"bot_command", "mention", "hashtag", "url"}, lens: []int{6, 8, 4, 15}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plain, es, err := formatted(tc.text, tc.mode, tc.entities)
			if tc.err != "" {
				if err == nil || err.Description != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if plain != tc.plain {
				t.Fatalf("plain = %q, want %q", plain, tc.plain)
			}
			if len(es) != len(tc.types) {
				t.Fatalf("entities = %+v", es)
			}
			for i, e := range es {
				if e.Type != tc.types[i] || (tc.lens != nil && e.Length != tc.lens[i]) {
					t.Fatalf("entity %d = %+v", i, e)
				}
			}
		})
	}
}

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "äöü": 3, "😀": 2, "a😀b": 4} {
		if got := utf16Len(s); got != want {
			t.Errorf("utf16Len(%q) = %d, want %d", s, got, want)
		}
	}
}
