package winograd

import "fmt"

// OutputF2ReLU is OutputF2 for a convolution's inference epilogue: it writes (never
// adds) dst = relu((Aᵀ m A + bias) + res), rounded in that order, res laid out as dst
// (res[i·ldy + c]) or nil for relu(Aᵀ m A + bias); relu(v) = v unless v < 0 (a NaN
// stays NaN). The output is written once, final, instead of OutputF2 followed by a
// second pass over the rows (asm/bn's ApplyAddReLU or ApplyReLU with scale 1), whose
// bits it gives: that pass adds the bias to OutputF2's Aᵀ m A + 0, then the residual,
// then takes max(0, ·). The same additions in the same order give the same sums, with
// one exception this function removes: a bias of −0 is taken as +0 (Aᵀ m A + 0 is
// never −0, so neither is the pass's sum; with the bias +0 neither is this one's, and
// the ReLU, which the paths take as max(v, 0) or as v < 0 ? 0 : v, then agrees on
// every path). Tile rows, tiles and layouts are OutputF2's.
//
// next > 0 is a hint: the AVX-512 kernel prefetches, as it writes each output, the
// cache lines next elements on in dst's and res's arrays (a convolution passes the
// distance between output channel planes, so that the next channel's outputs and
// residual arrive while this one's are computed, spread over the call rather than in
// a burst before it). A prefetch never faults, so next may point past the slices; 0
// prefetches nothing.
func OutputF2ReLU(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32, next int) {
	if tiles <= 0 || rows <= 0 {
		return
	}
	tileRows := (rows + 1) / 2
	need := (rows-1)*ldy + cols
	if cols <= 2*(tiles-1) || cols > 2*tiles || ldy < cols || len(dst) < need || next < 0 ||
		res != nil && len(res) < need || srcStride < tileRows*tiles || len(src) < 15*srcStride+tileRows*tiles {
		panic(fmt.Sprintf("winograd.OutputF2ReLU: %d tiles, %d rows × %d cols (ldy %d, dst %d, res %d), src %d with stride %d, next %d",
			tiles, rows, cols, ldy, len(dst), len(res), len(src), srcStride, next))
	}
	if bias == 0 {
		bias = 0 // −0 → +0 (see above)
	}
	f2Installed.outputReLU(dst, ldy, rows, cols, src, srcStride, tiles, bias, res, next)
}
