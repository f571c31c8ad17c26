package vision

import (
	"fmt"
	"image"
	"math"
)

// pillowPrecision is Pillow's PRECISION_BITS for 8-bit resampling (32 - 8 - 2).
const pillowPrecision = 22

// axisCoeffs holds Pillow's fixed-point BILINEAR weights for resampling one axis from
// in to out samples: output i reads input samples first[i] … first[i]+count[i]-1 with
// weights k[i*ksize:][:count[i]].
type axisCoeffs struct {
	in, out, ksize int
	first, count   []int32
	k              []int32
}

// bilinearCoeffs computes the weights as Pillow's precompute_coeffs and
// normalize_coeffs_8bpc do (Resample.c) for the BILINEAR (triangle, support 1) filter:
// scale = in/out, the filter is widened by max(scale, 1) when shrinking, weights are
// normalised to sum 1 in float64 and then rounded half away from zero to 22 fraction
// bits.
func bilinearCoeffs(in, out int) *axisCoeffs {
	scale := float64(in) / float64(out)
	fs := math.Max(scale, 1)
	support := 1.0 * fs
	ksize := int(math.Ceil(support))*2 + 1
	c := &axisCoeffs{in: in, out: out, ksize: ksize,
		first: make([]int32, out), count: make([]int32, out), k: make([]int32, out*ksize)}
	w := make([]float64, ksize)
	ss := 1 / fs
	for i := 0; i < out; i++ {
		center := (float64(i) + 0.5) * scale
		lo := int(center - support + 0.5) // C (int) conversion truncates toward zero
		lo = max(lo, 0)
		hi := min(int(center+support+0.5), in)
		n := hi - lo
		sum := 0.0
		for j := 0; j < n; j++ {
			t := math.Abs((float64(j+lo) - center + 0.5) * ss)
			v := 0.0
			if t < 1 {
				v = 1 - t
			}
			w[j] = v
			sum += v
		}
		for j := 0; j < n; j++ {
			v := w[j]
			if sum != 0 {
				v /= sum
			}
			// round half away from zero (weights are never negative here)
			c.k[i*ksize+j] = int32(0.5 + v*(1<<pillowPrecision))
		}
		c.first[i], c.count[i] = int32(lo), int32(n)
	}
	return c
}

