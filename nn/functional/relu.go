package functional

import (
	"math"

	"github.com/fastgo/fastgo/asm"
	"github.com/fastgo/fastgo/tensor"
)

// Relu sets y = max(x, 0) element-wise (asm.Relu: NaN becomes 0, where PyTorch keeps
// it; the fused BatchNorm2dReLU keeps it); y may be x (in place). The shapes must be
// equal. In place is safe whenever nothing else needs x afterwards: ReluBackward reads
// only the output y. Large tensors are split across goroutines.
func Relu(y, x *tensor.Tensor) {
	tensor.MustSameShape("functional.Relu", y, x)
	yd, xd := y.Data(), x.Data()
	parallelChunks(len(yd), 8*float64(len(yd)), func(lo, hi int) { asm.Relu(yd[lo:hi], xd[lo:hi]) })
}

// ReluBackward computes dx = dy where y > 0 and 0 elsewhere, from the ReLU's output y
// (PyTorch's threshold_backward on the output, which passes dy where y is NaN),
// overwriting or accumulating as dx says. dx.T may be dy itself when overwriting.
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
			asm.ReluBackward(xd[lo:hi], dyd[lo:hi], yd[lo:hi])
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

// reluBackwardAdd sets dst[i] += dy[i] where y[i] > 0, branch-free (see positiveMask).
// Candidate for an asm kernel.
func reluBackwardAdd(dst, dy, y []float32) {
	dy, y = dy[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] += masked(dy[i], positiveMask(math.Float32bits(y[i])))
	}
}

// Add sets y = a + b element-wise (a residual connection); y may alias a or b. Its
// backward passes dy unchanged to both inputs: use AccumulateGrad for each.
func Add(y, a, b *tensor.Tensor) {
	tensor.MustSameShape("functional.Add", y, a, b)
	asm.Add(y.Data(), a.Data(), b.Data())
}

// positiveMask returns all ones when the float with bits b is greater than zero
// (including +Inf and positive NaNs) and 0 otherwise, without a branch: on the target
// machine a mispredicted branch costs ~10× the work of an element, and ReLU masks are
// unpredictable.
func positiveMask(b uint32) uint32 { return uint32((0 - int64(int32(b))) >> 63) }

// masked returns g where the mask is all ones and +0 where it is 0.
func masked(g float32, m uint32) float32 { return math.Float32frombits(math.Float32bits(g) & m) }
