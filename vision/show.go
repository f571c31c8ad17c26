package vision

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Tile is one cell of a picture grid: an image and the caption lines drawn above it.
type Tile struct {
	Image *RGB
	Lines []string
}

// captionFace is Go Regular at 13 px, parsed once.
var captionFace = sync.OnceValues(func() (font.Face, error) {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: 13, DPI: 72, Hinting: font.HintingFull})
})

// gridShape is fastai's get_grid: rows = int(sqrt(n)), cols = ceil(n/rows).
func gridShape(n int) (rows, cols int) {
	rows = max(int(math.Sqrt(float64(n))), 1)
	return rows, (n + rows - 1) / rows
}

// wrapCaption splits a caption into rows no wider than width, breaking after ';' or
// spaces where possible.
func wrapCaption(face font.Face, s string, width int) []string {
	w := fixed.I(width)
	var rows []string
	for s != "" {
		if font.MeasureString(face, s) <= w {
			return append(rows, s)
		}
		cut := 0 // longest prefix that fits, preferring a break after ';' or ' '
		brk := 0
		for i := range s {
			if i > 0 && font.MeasureString(face, s[:i]) > w {
				break
			}
			cut = i
			if i > 0 && (s[i-1] == ';' || s[i-1] == ' ') {
				brk = i
			}
		}
		if brk > 0 {
			cut = brk
		}
		if cut == 0 { // not even one character fits
			_, cut = utf8.DecodeRuneInString(s)
		}
		rows = append(rows, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return rows
}

// minTile is the smallest tile side: smaller images are enlarged by an integer factor
// (nearest neighbour) so that captions stay readable.
const minTile = 160

// Grid draws tiles on a white canvas, cols per row (fastai's layout when cols is 0),
// each image under its centred, wrapped caption. Tiles take the size of the largest
// image, enlarged by an integer factor when smaller than 160 pixels.
func Grid(tiles []Tile, cols int) (*image.RGBA, error) {
	if len(tiles) == 0 {
		return nil, fmt.Errorf("vision.Grid: no tiles")
	}
	face, err := captionFace()
	if err != nil {
		return nil, fmt.Errorf("vision.Grid: font: %w", err)
	}
	rows := 0
	if cols <= 0 {
		rows, cols = gridShape(len(tiles))
	}
	rows = (len(tiles) + cols - 1) / cols
	tw, th := 0, 0
	for _, t := range tiles {
		if t.Image == nil {
			return nil, fmt.Errorf("vision.Grid: tile without an image")
		}
		tw, th = max(tw, t.Image.W), max(th, t.Image.H)
	}
	zoom := 1
	if big := max(tw, th); big > 0 && big < minTile {
		zoom = (minTile + big - 1) / big
	}
	tw, th = tw*zoom, th*zoom
	m := face.Metrics()
	lineH := (m.Height).Ceil()
	wrapped := make([][]string, len(tiles))
	capRows := 0
	for i, t := range tiles {
		for _, l := range t.Lines {
			wrapped[i] = append(wrapped[i], wrapCaption(face, l, tw)...)
		}
		capRows = max(capRows, len(wrapped[i]))
	}
	const gap = 10
	cellW, cellH := tw+gap, th+capRows*lineH+gap+4
	canvas := image.NewRGBA(image.Rect(0, 0, cols*cellW+gap, rows*cellH+gap))
	draw.Draw(canvas, canvas.Bounds(), image.White, image.Point{}, draw.Src)
	d := &font.Drawer{Dst: canvas, Src: image.NewUniform(color.Black), Face: face}
	for i, t := range tiles {
		x0, y0 := gap+(i%cols)*cellW, gap+(i/cols)*cellH
		for k, l := range wrapped[i] {
			adv := d.MeasureString(l)
			d.Dot = fixed.Point26_6{
				X: fixed.I(x0) + (fixed.I(tw)-adv)/2,
				Y: fixed.I(y0+k*lineH) + m.Ascent,
			}
			d.DrawString(l)
		}
		iy := y0 + capRows*lineH + 4
		img := t.Image
		for y := 0; y < img.H*zoom; y++ {
			for x := 0; x < img.W*zoom; x++ {
				p := img.Pix[3*((y/zoom)*img.W+x/zoom):]
				canvas.SetRGBA(x0+x, iy+y, color.RGBA{p[0], p[1], p[2], 255})
			}
		}
	}
	return canvas, nil
}

// ShowBatch draws the first maxN images of a batch (fastai's show_batch: max_n 9, a
// 3×3 grid) de-normalised, each captioned with its labels joined by ';'.
func ShowBatch(b *Batch, maxN int) (*image.RGBA, error) {
	n := min(maxN, b.N)
	if n <= 0 {
		return nil, fmt.Errorf("vision.ShowBatch: nothing to show (batch of %d, max %d)", b.N, maxN)
	}
	tiles := make([]Tile, n)
	for i := range tiles {
		tiles[i] = Tile{Image: b.Image(i, nil), Lines: []string{strings.Join(b.Labels(i), ";")}}
	}
	return Grid(tiles, 0)
}

// ShowResults draws images with two caption lines each, the target labels and the
// predicted labels (each joined by ';'), as fastai's show_results does for a
// multi-label learner.
func ShowResults(images []*RGB, targets, preds [][]string) (*image.RGBA, error) {
	if len(targets) != len(images) || len(preds) != len(images) {
		return nil, fmt.Errorf("vision.ShowResults: %d images, %d targets, %d predictions", len(images), len(targets), len(preds))
	}
	tiles := make([]Tile, len(images))
	for i, img := range images {
		tiles[i] = Tile{Image: img, Lines: []string{strings.Join(targets[i], ";"), strings.Join(preds[i], ";")}}
	}
	return Grid(tiles, 0)
}

// SavePNG writes img to path as a PNG file, creating its folder if needed.
func SavePNG(path string, img image.Image) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// SaveShowBatch writes fastai's show_batch to path as a PNG: the first maxN images of
// the first batch of the given epoch of dl (a training loader's is shuffled and
// augmented), captioned with their labels.
func SaveShowBatch(dl *Loader, epoch int, path string, maxN int) error {
	for b, err := range dl.Epoch(epoch) {
		if err != nil {
			return fmt.Errorf("show_batch: %w", err)
		}
		img, err := ShowBatch(b, maxN)
		b.Release()
		if err != nil {
			return err
		}
		return SavePNG(path, img)
	}
	return fmt.Errorf("show_batch: the loader has no batch")
}

// ShowBatch is fastai's dls.show_batch(max_n=maxN) written to path as a PNG: the first
// training batch of epoch 0, augmented, captioned with its labels.
func (d *DataLoaders) ShowBatch(path string, maxN int) error {
	return SaveShowBatch(d.Train, 0, path, maxN)
}
