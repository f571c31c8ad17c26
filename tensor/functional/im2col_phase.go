package functional

import "github.com/fastgo/fastgo/asm/vec"

// Phase planes: the deinterleaved form of the image for convolutions strided in both
// directions (ResNet's stem, its 3×3 stride-2 and 1×1 stride-2 layers).
//
// Input row s·i + ρ (stride s) is row i of row phase ρ, and a kernel row tap whose
// offset a = ki·dh − ph reads, for output row oh, input row s·oh + a = s·(oh + ⌊a/s⌋) +
// (a mod s): row oh + ⌊a/s⌋ of phase a mod s. Likewise for columns. So with each
// image plane split into its phase planes, phase (ρ, γ) holding x[s·i + ρ][s·j + γ]
// at (i, j) for i < Ho, j < Wo (0 past the image), every kernel tap (ci, ki, kj) reads
// one phase plane of channel ci shifted by a constant (⌊a/sh⌋, ⌊b/sw⌋), laid out
// exactly like the output: an im2col row of a whole chunk of columns is one memmove
// and the zeroing of the rows and columns that the shift pushes off the plane
// (im2colShifted, as for stride-1 same-size convolutions), where the column-
// deinterleaved image gave one short copy per output row (28, 14 or 7 values on the
// 3×3 stride-2 layers) and the 1×1 stride-2 layers a strided gather per output row.
// The planes hold Ho×Wo values, so this form serves geometries whose phase planes of
// that size cover the image (sh·Ho ≥ H, sw·Wo ≥ W: every output row and column of the
// padded image is inside); others keep the column-deinterleaved one. Only the phases
// that some tap reads are stored (one for a 1×1 convolution without padding).
//
// Layout: virtual channel v = (ci·R + ir)·C + ic for the ir-th row phase and ic-th
// column phase read, each [N][Ho][Wo], v after v. The column matrix is the same,
// value for value, as im2colGeneral's: the GEMMs and their results do not change.

// convPhasePlanes enables the phase-plane form (false keeps the column-deinterleaved
// image for measurements).
var convPhasePlanes = true

// phased reports whether g's deinterleaved image is the phase-plane form.
func (g *convGeom) phased() bool {
	return convPhasePlanes && g.sh > 1 && g.sw > 1 && g.sh <= maxPhaseStride && g.sw <= maxPhaseStride &&
		g.sh*g.ho >= g.h && g.sw*g.wo >= g.w
}

// phasedDirect reports whether g's phase planes are its column matrix itself (K×P,
// row stride P), so that its GEMM needs no im2col: a 1×1 kernel without padding
// reads one phase plane per channel, unshifted.
func (g *convGeom) phasedDirect() bool {
	return g.phased() && g.kh == 1 && g.kw == 1 && g.ph == 0 && g.pw == 0
}

// deintWorth reports whether im2col should read g's image deinterleaved (phase
// planes, or each row's column phases, see deinterleave) rather than x itself.
func deintWorth(g *convGeom) bool {
	return convDeinterleave && (g.phased() || deinterleaveWorth(g))
}

// maxPhaseStride is the largest stride the phase-plane form serves: a kernel's phases
// then fit fixed arrays, and finding them allocates nothing on the hot path.
const maxPhaseStride = 8

// phaseSet is the phases, residues modulo the stride, that a kernel's taps read.
type phaseSet struct {
	n     int                 // how many phases are read
	list  [maxPhaseStride]int // the phases read, increasing (list[:n])
	index [maxPhaseStride]int // each residue's position in list, −1 if no tap reads it
}

// phases returns the phases read, in increasing order.
func (ps *phaseSet) phases() []int { return ps.list[:ps.n] }

// tapPhases returns the phases a kernel of size k (dilation d, padding p, stride
// s ≤ maxPhaseStride) reads.
func tapPhases(k, d, p, s int) phaseSet {
	var ps phaseSet
	for i := range ps.index {
		ps.index[i] = -1
	}
	for t := 0; t < k; t++ {
		ps.index[floorMod(t*d-p, s)] = 0
	}
	for r := 0; r < s; r++ {
		if ps.index[r] == 0 {
			ps.index[r] = ps.n
			ps.list[ps.n] = r
			ps.n++
		}
	}
	return ps
}

func floorMod(a, s int) int { return ((a % s) + s) % s }
func floorDiv(a, s int) int { return (a - floorMod(a, s)) / s }

