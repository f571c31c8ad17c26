package bn

import (
	"math"
	"sync"

	"github.com/fastgo/fastgo/asm/cpu"
)

// The backward kernels on operands stored as bfloat16, as a BF16 training step keeps
// a batch norm's input and output for the backward pass: x as the bf16 bits of
// x − centre (centre one value per channel), y (the fused ReLU's output) as its bf16
// bits. Each reads the bits and widens them as it goes (bits << 16, exact), x as
// widen(xs[i]) + centre (one float32 addition), and computes what the float32 kernel
// of the active path computes on the widened values, bit for bit: the same products,
// fused the same way, and the sums in the same order. So a caller can drop the pass
// that widens a whole channel into float32 (and the memory it writes and reads back).
// AVX-512 has assembly versions; the other paths widen into a scratch block and call
// their float32 kernels.

// GradSumsBF16 is GradSums(dy, x, mean) with x[i] = widen(xs[i]) + centre (keep dy
// short, as for GradSums).
func GradSumsBF16(dy []float32, xs []uint16, centre, mean float32) (sdy, sdyx float32) {
	checkLen("GradSumsBF16", len(dy), len(xs))
	return curBF16.gradSums(dy, xs[:len(dy)], centre, mean)
}

// GradSumsReLUBF16 is GradSumsReLU(dy, y, x, mean) with y[i] = widen(ys[i]) and
// x[i] = widen(xs[i]) + centre.
func GradSumsReLUBF16(dy []float32, ys, xs []uint16, centre, mean float32) (sdy, sdyx float32) {
	n := len(dy)
	checkLen("GradSumsReLUBF16", n, len(ys), len(xs))
	return curBF16.gradSumsReLU(dy, ys[:n], xs[:n], centre, mean)
}

// GradBF16 is Grad(dx, dy, x, a, b, c) with x[i] = widen(xs[i]) + centre; dx may be
// dy.
func GradBF16(dx, dy []float32, xs []uint16, centre, a, b, c float32) {
	n := len(dx)
	checkLen("GradBF16", n, len(dy), len(xs))
	curBF16.grad(dx, dy[:n], xs[:n], centre, a, b, c)
}

// GradReLUBF16 is GradReLU(dx, dres, dy, y, x, a, b, c) with y[i] = widen(ys[i]) and
// x[i] = widen(xs[i]) + centre; dx and dres may be dy, not each other.
func GradReLUBF16(dx, dres, dy []float32, ys, xs []uint16, centre, a, b, c float32) {
	n := len(dx)
	checkLen("GradReLUBF16", n, len(dy), len(ys), len(xs))
	if dres != nil {
		checkLen("GradReLUBF16", n, len(dres))
		dres = dres[:n]
	}
	curBF16.gradReLU(dx, dres, dy[:n], ys[:n], xs[:n], centre, a, b, c)
}

// bf16Kernels is one path's kernels on stored operands (lengths checked, equal).
type bf16Kernels struct {
	gradSums     func(dy []float32, xs []uint16, centre, mean float32) (sdy, sdyx float32)
	gradSumsReLU func(dy []float32, ys, xs []uint16, centre, mean float32) (sdy, sdyx float32)
	grad         func(dx, dy []float32, xs []uint16, centre, a, b, c float32)
	gradReLU     func(dx, dres, dy []float32, ys, xs []uint16, centre, a, b, c float32)
}

var (
	// bf16ByISA holds the paths with assembly kernels on stored operands; the others
	// use widenBF16 (set by installBF16 with the rest of the path, dispatch.go).
	bf16ByISA = map[cpu.ISA]*bf16Kernels{}
	curBF16   = widenBF16
)

// installBF16 selects the stored-operand kernels of path isa.
func installBF16(isa cpu.ISA) {
	curBF16 = widenBF16
	if k := bf16ByISA[isa]; k != nil {
		curBF16 = k
	}
}

// widenBF16 is the kernels on stored operands of the paths without their own: the
// operands widened into scratch blocks, then the path's float32 kernels (cur), so
// the results are theirs by construction. The sums widen the whole call (its sums'
// order is the float32 kernel's on the whole); the element-wise kernels go in blocks
// of widenBlock values.
var widenBF16 = &bf16Kernels{
	gradSums: func(dy []float32, xs []uint16, centre, mean float32) (float32, float32) {
		xb := getWide(len(dy))
		defer putWide(xb)
		x := (*xb)[:len(dy)]
		widenCentred(x, xs, centre)
		return cur.bnGradSums(dy, x, mean)
	},
	gradSumsReLU: func(dy []float32, ys, xs []uint16, centre, mean float32) (float32, float32) {
		n := len(dy)
		xb, yb := getWide(n), getWide(n)
		defer putWide(xb)
		defer putWide(yb)
		x, y := (*xb)[:n], (*yb)[:n]
		widenCentred(x, xs, centre)
		widen(y, ys)
		return cur.bnGradSumsReLU(dy, y, x, mean)
	},
	grad: func(dx, dy []float32, xs []uint16, centre, a, b, c float32) {
		xb := getWide(widenBlock)
		defer putWide(xb)
		for i := 0; i < len(dx); i += widenBlock {
			j := min(i+widenBlock, len(dx))
			x := (*xb)[:j-i]
			widenCentred(x, xs[i:j], centre)
			cur.bnGrad(dx[i:j], dy[i:j], x, a, b, c)
		}
	},
	gradReLU: func(dx, dres, dy []float32, ys, xs []uint16, centre, a, b, c float32) {
		xb, yb := getWide(widenBlock), getWide(widenBlock)
		defer putWide(xb)
		defer putWide(yb)
		for i := 0; i < len(dx); i += widenBlock {
			j := min(i+widenBlock, len(dx))
			x, y := (*xb)[:j-i], (*yb)[:j-i]
			widenCentred(x, xs[i:j], centre)
			widen(y, ys[i:j])
			var dr []float32
			if dres != nil {
				dr = dres[i:j]
			}
			cur.bnGradReLU(dx[i:j], dr, dy[i:j], y, x, a, b, c)
		}
	},
}

// widenBlock is the block of widenBF16's element-wise kernels (16 KiB of float32, in
// the L1 cache).
const widenBlock = 4096

var widePool sync.Pool // *[]float32 scratch of widenBF16

// getWide returns a scratch buffer of at least n float32s.
func getWide(n int) *[]float32 {
	if b, _ := widePool.Get().(*[]float32); b != nil && cap(*b) >= n {
		return b
	}
	b := make([]float32, max(n, widenBlock))
	return &b
}

func putWide(b *[]float32) { widePool.Put(b) }

// widen sets dst[i] to the float32 whose bits are src[i] << 16, for i < len(dst).
func widen(dst []float32, src []uint16) {
	src = src[:len(dst)]
	for i, b := range src {
		dst[i] = math.Float32frombits(uint32(b) << 16)
	}
}

// widenCentred sets dst[i] = widen(src[i]) + centre for i < len(dst).
func widenCentred(dst []float32, src []uint16, centre float32) {
	src = src[:len(dst)]
	for i, b := range src {
		dst[i] = math.Float32frombits(uint32(b)<<16) + centre
	}
}
