package functional

import (
	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/tensor"
)

// Relu sets y = max(x, 0) element-wise (vec.Relu: NaN becomes 0, where PyTorch keeps
// it; the fused BatchNorm2dReLU keeps it); y may be x (in place). The shapes must be
// equal. In place is safe whenever nothing else needs x afterwards: ReluBackward reads
// only the output y. Large tensors are split across goroutines.
func Relu(y, x *tensor.Tensor) {
	tensor.MustSameShape("functional.Relu", y, x)
	yd, xd := y.Data(), x.Data()
	parallelChunks(len(yd), 8*float64(len(yd)), func(lo, hi int) { vec.Relu(yd[lo:hi], xd[lo:hi]) })
}

// ReluBackward computes dx = dy where y > 0 and 0 elsewhere (vec.ReluBackward), from the
// ReLU's output y, overwriting or accumulating as dx says. This is PyTorch's
// threshold_backward on the output but for a NaN y, which gives 0 here and passes dy
// there; Relu never outputs NaN. dx.T may be dy itself when overwriting.
func ReluBackward(dx GradOut, dy, y *tensor.Tensor) {
	if !dx.wanted() {
		return
	}
	tensor.MustSameShape("functional.ReluBackward", dx.T, dy, y)
	xd, dyd, yd := dx.T.Data(), dy.Data(), y.Data()
	parallelChunks(len(xd), 12*float64(len(xd)), func(lo, hi int) {
		if dx.Accumulate {
			reluBackwardAdd(xd[lo:hi], dyd[lo:hi], yd[lo:hi])
		} else {
			vec.ReluBackward(xd[lo:hi], dyd[lo:hi], yd[lo:hi])
		}
	})
}

// parallelChunks runs f on contiguous chunks [lo, hi) of [0, n), multiples of 64
// elements but the last, on threadsFor(work, ·) goroutines.
func parallelChunks(n int, work float64, f func(lo, hi int)) {
	nt := threadsFor(work, (n+63)/64)
	parallel(nt, func(t int) {
		if lo, hi := split(n, nt, t, 64); lo < hi {
			f(lo, hi)
		}
	})
}

// reluBackwardAdd adds vec.ReluBackward's gradient to dst, a block of bnBlock values at a
// time through scratch that stays in the L1 cache.
func reluBackwardAdd(dst, dy, y []float32) {
	dy, y = dy[:len(dst)], y[:len(dst)]
	g := getScratch(min(len(dst), bnBlock))
	defer putScratch(g)
	for off := 0; off < len(dst); off += bnBlock {
		end := min(off+bnBlock, len(dst))
		b := g[:end-off]
		vec.ReluBackward(b, dy[off:end], y[off:end])
		vec.Axpy(1, b, dst[off:end])
	}
}

// Add sets y = a + b element-wise (a residual connection); y may alias a or b. Its
// backward passes dy unchanged to both inputs: use AccumulateGrad for each.
func Add(y, a, b *tensor.Tensor) {
	tensor.MustSameShape("functional.Add", y, a, b)
	vec.Add(y.Data(), a.Data(), b.Data())
}
