package redaktor

import (
	"errors"
	"testing"
	"time"
)

func TestApplyWhoMayDoWhat(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mod := Actor{UserID: 1, Name: "mod", Role: RoleModerator}
	otherMod := Actor{UserID: 2, Name: "other", Role: RoleModerator}
	chief := Actor{UserID: 3, Name: "chief", Role: RoleChief}
	stranger := Actor{UserID: 4, Name: "stranger"}
	post := func(st Status, author int64) Post {
		return Post{ID: "7", AuthorID: author, Status: st, Version: 1, Rev: 5, Content: Content{Text: "x"}}
	}
	newContent := &Content{Text: "исправлено"}
	tests := []struct {
		name   string
		p      Post
		c      Change
		want   error
		status Status
	}{
		{"author submits draft", post(StatusDraft, 1), Change{Action: ActSubmit, Actor: mod}, nil, StatusPending},
		{"other moderator cannot submit", post(StatusDraft, 1), Change{Action: ActSubmit, Actor: otherMod}, ErrForbidden, ""},
		{"stranger cannot submit own-id draft", post(StatusDraft, 4), Change{Action: ActSubmit, Actor: stranger}, ErrForbidden, ""},
		{"moderator cannot approve", post(StatusPending, 2), Change{Action: ActApprove, Actor: mod, At: now}, ErrForbidden, ""},
		{"moderator cannot approve own", post(StatusPending, 1), Change{Action: ActApprove, Actor: mod, At: now}, ErrForbidden, ""},
		{"chief approves pending", post(StatusPending, 1), Change{Action: ActApprove, Actor: chief, At: now.Add(time.Hour)}, nil, StatusScheduled},
		{"chief approves own draft directly", post(StatusDraft, 3), Change{Action: ActApprove, Actor: chief, At: now.Add(time.Hour)}, nil, StatusScheduled},
		{"chief cannot skip review of another's draft", post(StatusDraft, 1), Change{Action: ActApprove, Actor: chief, At: now}, ErrForbidden, ""},
		{"approve twice is a conflict", post(StatusScheduled, 1), Change{Action: ActApprove, Actor: chief, At: now}, ErrConflict, ""},
		{"chief requests changes", post(StatusPending, 1), Change{Action: ActRequestChanges, Actor: chief, Comment: "фото"}, nil, StatusChangesRequested},
		{"chief rejects", post(StatusPending, 1), Change{Action: ActReject, Actor: chief, Comment: "нет"}, nil, StatusRejected},
		{"author sends new version", post(StatusChangesRequested, 1), Change{Action: ActNewVersion, Actor: mod, Content: newContent}, nil, StatusPending},
		{"a rejection is final: no new version", post(StatusRejected, 1), Change{Action: ActNewVersion, Actor: mod, Content: newContent}, ErrConflict, ""},
		{"a rejection is final: no proposed time", post(StatusRejected, 1), Change{Action: ActPropose, Actor: mod, At: now.Add(time.Hour)}, ErrConflict, ""},
		{"the author deletes a rejected post", post(StatusRejected, 1), Change{Action: ActDelete, Actor: mod}, nil, StatusCancelled},
		{"author withdraws a pending post", post(StatusPending, 1), Change{Action: ActWithdraw, Actor: mod}, nil, StatusDraft},
		{"another moderator cannot withdraw it", post(StatusPending, 1), Change{Action: ActWithdraw, Actor: otherMod}, ErrForbidden, ""},
		{"a chief editor cannot withdraw another's post", post(StatusPending, 1), Change{Action: ActWithdraw, Actor: chief}, ErrForbidden, ""},
		{"nothing to withdraw once approved", post(StatusScheduled, 1), Change{Action: ActWithdraw, Actor: mod}, ErrConflict, ""},
		{"a withdrawn post is not approved", post(StatusDraft, 1), Change{Action: ActPublishNow, Actor: chief}, ErrForbidden, ""},
		{"new version of a pending post is a conflict", post(StatusPending, 1), Change{Action: ActNewVersion, Actor: mod, Content: newContent}, ErrConflict, ""},
		{"moderator cannot cancel a scheduled post", post(StatusScheduled, 1), Change{Action: ActCancel, Actor: mod}, ErrForbidden, ""},
		{"chief cancels scheduled", post(StatusScheduled, 1), Change{Action: ActCancel, Actor: chief}, nil, StatusCancelled},
		{"nobody cancels while publishing", post(StatusPublishing, 1), Change{Action: ActCancel, Actor: chief}, ErrConflict, ""},
		{"a person cannot act as the scheduler", post(StatusScheduled, 1), Change{Action: ActClaim, Actor: chief}, ErrForbidden, ""},
		{"scheduler claims", post(StatusScheduled, 1), Change{Action: ActClaim, Actor: System}, nil, StatusPublishing},
		{"scheduler publishes", post(StatusPublishing, 1), Change{Action: ActPublished, Actor: System, MessageIDs: []int{9}}, nil, StatusPublished},
		{"chief retries a failure", post(StatusFailed, 1), Change{Action: ActRetry, Actor: chief}, nil, StatusScheduled},
		{"author deletes a draft", post(StatusDraft, 1), Change{Action: ActDelete, Actor: mod}, nil, StatusCancelled},
		{"unknown action", post(StatusDraft, 1), Change{Action: "fly", Actor: mod}, ErrInvalid, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ev, err := Apply(tc.p, tc.c, now)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if tc.want != nil {
				if got.Rev != tc.p.Rev || got.Status != tc.p.Status {
					t.Fatalf("a refused change altered the post: %+v", got)
				}
				return
			}
			if got.Status != tc.status || got.Rev != tc.p.Rev+1 {
				t.Fatalf("status %s rev %d, want %s rev %d", got.Status, got.Rev, tc.status, tc.p.Rev+1)
			}
			if ev.Action != tc.c.Action || ev.ActorID != tc.c.Actor.UserID || got.Last != ev {
				t.Fatalf("event %+v does not record the change", ev)
			}
		})
	}
}

