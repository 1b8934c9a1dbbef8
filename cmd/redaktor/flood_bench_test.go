package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redaktor/redaktor"
	"github.com/redaktor/redaktor/bot/bottest"
	"github.com/redaktor/redaktor/storage"
	"github.com/redaktor/redaktor/storage/storagetest"
)

// The flood benchmarks run the whole program (run) against bottest with
// Telegram's limits on (30 sends/s for the bot, 1/s in a chat) and the
// real clock, and measure what a person who is not flooding waits while
// someone else floods:
//
//	TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test -run '^$' -bench Flood -benchtime 1x ./cmd/redaktor
//
// FloodStranger: a stranger sends 2,000 messages at once; meanwhile ten
// other people send /help, 50 in all, one every half second (each person
// one every 5 s), over the 25 s the flood is being handled. Reported: the
// time from each /help to its answer (p50, p99, max), and how many were
// not answered within floodPatience (counted at floodPatience); how many
// of the stranger's messages were answered and how many notices of the
// flood limit they got, and when (from the start of the flood).
//
// FloodAlbums: a moderator sends 150 albums of 3 photos at once; meanwhile
// five posts are approved for "now", one every 4 s. Reported: the time
// from each approval to the post in the channel (p50, max). Run with the
// per-person limit on (the default) and off, so that the 150 albums are
// all assembled.

// floodPatience: a /help or a post not answered by then is counted as
// answered then (the figure is a lower bound).
const floodPatience = 90 * time.Second

type floodRun struct {
	tg   *bottest.Server
	st   *storage.Store
	stop func()
}

func startFlood(b *testing.B, extra map[string]string) *floodRun {
	b.Helper()
	tg := bottest.New(b, bottest.WithRateLimits(bottest.Limits{}))
	r := storagetest.Open(b)
	env := map[string]string{
		"BOT_TOKEN": tg.Token(), "TELEGRAM_API_URL": tg.URL(), "REDIS_URL": r.URL,
		"REDIS_PREFIX": r.Prefix, "ADMIN_IDS": strconv.FormatInt(admin, 10),
		"TIMEZONE": "Europe/Moscow", "LOG_LEVEL": "info",
	}
	for k, v := range extra {
		env[k] = v
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, func(k string) string { return env[k] }, logs, time.Now) }()
	if !waitUntil(func() bool { return len(tg.Calls("deleteWebhook")) > 0 }) { // the intake started
		b.Fatalf("the bot did not start; logs:\n%s", logs.String())
	}
	f := &floodRun{tg: tg, st: storage.New(r.Client, r.Prefix)}
	f.stop = func() {
		f.stop = func() {}
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Logf("run did not stop within 30 s")
		}
	}
	b.Cleanup(func() { f.stop() })
	return f
}

