package storage_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// published is a draft of page "1" taken to published as message 77, with
// a broadcast to subscribers 5 (forwarded as message 500), 6 (English, 600)
// and 7 (blocked the bot: no copy).
func published(t *testing.T, s *storage.Store) redaktor.Post {
	t.Helper()
	ctx := context.Background()
	p := newDraft(t, s)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActSubmit, Actor: moderator}, t0)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActPublishNow, Actor: chiefA}, t0)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActClaim, Actor: redaktor.System}, t0)
	p = apply(t, s, p, redaktor.Change{Action: redaktor.ActPublished, Actor: redaktor.System, MessageIDs: []int{77}}, t0)
	for _, u := range []int64{5, 6, 7} {
		if _, err := s.Subscribe(ctx, "1", u, u == 6); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.StartBroadcast(ctx, redaktor.Broadcast{PostID: p.ID, PageID: "1", From: -100, MessageIDs: []int{77}}, t0); err != nil {
		t.Fatal(err)
	}
	retries := redaktor.Retries{Max: 3, Base: time.Second, Cap: time.Minute}
	for range 3 {
		g, err := s.Take(ctx, p.ID, "1", t0, time.Minute, time.Minute, fastPace)
		if err != nil || g.Kind != redaktor.GrantSend {
			t.Fatalf("take: %+v %v", g, err)
		}
		switch g.UserID {
		case 7:
			err = s.Record(ctx, p.ID, "1", 7, redaktor.SendInactive, t0, t0, retries)
		default:
			err = s.Record(ctx, p.ID, "1", g.UserID, redaktor.SendDelivered, t0, t0, retries, int(g.UserID)*100)
			if err == nil { // recorded again (a retried call): nothing changes
				err = s.Record(ctx, p.ID, "1", g.UserID, redaktor.SendDelivered, t0, t0, retries, 1)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func allCopies(t *testing.T, s *storage.Store, postID string) []redaktor.SubscriberCopy {
	t.Helper()
	var out []redaktor.SubscriberCopy
	cursor := uint64(0)
	for {
		got, next, err := s.SubscriberCopies(context.Background(), postID, "1", cursor, 1)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
		if next == 0 {
			break
		}
		cursor = next
	}
	slices.SortFunc(out, func(a, b redaktor.SubscriberCopy) int { return int(a.UserID - b.UserID) })
	return out
}

// The broadcast keeps what each subscriber got; an edit stored with its
// job once (a repeated save is recognised); each subscriber is recorded
// once per job; a newer change supersedes the job, whose runner then
// changes nothing.
func TestAfterPubJobIsDoneOnce(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := published(t, s)

	copies := allCopies(t, s, p.ID)
	if len(copies) != 2 || copies[0].UserID != 5 || !slices.Equal(copies[0].MessageIDs, []int{500}) ||
		copies[1].UserID != 6 || !copies[1].English || copies[0].English {
		t.Fatalf("copies = %+v, want 5 → 500 and 6 (English) → 600", copies)
	}

	c := p.Content
	c.Text = "Субботник перенесён"
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActEditPublished, Actor: chiefA, Content: &c}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	job := redaktor.AfterPubJob{Op: redaktor.OpEdit, By: chiefA.UserID}
	for range 2 { // the second is a retried call
		if err := s.SaveAfterPub(ctx, p, next, ev, job); err != nil {
			t.Fatalf("save: %v", err)
		}
	}
	id, got, ok, err := s.ClaimAfterPub(ctx, t0, time.Minute)
	if err != nil || !ok || id != p.ID || got.Rev != next.Rev || got.Op != redaktor.OpEdit || got.By != chiefA.UserID {
		t.Fatalf("claim: %s %+v %v %v", id, got, ok, err)
	}
	if _, _, ok, _ := s.ClaimAfterPub(ctx, t0.Add(30*time.Second), time.Minute); ok {
		t.Fatal("a leased job was claimed again")
	}
	if err := s.SetAfterPubChannel(ctx, p.ID, got, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAfterPubChannel(ctx, p.ID, got, false); err != nil { // a second outcome does not count
		t.Fatal(err)
	}
	if _, err := s.StartAfterPubSubscribers(ctx, p.ID, got); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.RecordAfterPub(ctx, p.ID, got, 5, true, []int{501}, false); err != nil {
			t.Fatal(err)
		}
	}
	left := allCopies(t, s, p.ID)
	if len(left) != 1 || left[0].UserID != 6 {
		t.Fatalf("after subscriber 5 the job has %+v left, want 6", left)
	}
	prog, err := s.AfterPubProgress(ctx, p.ID)
	if err != nil || prog.Channel != "ok" || prog.Done != 1 || prog.Total != 2 || prog.Finished {
		t.Fatalf("progress %+v %v", prog, err)
	}

	// A removal now replaces the job: the edit's runner is refused.
	gone, ev2, err := redaktor.Apply(next, redaktor.Change{Action: redaktor.ActRemove, Actor: chiefA, Comment: "ошибка"}, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAfterPub(ctx, next, gone, ev2, redaktor.AfterPubJob{Op: redaktor.OpRemove, By: chiefA.UserID}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAfterPub(ctx, p.ID, got, 6, true, nil, false); !errors.Is(err, storage.ErrSuperseded) {
		t.Fatalf("the old job's record: %v, want superseded", err)
	}
	id, rm, ok, err := s.ClaimAfterPub(ctx, t0.Add(2*time.Hour), time.Minute)
	if err != nil || !ok || id != p.ID || rm.Op != redaktor.OpRemove {
		t.Fatalf("claim the removal: %s %+v %v %v", id, rm, ok, err)
	}
	// The removal starts afresh: both copies (5's is its replacement).
	copies = allCopies(t, s, p.ID)
	if len(copies) != 2 || !slices.Equal(copies[0].MessageIDs, []int{501}) {
		t.Fatalf("the removal's copies %+v", copies)
	}
	if _, err := s.StartAfterPubSubscribers(ctx, p.ID, rm); err != nil {
		t.Fatal(err)
	}
	for _, u := range []int64{5, 6} {
		if err := s.RecordAfterPub(ctx, p.ID, rm, u, true, nil, true); err != nil {
			t.Fatal(err)
		}
	}
	if first, err := s.FinishAfterPub(ctx, p.ID, rm); err != nil || !first {
		t.Fatalf("finish: %v %v", first, err)
	}
	if first, err := s.FinishAfterPub(ctx, p.ID, rm); err != nil || first {
		t.Fatalf("finished again: %v %v, want not the first", first, err)
	}
	prog, _ = s.AfterPubProgress(ctx, p.ID)
	if !prog.Finished || prog.Done != 2 || prog.Total != 2 || prog.Job.Op != redaktor.OpRemove {
		t.Fatalf("the removal's progress %+v", prog)
	}
	if left := allCopies(t, s, p.ID); len(left) != 0 {
		t.Fatalf("deleted copies are still listed: %+v", left)
	}
	if _, _, ok, _ := s.ClaimAfterPub(ctx, t0.Add(3*time.Hour), time.Minute); ok {
		t.Fatal("a finished job was claimed")
	}
	// A removed post is on no list.
	if list, _ := s.UserPosts(ctx, moderator.UserID, 10); len(list) != 0 {
		t.Fatalf("the author's list has %+v", list)
	}
}

// A job that was put off (Telegram away) is claimed again at once.
func TestAfterPubJobPutOffIsTakenAgain(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := published(t, s)
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActRemove, Actor: moderator, Comment: "дубль"}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAfterPub(ctx, p, next, ev, redaktor.AfterPubJob{Op: redaktor.OpRemove, By: moderator.UserID}); err != nil {
		t.Fatal(err)
	}
	_, first, ok, _ := s.ClaimAfterPub(ctx, t0, time.Minute)
	if !ok {
		t.Fatal("no job")
	}
	if err := s.RenewAfterPub(ctx, p.ID, first, t0); err != nil {
		t.Fatal(err)
	}
	id, second, ok, _ := s.ClaimAfterPub(ctx, t0, time.Minute)
	if !ok || id != p.ID {
		t.Fatal("a job put off was not claimed again")
	}
	// A job claimed by a runner that died (or is slow) is claimed after its
	// lease, and the runner that lost it can write nothing more.
	id, third, ok, _ := s.ClaimAfterPub(ctx, t0.Add(61*time.Second), time.Minute)
	if !ok || id != p.ID {
		t.Fatal("a job whose lease ran out was not claimed again")
	}
	for _, err := range []error{
		s.RenewAfterPub(ctx, p.ID, second, t0.Add(5*time.Minute)),
		s.SetAfterPubChannel(ctx, p.ID, second, true),
		s.RecordAfterPub(ctx, p.ID, second, 5, true, nil, true),
	} {
		if !errors.Is(err, storage.ErrLeaseLost) {
			t.Errorf("a step of the runner that lost the lease: %v, want ErrLeaseLost", err)
		}
	}
	if _, err := s.FinishAfterPub(ctx, p.ID, second); !errors.Is(err, storage.ErrLeaseLost) {
		t.Errorf("the finish of the runner that lost the lease: %v, want ErrLeaseLost", err)
	}
	if err := s.SetAfterPubChannel(ctx, p.ID, third, true); err != nil {
		t.Fatalf("the holder's step: %v", err)
	}
}

// A forward marked pending by a run that was cut off is not sent again by
// the next: it may have reached the subscriber.
func TestAfterPubForwardPendingIsNotSentAgain(t *testing.T) {
	s, _ := storagetest.Store(t)
	ctx := context.Background()
	p := published(t, s)
	c := p.Content
	c.Text = "Субботник перенесён"
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActEditPublished, Actor: chiefA, Content: &c}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAfterPub(ctx, p, next, ev, redaktor.AfterPubJob{Op: redaktor.OpEdit, By: chiefA.UserID}); err != nil {
		t.Fatal(err)
	}
	_, first, _, _ := s.ClaimAfterPub(ctx, t0, time.Minute)
	if st, err := s.BeginAfterPub(ctx, p.ID, first, 5, true); err != nil || st != storage.SubscriberGo {
		t.Fatalf("begin: %v %v", st, err)
	}
	_, second, _, _ := s.ClaimAfterPub(ctx, t0.Add(2*time.Minute), time.Minute)
	if st, err := s.BeginAfterPub(ctx, p.ID, second, 5, true); err != nil || st != storage.SubscriberMaybeSent {
		t.Fatalf("begin after a run cut off mid-forward: %v %v, want maybe sent", st, err)
	}
	// A forward Telegram refused was not sent: the next run may send it.
	if st, _ := s.BeginAfterPub(ctx, p.ID, second, 6, true); st != storage.SubscriberGo {
		t.Fatalf("begin 6: %v", st)
	}
	if err := s.ForwardRefused(ctx, p.ID, second, 6); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.BeginAfterPub(ctx, p.ID, second, 6, true); st != storage.SubscriberGo {
		t.Fatalf("begin 6 after a refused forward: %v, want go", st)
	}
}

// /forgetme must leave the person's id in no key of a post's job.
func TestForgetLeavesNoIDInAPostsJob(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	p := published(t, s)
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActRemove, Actor: moderator, Comment: "дубль"}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAfterPub(ctx, p, next, ev, redaktor.AfterPubJob{Op: redaktor.OpRemove, By: moderator.UserID}); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetUser(ctx, moderator.UserID); err != nil {
		t.Fatal(err)
	}
	keys, err := r.Client.Keys(ctx, "{"+r.Prefix+"}:ap:*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("no job keys: %v %v", keys, err)
	}
	for _, k := range keys {
		if v, err := r.Client.Get(ctx, k).Result(); err == nil && strings.Contains(v, "|11") {
			t.Errorf("%s = %q still names the forgotten person", k, v)
		}
	}
}

// A job's step for a subscriber who used /forgetme meanwhile must not
// write them back.
func TestJobStepAfterForgetWritesNothing(t *testing.T) {
	s, r := storagetest.Store(t)
	ctx := context.Background()
	p := published(t, s)
	c := p.Content
	c.Text = "Субботник перенесён"
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActEditPublished, Actor: chiefA, Content: &c}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAfterPub(ctx, p, next, ev, redaktor.AfterPubJob{Op: redaktor.OpEdit, By: chiefA.UserID}); err != nil {
		t.Fatal(err)
	}
	_, job, _, _ := s.ClaimAfterPub(ctx, t0, time.Minute)
	if len(allCopies(t, s, p.ID)) != 2 { // the runner read its batch, 5 among them
		t.Fatal("the job has not subscribers 5 and 6")
	}
	if err := s.ForgetUser(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if st, err := s.BeginAfterPub(ctx, p.ID, job, 5, true); err != nil || st != storage.SubscriberGone {
		t.Errorf("begin for the forgotten subscriber: %v %v, want gone (nothing sent)", st, err)
	}
	if err := s.RecordAfterPub(ctx, p.ID, job, 5, true, []int{501}, false); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.Client.HExists(ctx, "{"+r.Prefix+"}:bc:"+p.ID+":msgs", "5").Result(); ok {
		t.Error("bc:<post>:msgs has the forgotten subscriber again")
	}
	if ok, _ := r.Client.SIsMember(ctx, "{"+r.Prefix+"}:ap:"+p.ID+":done", "5").Result(); ok {
		t.Error("ap:<post>:done has the forgotten subscriber again")
	}
}
