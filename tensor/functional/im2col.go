package functional

import "github.com/fastgo/fastgo/asm/vec"

// im2col and col2im on the CNHW layout. Row r of the column matrix is the kernel tap
// (ci, i, j) = (r / (KH·KW), r / KW % KH, r % KW); column q is the output position
// (n, oh, ow) = (q / (Ho·Wo), q / Wo % Ho, q % Wo); the element is
// x[ci, n, oh·sh − ph + i·dh, ow·sw − pw + j·dw], or 0 in the padding. Both functions
// work on a block of rows [k0, k1) and columns [p0, p1), walking each row one output
// row segment at a time: a segment is zero padding, then a contiguous copy (stride 1)
// or strided gather, then padding again.
//
// A strided gather of a short segment costs several times a copy, so for strided
// convolutions with wider kernels im2col reads a deinterleaved image (deinterleave):
// each row of W values becomes its sw phases one after the other, phase r holding
// columns r, r+sw, r+2·sw, … Every kernel tap then reads a contiguous run of one phase.
// (Measured on one thread: the stem's forward +30%, the 3×3 stride-2 layers +0–3%.)

// tapCols describes where kernel column kj reads an image row: output column ow reads
// position q = ow·mult + add of a run of width values starting at offset base of the
// (possibly deinterleaved) row, or padding when q is outside [0, width).
func tapCols(g *convGeom, kj int, deint bool) (mult, add, width, base int) {
	off := kj*g.dw - g.pw // image column of output column 0
	if !deint {
		return g.sw, off, g.w, 0
	}
	r := ((off % g.sw) + g.sw) % g.sw // the phase
	return 1, (off - r) / g.sw, phaseWidth(g.w, g.sw, r), phaseStart(g.w, g.sw, r)
}

// phaseWidth is the number of columns r, r+s, … below w; phaseStart is where phase r
// starts in a deinterleaved row.
func phaseWidth(w, s, r int) int { return (w - r + s - 1) / s }
func phaseStart(w, s, r int) int {
	start := 0
	for i := 0; i < r; i++ {
		start += phaseWidth(w, s, i)
	}
	return start
}

// deinterleaveWorth reports whether im2col/col2im should work on a deinterleaved image:
// strided convolutions whose kernel is wider than one column.
func deinterleaveWorth(g *convGeom) bool { return g.sw > 1 && g.kw > 1 }

// deinterleave writes rows [r0, r1) of the image x (rows of w values) into dst with
// each row's sw phases one after the other.
func deinterleave(dst, x []float32, w, sw, r0, r1 int) {
	for row := r0; row < r1; row++ {
		src := x[row*w : (row+1)*w]
		out := dst[row*w : (row+1)*w]
		for r := 0; r < sw; r++ {
			n := phaseWidth(w, sw, r)
			gather(out[:n], src, r, sw)
			out = out[n:]
		}
	}
}

// validRange returns the sub-range [lo, hi) of j in [0, seg) for which
// 0 <= iw0 + j·s < w.
func validRange(iw0, s, w, seg int) (lo, hi int) {
	if iw0 < 0 {
		lo = (-iw0 + s - 1) / s
	}
	if last := w - 1 - iw0; last >= 0 {
		hi = last/s + 1
	}
	lo = min(lo, seg)
	hi = max(min(hi, seg), lo)
	return lo, hi
}

// im2col writes rows [k0, k1) and columns [p0, p1) of x's column matrix into col, row
// r−k0 starting at col[(r−k0)·ldc]. With deint, x is the deinterleaved image.
func im2col(col []float32, ldc int, x []float32, g *convGeom, k0, k1, p0, p1 int, deint bool) {
	if deint && g.phased() {
		im2colPhase(col, ldc, x, g, k0, k1, p0, p1)
		return
	}
	if sameShape(g) && !deint {
		im2colSame(col, ldc, x, g, k0, k1, p0, p1)
		return
	}
	im2colGeneral(col, ldc, x, g, k0, k1, p0, p1, deint)
}

