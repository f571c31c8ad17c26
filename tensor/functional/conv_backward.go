package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/tensor"
)

// Conv2dBackward computes the gradients of y = conv2d(x, w) + b (see Conv2dForward)
// from dy, the gradient of the loss with respect to y:
//
//	dx = col2im(Wᵀ · dY)      (into dx: [Cin, N, H, W])
//	dw = dY · Colᵀ            (into dw: [Cout, Cin, KH, KW])
//	db = Σ_{n,oh,ow} dY       (into db: [Cout])
//
// Each output is computed only when its GradOut has a tensor, and is overwritten or
// accumulated as the GradOut says. x is read only for dw and w only for dx, but both
// give the geometry and must have their shapes. Shapes that do not fit panic.
func Conv2dBackward(dx, dw, db GradOut, dy, x, w *tensor.Tensor, p Conv2dParams) {
	mustDims("Conv2dBackward", "x", x, 4)
	mustDims("Conv2dBackward", "w", w, 4)
	g := mustConvGeom("Conv2dBackward", x.Shape(), w.Shape(), p)
	mustShape("Conv2dBackward", "dy", dy, g.cout, g.n, g.ho, g.wo)
	if db.wanted() {
		mustShape("Conv2dBackward", "db", db.T, g.cout)
		convBiasGrad(&g, db.T.Data(), dy.Data(), db.Accumulate)
	}
	if dw.wanted() {
		mustShape("Conv2dBackward", "dw", dw.T, w.Shape()...)
		convWeightGrad(&g, dw.T.Data(), dy.Data(), x.Data(), dw.Accumulate)
	}
	if dx.wanted() {
		mustShape("Conv2dBackward", "dx", dx.T, x.Shape()...)
		convInputGrad(&g, dx.T.Data(), dy.Data(), w.Data(), dx.Accumulate)
	}
}

// Conv2dInputGrad is Conv2dBackward's dx alone, for an input known only by its shape
// xShape ([Cin, N, H, W]): a caller that keeps x in another form (autograd stores it as
// bf16 in BF16 precision) computes dw with Conv2dBackward first and gives back its copy
// of x before the input gradient's buffer is needed.
func Conv2dInputGrad(dx GradOut, dy, w *tensor.Tensor, xShape []int, p Conv2dParams) {
	mustDims("Conv2dInputGrad", "w", w, 4)
	g := mustConvGeom("Conv2dInputGrad", xShape, w.Shape(), p)
	mustShape("Conv2dInputGrad", "dy", dy, g.cout, g.n, g.ho, g.wo)
	if dx.wanted() {
		mustShape("Conv2dInputGrad", "dx", dx.T, xShape...)
		convInputGrad(&g, dx.T.Data(), dy.Data(), w.Data(), dx.Accumulate)
	}
}

// Conv2dReadsStoredInput reports whether Conv2dWeightGradStored computes the weight
// gradient of a convolution of an input of shape xShape with weights of shape wShape
// from the input stored as bf16 directly (bf16 Winograd F(2×2) does, widening the rows
// it gathers); otherwise callers widen the input themselves for Conv2dBackward.
func Conv2dReadsStoredInput(xShape, wShape []int, p Conv2dParams) bool {
	g, err := newConvGeom(xShape, wShape, p)
	return err == nil && g.p > 0 && g.useWinogradF2BF16WeightGrad()
}

// Conv2dWeightGradStored is Conv2dBackward's dw and db for an input x of shape xShape
// stored as bf16 (xbits, gemm.ToBF16) where Conv2dReadsStoredInput is true: the same
// result, bit for bit, as Conv2dBackward's on x widened (gemm.FromBF16), without a
// float32 copy of x. Elsewhere it panics.
func Conv2dWeightGradStored(dw, db GradOut, dy *tensor.Tensor, xbits []uint16, xShape []int, w *tensor.Tensor, p Conv2dParams) {
	mustDims("Conv2dWeightGradStored", "w", w, 4)
	g := mustConvGeom("Conv2dWeightGradStored", xShape, w.Shape(), p)
	mustShape("Conv2dWeightGradStored", "dy", dy, g.cout, g.n, g.ho, g.wo)
	if len(xbits) != g.cin*g.n*g.h*g.w {
		panic(fmt.Sprintf("functional.Conv2dWeightGradStored: %d stored values for input %v", len(xbits), xShape))
	}
	if g.p == 0 || !g.useWinogradF2BF16WeightGrad() {
		panic(fmt.Sprintf("functional.Conv2dWeightGradStored: input %v, weight %v, %+v: not a geometry that reads the stored input (Conv2dReadsStoredInput)", xShape, w.Shape(), p))
	}
	if db.wanted() {
		mustShape("Conv2dWeightGradStored", "db", db.T, g.cout)
		convBiasGrad(&g, db.T.Data(), dy.Data(), db.Accumulate)
	}
	if dw.wanted() {
		mustShape("Conv2dWeightGradStored", "dw", dw.T, w.Shape()...)
		convWeightGradWinogradF2BF16(&g, dw.T.Data(), dy.Data(), nil, xbits, dw.Accumulate)
	}
}

