package redaktor

import (
	"encoding/json"
	"testing"
	"time"
)

// Posts stored before reasons had codes held a locale key of the desk for
// the scheduler's own reasons and Telegram's words for the rest.
func TestFailureReasonReadsWhatWasStored(t *testing.T) {
	tests := []struct {
		name   string
		stored string // the post's fail_reason as JSON
		want   FailureReason
	}{
		{"old no channel", `"fail_no_channel"`, FailureReason{Code: FailureNoChannel}},
		{"old channel not linked", `"fail_channel_not_linked"`, FailureReason{Code: FailureChannelNotLinked}},
		{"old archived", `"fail_archived"`, FailureReason{Code: FailureArchived}},
		{"old Telegram words", `"Forbidden: bot is not a member of the channel chat"`,
			FailureReason{Code: FailureOther, Detail: "Forbidden: bot is not a member of the channel chat"}},
		{"old unknown locale-like key", `"fail_something_new"`, FailureReason{Code: FailureOther, Detail: "fail_something_new"}},
		{"old empty", `""`, FailureReason{}},
		{"null", `null`, FailureReason{}},
		{"code", `{"code":"archived"}`, FailureReason{Code: FailureArchived}},
		{"code and detail", `{"code":"refused","detail":"Bad Request: chat not found"}`,
			FailureReason{Code: FailureRefused, Detail: "Bad Request: chat not found"}},
		{"detail without code", `{"detail":"x"}`, FailureReason{Code: FailureOther, Detail: "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got FailureReason
			if err := json.Unmarshal([]byte(tc.stored), &got); err != nil {
				t.Fatalf("unmarshal %s: %v", tc.stored, err)
			}
			if got != tc.want {
				t.Fatalf("read %s as %+v, want %+v", tc.stored, got, tc.want)
			}
		})
	}
}

func TestFailureReasonRoundTrip(t *testing.T) {
	for _, r := range []FailureReason{
		{},
		Failed(FailureNoChannel, ""),
		Failed(FailureChannelNotLinked, ""),
		Failed(FailureArchived, ""),
		Failed(FailureRefused, "Forbidden: bot was kicked"),
		Failed(FailureContent, "invalid: empty"),
		Failed(FailureTemporary, "Too Many Requests: retry after 5"),
		Failed(FailureOther, "fail_no_channel"), // a Telegram text that looks like an old key stays text
	} {
		p := Post{ID: "1", FailReason: r}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var got Post
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		if got.FailReason != r {
			t.Errorf("%+v stored as %s read back as %+v", r, b, got.FailReason)
		}
	}
}

func TestFailureReasonMalformed(t *testing.T) {
	var r FailureReason
	if err := json.Unmarshal([]byte(`{"code":5}`), &r); err == nil {
		t.Fatalf("read a numeric code as %+v", r)
	}
}

// A post saved by an earlier version, failed for want of a channel, reads
// with the code.
func TestOldFailedPostReads(t *testing.T) {
	stored := `{"id":"9","page_id":"1","status":"failed","fail_reason":"fail_no_channel","last":{"at":"2026-01-01T10:00:00Z","action":"fail","note":"fail_no_channel"}}`
	var p Post
	if err := json.Unmarshal([]byte(stored), &p); err != nil {
		t.Fatal(err)
	}
	if p.FailReason != (FailureReason{Code: FailureNoChannel}) {
		t.Fatalf("reason %+v, want no channel", p.FailReason)
	}
	if got := LegacyFailure(p.Last.Note); got.Code != FailureNoChannel {
		t.Fatalf("old event note read as %+v", got)
	}
}

func TestFailAndDeferKeepTheReason(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	p := Post{ID: "1", PageID: "1", Status: StatusPublishing, Rev: 4}
	deferred, _, err := Apply(p, Change{Action: ActDefer, Actor: System, At: now.Add(time.Minute),
		Failure: Failed(FailureTemporary, "Bad Gateway")}, now)
	if err != nil {
		t.Fatal(err)
	}
	if deferred.FailReason != Failed(FailureTemporary, "Bad Gateway") || deferred.Status != StatusScheduled {
		t.Fatalf("deferred: %s %+v", deferred.Status, deferred.FailReason)
	}
	failed, ev, err := Apply(p, Change{Action: ActFail, Actor: System, Failure: Failed(FailureArchived, "")}, now)
	if err != nil {
		t.Fatal(err)
	}
	if failed.Status != StatusFailed || failed.FailReason.Code != FailureArchived || ev.Failure.Code != FailureArchived {
		t.Fatalf("failed: %s %+v, event %+v", failed.Status, failed.FailReason, ev)
	}
	retried, _, err := Apply(failed, Change{Action: ActRetry, Actor: Actor{UserID: 1, Role: RoleChief}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !retried.FailReason.IsZero() {
		t.Fatalf("retry kept the reason %+v", retried.FailReason)
	}
}
