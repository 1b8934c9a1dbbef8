// Package planpic draws a page's week as a calendar picture (PNG): days
// as columns, hours as rows, posts as coloured labelled blocks and free
// posting times as outlined ones. It is the only importer of the drawing
// library (fogleman/gg) and of the fonts; it knows nothing of posts, only
// of what to draw where, so the layout can be tested apart from the pixels.
package planpic

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"

	"github.com/fogleman/gg"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
)

// Kind is what a block stands for; it gives the block its colour.
type Kind int

const (
	Scheduled Kind = iota // a post that goes out at that time
	Pending               // a post waiting for approval, at its proposed time
	Failed                // a post whose publication failed
	Free                  // a posting time nothing takes yet
)

// Item is one block to draw.
type Item struct {
	Day    int // 0 … 6, the column
	Minute int // minute of the day, in the page's time zone
	Label  string
	Kind   Kind
}

// Week is what the picture shows: a title, the seven column headings
// (first the day the week starts with) and the blocks.
type Week struct {
	Title string
	Days  [7]string
	Items []Item
	// Legend names what each kind's colour means, drawn at the top right
	// in the order given.
	Legend []Legend
}

// Legend is one entry of the legend.
type Legend struct {
	Kind  Kind
	Label string
}

// Placed is an item with the rectangle its block fills.
type Placed struct {
	Item
	Rect image.Rectangle
}

// Layout is where everything goes: the picture's size, the hours shown
// and every block's rectangle. Items outside the seven days are left out.
type Layout struct {
	Width, Height       int
	FirstHour, LastHour int // rows from FirstHour:00 to LastHour:59
	// Grid is the calendar's area, below the title, the legend and the
	// day headings: every block is inside it.
	Grid   image.Rectangle
	Placed []Placed
}

const (
	hourColumn = 56
	dayWidth   = 156
	titleTop   = 36
	header     = 70 // title and day headings
	rowHeight  = 44
	margin     = 10
	gap        = 3 // between a block and its cell's edge, and between blocks
	textPad    = 7 // left of a block's label: that strip is the block's colour only
)

// Colour is a kind's block colour (Free is the outline's).
func Colour(k Kind) color.RGBA {
	switch k {
	case Pending:
		return color.RGBA{0xE0, 0x8A, 0x00, 0xFF}
	case Failed:
		return color.RGBA{0xC6, 0x28, 0x28, 0xFF}
	case Free:
		return color.RGBA{0x2E, 0x7D, 0x32, 0xFF}
	}
	return color.RGBA{0x1E, 0x5A, 0xC8, 0xFF}
}

var (
	background = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	gridLine   = color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
	ink        = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	freeFill   = color.RGBA{0xE8, 0xF5, 0xE9, 0xFF}
)

// Arrange lays the week out. The hours shown are 08:00–20:59, widened to
// every item's hour. Items of one day and hour share the cell side by side,
// in the order given.
func Arrange(w Week) Layout {
	first, last := 8, 20
	for _, it := range w.Items {
		if !inWeek(it) {
			continue
		}
		first, last = min(first, it.Minute/60), max(last, it.Minute/60)
	}
	l := Layout{FirstHour: first, LastHour: last,
		Width:  margin*2 + hourColumn + 7*dayWidth,
		Height: header + (last-first+1)*rowHeight + margin}
	l.Grid = image.Rect(margin+hourColumn, header, l.Width-margin, l.Height-margin)
	type cell struct{ day, hour int }
	shared := map[cell]int{}
	for _, it := range w.Items {
		if inWeek(it) {
			shared[cell{it.Day, it.Minute / 60}]++
		}
	}
	seen := map[cell]int{}
	for _, it := range w.Items {
		if !inWeek(it) {
			continue
		}
		c := cell{it.Day, it.Minute / 60}
		n, i := shared[c], seen[c]
		seen[c]++
		x0 := margin + hourColumn + it.Day*dayWidth + gap
		width := (dayWidth - gap*(n+1)) / n
		x := x0 + i*(width+gap)
		y := header + (c.hour-first)*rowHeight + gap
		l.Placed = append(l.Placed, Placed{Item: it, Rect: image.Rect(x, y, x+width, y+rowHeight-2*gap)})
	}
	return l
}

func inWeek(it Item) bool { return it.Day >= 0 && it.Day < 7 && it.Minute >= 0 && it.Minute < 24*60 }

// Painter draws weeks. Its fonts are read once; Draw may be called from
// several goroutines at once.
type Painter struct {
	regular, bold *opentype.Font
}

// New reads the fonts (Go fonts: they have Cyrillic letters).
func New() (*Painter, error) {
	regular, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, fmt.Errorf("read the regular font: %w", err)
	}
	bold, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, fmt.Errorf("read the bold font: %w", err)
	}
	return &Painter{regular: regular, bold: bold}, nil
}