// convBiasGrad sets db[co] (+)= Σ_q dy[co, q], summing blocks in float64.
func convBiasGrad(g *convGeom, db, dy []float32, acc bool) {
	for co := range db[:g.cout] {
		s := sum64(dy[co*g.p : (co+1)*g.p])
		if acc {
			s += float64(db[co])
		}
		db[co] = float32(s)
	}
}

// sumBlock is the length of the float32 partial sums that reductions add in float64.
const sumBlock = 1024

// sum64 returns Σ x, adding vec.Sum of blocks of sumBlock elements in float64.
func sum64(x []float32) float64 {
	var s float64
	for len(x) > 0 {
		n := min(len(x), sumBlock)
		s += float64(vec.Sum(x[:n]))
		x = x[n:]
	}
	return s
}

// convWeightGrad sets dw (+)= dY · Col(x)ᵀ.
func convWeightGrad(g *convGeom, dw, dy, x []float32, acc bool) {
	if g.p == 0 {
		if !acc {
			clear(dw[:g.cout*g.k])
		}
		return
	}
	if g.useWinogradWeightGrad() {
		convWeightGradWinograd(g, dw, dy, x, acc)
		return
	}
	if g.useWinogradF2BF16WeightGrad() {
		convWeightGradWinogradF2BF16(g, dw, dy, x, nil, acc)
		return
	}
	beta0 := float32(0)
	if acc {
		beta0 = 1
	}
	x, deint := convSource(g, x)
	if deint {
		defer putScratch(x)
	}
	if g.p >= convWeightGradSplitP {
		if nt := threadsFor(g.flops(), (g.p+15)/16); nt > 1 {
			convWeightGradOverP(g, nt, dw, dy, x, beta0, deint)
			return
		}
	}
	// Split K: goroutine t owns columns [k0, k1) of dw and the matching rows of Col.
	nt := threadsFor(g.flops(), g.k)
	parallel(nt, func(t int) {
		k0, k1 := split(g.k, nt, t, 1)
		if k0 >= k1 {
			return
		}
		kk := k1 - k0
		if g.direct() {
			matmulSerial(false, true, g.cout, kk, g.p, 1, dy, g.p, x[k0*g.p:], g.p, beta0, dw[k0:], g.k)
			return
		}
		if g.bf16Rows() {
			convWeightGradBF16(g, dw[k0:], dy, x, k0, k1, 0, g.p, beta0, deint)
			return
		}
		pc := chunkCols(kk, g.p)
		col := getScratch(kk * pc)
		defer putScratch(col)
		beta := beta0
		for p0 := 0; p0 < g.p; p0 += pc {
			p1 := min(p0+pc, g.p)
			im2col(col, p1-p0, x, g, k0, k1, p0, p1, deint)
			matmulSerial(false, true, g.cout, kk, p1-p0, 1, dy[p0:], g.p, col, p1-p0, beta, dw[k0:], g.k)
			beta = 1
		}
	})
}

// convWeightGradOverP is convWeightGrad with the reduction over P split between nt
// goroutines: goroutine 0 writes dw itself, the others private partial sums that are
// then added into dw.
func convWeightGradOverP(g *convGeom, nt int, dw, dy, x []float32, beta0 float32, deint bool) {
	size := g.cout * g.k
	parts := make([][]float32, nt)
	parallel(nt, func(t int) {
		lo, hi := split(g.p, nt, t, 16)
		out, beta := dw, beta0
		if t > 0 {
			parts[t] = getScratch(size)
			out, beta = parts[t], 0
			if lo >= hi {
				clear(out)
				return
			}
		}
		if lo >= hi {
			if beta == 0 {
				clear(out[:size])
			}
			return
		}
		if g.direct() {
			matmulSerial(false, true, g.cout, g.k, hi-lo, 1, dy[lo:], g.p, x[lo:], g.p, beta, out, g.k)
			return
		}
		if g.bf16Rows() {
			convWeightGradBF16(g, out, dy, x, 0, g.k, lo, hi, beta, deint)
			return
		}
		pc := chunkCols(g.k, hi-lo)
		col := getScratch(g.k * pc)
		defer putScratch(col)
		for p0 := lo; p0 < hi; p0 += pc {
			p1 := min(p0+pc, hi)
			im2col(col, p1-p0, x, g, 0, g.k, p0, p1, deint)
			matmulSerial(false, true, g.cout, g.k, p1-p0, 1, dy[p0:], g.p, col, p1-p0, beta, out, g.k)
			beta = 1
		}
	})
	// Add the partial sums into dw, the goroutines taking disjoint ranges.
	parallel(nt, func(t int) {
		lo, hi := split(size, nt, t, 16)
		for _, part := range parts[1:] {
			vec.Axpy(1, part[lo:hi], dw[lo:hi])
		}
	})
	for _, part := range parts[1:] {
		putScratch(part)
	}
}