func TestNewVersionKeepsHistoryAndCountsUp(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mod := Actor{UserID: 1, Role: RoleModerator}
	p := Post{ID: "1", AuthorID: 1, Status: StatusChangesRequested, Version: 2, Rev: 9, Comment: "добавьте фото"}
	got, ev, err := Apply(p, Change{Action: ActNewVersion, Actor: mod, Content: &Content{Text: "v3"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 3 || ev.Version != 3 || got.Content.Text != "v3" {
		t.Fatalf("version %d event %d text %q, want 3 3 v3", got.Version, ev.Version, got.Content.Text)
	}
	if _, _, err := Apply(p, Change{Action: ActNewVersion, Actor: mod, Content: &Content{}}, now); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty new version: %v, want ErrInvalid", err)
	}
}

func TestContentLimits(t *testing.T) {
	long := func(n int) string {
		b := make([]rune, n)
		for i := range b {
			b[i] = 'я'
		}
		return string(b)
	}
	photo := []Media{{Kind: MediaPhoto, FileID: "f"}}
	tests := []struct {
		name     string
		c        Content
		invalid  bool
		separate bool
	}{
		{"empty", Content{}, true, false},
		{"text at the limit", Content{Text: long(TextLimit)}, false, false},
		{"text over the limit", Content{Text: long(TextLimit + 1)}, true, false},
		{"caption at the limit", Content{Text: long(CaptionLimit), Media: photo}, false, false},
		{"caption over the limit goes after the media", Content{Text: long(CaptionLimit + 1), Media: photo}, false, true},
		{"emoji count twice as Telegram counts them", Content{Text: long(CaptionLimit-1) + "😀", Media: photo}, false, true},
		{"album of 11", Content{Media: make([]Media, 11)}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.c.Validate(); (err != nil) != tc.invalid {
				t.Fatalf("Validate = %v, invalid want %v", err, tc.invalid)
			}
			if tc.c.CaptionSeparate() != tc.separate {
				t.Fatalf("CaptionSeparate = %v, want %v", tc.c.CaptionSeparate(), tc.separate)
			}
		})
	}
}

// Proposing a time submits the draft: one step keeps the time and asks
// for approval, and a withdrawal brings it back as a draft without the
// time, so that nobody is reminded of it.
func TestSubmitWithAProposedTimeAndWithdraw(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mod := Actor{UserID: 1, Role: RoleModerator}
	at := now.Add(24 * time.Hour)
	p := Post{ID: "1", AuthorID: 1, Status: StatusDraft, Version: 1, Rev: 1}
	got, ev, err := Apply(p, Change{Action: ActSubmit, Actor: mod, At: at}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusPending || !got.ProposedAt.Equal(at) || !ev.When.Equal(at) {
		t.Fatalf("status %s, proposed %v, event time %v; want pending at %v", got.Status, got.ProposedAt, ev.When, at)
	}
	got.Reminded = true
	back, ev, err := Apply(got, Change{Action: ActWithdraw, Actor: mod}, now)
	if err != nil {
		t.Fatal(err)
	}
	if back.Status != StatusDraft || back.Reminded || ev.Action != ActWithdraw || !back.ProposedAt.IsZero() {
		t.Fatalf("withdrawn: %+v, event %+v; want a draft without a proposed time", back, ev)
	}
}

// A draft's new version keeps it a draft: sending it for approval stays
// the author's own step.
func TestNewVersionOfADraftStaysADraft(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mod := Actor{UserID: 1, Role: RoleModerator}
	p, err := NewPost("1", "1", mod, Content{Text: "Субботник в пятницу"}, now)
	if err != nil {
		t.Fatal(err)
	}
	got, ev, err := Apply(p, Change{Action: ActNewVersion, Actor: mod, Content: &Content{Text: "Субботник в субботу"}}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusDraft || got.Version != 2 || got.Content.Text != "Субботник в субботу" || ev.Version != 2 {
		t.Fatalf("after a new version: %+v, event %+v; want version 2, a draft", got, ev)
	}
	other := Actor{UserID: 2, Role: RoleModerator}
	if _, _, err := Apply(got, Change{Action: ActNewVersion, Actor: other, Content: &Content{Text: "чужое"}}, now); err == nil {
		t.Fatal("another moderator sent a new version of someone's draft")
	}
}

// A reminder tells people about a post and changes nothing they act on:
// a button or a typed answer from before it stays current; any other
// change since makes it stale.
func TestAReminderLeavesButtonsCurrent(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mod := Actor{UserID: 1, Role: RoleModerator}
	p, err := NewPost("1", "1", mod, Content{Text: "Субботник в пятницу"}, now)
	if err != nil {
		t.Fatal(err)
	}
	step := func(p Post, c Change) Post {
		t.Helper()
		next, _, err := Apply(p, c, now)
		if err != nil {
			t.Fatal(err)
		}
		return next
	}
	submitted := step(p, Change{Action: ActSubmit, Actor: mod, At: now.Add(time.Hour)})
	reminded := step(submitted, Change{Action: ActRemind, Actor: System})
	if reminded.Rev != submitted.Rev+1 {
		t.Fatalf("a reminder did not move the revision (%d → %d): the compare-and-set would not see it", submitted.Rev, reminded.Rev)
	}
	if !reminded.Current(submitted.Rev) || !reminded.Current(reminded.Rev) {
		t.Fatalf("after a reminder, a button of revision %d or %d is stale (post %+v)", submitted.Rev, reminded.Rev, reminded)
	}
	if reminded.Current(p.Rev) {
		t.Fatal("a button from before the submission is current")
	}
	withdrawn := step(reminded, Change{Action: ActWithdraw, Actor: mod})
	if withdrawn.Current(submitted.Rev) || withdrawn.Current(reminded.Rev) || !withdrawn.Current(withdrawn.Rev) {
		t.Fatalf("after a withdrawal the buttons of the pending post are current (post %+v)", withdrawn)
	}
	// A post stored before Turn was kept has it 0: only its own revision is current.
	old := reminded
	old.Turn = 0
	if old.Current(submitted.Rev) || !old.Current(old.Rev) {
		t.Fatalf("a post without Turn: Current(%d) = %v, Current(%d) = %v", submitted.Rev, old.Current(submitted.Rev), old.Rev, old.Current(old.Rev))
	}
}
