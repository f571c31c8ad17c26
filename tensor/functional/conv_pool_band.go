package functional

import (
	"sync/atomic"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/pool"
	"github.com/fastgo/fastgo/asm/vec"
)

// The banded form of Conv2dForwardFusedMaxPool (ResNet's inference stem: a strided
// convolution read from phase planes, then the 3×3 stride-2 max pool). Each goroutine
// takes whole segments of one image's pooled rows and walks them in bands of
// convPoolBandRows pooled rows: it deinterleaves the input rows the band reads into its
// own phase planes, computes the band's convolution rows (all output channels) into a
// private buffer that stays in the L2 cache, then, a channel at a time, runs the
// epilogue on them and pools them (pool.MaxPool3s2Values) into y. Nothing waits for
// the other goroutines until the end, and the convolution output never leaves the
// cache, where the chunked form writes a few images' convolution (6.4 MB for two of
// ResNet's stem images) and reads it back for the pool after a barrier.
//
// Pooled row r reads convolution rows 2r−1, 2r and 2r+1, so a band [b0, b1) reads rows
// 2b0−1 … 2b1−1: row 2b0−1 is the last one the band before computed (the band copies it
// to the top of its buffer) except at the start of a segment, where it is computed
// again. The buffer holds each channel's rows from 2b0−2 on so that the pool kernel,
// which aligns output o with rows 2o−1 … 2o+1 of the plane it is given, pools them:
// its output 0 (whose window's middle row 2b0−2 is not computed) is dropped. The GEMMs
// are those of the chunked form on fewer columns at a time; each column's sums are the
// same (one depth block, the same order), so y is bit for bit the same, which
// TestConvPoolBands checks.

var (
	// convPoolBands enables the banded form (false keeps the chunked one, for tests and
	// A/B measurements).
	convPoolBands = true
	// convPoolBandRows is the number of pooled rows per band: ResNet's stem computes
	// 2·8 convolution rows of 112 columns and 64 channels at a time (459 KiB, with
	// the phase planes' rows and the GEMM's packed blocks within a 1 MiB L2).
	convPoolBandRows = 8
	// convPoolSubRows is the number of convolution rows per fp32 im2col chunk inside a
	// band (147 × 336 float32s, 193 KiB, for the stem).
	convPoolSubRows = 3
)

// convPoolBanded reports whether Conv2dForwardFusedMaxPool runs g then pg in bands:
// a 3×3 stride-2 padding-1 pool after a convolution that reads phase planes through
// im2col (fp32) or the bf16 rows GEMM (BF16).
func convPoolBanded(g *convGeom, pg *poolGeom) bool {
	if !convPoolBands || !pg.is3s2p1() || !g.phased() || !deintWorth(g) || g.direct() {
		return false
	}
	if g.winogradForward() || g.useWinogradF2BF16() {
		return false
	}
	if CurrentPrecision() == BF16 {
		return g.bf16Rows()
	}
	return true
}

