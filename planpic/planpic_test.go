package planpic

import (
	"bytes"
	"image"
	"image/color"
	_ "image/png"
	"maps"
	"testing"
)

func sampleWeek() Week {
	return Week{
		Title: "План «МБОУ СОШ №4» · 02.12–08.12",
		Days:  [7]string{"Ср 02.12", "Чт 03.12", "Пт 04.12", "Сб 05.12", "Вс 06.12", "Пн 07.12", "Вт 08.12"},
		Items: []Item{
			{Day: 0, Minute: 10 * 60, Label: "10:00 #1 Субботник в пятницу, приходите все", Kind: Scheduled},
			{Day: 0, Minute: 14 * 60, Label: "14:00 свободно", Kind: Free},
			{Day: 1, Minute: 10*60 + 30, Label: "10:30 #2 Родительское собрание", Kind: Pending},
			{Day: 1, Minute: 10 * 60, Label: "10:00 #3 Олимпиада", Kind: Scheduled},
			{Day: 6, Minute: 22 * 60, Label: "22:00 #4 Поздний пост", Kind: Failed},
			{Day: 7, Minute: 9 * 60, Label: "outside the week", Kind: Scheduled},
		},
		Legend: []Legend{{Scheduled, "запланирован"}, {Pending, "на согласовании"}, {Failed, "не удалось"}, {Free, "свободно"}},
	}
}

// TestDrawShowsEveryBlock: the picture is a PNG, and every item of the
// week is a block of its kind's colour where Arrange puts it.
func TestDrawShowsEveryBlock(t *testing.T) {
	t.Parallel()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	week := sampleWeek()
	png, err := p.Draw(week)
	if err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(bytes.NewReader(png))
	if err != nil || format != "png" {
		t.Fatalf("not a PNG: %q, %v", format, err)
	}
	l := Arrange(week)
	if img.Bounds().Dx() != l.Width || img.Bounds().Dy() != l.Height {
		t.Errorf("picture is %v, the layout %dx%d", img.Bounds(), l.Width, l.Height)
	}
	kinds := map[Kind]int{}
	for _, b := range l.Placed {
		kinds[b.Kind]++
		if !b.Rect.In(l.Grid) || !l.Grid.In(img.Bounds()) {
			t.Errorf("block %q at %v is outside the grid %v of the picture %v", b.Label, b.Rect, l.Grid, img.Bounds())
			continue
		}
		// The strip left of the label is the block's colour (a free
		// time's fill is light, outlined in its colour).
		want := Colour(b.Kind)
		if b.Kind == Free {
			want = freeFill
		}
		if got := share(img, image.Rect(b.Rect.Min.X+2, b.Rect.Min.Y+2, b.Rect.Min.X+textPad-1, b.Rect.Max.Y-2), want); got < 0.9 {
			t.Errorf("block %q: %.0f%% of its edge has colour %v", b.Label, got*100, want)
		}
		if b.Kind != Free {
			if got := share(img, b.Rect, want); got < 0.5 {
				t.Errorf("block %q: only %.0f%% of it has its colour", b.Label, got*100)
			}
		}
	}
	if want := map[Kind]int{Scheduled: 2, Pending: 1, Failed: 1, Free: 1}; !maps.Equal(kinds, want) {
		t.Errorf("blocks by kind %v, want %v (the item of an eighth day left out)", kinds, want)
	}
}

// TestArrange: blocks sit in their day's column and hour's row; two in one
// cell share it without overlapping; the rows reach every item's hour.
func TestArrange(t *testing.T) {
	t.Parallel()
	l := Arrange(sampleWeek())
	if l.FirstHour != 8 || l.LastHour != 22 {
		t.Errorf("hours %d–%d, want 8–22 (the 22:00 post widens the day)", l.FirstHour, l.LastHour)
	}
	for i, a := range l.Placed {
		col := margin + hourColumn + a.Day*dayWidth
		row := header + (a.Minute/60-l.FirstHour)*rowHeight
		if a.Rect.Min.X < col || a.Rect.Max.X > col+dayWidth || a.Rect.Min.Y < row || a.Rect.Max.Y > row+rowHeight {
			t.Errorf("block %q at %v is not in its cell", a.Label, a.Rect)
		}
		for _, b := range l.Placed[i+1:] {
			if a.Rect.Overlaps(b.Rect) {
				t.Errorf("blocks %q and %q overlap", a.Label, b.Label)
			}
		}
	}
	if empty := Arrange(Week{}); len(empty.Placed) != 0 || empty.FirstHour != 8 || empty.LastHour != 20 {
		t.Errorf("an empty week: %+v", empty)
	}
}

func share(img image.Image, r image.Rectangle, want color.RGBA) float64 {
	n, all := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			all++
			if color.RGBAModel.Convert(img.At(x, y)).(color.RGBA) == want {
				n++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(n) / float64(all)
}

// BenchmarkDraw: one week's picture, as /plan sends it.
func BenchmarkDraw(b *testing.B) {
	p, err := New()
	if err != nil {
		b.Fatal(err)
	}
	week := sampleWeek()
	for b.Loop() {
		if _, err := p.Draw(week); err != nil {
			b.Fatal(err)
		}
	}
}