// Draw draws the week as Arrange lays it out and returns it as PNG.
func (p *Painter) Draw(w Week) ([]byte, error) {
	// A face keeps a glyph cache of its own: one per picture.
	title, err := p.face(p.bold, 18)
	if err != nil {
		return nil, err
	}
	heading, err := p.face(p.bold, 13)
	if err != nil {
		return nil, err
	}
	small, err := p.face(p.regular, 11)
	if err != nil {
		return nil, err
	}
	l := Arrange(w)
	// Shapes are filled straight into the image (gg's rasteriser fills
	// pixel by pixel, a hundred times slower); gg writes the text.
	im := image.NewRGBA(image.Rect(0, 0, l.Width, l.Height))
	fill(im, im.Bounds(), background)
	left := margin + hourColumn
	bottom := header + (l.LastHour-l.FirstHour+1)*rowHeight
	for h := 0; h <= l.LastHour-l.FirstHour+1; h++ {
		y := header + h*rowHeight
		fill(im, image.Rect(left, y, l.Width-margin, y+1), gridLine)
	}
	for d := 0; d <= 7; d++ {
		x := left + d*dayWidth
		fill(im, image.Rect(x, header, x+1, bottom), gridLine)
	}
	for _, b := range l.Placed {
		drawBlock(im, b)
	}

	dc := gg.NewContextForRGBA(im)
	// The legend at the top right, then the title in what is left of the
	// line: a long page title is shortened rather than run over it.
	dc.SetFontFace(small)
	x := float64(l.Width - margin)
	for i := len(w.Legend) - 1; i >= 0; i-- {
		e := w.Legend[i]
		tw, _ := dc.MeasureString(e.Label)
		x -= tw
		dc.SetColor(ink)
		dc.DrawString(e.Label, x, titleTop-14)
		x -= 16
		sample := image.Rect(int(x), titleTop-24, int(x)+11, titleTop-13)
		if e.Kind == Free {
			drawBlock(im, Placed{Item: Item{Kind: Free}, Rect: sample})
		} else {
			fill(im, sample, Colour(e.Kind))
		}
		x -= 14
	}
	dc.SetFontFace(title)
	dc.SetColor(ink)
	titleText := w.Title
	if fits := func(s string) bool { tw, _ := dc.MeasureString(s); return tw <= x-margin-10 }; !fits(titleText) {
		titleText = shorten(titleText, fits)
	}
	dc.DrawString(titleText, margin, titleTop-12)
	dc.SetFontFace(heading)
	for d := 0; d < 7; d++ {
		dc.DrawStringAnchored(w.Days[d], float64(left+d*dayWidth+dayWidth/2), header-14, 0.5, 0)
	}
	dc.SetFontFace(small)
	for h := l.FirstHour; h <= l.LastHour; h++ {
		y := float64(header + (h-l.FirstHour)*rowHeight)
		dc.DrawStringAnchored(fmt.Sprintf("%02d:00", h), float64(left-8), y+14, 1, 0)
	}
	for _, b := range l.Placed {
		dc.SetColor(color.White)
		if b.Kind == Free {
			dc.SetColor(Colour(Free))
		}
		x, y := float64(b.Rect.Min.X+textPad), float64(b.Rect.Min.Y)
		for i, line := range wrap(dc, b.Label, float64(b.Rect.Dx()-textPad-3), 2) {
			dc.DrawString(line, x, y+14+float64(i)*14)
		}
	}
	var out bytes.Buffer
	// The fastest compression: the picture is flat colours, and the
	// default level costs many times the time for a few kilobytes.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&out, im); err != nil {
		return nil, fmt.Errorf("encode the plan picture: %w", err)
	}
	return out.Bytes(), nil
}

func (p *Painter) face(f *opentype.Font, size float64) (font.Face, error) {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("make a font face: %w", err)
	}
	return face, nil
}

// drawBlock fills a post's block with its colour, or a free time's with
// a light green outlined with a dashed line.
func drawBlock(im *image.RGBA, b Placed) {
	r := b.Rect
	if b.Kind != Free {
		fill(im, r, Colour(b.Kind))
		return
	}
	fill(im, r, freeFill)
	edge := Colour(Free)
	for x := r.Min.X; x < r.Max.X; x += 7 {
		fill(im, image.Rect(x, r.Min.Y, min(x+4, r.Max.X), r.Min.Y+1), edge)
		fill(im, image.Rect(x, r.Max.Y-1, min(x+4, r.Max.X), r.Max.Y), edge)
	}
	for y := r.Min.Y; y < r.Max.Y; y += 7 {
		fill(im, image.Rect(r.Min.X, y, r.Min.X+1, min(y+4, r.Max.Y)), edge)
		fill(im, image.Rect(r.Max.X-1, y, r.Max.X, min(y+4, r.Max.Y)), edge)
	}
}

func fill(im *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(im, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// wrap breaks a label into at most n lines that fit width; a line cut
// short (the last, or a word too long for the block) ends with "…".
func wrap(dc *gg.Context, s string, width float64, n int) []string {
	fits := func(s string) bool { w, _ := dc.MeasureString(s); return w <= width }
	words := strings.Fields(s)
	var lines []string
	for len(words) > 0 && len(lines) < n {
		line := words[0]
		words = words[1:]
		for len(words) > 0 && fits(line+" "+words[0]) {
			line += " " + words[0]
			words = words[1:]
		}
		last := len(lines) == n-1 && len(words) > 0
		if !fits(line) || last {
			line = shorten(line, fits)
		}
		lines = append(lines, line)
	}
	return lines
}

// shorten cuts s until it fits with "…" after it.
func shorten(s string, fits func(string) bool) string {
	r := []rune(s)
	for len(r) > 0 && !fits(string(r)+"…") {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}
