package vision

import (
	"fmt"
	"os"
)

// transformer runs the per-image pipeline with reusable buffers; one per goroutine.
//
//	file → decode (RGB) → fastai Resize crop + PIL BILINEAR to res×res (uint8)
//	     → [area pre-shrink to float] → affine+warp grid sample to size×size
//	     → lighting (train) → Normalize
//
// The float image (shrunk, or converted when not shrinking) is the only full-size float
// buffer; the output is written straight into the batch's channel planes.
type transformer struct {
	res, size int
	mean, std [3]float32
	dec       Decoder
	rs        Resizer
	file      []byte
	rgb, big  RGB
	src       *RGB // the image being transformed: &rgb, or an in-memory item's image
	fimg      []float32
	shrink    shrinkScratch
}

func newTransformer(res, size int, mean, std [3]float32) *transformer {
	return &transformer{res: res, size: size, mean: mean, std: std}
}

// loadItem points t.src at the item's image: its in-memory Image, or its file decoded
// into t.rgb.
func (t *transformer) loadItem(it *Item) error {
	if it.Image != nil {
		t.src = it.Image
		return nil
	}
	t.src = &t.rgb
	return t.load(it.Path)
}

// load reads and decodes an image file into t.rgb.
func (t *transformer) load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() > 1<<30 {
		return fmt.Errorf("%s: file of %d bytes is too large for an image", path, st.Size())
	}
	n := int(st.Size())
	if cap(t.file) < n+1 {
		t.file = make([]byte, n+1+n/4)
	}
	buf := t.file[:cap(t.file)]
	m := 0
	for {
		k, err := f.Read(buf[m:])
		m += k
		if err != nil || k == 0 || m == len(buf) {
			break
		}
	}
	if err := t.decode(buf[:m]); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// decode decodes image file bytes into t.rgb.
func (t *transformer) decode(data []byte) error { return t.dec.Decode(data, &t.rgb) }

// validate runs the validation pipeline on the decoded t.rgb into the three planes: the
// centre crop and resize, the identity plan's sampling (with the pre-shrink shrink),
// Normalize. The validation Loader and Preprocessor both call it.
func (t *transformer) validate(dst [3][]float32, plan *samplePlan, shrink int) {
	t.resize(0.5, 0.5)
	t.augment(dst, &t.big, plan, shrink, false, 0, 0)
	t.normalize(dst)
}

// resize applies fastai's Resize(res) crop with offsets (px, py) and PIL's bilinear
// resize, from t.src (t.rgb when nil) into t.big.
func (t *transformer) resize(px, py float64) {
	src := t.src
	if src == nil {
		src = &t.rgb
	}
	crop := CropBox(src.W, src.H, t.res, px, py)
	t.rs.Resize(&t.big, src, crop, t.res, t.res)
}

// augment resamples src (res×res) into the three channel planes (size×size each):
// the area pre-shrink to shrink×shrink when shrink > 0, the grid sample of plan, then
// lighting when light is set.
func (t *transformer) augment(dst [3][]float32, src *RGB, plan *samplePlan, shrink int, light bool, b, c float64) {
	side := src.W
	need := 3 * side * side
	if shrink > 0 {
		need = 3 * shrink * shrink
	}
	if cap(t.fimg) < need {
		t.fimg = make([]float32, need)
	}
	if shrink > 0 {
		areaShrink(t.fimg[:need], src, shrink, &t.shrink)
		side = shrink
	} else {
		toFloat(t.fimg[:need], src)
	}
	sampleImage(dst, t.size, t.fimg[:need], side, side, plan)
	if light {
		applyLighting(dst, b, c)
	}
}

// normalize applies Normalize to the three planes.
func (t *transformer) normalize(dst [3][]float32) { normalizePlanes(dst, t.mean, t.std) }
