package vision

import (
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGridShape(t *testing.T) {
	for _, c := range []struct{ n, rows, cols int }{{9, 3, 3}, {1, 1, 1}, {4, 2, 2}, {5, 2, 3}, {10, 3, 4}} {
		if r, k := gridShape(c.n); r != c.rows || k != c.cols {
			t.Errorf("gridShape(%d) = %d×%d, want %d×%d", c.n, r, k, c.rows, c.cols)
		}
	}
}

func TestWrapCaption(t *testing.T) {
	face, err := captionFace()
	if err != nil {
		t.Fatal(err)
	}
	s := "bottle;chair;diningtable;person;pottedplant;sofa;tvmonitor"
	rows := wrapCaption(face, s, 120)
	if len(rows) < 3 || strings.Join(rows, "") != s {
		t.Errorf("wrapped into %q", rows)
	}
	for _, r := range rows[:len(rows)-1] {
		if !strings.HasSuffix(r, ";") {
			t.Errorf("row %q does not break after ';'", r)
		}
	}
	if got := wrapCaption(face, "x", 1); len(got) != 1 || got[0] != "x" {
		t.Errorf("narrow: %q", got)
	}
}

// TestShowBatch draws a 3×3 grid from a real batch and checks the layout: nine tiles of
// the batch's images with dark caption pixels above each, written as a PNG.
func TestShowBatch(t *testing.T) {
	ds, _ := sampleDataset(t, 24, 8)
	o := smallOptions()
	o.Size, o.BatchSize = 160, 12 // no enlargement: tile pixels equal the de-normalised batch images
	dl, err := NewDataLoaders(ds, o)
	if err != nil {
		t.Fatal(err)
	}
	for b, err := range dl.Train.Epoch(0) {
		if err != nil {
			t.Fatal(err)
		}
		img, err := ShowBatch(b, 9)
		if err != nil {
			t.Fatal(err)
		}
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		if w != 3*(160+10)+10 || h < 3*(160+10) {
			t.Errorf("canvas %dx%d for 3×3 tiles of 160", w, h)
		}
		// Tile (row 1, col 2) holds image 5: compare a pixel.
		capH := (h-10)/3 - 160 - 10 // caption band of each cell
		x0, y0 := 10+2*170, 10+(160+capH+10)+capH
		rgb := b.Image(5, nil)
		r, g, bb := rgb.At(17, 23)
		if got := img.RGBAAt(x0+17, y0+23); got != (color.RGBA{r, g, bb, 255}) {
			t.Errorf("tile pixel %v, image pixel %v", got, []uint8{r, g, bb})
		}
		dark := 0
		for y := 10; y < 10+capH; y++ {
			for x := 10; x < 170; x++ {
				if c := img.RGBAAt(x, y); c.R < 100 {
					dark++
				}
			}
		}
		if dark < 20 {
			t.Errorf("no caption drawn above tile 0 (%d dark pixels)", dark)
		}
		p := filepath.Join(t.TempDir(), "batch.png")
		if err := SavePNG(p, img); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(p); err != nil || st.Size() < 1000 {
			t.Errorf("PNG not written: %v", err)
		}
		b.Release()
		break
	}
	if _, err := ShowResults([]*RGB{NewRGB(8, 8)}, [][]string{{"a"}}, nil); err == nil {
		t.Error("ShowResults accepted mismatched lengths")
	}
	img, err := ShowResults([]*RGB{NewRGB(64, 64), NewRGB(64, 64)}, [][]string{{"cat", "dog"}, nil}, [][]string{{"dog"}, {"cat"}})
	if err != nil || img.Bounds().Dx() != 2*(192+10)+10 {
		t.Errorf("ShowResults: %v, %v (64 px tiles enlarged ×3)", err, img.Bounds())
	}
}
