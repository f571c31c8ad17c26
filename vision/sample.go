package vision

import "math"

// samplePlan is one image's resolved batch-transform geometry: the affine matrix and,
// when warp is true, the perspective homography applied after it.
type samplePlan struct {
	m    [6]float64
	h    [8]float64
	warp bool
}

// planFor resolves an image's parameters; a singular warp system is skipped.
func planFor(p AugParams) samplePlan {
	pl := samplePlan{m: p.Affine()}
	if p.HasWarp() {
		pl.h, pl.warp = p.Homography()
	}
	return pl
}

// gridCoord returns the input coordinates sampled for the output grid point (u, v), and
// the perspective denominator (1 without warp). sampleImage computes the same points with
// the same arithmetic (affineRow, then m[0]·u and m[3]·u added, then perspective), with
// the row terms hoisted out of its inner loop.
func (pl *samplePlan) gridCoord(u, v float64) (x, y, den float64) {
	m := &pl.m
	bx, by := affineRow(m, v)
	x, y = m[0]*u+bx, m[3]*u+by
	if !pl.warp {
		return x, y, 1
	}
	return perspective(&pl.h, x, y)
}

// affineRow returns the part of the affine grid that depends only on the row v:
// m[1]·v + m[2] and m[4]·v + m[5].
func affineRow(m *[6]float64, v float64) (bx, by float64) {
	return m[1]*v + m[2], m[4]*v + m[5]
}

// perspective applies the homography h to (x, y), returning the mapped point and the
// denominator h[6]·x + h[7]·y + 1.
func perspective(h *[8]float64, x, y float64) (px, py, den float64) {
	den = h[6]*x + h[7]*y + 1
	inv := 1 / den
	return (h[0]*x + h[1]*y + h[2]) * inv, (h[3]*x + h[4]*y + h[5]) * inv, den
}

// gridStep returns the spacing of linspace(-1, 1, n), the align_corners=True base grid.
func gridStep(n int) float64 { return 2 / float64(n-1) }

// forEachGridPoint calls f for the output grid points of an image: only the four
// corners when corners is true, otherwise all size×size points.
func forEachGridPoint(size int, corners bool, f func(u, v float64)) {
	if corners {
		for _, c := range [4][2]float64{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}} {
			f(c[0], c[1])
		}
		return
	}
	st := gridStep(size)
	for i := 0; i < size; i++ {
		for j := 0; j < size; j++ {
			f(-1+float64(j)*st, -1+float64(i)*st)
		}
	}
}

// cornersPositive reports whether the warp denominator is positive at the four corners,
// hence (being affine in u, v) on the whole grid.
func (pl *samplePlan) cornersPositive() bool {
	ok := true
	forEachGridPoint(0, true, func(u, v float64) {
		if _, _, d := pl.gridCoord(u, v); !(d > 0) {
			ok = false
		}
	})
	return ok
}

// resolveBatch applies fastai's batch-wide rules to the plans of one batch of in×in
// images sampled to out×out (SPEC §1.6) and returns the side the inputs must first be
// area-shrunk to, or 0 for no shrink:
//   - if any warp denominator on any image's grid is exactly 0, the warp is dropped for
//     the whole batch (apply_perspective);
//   - with mn, mx the extremes of all sampled coordinates (x and y together) and
//     z = 2/(mx-mn), d = min(in/out, in/2)/2 (the /2 is fastai's division by the grid's
//     last dimension), the inputs are area-shrunk by 1/d to floor(in/d) when d > 1 and
//     d > z (_grid_sample).
//
// The extremes of a projective map over the grid lie at its corners when the
// denominator keeps one sign, so only corners are evaluated in that (usual) case.
func resolveBatch(plans []samplePlan, in, out int) int {
	full := make([]bool, len(plans))
	for i := range plans {
		if plans[i].warp && !plans[i].cornersPositive() {
			full[i] = true
			zero := false
			forEachGridPoint(out, false, func(u, v float64) {
				if _, _, d := plans[i].gridCoord(u, v); d == 0 {
					zero = true
				}
			})
			if zero {
				for k := range plans {
					plans[k].warp = false
					full[k] = false
				}
				break
			}
		}
	}
	mn, mx := math.Inf(1), math.Inf(-1)
	for i := range plans {
		forEachGridPoint(out, !full[i], func(u, v float64) {
			x, y, _ := plans[i].gridCoord(u, v)
			mn = math.Min(mn, math.Min(x, y))
			mx = math.Max(mx, math.Max(x, y))
		})
	}
	return shrinkSide(mn, mx, in, out)
}

// shrinkSide is _grid_sample's pre-shrink rule for a coordinate range [mn, mx].
func shrinkSide(mn, mx float64, in, out int) int {
	z := 2 / (mx - mn)
	d := math.Min(float64(in)/float64(out), float64(in)/2) / 2
	if d > 1 && d > z {
		return int(math.Floor(float64(in) * (1 / d)))
	}
	return 0
}