// convPoolBandsRun runs the banded form: y [Cout, N, pg.ho, pg.wo] from x [Cin, N, H, W]
// (all of it, not a chunk), w [Cout, K] and the epilogue epi.
func convPoolBandsRun(g *convGeom, pg *poolGeom, y, x, w []float32, epi convEpi) {
	// One image's geometry: the phase planes, im2col's columns and the band's buffer
	// are per image.
	gi := *g
	gi.n, gi.p = 1, g.ho*g.wo
	// The phase planes as the image of a same-size convolution (see im2colPhase).
	gp := gi
	gp.h, gp.w = g.ho, g.wo
	bf16 := CurrentPrecision() == BF16
	// The weights are packed once, for every goroutine and band.
	var pa *gemm.BF16PackedA
	var pf *gemm.PackedA
	if bf16 {
		pa = getPacked(g.cout, g.k)
		defer putPacked(pa)
		pa.Pack(false, g.cout, g.k, 1, w, g.k)
	} else {
		pbuf := getScratch(gemm.PackASize(g.cout, g.k))
		defer putScratch(pbuf)
		pf = gemm.PackA(pbuf, false, g.cout, g.k, 1, w, g.k)
	}
	R := max(convPoolBandRows, 1)
	nbands := (pg.ho + R - 1) / R
	// Segments per image: one when the images keep the goroutines busy, else enough
	// to give each goroutine two (a segment restarts its first band's top row).
	nt := threadsFor(g.flops(), g.n*nbands)
	segs := 1
	if g.n < 2*nt {
		segs = min((2*nt+g.n-1)/g.n, nbands)
	}
	items := g.n * segs
	nt = min(nt, items)
	// A bf16 GEMM's columns are rounded up to whole tiles (NR): bf16PackRows packs a
	// partial panel in Go, a pair at a time, which took a sixth of the stem's time
	// with bands of 896 columns (18 tiles of 48 and 32 left). The extra columns, past
	// the band (zeros or the next rows), land in the buffer's slack and are never read.
	pad := 0
	if bf16 {
		pad = gemm.BF16TileWidth()
	}
	ldc := (2*R+2)*g.wo + pad // a channel's rows in the band buffer, and the slack
	taps := phaseTaps(g)
	hw, oplane := g.h*g.w, pg.ho*pg.wo
	// The phase rows a convolution row oh reads: oh+smin … oh+smax.
	smin, smax := floorDiv(-g.ph, g.sh), floorDiv((g.kh-1)*g.dh-g.ph, g.sh)
	var next atomic.Int64
	parallel(nt, func(int) {
		xph := getScratch(deintSize(&gi))
		defer putScratch(xph)
		buf := getScratch(g.cout * ldc)
		defer putScratch(buf)
		// Zeros where nothing is computed (each band's row 2b0−2, the tiles' slack):
		// a stale NaN there would send the pool kernel down its NaN path.
		clear(buf)
		py := getScratch((R + 1) * pg.wo)
		defer putScratch(py)
		var col []float32
		sub := max(convPoolSubRows, 1)
		if !bf16 {
			col = getScratch(g.k * sub * g.wo)
			defer putScratch(col)
		}
		// conv computes convolution rows [c0, c1) of the image into the band buffer
		// from local row c0−base on (the epilogue is the pool loop's, a channel at a
		// time while its rows are in the L1 cache).
		conv := func(c0, c1, base int) {
			out := buf[(c0-base)*g.wo:]
			if bf16 {
				p0 := c0 * g.wo
				rows := func(dst []float32, ld, k0, k1, j0, j1 int) {
					im2colTaps(dst, ld, xph, &gp, taps, k0, k1, p0+j0, p0+j1)
				}
				nc := (c1 - c0) * g.wo
				gemm.BF16PackedSerial(pa, (nc+pad-1)/pad*pad, rows, 0, out, ldc)
			} else {
				for s0 := c0; s0 < c1; s0 += sub {
					s1 := min(s0+sub, c1)
					nc := (s1 - s0) * g.wo
					im2colTaps(col, nc, xph, &gp, taps, 0, g.k, s0*g.wo, s1*g.wo)
					gemm.SgemmPackedSerial(pf, false, nc, col, nc, 0, buf[(s0-base)*g.wo:], ldc)
				}
			}
		}
		for {
			it := int(next.Add(1) - 1)
			if it >= items {
				return
			}
			n, seg := it/segs, it%segs
			lo, hi := split(nbands, segs, seg, 1)
			done := 0 // phase rows [0, done) are deinterleaved (or not needed)
			prevBase, prevEnd := -1, -1
			for band := lo; band < hi; band++ {
				b0, b1 := band*R, min((band+1)*R, pg.ho)
				base := max(2*b0-2, 0)
				c0, c1 := max(2*b0-1, 0), min(2*b1, g.ho)
				// The phase rows the band's convolution rows read.
				if need := min(c1+smax, g.ho); need > done {
					from := max(done, c0+smin, 0)
					for ci := 0; ci < g.cin; ci++ {
						src := x[(ci*g.n+n)*hw : (ci*g.n+n+1)*hw]
						deintPhaseRows(xph, &gi, ci, 0, src, from, need)
					}
					done = need
				}
				if c0 > 0 && prevEnd == c0+1 {
					// Row c0 = 2b0−1 is the previous band's last: keep it.
					for co := 0; co < g.cout; co++ {
						r := buf[co*ldc:]
						copy(r[(c0-base)*g.wo:(c0-base+1)*g.wo], r[(c0-prevBase)*g.wo:(c0-prevBase+1)*g.wo])
					}
					c0++
				}
				e0 := c0 // the first row without the epilogue
				if c0 < c1 {
					conv(c0, c1, base)
				}
				prevBase, prevEnd = base, c1
				// Pool the band: local rows [0, c1−base) of each channel.
				lg := *pg
				lg.h = c1 - base
				lg.ho = (lg.h-1)/2 + 1
				skip := 0
				if b0 > 0 {
					skip = 1 // output 0 is pooled row b0−1's (local row 0 in its middle): not ours
				}
				for co := 0; co < g.cout; co++ {
					if co+2 < g.cout {
						// The band's rows of y two channels on: runs 784 KiB apart
						// (ResNet's stem at batch 64), whose first lines the hardware
						// prefetcher misses; y is written once, from memory. Measured
						// (BenchmarkTuneStemPool-like A/B, batch 64, one thread, thread
						// CPU time, medians of 9, shared machine) +5–7%; one channel
						// on or four the same, eight or the whole band at its start
						// less.
						at := ((co+2)*g.n+n)*oplane + b0*pg.wo
						vec.Prefetch(y[at : at+(b1-b0)*pg.wo])
					}
					if lo, hi := (e0-base)*g.wo, (c1-base)*g.wo; lo < hi {
						// epi.apply's arithmetic on row co alone.
						if epi.relu {
							epi.applyRow(buf[co*ldc:(co+1)*ldc], co, lo, hi)
						} else if epi.bias != nil {
							addBiasRows(buf[co*ldc:(co+1)*ldc], ldc, epi.bias[co:co+1], lo, hi)
						}
					}
					maxPool3s2PlaneValues(py[:lg.ho*pg.wo], buf[co*ldc:co*ldc+lg.h*g.wo], &lg)
					dst := y[(co*g.n+n)*oplane+b0*pg.wo : (co*g.n+n)*oplane+b1*pg.wo]
					copy(dst, py[skip*pg.wo:])
				}
			}
		}
	})
}