// convInputGrad sets dx (+)= col2im(Wᵀ · dY), by the fastest route for the geometry.
func convInputGrad(g *convGeom, dx, dy, w []float32, acc bool) {
	beta := float32(0)
	if acc {
		beta = 1
	}
	if g.direct() {
		// X is its own column matrix: dX[Cin × P] = Wᵀ · dY, split over P.
		nt := threadsFor(g.flops(), (g.p+15)/16)
		parallel(nt, func(t int) {
			lo, hi := split(g.p, nt, t, 16)
			if lo < hi {
				matmulSerial(true, false, g.cin, hi-lo, g.cout, 1, w, g.k, dy[lo:], g.p, beta, dx[lo:], g.p)
			}
		})
		return
	}
	if convInputGradViaConv && g.sh == 1 && g.sw == 1 && g.ph <= g.dh*(g.kh-1) && g.pw <= g.dw*(g.kw-1) {
		// The flipped convolution pays from convInputGradViaConvMinP columns where it
		// needs transposed weights (im2col), and wherever it runs as Winograd, whose
		// filter transform flips and transposes them for free.
		if g2 := inputGradGeom(g); g.p >= convInputGradViaConvMinP || g2.winogradForward() {
			convInputGradAsConv(g, dx, dy, w, beta)
			return
		}
	}
	convInputGradCol2im(g, dx, dy, w, acc)
}

// convInputGradAsConv computes a stride-1 convolution's input gradient as the forward
// convolution of dY with the flipped, transposed weights W̃[ci, co, i, j] =
// W[co, ci, KH−1−i, KW−1−j], padding dil·(K−1) − pad: each goroutine writes disjoint
// columns of dX, with no col2im.
func convInputGradAsConv(g *convGeom, dx, dy, w []float32, beta float32) {
	khw := g.kh * g.kw
	g2 := inputGradGeom(g)
	if g2.p > 0 && g2.winogradForward() {
		// Winograd flips and transposes the filters in its filter transform.
		convForwardWinograd(&g2, dx, dy, w, true, convEpi{}, beta)
		return
	}
	wt := getScratch(g.cin * g.cout * khw)
	defer putScratch(wt)
	nt := threadsFor(8*float64(len(wt)), g.cout)
	parallel(nt, func(t int) {
		c0, c1 := split(g.cout, nt, t, 1)
		for co := c0; co < c1; co++ {
			for ci := 0; ci < g.cin; ci++ {
				src := w[(co*g.cin+ci)*khw : (co*g.cin+ci+1)*khw]
				dst := wt[(ci*g.cout+co)*khw : (ci*g.cout+co+1)*khw]
				for t, v := range src {
					dst[khw-1-t] = v
				}
			}
		}
	})
	convForward(&g2, dx, dy, wt, convEpi{}, beta)
}

// inputGradGeom returns the geometry of the stride-1 convolution g's input gradient is
// as a forward convolution (convInputGradAsConv): dY convolved with the flipped,
// transposed weights, padding dil·(K−1) − pad, giving dX's shape.
func inputGradGeom(g *convGeom) convGeom {
	g2 := convGeom{
		cin: g.cout, n: g.n, h: g.ho, w: g.wo,
		cout: g.cin, kh: g.kh, kw: g.kw,
		sh: 1, sw: 1, ph: g.dh*(g.kh-1) - g.ph, pw: g.dw*(g.kw-1) - g.pw,
		dh: g.dh, dw: g.dw,
		ho: g.h, wo: g.w,
	}
	g2.k = g2.cin * g.kh * g.kw
	g2.p = g2.n * g2.ho * g2.wo
	return g2
}

// convInputGradCol2im computes dCol = Wᵀ · dY chunk by chunk and adds it into dx with
// col2im. The goroutines split the input channels, so each writes its own planes of dx.
// (Adding into a deinterleaved gradient and interleaving it at the end measured 10–15%
// slower than the strided adds on ResNet34's stride-2 layers.)
func convInputGradCol2im(g *convGeom, dx, dy, w []float32, acc bool) {
	khw := g.kh * g.kw
	chanSize := g.n * g.h * g.w
	nt := threadsFor(g.flops(), g.cin)
	parallel(nt, func(t int) {
		c0, c1 := split(g.cin, nt, t, 1)
		if c0 >= c1 {
			return
		}
		if !acc {
			clear(dx[c0*chanSize : c1*chanSize])
		}
		k0, k1 := c0*khw, c1*khw
		kk := k1 - k0
		pc := chunkCols(kk, g.p)
		col := getScratch(kk * pc)
		defer putScratch(col)
		for p0 := 0; p0 < g.p; p0 += pc {
			p1 := min(p0+pc, g.p)
			matmulSerial(true, false, kk, p1-p0, g.cout, 1, w[k0:], g.k, dy[p0:], g.p, 0, col, p1-p0)
			col2im(dx, col, p1-p0, g, k0, k1, p0, p1)
		}
	})
}