// areaShrink averages src (in×in) into dst, an n×n float32 RGB image (interleaved) in
// [0,1], with adaptive average pooling's bins: output k averages inputs
// [floor(k·in/n), ceil((k+1)·in/n)) along each axis (torch's area interpolation). The
// sums are exact integers; only the final scaling rounds. sc is scratch.
func areaShrink(dst []float32, src *RGB, n int, sc *shrinkScratch) {
	in := src.W
	sc.prepare(in, n)
	acc := sc.acc[:3*in]
	out := dst[:3*n*n]
	for k := 0; k < n; k++ {
		r0, r1 := int(sc.lo[k]), int(sc.hi[k])
		clear(acc)
		for r := r0; r < r1; r++ {
			row := src.Pix[3*in*r:][:3*in]
			for i, v := range row {
				acc[i] += int32(v)
			}
		}
		rowInv := sc.inv[k] / 255
		orow := out[3*n*k:][:3*n]
		for l := 0; l < n; l++ {
			c0, c1 := 3*int(sc.lo[l]), 3*int(sc.hi[l])
			o := orow[3*l : 3*l+3 : 3*l+3]
			inv := rowInv * sc.inv[l]
			a := acc[c0:c1]
			if len(a) == 6 { // two columns, the usual bin
				o[0] = float32(float64(a[0]+a[3]) * inv)
				o[1] = float32(float64(a[1]+a[4]) * inv)
				o[2] = float32(float64(a[2]+a[5]) * inv)
				continue
			}
			var s0, s1, s2 int32
			for c := 0; c+2 < len(a); c += 3 {
				s0 += a[c]
				s1 += a[c+1]
				s2 += a[c+2]
			}
			o[0], o[1], o[2] = float32(float64(s0)*inv), float32(float64(s1)*inv), float32(float64(s2)*inv)
		}
	}
}

// shrinkScratch holds areaShrink's bins (the same along both axes) and row sums.
type shrinkScratch struct {
	in, n  int
	lo, hi []int32
	inv    []float64 // 1 / bin length
	acc    []int32
}

func (s *shrinkScratch) prepare(in, n int) {
	if s.in == in && s.n == n {
		return
	}
	s.in, s.n = in, n
	s.lo, s.hi, s.inv = make([]int32, n), make([]int32, n), make([]float64, n)
	for k := 0; k < n; k++ {
		s.lo[k], s.hi[k] = int32(k*in/n), int32(((k+1)*in+n-1)/n)
		s.inv[k] = 1 / float64(s.hi[k]-s.lo[k])
	}
	s.acc = make([]int32, 3*in)
}

// toFloat converts src to float32 in [0,1] (x/255, IntToFloatTensor) into dst.
func toFloat(dst []float32, src *RGB) {
	for i, v := range src.Pix {
		dst[i] = float32(v) / 255
	}
}

// reflectCoord folds a pixel coordinate into [0, span] the way grid_sample's reflection
// padding does with align_corners=True (reflect about 0 and span, then clip).
// Non-finite coordinates map to 0.
func reflectCoord(c, span float64) float64 {
	if span <= 0 || math.IsNaN(c) || math.IsInf(c, 0) {
		return 0
	}
	c = math.Abs(c)
	if c > span {
		flips := math.Floor(c / span)
		extra := math.Mod(c, span)
		if math.Mod(flips, 2) == 0 {
			c = extra
		} else {
			c = span - extra
		}
	}
	return math.Min(c, span)
}

// sampleImage resamples src (a w×h interleaved RGB float image) onto the size×size
// output grid of pl with bilinear interpolation, reflection padding and
// align_corners=True (F.grid_sample), writing channel c to dst[c][0:size*size].
func sampleImage(dst [3][]float32, size int, src []float32, w, h int, pl *samplePlan) {
	spanX, spanY := float64(w-1), float64(h-1)
	st := gridStep(size)
	n := size * size
	d0, d1, d2 := dst[0][:n], dst[1][:n], dst[2][:n]
	src = src[:3*w*h]
	m, hm, warp := pl.m, pl.h, pl.warp
	for i := 0; i < size; i++ {
		v := -1 + float64(i)*st
		bx, by := affineRow(&m, v)
		o := i * size
		for j := 0; j < size; j++ {
			u := -1 + float64(j)*st
			x, y := m[0]*u+bx, m[3]*u+by // gridCoord, with the row terms hoisted
			if warp {
				x, y, _ = perspective(&hm, x, y)
			}
			px, py := (x+1)*0.5*spanX, (y+1)*0.5*spanY
			if !(px >= 0 && px <= spanX) { // outside (or NaN): fold back
				px = reflectCoord(px, spanX)
			}
			if !(py >= 0 && py <= spanY) {
				py = reflectCoord(py, spanY)
			}
			x0, y0 := int(px), int(py)
			fx, fy := float32(px-float64(x0)), float32(py-float64(y0))
			x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
			i00, i01 := 3*(y0*w+x0), 3*(y0*w+x1)
			i10, i11 := 3*(y1*w+x0), 3*(y1*w+x1)
			w00, w01 := (1-fx)*(1-fy), fx*(1-fy)
			w10, w11 := (1-fx)*fy, fx*fy
			a, b, c, d := src[i00:i00+3], src[i01:i01+3], src[i10:i10+3], src[i11:i11+3]
			d0[o+j] = w00*a[0] + w01*b[0] + w10*c[0] + w11*d[0]
			d1[o+j] = w00*a[1] + w01*b[1] + w10*c[1] + w11*d[1]
			d2[o+j] = w00*a[2] + w01*b[2] + w10*c[2] + w11*d[2]
		}
	}
}