// phaseTap is where row r of a phased convolution's column matrix comes from: phase
// plane v shifted by (di, dj) (see im2colPhase).
type phaseTap struct{ v, di, dj int }

// phaseTaps returns each column-matrix row's phaseTap for g (g.phased()): im2colPhase's
// arithmetic done once per call instead of for every few rows of every band.
func phaseTaps(g *convGeom) []phaseTap {
	rp, cp := tapPhases(g.kh, g.dh, g.ph, g.sh), tapPhases(g.kw, g.dw, g.pw, g.sw)
	khw := g.kh * g.kw
	taps := make([]phaseTap, g.k)
	for r := range taps {
		c, tap := r/khw, r%khw
		a, b := (tap/g.kw)*g.dh-g.ph, (tap%g.kw)*g.dw-g.pw
		v := (c*rp.n+rp.index[floorMod(a, g.sh)])*cp.n + cp.index[floorMod(b, g.sw)]
		taps[r] = phaseTap{v, floorDiv(a, g.sh), floorDiv(b, g.sw)}
	}
	return taps
}

// im2colTaps is im2colPhase with the rows' sources looked up in taps (phaseTaps): rows
// [k0, k1), columns [p0, p1) of the column matrix of the phase planes x, gp their
// geometry as a same-size image (H, W = the convolution's Ho, Wo); columns past the
// planes are zeros.
func im2colTaps(col []float32, ldc int, x []float32, gp *convGeom, taps []phaseTap, k0, k1, p0, p1 int) {
	chanSize := gp.n * gp.h * gp.w
	for r := k0; r < k1; r++ {
		t := taps[r]
		im2colShifted(col[(r-k0)*ldc:(r-k0)*ldc+p1-p0], x[t.v*chanSize:(t.v+1)*chanSize], gp, p0, p1, t.di, t.dj)
	}
}

// maxPool3s2PlaneValues is maxPool3s2Plane without the indices: pool.MaxPool3s2Values
// (the same values, bit for bit), and for an odd width the last column by windowMaxNaN.
func maxPool3s2PlaneValues(yp, xp []float32, g *poolGeom) {
	pool.MaxPool3s2Values(yp, xp, g.h, g.w)
	if n := g.w / 2; g.wo > n {
		for oh := 0; oh < g.ho; oh++ {
			yp[oh*g.wo+n], _ = windowMaxNaN(xp, g.w, max(2*oh-1, 0), min(2*oh+2, g.h), max(2*n-1, 0), g.w)
		}
	}
}