// answered waits until chat holds more than had bot messages and returns
// when it saw that (polling every 2 ms), or floodPatience after from.
func (f *floodRun) answered(chat int64, had int, from time.Time) (time.Duration, bool) {
	for time.Since(from) < floodPatience {
		if len(f.tg.Messages(chat)) > had {
			return time.Since(from), true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return floodPatience, false
}

func BenchmarkFloodStranger(b *testing.B) {
	const flood, helpers, helps = 2000, 10, 50
	var waits []time.Duration
	unanswered, notices, answers := 0, 0, 0
	var noticeAfter []time.Duration
	for range b.N {
		f := startFlood(b, nil)
		f.tg.AddUser(stranger, "Пётр", "petr", "ru")
		for i := range helpers {
			f.tg.AddUser(int64(500+i), fmt.Sprintf("Человек%d", i), fmt.Sprintf("p%d", i), "ru")
		}
		b.ResetTimer()
		floodStart := time.Now()
		for i := range flood {
			f.tg.SendText(stranger, fmt.Sprintf("сообщение %d", i))
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range helps {
			chat := int64(500 + i%helpers)
			had := len(f.tg.Messages(chat))
			sent := time.Now()
			f.tg.SendText(chat, "/help")
			wg.Go(func() {
				d, ok := f.answered(chat, had, sent)
				mu.Lock()
				defer mu.Unlock()
				waits = append(waits, d)
				if !ok {
					unanswered++
				}
			})
			time.Sleep(500 * time.Millisecond)
		}
		wg.Wait()
		b.StopTimer()
		// The notice comes in the stranger's turn, after the answers to
		// what they sent before it: wait for it, then count.
		told := func() int {
			n := 0
			for _, m := range f.tg.Messages(stranger) {
				if strings.Contains(m.Text, "слишком много") {
					n++
				}
			}
			return n
		}
		for time.Since(floodStart) < floodPatience && told() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		if told() > 0 {
			noticeAfter = append(noticeAfter, time.Since(floodStart))
		}
		answers += len(f.tg.Messages(stranger)) - told()
		notices += told()
		f.stop()
	}
	b.ReportMetric(ms(pct(waits, 50)), "help-p50-ms")
	b.ReportMetric(ms(pct(waits, 99)), "help-p99-ms")
	b.ReportMetric(ms(slices.Max(waits)), "help-max-ms")
	b.ReportMetric(float64(unanswered)/float64(b.N), "help-unanswered")
	b.ReportMetric(float64(notices)/float64(b.N), "flood-notices")
	b.ReportMetric(float64(answers)/float64(b.N), "flood-answered")
	if len(noticeAfter) > 0 {
		b.ReportMetric(slices.Max(noticeAfter).Seconds(), "notice-after-s")
	}
}

func BenchmarkFloodAlbums(b *testing.B) {
	for _, limit := range []string{"default", "off"} {
		b.Run("limit="+limit, func(b *testing.B) {
			extra := map[string]string{}
			if limit == "off" {
				extra["FLOOD_LIMIT"] = "0"
			}
			floodAlbums(b, extra)
		})
	}
}

func floodAlbums(b *testing.B, extra map[string]string) {
	const albums, posts = 150, 5
	var waits []time.Duration
	unpublished := 0
	for range b.N {
		f := startFlood(b, extra)
		ctx := context.Background()
		f.tg.AddChannel(channel, "МБОУ СОШ №4", "usman_school4")
		f.tg.AddUser(moderator, "Ирина", "irina", "ru")
		f.tg.AddUser(chief, "Анна", "anna", "ru")
		page := redaktor.Page{ID: "1", Title: "МБОУ СОШ №4", TimeZone: "Europe/Moscow", ChannelID: channel, ChannelUsername: "usman_school4"}
		if err := f.st.SavePage(ctx, page); err != nil {
			b.Fatal(err)
		}
		for _, m := range []struct {
			id   int64
			role redaktor.Role
		}{{moderator, redaktor.RoleModerator}, {chief, redaktor.RoleChief}} {
			inv := redaktor.Invite{Code: fmt.Sprintf("flood%d", m.id), PageID: page.ID, Role: m.role, ExpiresAt: time.Now().Add(time.Hour)}
			if err := f.st.SaveInvite(ctx, inv); err != nil {
				b.Fatal(err)
			}
			if _, _, err := f.st.RedeemInvite(ctx, inv.Code, m.id, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		for range albums {
			f.tg.SendAlbum(moderator, "Фото с субботника", bottest.KindPhoto, bottest.KindPhoto, bottest.KindPhoto)
		}
		time.Sleep(3 * time.Second) // the first albums are being assembled
		for i := range posts {
			had := len(f.tg.Messages(channel))
			approved := time.Now()
			approveNow(b, f.st, page.ID, fmt.Sprintf("Пост №%d опубликован сейчас.", i))
			d, ok := f.answered(channel, had, approved)
			waits = append(waits, d)
			if !ok {
				unpublished++
			}
			time.Sleep(4 * time.Second)
		}
		b.StopTimer()
		f.stop()
	}
	b.ReportMetric(ms(pct(waits, 50)), "publish-p50-ms")
	b.ReportMetric(ms(slices.Max(waits)), "publish-max-ms")
	b.ReportMetric(float64(unpublished)/float64(b.N), "unpublished")
}

// approveNow stores a post approved by the chief editor for now, as the
// button «Опубликовать сейчас» does.
func approveNow(b *testing.B, st *storage.Store, pageID, text string) {
	b.Helper()
	ctx := context.Background()
	id, err := st.NextID(ctx, "post")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	actor := redaktor.Actor{UserID: chief, Name: "Анна", Role: redaktor.RoleChief}
	p, err := redaktor.NewPost(id, pageID, actor, redaktor.Content{Text: text}, now)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.CreatePost(ctx, p, redaktor.Origin{}); err != nil {
		b.Fatal(err)
	}
	next, ev, err := redaktor.Apply(p, redaktor.Change{Action: redaktor.ActApprove, Actor: actor, At: now}, now)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.SavePost(ctx, p, next, ev); err != nil {
		b.Fatal(err)
	}
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
