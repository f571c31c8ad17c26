package vision

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestDecodeJPEGCloseToPIL compares the decoder with PIL (libjpeg-turbo) on JPEGs PIL
// wrote. Go's IDCT is not libjpeg's ISLOW, so a few LSBs of difference remain; the
// chroma upsampling and colour conversion follow libjpeg, which keeps the mean small.
func TestDecodeJPEGCloseToPIL(t *testing.T) {
	for _, name := range []string{"q90_420", "q90_422", "q95_444", "q85_420_progressive", "gray", "cmyk"} {
		data, err := os.ReadFile(filepath.Join("testdata", "jpeg", name+".jpg"))
		if err != nil {
			t.Fatal(err)
		}
		want := loadRGB(t, "jpeg/"+name+"_pil.npy")
		var d Decoder
		var got RGB
		if err := d.Decode(data, &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.W != want.W || got.H != want.H {
			t.Fatalf("%s: %dx%d, PIL %dx%d", name, got.W, got.H, want.W, want.H)
		}
		maxd, sum := 0, 0
		for i := range got.Pix {
			d := int(got.Pix[i]) - int(want.Pix[i])
			if d < 0 {
				d = -d
			}
			maxd = max(maxd, d)
			sum += d
		}
		mean := float64(sum) / float64(len(got.Pix))
		t.Logf("%-20s max |Go-PIL| %d, mean %.3f", name, maxd, mean)
		if maxd > 4 || mean > 0.15 {
			t.Errorf("%s: max diff %d, mean %.3f: too far from PIL", name, maxd, mean)
		}
	}
}

// TestDecodePNGConversions checks PIL's convert("RGB") rules on lossless PNGs:
// grayscale replicated, alpha dropped without compositing, palette expanded.
func TestDecodePNGConversions(t *testing.T) {
	enc := func(img image.Image) []byte {
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	gray := image.NewGray(image.Rect(0, 0, 2, 1))
	gray.Pix = []uint8{10, 200}
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.Pix = []uint8{10, 20, 30, 0, 200, 100, 50, 128}
	pal := image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.NRGBA{1, 2, 3, 0}, color.NRGBA{250, 5, 6, 255}})
	pal.Pix = []uint8{1, 0}
	g16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	g16.SetGray16(0, 0, color.Gray16{Y: 0x1234})
	g16.SetGray16(1, 0, color.Gray16{Y: 0xff00})
	cases := []struct {
		name string
		img  image.Image
		want []uint8
	}{
		{"gray", gray, []uint8{10, 10, 10, 200, 200, 200}},
		{"nrgba", nrgba, []uint8{10, 20, 30, 200, 100, 50}},
		{"palette", pal, []uint8{250, 5, 6, 1, 2, 3}},
		{"gray16", g16, []uint8{0x12, 0x12, 0x12, 0xff, 0xff, 0xff}},
	}
	var d Decoder
	for _, c := range cases {
		var got RGB
		if err := d.Decode(enc(c.img), &got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got.W != 2 || got.H != 1 || !bytes.Equal(got.Pix, c.want) {
			t.Errorf("%s: got %dx%d %v, want %v", c.name, got.W, got.H, got.Pix, c.want)
		}
	}
}

// TestCMYKFormula checks PIL's cmyk2rgb rounding on hand-computed values:
// (255-k) - round(c·(255-k)/255).
func TestCMYKFormula(t *testing.T) {
	cases := []struct{ c, k, want uint8 }{
		{0, 0, 255}, {255, 0, 0}, {0, 255, 0}, {128, 0, 127}, {100, 50, 125}, {255, 255, 0},
	}
	for _, c := range cases {
		want := float64(255-int(c.k)) - math.Round(float64(c.c)*float64(255-int(c.k))/255)
		if got := cmykChannel(c.c, c.k); got != c.want || float64(got) != want {
			t.Errorf("cmyk(%d, k=%d) = %d, want %d (formula %g)", c.c, c.k, got, c.want, want)
		}
	}
}

// TestDecodeBadInput checks that broken files give errors, not panics.
func TestDecodeBadInput(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "jpeg", "q90_420.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":         nil,
		"text":          []byte("fname,labels\n"),
		"truncated":     good[:len(good)/2],
		"header only":   good[:20],
		"png signature": []byte("\x89PNG\r\n\x1a\n"),
	}
	var d Decoder
	for name, data := range cases {
		var img RGB
		if err := d.Decode(data, &img); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
	small := Decoder{MaxPixels: 100}
	var img RGB
	if err := small.Decode(good, &img); err == nil {
		t.Errorf("a %d-pixel limit accepted a 45x37 image", small.MaxPixels)
	}
}

func BenchmarkDecodeJPEG(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "jpeg", "q90_420.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	var d Decoder
	var img RGB
	for b.Loop() {
		if err := d.Decode(data, &img); err != nil {
			b.Fatal(err)
		}
	}
}
