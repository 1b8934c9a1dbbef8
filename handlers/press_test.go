package handlers

import (
	"testing"
	"unicode/utf8"
)

func TestParsePress(t *testing.T) {
	tests := []struct {
		data string
		ok   bool
		want press
	}{
		{"ap:42:7", true, press{act: "ap", postID: "42", rev: 7}},
		{"ap:42:7:3", true, press{act: "ap", postID: "42", rev: 7, pageID: "3"}},
		{"hi:42:7:3", true, press{act: "hi", postID: "42", rev: 7, pageID: "3"}},
		{"ap:42:7:x", false, press{}},
		{"ap:42:7:", false, press{}},
		{"ap:42:7:3:1", false, press{}},
		{"op:42", true, press{act: "op", postID: "42"}},
		{"iv:moderator:3", true, press{act: "iv", arg: "moderator", pageID: "3"}},
		{"tm:x:3:12345", true, press{act: "tm", arg: "x", pageID: "3", userID: 12345}},
		{"pg:3", true, press{act: "pg", pageID: "3"}},
		{"ap:42", false, press{}},
		{"ap:42:0", false, press{}},
		{"ap:4x:1", false, press{}},
		{"ap:../../:1", false, press{}},
		{"zz:1:1", false, press{}},
		{"iv:admin:3", false, press{}},
		{"tm:cm:3:1", false, press{}},
		{"tm:x:3:-1", false, press{}},
		{"", false, press{}},
		{"al:20", true, press{act: "al", arg: "20"}},
		{"al:-10", false, press{}},
		{"ao:3", true, press{act: "ao", pageID: "3"}},
		{"ax:3:1", false, press{}},
		{"ay:x", false, press{}},
		{"ad:3", true, press{act: "ad", pageID: "3"}},
		{"ac:3", true, press{act: "ac", pageID: "3"}},
		{"na:0", true, press{act: "na", arg: "0"}},
		{"vr:3:AbCdEfGh_-123456", true, press{act: "vr", pageID: "3", arg: "AbCdEfGh_-123456"}},
		{"vr:3:short", false, press{}},
		{"vr:3:AbCdEfGh:-123456", false, press{}},
		{"vr:x:AbCdEfGh_-123456", false, press{}},
	}
	for _, tc := range tests {
		got, err := parsePress(tc.data)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parsePress(%q) = %+v, %v; want %+v ok=%v", tc.data, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParsePress(f *testing.F) {
	for _, s := range []string{"ap:42:7", "ap:42:7:3", "hi:1:2:3:4", "tm:x:3:12", "iv:chief:1", "op:1", "pg:9", "::", "ap:1:99999999999999999999",
		"al:10", "ao:1", "ay:1", "ac:1", "na:0", "vr:1:AbCdEfGh_-123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		pr, err := parsePress(data)
		if err != nil {
			return
		}
		if len(data) > 64 || !utf8.ValidString(pr.postID+pr.pageID) {
			t.Fatalf("accepted %q", data)
		}
		if (adminButtons[pr.act] || pr.act == btnRevoke || pr.act == btnAudit || pr.act == btnAuditCSV) &&
			pr.act != btnAdminList && pr.act != btnNewPageAnyway && !numeric(pr.pageID) {
			t.Fatalf("accepted a page button without its page: %q -> %+v", data, pr)
		}
		if postButtons[pr.act] && (pr.rev < 1 || !numeric(pr.postID)) {
			t.Fatalf("accepted post button without post and revision: %q -> %+v", data, pr)
		}
	})
}
