package vision

import (
	"fmt"
	"image"
	"testing"
)

// Hand-computed with Pillow's algorithm (SPEC §1.4): upscaling [0 255] to 4 samples
// gives weights 1 | .25 .75 ... → [0 64 191 255]; shrinking [0 100 200 40] to 2 samples
// uses the widened triangle: weights (3,3,1)/7 and (1,3,3)/7 → [71 117].
func TestResizeHandComputed(t *testing.T) {
	cases := []struct {
		in, want []uint8
	}{
		{[]uint8{0, 255}, []uint8{0, 64, 191, 255}},
		{[]uint8{0, 100, 200, 40}, []uint8{71, 117}},
		{[]uint8{7}, []uint8{7, 7, 7}},
	}
	var rs Resizer
	for _, c := range cases {
		src := NewRGB(len(c.in), 1)
		for i, v := range c.in {
			src.Pix[3*i], src.Pix[3*i+1], src.Pix[3*i+2] = v, v, 255-v
		}
		var dst RGB
		rs.Resize(&dst, src, image.Rect(0, 0, len(c.in), 1), len(c.want), 1)
		for i, w := range c.want {
			if dst.Pix[3*i] != w || dst.Pix[3*i+1] != w || dst.Pix[3*i+2] != 255-w {
				t.Errorf("resize %v → %d: pixel %d = %v, want %d", c.in, len(c.want), i, dst.Pix[3*i:3*i+3], w)
			}
		}
		// The same along the vertical axis.
		srcV := NewRGB(1, len(c.in))
		copy(srcV.Pix, src.Pix)
		rs.Resize(&dst, srcV, image.Rect(0, 0, 1, len(c.in)), 1, len(c.want))
		for i, w := range c.want {
			if dst.Pix[3*i] != w {
				t.Errorf("vertical resize %v: pixel %d = %d, want %d", c.in, i, dst.Pix[3*i], w)
			}
		}
	}
}

// TestResizeMatchesPIL checks bit-exactness against PIL's crop(...).resize(..., BILINEAR).
func TestResizeMatchesPIL(t *testing.T) {
	var rs Resizer
	for _, c := range readCases(t, "pil_resize/cases.txt") {
		k := c[0]
		src := loadRGB(t, "pil_resize/case"+k+"_src.npy")
		want := loadRGB(t, "pil_resize/case"+k+"_out.npy")
		box := image.Rect(atoi(t, c[3]), atoi(t, c[4]), atoi(t, c[5]), atoi(t, c[6]))
		var got RGB
		rs.Resize(&got, src, box, atoi(t, c[7]), atoi(t, c[8]))
		if got.W != want.W || got.H != want.H {
			t.Fatalf("case %s: size %dx%d, want %dx%d", k, got.W, got.H, want.W, want.H)
		}
		bad := 0
		for i := range got.Pix {
			if got.Pix[i] != want.Pix[i] {
				if bad < 3 {
					t.Errorf("case %s (%v → %dx%d): byte %d = %d, PIL %d", k, box, got.W, got.H, i, got.Pix[i], want.Pix[i])
				}
				bad++
			}
		}
		if bad > 0 {
			t.Errorf("case %s: %d of %d bytes differ from PIL", k, bad, len(got.Pix))
		}
	}
}

// TestCropBox checks fastai's crop geometry, including the sizes SPEC §1.4 lists as one
// pixel short of the short side because of float rounding.
func TestCropBox(t *testing.T) {
	short1 := map[int]bool{}
	for _, s := range []int{233, 234, 242, 243, 251, 252, 466, 468, 475, 477, 484, 486, 493, 495, 502, 504, 511} {
		short1[s] = true
	}
	for _, s := range []int{200, 233, 234, 235, 256, 300, 460, 466, 467, 500, 511} {
		want := s
		if short1[s] {
			want = s - 1
		}
		for _, wh := range [][2]int{{s, s + 120}, {s + 37, s}} {
			r := CropBox(wh[0], wh[1], 460, 0.5, 0.5)
			if r.Dx() != want || r.Dy() != want {
				t.Errorf("CropBox(%dx%d): side %d, want %d", wh[0], wh[1], r.Dx(), want)
			}
		}
	}
	// Offsets: int(p*(w-side)).
	cases := []struct {
		w, h   int
		px, py float64
		want   image.Rectangle
	}{
		{500, 375, 0.5, 0.5, image.Rect(62, 0, 437, 375)},
		{375, 500, 0.5, 0.5, image.Rect(0, 62, 375, 437)},
		{341, 256, 0.999, 0.3, image.Rect(84, 0, 340, 256)},
		{341, 256, 0, 0.7, image.Rect(0, 0, 256, 256)},
		{460, 460, 0.9, 0.9, image.Rect(0, 0, 460, 460)},
	}
	for _, c := range cases {
		if got := CropBox(c.w, c.h, 460, c.px, c.py); got != c.want {
			t.Errorf("CropBox(%d, %d, %g, %g) = %v, want %v", c.w, c.h, c.px, c.py, got, c.want)
		}
	}
}

func BenchmarkResize256To460(b *testing.B) {
	src := NewRGB(341, 256)
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	var rs Resizer
	var dst RGB
	crop := CropBox(341, 256, 460, 0.5, 0.5)
	b.Run(fmt.Sprint(crop.Dx(), "to460"), func(b *testing.B) {
		for b.Loop() {
			rs.Resize(&dst, src, crop, 460, 460)
		}
	})
}
