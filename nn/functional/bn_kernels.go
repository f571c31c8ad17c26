package functional

import (
	"math"

	"github.com/fastgo/fastgo/asm"
)

// The element loops of batch norm. Each works through its slices in blocks of bnBlock
// elements that stay in the L1 cache, composing the asm vector kernels (SIMD on every
// path but generic) on each block: a Go loop over the elements runs at about 1 ns per
// element on the target machine, several times slower than memory. Reductions add the
// float32 result of each block in float64, so the rounding error does not grow with the
// 200 704 values per channel of ResNet34's first layer. Each function names the loop it
// computes; fused single-pass kernels for these loops are candidates for asm.

const bnBlock = 1024

// ones is a block of 1s: asm.Axpy(c, ones, y) adds the constant c to y.
var ones = func() []float32 {
	o := make([]float32, bnBlock)
	for i := range o {
		o[i] = 1
	}
	return o
}()

// bnTmp is a goroutine's two scratch blocks.
type bnTmp struct{ a, b []float32 }

func getBNTmp() bnTmp {
	s := getScratch(2 * bnBlock)
	return bnTmp{s[:bnBlock], s[bnBlock:]}
}

func (t bnTmp) put() { putScratch(t.a[:2*bnBlock]) }

// centered sets dst = x − m for one block (len(x) <= bnBlock) and returns dst.
func centered(dst, x []float32, m float32) []float32 {
	dst = dst[:len(x)]
	copy(dst, x)
	asm.Axpy(-m, ones[:len(x)], dst)
	return dst
}

// sumSqDev returns Σ (x[i] − m)².
func sumSqDev(x []float32, m float32, t bnTmp) float64 {
	var s float64
	for len(x) > 0 {
		n := min(len(x), bnBlock)
		d := centered(t.a, x[:n], m)
		s += float64(asm.Dot(d, d))
		x = x[n:]
	}
	return s
}

// sumDotDev returns Σ dt[i] and Σ dt[i]·(x[i] − m), where dt[i] = dy[i], or, when y is
// not nil, dy[i] if y[i] > 0 and 0 otherwise (the ReLU's backward on its output y).
func sumDotDev(dy, y, x []float32, m float32, t bnTmp) (sdy, sdyx float64) {
	for len(dy) > 0 {
		n := min(len(dy), bnBlock)
		dt := dy[:n]
		if y != nil {
			dt = t.b[:n]
			asm.ReluBackward(dt, dy[:n], y[:n])
			y = y[n:]
		}
		sdy += float64(asm.Sum(dt))
		sdyx += float64(asm.Dot(dt, centered(t.a, x[:n], m)))
		dy, x = dy[n:], x[n:]
	}
	return sdy, sdyx
}

// bnApply sets y[i] = a·x[i] + b, then adds res[i] when res is not nil, then applies
// ReLU (max(·, 0), NaN becoming 0 as asm.Relu does) when relu is set. y may be x or res.
func bnApply(y, x, res []float32, a, b float32, relu bool) {
	for len(x) > 0 {
		n := min(len(x), bnBlock)
		yb := y[:n]
		var rb []float32
		if res != nil {
			// Read the residual before y overwrites it (y may be res).
			rb = res[:n]
		}
		if res != nil && &yb[0] == &rb[0] {
			// y is res: y = a·x + b + y.
			asm.Axpy(a, x[:n], yb)
			asm.Axpy(b, ones[:n], yb)
		} else {
			copy(yb, x[:n])
			asm.Scale(a, yb)
			asm.Axpy(b, ones[:n], yb)
			if rb != nil {
				asm.Add(yb, yb, rb)
			}
		}
		if relu {
			asm.Relu(yb, yb)
		}
		x, y = x[n:], y[n:]
		if res != nil {
			res = res[n:]
		}
	}
}

// bnBackwardApply writes batch norm's input gradient dx = a·dt + b·x + c, where dt is dy
// or, when y is not nil, dy masked by y > 0 as in sumDotDev; and dres = dt. A nil dx or
// dres is skipped; accX and accR select adding over overwriting.
func bnBackwardApply(dx, dres, dy, y, x []float32, a, b, c float32, accX, accR bool, t bnTmp) {
	for len(dy) > 0 {
		n := min(len(dy), bnBlock)
		dt := dy[:n]
		if y != nil {
			dt = t.b[:n]
			asm.ReluBackward(dt, dy[:n], y[:n])
			y = y[n:]
		}
		if dx != nil {
			db := dx[:n]
			if accX {
				asm.Axpy(a, dt, db)
			} else {
				copy(db, dt)
				asm.Scale(a, db)
			}
			asm.Axpy(b, x[:n], db)
			asm.Axpy(c, ones[:n], db)
			dx = dx[n:]
		}
		if dres != nil {
			if accR {
				asm.Axpy(1, dt, dres[:n])
			} else {
				copy(dres[:n], dt)
			}
			dres = dres[n:]
		}
		dy, x = dy[n:], x[n:]
	}
}

// positiveMask returns all ones when the float with bits b is greater than zero
// (including +Inf and positive NaNs) and 0 otherwise, without a branch: on the target
// machine a mispredicted branch costs ~10× the work of an element, and ReLU masks are
// unpredictable.
func positiveMask(b uint32) uint32 { return uint32((0 - int64(int32(b))) >> 63) }

// masked returns g where the mask is all ones and +0 where it is 0.
func masked(g float32, m uint32) float32 { return math.Float32frombits(math.Float32bits(g) & m) }
