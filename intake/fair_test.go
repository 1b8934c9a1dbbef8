package intake

import (
	"slices"
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/redaktor/redaktor"
)

func TestTurnsServeChatsInRoundsOneUpdateEach(t *testing.T) {
	tr := newTurns()
	// A sends a burst of five, then B one, then C two.
	n := 0
	add := func(chat int64, k int) {
		for range k {
			n++
			tr.add(chat, queued{e: redaktor.QueuedUpdate{UpdateID: int64(n)}})
		}
	}
	add(1, 5)
	add(2, 1)
	add(3, 2)

	var chats []int64
	var ids []int64
	for {
		chat, q, ok := tr.next()
		if !ok {
			break
		}
		chats = append(chats, chat)
		ids = append(ids, q.e.UpdateID)
		tr.done(chat)
	}
	if want := []int64{1, 2, 3, 1, 3, 1, 1, 1}; !slices.Equal(chats, want) {
		t.Errorf("turns went to chats %v, want %v", chats, want)
	}
	// Each chat's updates in the order they came.
	if want := []int64{1, 6, 7, 2, 8, 3, 4, 5}; !slices.Equal(ids, want) {
		t.Errorf("updates served %v, want %v", ids, want)
	}
}

func TestTurnsNeverServeOneChatTwiceAtOnce(t *testing.T) {
	tr := newTurns()
	tr.add(1, queued{})
	tr.add(1, queued{})
	chat, _, ok := tr.next()
	if !ok || chat != 1 {
		t.Fatalf("next = %d, %v", chat, ok)
	}
	// While chat 1 is served, its second update and a third that arrives
	// now wait; another chat goes ahead.
	tr.add(1, queued{})
	tr.add(2, queued{})
	if chat, _, ok := tr.next(); !ok || chat != 2 {
		t.Fatalf("while chat 1 is served, next = %d, %v; want chat 2", chat, ok)
	}
	if _, _, ok := tr.next(); ok {
		t.Fatal("a second turn for chat 1 while it is served")
	}
	tr.done(1)
	if chat, _, ok := tr.next(); !ok || chat != 1 {
		t.Fatalf("after its turn, next = %d, %v; want chat 1", chat, ok)
	}
	if tr.queued(1) != 1 {
		t.Errorf("chat 1 has %d waiting, want 1", tr.queued(1))
	}
}

func TestFloodGate(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	limit := FloodLimit{Updates: 30, Window: 10 * time.Second, CoolDown: time.Minute}
	const flooder, other int64 = 400, 500

	t.Run("a burst past the limit is told once, then dropped", func(t *testing.T) {
		g := newFloodGate(limit)
		var got []floodVerdict
		for range 40 {
			got = append(got, g.admit(flooder, "", t0, t0))
		}
		want := slices.Repeat([]floodVerdict{floodPass}, 30)
		want = append(want, floodNotice)
		want = append(want, slices.Repeat([]floodVerdict{floodDrop}, 9)...)
		if !slices.Equal(got, want) {
			t.Errorf("verdicts %v, want %v", got, want)
		}
		if v := g.admit(other, "", t0, t0); v != floodPass {
			t.Errorf("another person's update: %v, want it to pass", v)
		}
	})

	t.Run("the cool-down ends and the count starts afresh", func(t *testing.T) {
		g := newFloodGate(limit)
		for range 31 {
			g.admit(flooder, "", t0, t0)
		}
		if v := g.admit(flooder, "", t0.Add(59*time.Second), t0.Add(59*time.Second)); v != floodDrop {
			t.Errorf("at 59 s: %v, want dropped", v)
		}
		later := t0.Add(61 * time.Second)
		for i := range 30 {
			if v := g.admit(flooder, "", later, later); v != floodPass {
				t.Fatalf("update %d after the cool-down: %v, want it to pass", i+1, v)
			}
		}
		if v := g.admit(flooder, "", later, later); v != floodNotice {
			t.Errorf("past the limit again: %v, want a second notice", v)
		}
	})

	t.Run("sending at the allowed rate never trips it", func(t *testing.T) {
		g := newFloodGate(limit)
		now := t0
		for i := range 300 { // three per second for 100 s
			if v := g.admit(flooder, "", now, now); v != floodPass {
				t.Fatalf("update %d at %s: %v", i+1, now.Sub(t0), v)
			}
			now = now.Add(limit.Window / time.Duration(limit.Updates))
		}
	})

	t.Run("an album counts once", func(t *testing.T) {
		g := newFloodGate(limit)
		for a := range 30 {
			for range 10 {
				if v := g.admit(flooder, string(rune('a'+a)), t0, t0); v != floodPass {
					t.Fatalf("album %d: %v, want its 10 items to pass", a+1, v)
				}
			}
		}
		if v := g.admit(flooder, "31st", t0, t0); v != floodNotice {
			t.Errorf("the 31st album: %v, want the notice", v)
		}
	})

	t.Run("people seen long ago are forgotten", func(t *testing.T) {
		g := newFloodGate(limit)
		for i := range 1000 {
			g.admit(int64(i+1), "", t0, t0)
		}
		g.admit(other, "", t0.Add(time.Hour), t0.Add(time.Hour))
		if len(g.people) != 1 {
			t.Errorf("%d people remembered an hour later, want 1", len(g.people))
		}
	})

	t.Run("a backlog counts as it was sent", func(t *testing.T) {
		g := newFloodGate(limit)
		read := t0.Add(5 * time.Minute) // all read at once after downtime
		for i := range 100 {            // sent one every 3 s
			if v := g.admit(flooder, "", t0.Add(time.Duration(i)*3*time.Second), read); v != floodPass {
				t.Fatalf("update %d of the backlog: %v, want it to pass", i+1, v)
			}
		}
		// A flood within the backlog is still one.
		var got []floodVerdict
		for range 40 {
			got = append(got, g.admit(other, "", t0, read))
		}
		if got[29] != floodPass || got[30] != floodNotice || got[39] != floodDrop {
			t.Errorf("a burst of 40 sent in one second, read later: %v", got)
		}
	})

	t.Run("off", func(t *testing.T) {
		g := newFloodGate(FloodLimit{})
		for range 100 {
			if v := g.admit(flooder, "", t0, t0); v != floodPass {
				t.Fatalf("with no limit: %v", v)
			}
		}
	})
}

func TestSentAt(t *testing.T) {
	now := time.Date(2026, 12, 2, 9, 5, 0, 0, time.UTC)
	sent := now.Add(-5 * time.Minute)
	stored := now.Add(-2 * time.Minute)
	entry := strconv.FormatInt(stored.UnixMilli(), 10) + "-3"
	tests := []struct {
		name  string
		u     tgbotapi.Update
		entry string
		want  time.Time
	}{
		{"a message: its date", tgbotapi.Update{Message: &tgbotapi.Message{Date: int(sent.Unix())}}, entry, sent},
		{"an edit: the edit's date", tgbotapi.Update{EditedMessage: &tgbotapi.Message{Date: int(sent.Unix()) - 60, EditDate: int(sent.Unix())}}, entry, sent},
		{"a button: when stored", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "1"}}, entry, stored},
		{"a date ahead of our clock: now", tgbotapi.Update{Message: &tgbotapi.Message{Date: int(now.Unix()) + 30}}, entry, now},
		{"stored ahead of our clock: now", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "1"}},
			strconv.FormatInt(now.Add(time.Minute).UnixMilli(), 10) + "-0", now},
		{"no date, an id not of a stream: now", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "1"}}, "x", now},
	}
	for _, tc := range tests {
		if got := sentAt(tc.u, tc.entry, now); !got.Equal(tc.want) {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
