package vision

import "fmt"

// RGB is an 8-bit RGB image: W×H pixels stored row-major as interleaved R, G, B bytes
// (row stride 3*W). It is the in-memory form of a decoded image, the CPU-side
// equivalent of a PIL "RGB" image. The zero value is an empty image that Decode and
// the resizers grow as needed, so one RGB can be reused for many images.
type RGB struct {
	W, H int
	Pix  []uint8
}

// NewRGB returns a zeroed w×h image.
func NewRGB(w, h int) *RGB {
	r := &RGB{}
	r.Resize(w, h)
	return r
}

// Resize sets the image size to w×h, reusing the pixel buffer when it is large enough.
// The pixel contents are unspecified afterwards.
func (r *RGB) Resize(w, h int) {
	if w < 0 || h < 0 {
		panic(fmt.Sprintf("vision.RGB.Resize: negative size %dx%d", w, h))
	}
	n := 3 * w * h
	if cap(r.Pix) < n {
		r.Pix = make([]uint8, n)
	}
	r.W, r.H, r.Pix = w, h, r.Pix[:n]
}

// At returns the R, G, B values of pixel (x, y).
func (r *RGB) At(x, y int) (uint8, uint8, uint8) {
	i := 3 * (y*r.W + x)
	return r.Pix[i], r.Pix[i+1], r.Pix[i+2]
}