// deintSize is the number of float32s of g's deinterleaved image.
func deintSize(g *convGeom) int {
	if g.phased() {
		rp, cp := tapPhases(g.kh, g.dh, g.ph, g.sh), tapPhases(g.kw, g.dw, g.pw, g.sw)
		return g.cin * rp.n * cp.n * g.n * g.ho * g.wo
	}
	return g.cin * g.n * g.h * g.w
}

// deintPlane writes image plane (ci, n) of x, src (H×W), into dst, g's deinterleaved
// image (deintSize float32s): its phase planes, or its rows with their column phases
// one after the other.
func deintPlane(dst []float32, g *convGeom, ci, n int, src []float32) {
	hw := g.h * g.w
	if !g.phased() {
		deinterleave(dst[(ci*g.n+n)*hw:], src[:hw], g.w, g.sw, 0, g.h)
		return
	}
	deintPhaseRows(dst, g, ci, n, src, 0, g.ho)
}

// deintPhaseRows writes rows [i0, i1) of the phase planes of image plane (ci, n) of
// x, src (H×W), into dst, g's phase planes (g.phased(), deintSize float32s): deintPlane
// for a band of rows (the fused stem deinterleaves each band's rows as it goes).
func deintPhaseRows(dst []float32, g *convGeom, ci, n int, src []float32, i0, i1 int) {
	rp, cp := tapPhases(g.kh, g.dh, g.ph, g.sh), tapPhases(g.kw, g.dw, g.pw, g.sw)
	plane := g.ho * g.wo
	chanSize := g.n * plane
	nc := cp.n
	for ir, rho := range rp.phases() {
		// Row i of column phase ic of this row phase is at base + ic·chanSize + i·Wo.
		base := (ci*rp.n+ir)*nc*chanSize + n*plane
		for i := i0; i < i1; i++ {
			o := base + i*g.wo
			ih := g.sh*i + rho
			if ih >= g.h {
				for ic := 0; ic < nc; ic++ {
					clear(dst[o+ic*chanSize : o+ic*chanSize+g.wo])
				}
				continue
			}
			row := src[ih*g.w : (ih+1)*g.w]
			if g.sw == 2 && nc == 2 {
				split2(dst[o:o+g.wo], dst[o+chanSize:o+chanSize+g.wo], row)
				continue
			}
			for ic, gam := range cp.phases() {
				out := dst[o+ic*chanSize : o+ic*chanSize+g.wo]
				m := min(phaseWidth(g.w, g.sw, gam), g.wo)
				gather(out[:m], row, gam, g.sw)
				clear(out[m:])
			}
		}
	}
}

// split2 sets even[j] = row[2j] and odd[j] = row[2j+1] (0 past the row's end) in one
// pass over the row: vec.Deinterleave2 from 16 pairs on (a vector of each), a Go loop
// below that, where the kernel's call would cost more than it saves (layer3's and
// layer4's 28- and 14-wide rows).
func split2(even, odd, row []float32) {
	n := min(len(even), len(odd), len(row)/2)
	if n >= 16 {
		vec.Deinterleave2(even[:n], odd[:n], row[:2*n])
	} else {
		for j := 0; j < n; j++ {
			r := row[2*j : 2*j+2 : 2*j+2]
			even[j], odd[j] = r[0], r[1]
		}
	}
	ne := min(len(even), (len(row)+1)/2)
	if ne > n {
		even[n] = row[2*n]
	}
	clear(even[ne:])
	clear(odd[n:])
}

// im2colPhase is im2col on g's phase planes (x, see phased): rows [k0, k1), columns
// [p0, p1), row r−k0 at col[(r−k0)·ldc].
func im2colPhase(col []float32, ldc int, x []float32, g *convGeom, k0, k1, p0, p1 int) {
	rp, cp := tapPhases(g.kh, g.dh, g.ph, g.sh), tapPhases(g.kw, g.dw, g.pw, g.sw)
	// The phase planes as the image of a same-size convolution.
	gp := *g
	gp.h, gp.w = g.ho, g.wo
	khw := g.kh * g.kw
	chanSize := g.n * g.ho * g.wo
	for r := k0; r < k1; r++ {
		c, tap := r/khw, r%khw
		a, b := (tap/g.kw)*g.dh-g.ph, (tap%g.kw)*g.dw-g.pw
		v := (c*rp.n+rp.index[floorMod(a, g.sh)])*cp.n + cp.index[floorMod(b, g.sw)]
		im2colShifted(col[(r-k0)*ldc:(r-k0)*ldc+p1-p0], x[v*chanSize:(v+1)*chanSize], &gp, p0, p1,
			floorDiv(a, g.sh), floorDiv(b, g.sw))
	}
}