// im2colGeneral is im2col for any geometry, one output-row segment at a time.
func im2colGeneral(col []float32, ldc int, x []float32, g *convGeom, k0, k1, p0, p1 int, deint bool) {
	khw := g.kh * g.kw
	plane := g.h * g.w
	chanSize := g.n * plane
	howo := g.ho * g.wo
	for r := k0; r < k1; r++ {
		ci, tap := r/khw, r%khw
		ki, kj := tap/g.kw, tap%g.kw
		dst := col[(r-k0)*ldc : (r-k0)*ldc+(p1-p0)]
		xc := x[ci*chanSize : (ci+1)*chanSize]
		img, rem := p0/howo, p0%howo
		oh, ow := rem/g.wo, rem%g.wo
		offI := ki*g.dh - g.ph
		mult, add, width, base := tapCols(g, kj, deint)
		for d := 0; d < len(dst); {
			seg := min(g.wo-ow, len(dst)-d)
			out := dst[d : d+seg]
			ih := oh*g.sh + offI
			if ih < 0 || ih >= g.h {
				clear(out)
			} else {
				q0 := ow*mult + add
				lo, hi := validRange(q0, mult, width, seg)
				clear(out[:lo])
				if lo < hi {
					row := xc[img*plane+ih*g.w+base : img*plane+ih*g.w+base+width]
					if mult == 1 {
						copy(out[lo:hi], row[q0+lo:q0+hi])
					} else {
						gather(out[lo:hi], row, q0+lo*mult, mult)
					}
				}
				clear(out[hi:])
			}
			d += seg
			ow += seg
			if ow == g.wo {
				ow = 0
				oh++
				if oh == g.ho {
					oh = 0
					img++
				}
			}
		}
	}
}

// sameShape reports whether the convolution keeps the image size with stride 1 and no
// dilation (ResNet's 3×3 pad-1 convolutions and their input gradients): the output
// position (n, oh, ow) is then the input position (n, h, w), and every row of the
// column matrix is the channel's image shifted by one constant offset.
func sameShape(g *convGeom) bool {
	return g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 && g.ho == g.h && g.wo == g.w
}

// im2colSame is im2col for sameShape convolutions. Row (ci, ki, kj) is channel ci
// shifted by s = (ki−ph)·W + (kj−pw): one contiguous copy of the whole column range,
// after which the positions that read across an image edge are zeroed — the first or
// last |ki−ph| rows of each image and the first or last |kj−pw| columns of each row.
// This replaces one short copy per output row with a single memmove (measured: the
// im2col of a layer1 chunk several times faster).
func im2colSame(col []float32, ldc int, x []float32, g *convGeom, k0, k1, p0, p1 int) {
	khw := g.kh * g.kw
	chanSize := g.n * g.h * g.w
	n := p1 - p0
	for r := k0; r < k1; r++ {
		ci, tap := r/khw, r%khw
		im2colShifted(col[(r-k0)*ldc:(r-k0)*ldc+n], x[ci*chanSize:(ci+1)*chanSize], g, p0, p1,
			tap/g.kw-g.ph, tap%g.kw-g.pw)
	}
}

// im2colShifted sets dst[q−p0] for the output positions q in [p0, p1) of g (where
// output and input planes are both H×W) to the channel xc ([N][H][W]) shifted by di
// rows and dj columns: xc at (n, h+di, w+dj) for output (n, h, w), 0 where that lies
// outside the image.
func im2colShifted(dst, xc []float32, g *convGeom, p0, p1, di, dj int) {
	chanSize := len(xc)
	// dst[q−p0] = xc[q+s] where that lies inside the channel; the rest is zeroed
	// below or here.
	s := di*g.w + dj
	lo, hi := max(p0+s, 0), min(p1+s, chanSize)
	if lo >= hi {
		clear(dst)
		return
	}
	clear(dst[:lo-s-p0])
	copy(dst[lo-s-p0:hi-s-p0], xc[lo:hi])
	clear(dst[hi-s-p0:])
	if di != 0 {
		zeroEdgeRows(dst, g, p0, p1, di)
	}
	if dj != 0 {
		zeroEdgeCols(dst, g, p0, p1, dj)
	}
}

// zeroEdgeRows zeroes, in a column-matrix row covering output positions [p0, p1), the
// output rows whose input row oh+di lies outside the image.
func zeroEdgeRows(dst []float32, g *convGeom, p0, p1, di int) {
	plane := g.h * g.w
	// Bad output rows of each image: [0, −di) for di < 0, [H−di, H) for di > 0.
	r0, r1 := 0, -di
	if di > 0 {
		r0, r1 = g.h-di, g.h
	}
	r0, r1 = max(r0, 0), min(r1, g.h)
	for img := p0 / plane; img*plane < p1; img++ {
		a := max(img*plane+r0*g.w, p0)
		b := min(img*plane+r1*g.w, p1)
		if a < b {
			clear(dst[a-p0 : b-p0])
		}
	}
}

// zeroEdgeCols zeroes the output columns whose input column ow+dj lies outside the row:
// [0, −dj) for dj < 0, [W−dj, W) for dj > 0, in every output row of [p0, p1).
func zeroEdgeCols(dst []float32, g *convGeom, p0, p1, dj int) {
	c0, c1 := 0, -dj
	if dj > 0 {
		c0, c1 = g.w-dj, g.w
	}
	c0, c1 = max(c0, 0), min(c1, g.w)
	for row := p0 / g.w; row*g.w < p1; row++ {
		a := max(row*g.w+c0, p0)
		b := min(row*g.w+c1, p1)
		for q := a; q < b; q++ {
			dst[q-p0] = 0
		}
	}
}

