package main

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redaktor/redaktor/bot/bottest"
)

// TestEditorialDeskEndToEnd follows one post of a school's page from an
// album in the moderator's chat to the channel.
func TestEditorialDeskEndToEnd(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	d.setUp()

	// The moderator sends an album; it becomes ONE draft once complete.
	d.album(moderator, "Субботник в школе", bottest.KindPhoto, bottest.KindPhoto, bottest.KindVideo)
	card := d.expect(moderator, "Пост #1", "черновик")
	if n := countAlbums(d, moderator); n != 1 {
		t.Fatalf("the moderator's preview has %d albums, want 1", n)
	}
	d.press(moderator, card, "Отправить на согласование")

	// The chief editor gets the preview (as an album) and the review card.
	review := d.expect(chief, "Пост #1", "на согласовании", "Ирина")
	if n := countAlbums(d, chief); n != 1 {
		t.Fatalf("the chief editor's preview has %d albums, want 1", n)
	}
	d.press(chief, review, "На доработку")
	d.expect(chief, "Что поправить")
	d.say(chief, "Добавьте, когда и где")

	// The author receives the comment and sends a new version.
	d.expect(moderator, "пост #1 возвращён на доработку", "Добавьте, когда и где")
	back := d.expect(moderator, "Пост #1", "возвращён на доработку")
	d.press(moderator, back, "Отправить новую версию")
	d.album(moderator, "Субботник в субботу в 10:00 у школы", bottest.KindPhoto, bottest.KindPhoto)
	v2 := d.expect(chief, "Пост #1", "версия 2", "на согласовании")

	// The chief editor approves it for tomorrow 10:00 (Moscow).
	d.press(chief, v2, "На время")
	d.say(chief, "завтра 10:00")
	d.expect(chief, "Одобрено. Публикация: 27.11 10:00")
	d.expect(moderator, "ваш пост #1 одобрен", "27.11 10:00")
	if len(d.channelPosts()) != 0 {
		t.Fatalf("the channel got a post before its time: %+v", d.channelPosts())
	}

	// Time comes: the scheduler publishes the album exactly once.
	due := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC) // 10:00 in Moscow
	d.clock.Advance(due.Sub(d.clock.Now()))
	link := d.expect(moderator, "опубликован", "https://t.me/usman_school4/")
	d.expect(chief, "опубликован", "https://t.me/usman_school4/")
	d.clock.Advance(5 * time.Second)
	d.quiet() // a whole tick more, with nothing left due

	posts := d.channelPosts()
	groups := map[string]int{}
	for _, m := range posts {
		groups[m.MediaGroupID]++
	}
	if len(posts) != 2 || len(groups) != 1 {
		t.Fatalf("channel has %d messages in %d groups, want the 2-item album once:\n%s", len(posts), len(groups), d.dump(channel))
	}
	if posts[0].Text != "Субботник в субботу в 10:00 у школы" {
		t.Fatalf("published caption %q, want the new version's", posts[0].Text)
	}
	if !strings.Contains(link.Text, "/"+itoa(posts[0].MessageID)) {
		t.Fatalf("link %q does not point at the channel post %d", link.Text, posts[0].MessageID)
	}
}

func countAlbums(d *desk, chat int64) int {
	groups := map[string]bool{}
	for _, m := range d.tg.Messages(chat) {
		if m.MediaGroupID != "" {
			groups[m.MediaGroupID] = true
		}
	}
	return len(groups)
}

func itoa(n int) string { return strconv.Itoa(n) }
