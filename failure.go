package redaktor

import (
	"encoding/json"
	"fmt"
)

// FailureCode says why a publication failed or was put off. The desk turns
// it into words in the reader's language; the domain holds no words.
type FailureCode string

// Failure codes. They are stored with the post: never change a value.
const (
	FailureNoChannel        FailureCode = "no_channel"         // the page has no channel
	FailureChannelNotLinked FailureCode = "channel_not_linked" // the page's channel is linked to another page
	FailureArchived         FailureCode = "archived"           // the page is archived
	FailureRefused          FailureCode = "refused"            // Telegram refused the post for good; Detail is its word
	FailureContent          FailureCode = "content"            // the content cannot be sent as it is; Detail says why
	FailureTemporary        FailureCode = "temporary"          // a temporary failure (Telegram, Redis); Detail says which
	// FailureOther is a reason stored before codes existed: Detail holds
	// the text as it was stored (mostly Telegram's words).
	FailureOther FailureCode = "other"
)

// FailureReason is why a publication failed: a code and, where Telegram or
// the sender said something, its words as they came (never personal data).
type FailureReason struct {
	Code   FailureCode `json:"code"`
	Detail string      `json:"detail,omitempty"`
}

// Failed is a failure with a code of its own.
func Failed(code FailureCode, detail string) FailureReason {
	return FailureReason{Code: code, Detail: detail}
}

// IsZero reports that there is no failure.
func (r FailureReason) IsZero() bool { return r == FailureReason{} }

// String is for logs.
func (r FailureReason) String() string {
	if r.Detail == "" {
		return string(r.Code)
	}
	return fmt.Sprintf("%s: %s", r.Code, r.Detail)
}

// LegacyFailure reads a reason stored before codes existed: the desk's
// locale keys of the scheduler's own reasons; any other text was
// Telegram's (or an error's) words.
func LegacyFailure(s string) FailureReason {
	switch s {
	case "":
		return FailureReason{}
	case "fail_no_channel":
		return FailureReason{Code: FailureNoChannel}
	case "fail_channel_not_linked":
		return FailureReason{Code: FailureChannelNotLinked}
	case "fail_archived":
		return FailureReason{Code: FailureArchived}
	}
	return FailureReason{Code: FailureOther, Detail: s}
}

// UnmarshalJSON reads a reason as stored now ({"code":…}) or before codes
// existed (a plain string), so posts saved by earlier versions read the same.
func (r *FailureReason) UnmarshalJSON(b []byte) error {
	var old string
	if err := json.Unmarshal(b, &old); err == nil {
		*r = LegacyFailure(old)
		return nil
	}
	type plain FailureReason // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("failure reason: %w", err)
	}
	*r = FailureReason(p)
	if r.Code == "" && r.Detail != "" {
		r.Code = FailureOther
	}
	return nil
}