// gather sets dst[j] = src[start + j·stride].
func gather(dst, src []float32, start, stride int) {
	if len(dst) == 0 {
		return
	}
	src = src[start : start+(len(dst)-1)*stride+1]
	for j := range dst {
		dst[j] = src[j*stride]
	}
}

// col2im adds rows [k0, k1) and columns [p0, p1) of a column matrix (row r−k0 at
// col[(r−k0)·ldc]) back into the image dx: every element goes to the input position it
// was gathered from; padding positions are dropped. It is im2col's transpose (on the
// plain image).
//
// col is scratch: a sameShape geometry (col2imSame) zeroes its entries that fell on
// padding.
func col2im(dx []float32, col []float32, ldc int, g *convGeom, k0, k1, p0, p1 int) {
	if sameShape(g) {
		col2imSame(dx, col, ldc, g, k0, k1, p0, p1)
		return
	}
	col2imGeneral(dx, col, ldc, g, k0, k1, p0, p1)
}

// col2imGeneral is col2im for any geometry, one output-row segment at a time.
func col2imGeneral(dx []float32, col []float32, ldc int, g *convGeom, k0, k1, p0, p1 int) {
	khw := g.kh * g.kw
	plane := g.h * g.w
	chanSize := g.n * plane
	howo := g.ho * g.wo
	for r := k0; r < k1; r++ {
		ci, tap := r/khw, r%khw
		ki, kj := tap/g.kw, tap%g.kw
		src := col[(r-k0)*ldc : (r-k0)*ldc+(p1-p0)]
		xc := dx[ci*chanSize : (ci+1)*chanSize]
		img, rem := p0/howo, p0%howo
		oh, ow := rem/g.wo, rem%g.wo
		offI := ki*g.dh - g.ph
		mult, add, width, base := tapCols(g, kj, false)
		for d := 0; d < len(src); {
			seg := min(g.wo-ow, len(src)-d)
			ih := oh*g.sh + offI
			q0 := ow*mult + add
			if lo, hi := validRange(q0, mult, width, seg); ih >= 0 && ih < g.h && lo < hi {
				in := src[d : d+seg]
				row := xc[img*plane+ih*g.w+base : img*plane+ih*g.w+base+width]
				if mult == 1 {
					addTo(row[q0+lo:q0+hi], in[lo:hi])
				} else {
					scatterAdd(row, in[lo:hi], q0+lo*mult, mult)
				}
			}
			d += seg
			ow += seg
			if ow == g.wo {
				ow = 0
				oh++
				if oh == g.ho {
					oh = 0
					img++
				}
			}
		}
	}
}

// col2imSame is col2im for sameShape convolutions, im2colSame's transpose: row (ci, ki,
// kj) of the column matrix adds into channel ci shifted by s = (ki−ph)·W + (kj−pw), so
// once the row's entries that im2col read from padding are zeroed (the first or last
// |ki−ph| rows of each image, the first or last |kj−pw| columns of each row), the whole
// column range adds in one vector addition. Where the generic loop spends a bounds
// computation on every output row — most of the input gradient's time on ResNet's 4×4
// and 2×2 layers at 64 px — this costs two passes over the row. The zeroed entries add
// +0 to the neighbouring rows' elements they overlap, which leaves every value but a
// −0 (then +0) unchanged.
func col2imSame(dx []float32, col []float32, ldc int, g *convGeom, k0, k1, p0, p1 int) {
	khw := g.kh * g.kw
	chanSize := g.n * g.h * g.w
	n := p1 - p0
	for r := k0; r < k1; r++ {
		ci, tap := r/khw, r%khw
		di, dj := tap/g.kw-g.ph, tap%g.kw-g.pw
		src := col[(r-k0)*ldc : (r-k0)*ldc+n]
		s := di*g.w + dj
		lo, hi := max(p0+s, 0), min(p1+s, chanSize)
		if lo >= hi {
			continue
		}
		if di != 0 {
			zeroEdgeRows(src, g, p0, p1, di)
		}
		if dj != 0 {
			zeroEdgeCols(src, g, p0, p1, dj)
		}
		xc := dx[ci*chanSize+lo : ci*chanSize+hi]
		vec.Add(xc, xc, src[lo-s-p0:hi-s-p0])
	}
}

// addTo sets dst[i] += src[i].
func addTo(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

// scatterAdd sets dst[start + j·stride] += src[j].
func scatterAdd(dst, src []float32, start, stride int) {
	if len(src) == 0 {
		return
	}
	dst = dst[start : start+(len(src)-1)*stride+1]
	for j, v := range src {
		dst[j*stride] += v
	}
}