// clipFixed converts an accumulated fixed-point sample to uint8 (Pillow's clip8). With
// the triangle filter's non-negative weights, whose rounded sum exceeds 1<<22 by at most
// count/2, no sum can leave [0, 255.5·2^22), so the two-tap fast paths shift without
// clipping.
func clipFixed(v int32) uint8 {
	v >>= pillowPrecision
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// A Resizer resamples RGB images with Pillow's BILINEAR filter, bit for bit: a
// horizontal pass into an 8-bit intermediate, then a vertical pass, each with Pillow's
// fixed-point weights. It caches weight tables and the intermediate buffer, so reuse
// one per goroutine. Not safe for concurrent use.
type Resizer struct {
	cache map[[2]int]*axisCoeffs
	tmp   RGB
	acc   []int32
}

func (r *Resizer) coeffs(in, out int) *axisCoeffs {
	if r.cache == nil {
		r.cache = map[[2]int]*axisCoeffs{}
	}
	key := [2]int{in, out}
	c := r.cache[key]
	if c == nil {
		if len(r.cache) > 512 { // many distinct sizes: keep memory bounded
			clear(r.cache)
		}
		c = bilinearCoeffs(in, out)
		r.cache[key] = c
	}
	return c
}

// Resize sets dst to the crop rectangle of src resized to ow×oh, exactly as PIL's
// img.crop(crop).resize((ow, oh), Image.BILINEAR). crop must lie inside src and be
// non-empty, and ow, oh must be positive (a programming error otherwise: it panics).
func (r *Resizer) Resize(dst, src *RGB, crop image.Rectangle, ow, oh int) {
	if crop.Empty() || !crop.In(image.Rect(0, 0, src.W, src.H)) || ow <= 0 || oh <= 0 {
		panic(fmt.Sprintf("vision.Resizer.Resize: crop %v of a %dx%d image to %dx%d", crop, src.W, src.H, ow, oh))
	}
	cw, ch := crop.Dx(), crop.Dy()
	needH, needV := ow != cw, oh != ch
	dst.Resize(ow, oh)
	vert := r.coeffs(ch, oh)
	switch {
	case needH && needV:
		y0 := int(vert.first[0])
		y1 := int(vert.first[oh-1] + vert.count[oh-1])
		r.tmp.Resize(ow, y1-y0)
		resampleH(&r.tmp, src, crop.Min.X, crop.Min.Y+y0, r.coeffs(cw, ow))
		r.resampleV(dst, &r.tmp, 0, -y0, vert)
	case needH:
		resampleH(dst, src, crop.Min.X, crop.Min.Y, r.coeffs(cw, ow))
	case needV:
		r.resampleV(dst, src, crop.Min.X, crop.Min.Y, vert)
	default:
		for y := 0; y < oh; y++ {
			copy(dst.Pix[3*ow*y:][:3*ow], src.Pix[3*((crop.Min.Y+y)*src.W+crop.Min.X):])
		}
	}
}

// resampleH fills every row y of dst from row y0+y of src, resampling columns
// x0 … x0+c.in-1 of src to dst.W columns.
func resampleH(dst, src *RGB, x0, y0 int, c *axisCoeffs) {
	const half = 1 << (pillowPrecision - 1)
	ow, ks := dst.W, c.ksize
	for y := 0; y < dst.H; y++ {
		in := src.Pix[3*((y0+y)*src.W+x0):][:3*c.in]
		out := dst.Pix[3*ow*y:][:3*ow]
		for i := 0; i < ow; i++ {
			lo, n := int(c.first[i]), int(c.count[i])
			k := c.k[i*ks:][:n]
			o := out[3*i : 3*i+3 : 3*i+3]
			if n == 2 { // the common case when enlarging
				p := in[3*lo : 3*lo+6 : 3*lo+6]
				w0, w1 := k[0], k[1]
				o[0] = uint8((half + int32(p[0])*w0 + int32(p[3])*w1) >> pillowPrecision)
				o[1] = uint8((half + int32(p[1])*w0 + int32(p[4])*w1) >> pillowPrecision)
				o[2] = uint8((half + int32(p[2])*w0 + int32(p[5])*w1) >> pillowPrecision)
				continue
			}
			p := in[3*lo:][:3*n]
			s0, s1, s2 := int32(half), int32(half), int32(half)
			for j, w := range k {
				q := p[3*j : 3*j+3 : 3*j+3]
				s0 += int32(q[0]) * w
				s1 += int32(q[1]) * w
				s2 += int32(q[2]) * w
			}
			o[0], o[1], o[2] = clipFixed(s0), clipFixed(s1), clipFixed(s2)
		}
	}
}

// resampleV fills dst (dst.W columns) by resampling rows: dst row i mixes src rows
// y0+first[i] … at columns x0 … x0+dst.W-1.
func (r *Resizer) resampleV(dst, src *RGB, x0, y0 int, c *axisCoeffs) {
	const half = 1 << (pillowPrecision - 1)
	n3 := 3 * dst.W
	row := func(y int) []uint8 { return src.Pix[3*(y*src.W+x0):][:n3] }
	for i := 0; i < dst.H; i++ {
		lo, n := int(c.first[i]), int(c.count[i])
		k := c.k[i*c.ksize:][:n]
		out := dst.Pix[n3*i:][:n3]
		switch n {
		case 1: // weight 1.0: a copy
			copy(out, row(y0+lo))
			continue
		case 2: // the common case when enlarging
			r0, r1 := row(y0+lo), row(y0+lo+1)
			w0, w1 := k[0], k[1]
			for x := range out {
				out[x] = uint8((half + int32(r0[x])*w0 + int32(r1[x])*w1) >> pillowPrecision)
			}
			continue
		}
		if cap(r.acc) < n3 {
			r.acc = make([]int32, n3)
		}
		acc := r.acc[:n3]
		for j := range acc {
			acc[j] = half
		}
		for j, w := range k {
			in := row(y0 + lo + j)
			for x, v := range in {
				acc[x] += int32(v) * w
			}
		}
		for x, v := range acc {
			out[x] = clipFixed(v)
		}
	}
}

// CropBox returns the square region fastai's Resize(size) with its default method
// ("crop") takes from a w×h image before resizing it to size×size (SPEC §1.4): the side
// is int(m*size) with m the smaller of w/size and h/size in float64 (one pixel short of
// the short side for some sizes, as in fastai), and the offsets are int(px*(w-side)) and
// int(py*(h-side)). Training draws px, py ~ U[0,1); validation uses px = py = 0.5.
func CropBox(w, h, size int, px, py float64) image.Rectangle {
	rw, rh := float64(w)/float64(size), float64(h)/float64(size)
	m := rh
	if rw < rh {
		m = rw
	}
	side := int(m * float64(size))
	side = max(side, 1)
	left := int(px * float64(w-side))
	top := int(py * float64(h-side))
	return image.Rect(left, top, left+side, top+side)
}
