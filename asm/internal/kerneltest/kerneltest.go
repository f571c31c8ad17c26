// Package kerneltest holds the test helpers every kernel family under asm/ shares:
// running a test on every SIMD path this CPU and build can run, the vector lengths
// kernels are tested on, and guarded buffers that catch writes outside a slice. Only
// tests import it.
package kerneltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
)

// ForEachISA runs f as a subtest on every path this CPU and build can run, not only
// the one dispatch picked. cpu.Use switches global state, so these tests never run in
// parallel with each other.
func ForEachISA(t *testing.T, f func(t *testing.T, isa cpu.ISA)) {
	t.Helper()
	for _, isa := range cpu.Available() {
		t.Run("isa="+isa.String(), func(t *testing.T) {
			restore, err := cpu.Use(isa)
			if err != nil {
				t.Fatal(err)
			}
			defer restore()
			f(t, isa)
		})
	}
}

// Guard is the number of sentinel elements the tests put around a kernel's output;
// Sentinel is their value. A kernel writing outside its slice changes one of them.
const Guard = 32

// Sentinel is a NaN with a recognisable payload.
var Sentinel = math.Float32frombits(0x7fc0beef)

// VecLens are the lengths every vector kernel is tested on: all of 0..70 (every tail
// of the 8-, 16- and 32-wide loops), primes, and large.
func VecLens() []int {
	var ls []int
	for n := 0; n <= 70; n++ {
		ls = append(ls, n)
	}
	return append(ls, 97, 127, 257, 1021, 4099, 100003)
}

// Guarded returns a buffer with n values starting at offset off (0..15 floats, so the
// kernels see every alignment) framed by sentinels, and the n-element view. With
// special, about one value in eight is ±0 or ±Inf.
func Guarded(rng *rand.Rand, n, off int, special bool) (buf, view []float32) {
	buf = make([]float32, off+n+Guard)
	for i := range buf {
		buf[i] = Sentinel
	}
	view = buf[off : off+n]
	for i := range view {
		view[i] = 4*rng.Float32() - 2
		if special && rng.IntN(8) == 0 {
			view[i] = []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1))}[rng.IntN(4)]
		}
	}
	return buf, view
}

// CheckFrame reports a sentinel outside [off, off+n) that a kernel overwrote.
func CheckFrame(buf []float32, off, n int) error {
	for i, v := range buf {
		if (i < off || i >= off+n) && math.Float32bits(v) != math.Float32bits(Sentinel) {
			return fmt.Errorf("wrote outside the slice: element %d (slice is [%d, %d)) = %g", i, off, off+n, v)
		}
	}
	return nil
}

// SameFloat is bitwise equality, except that any two NaNs and ±0 match.
func SameFloat(a, b float32) bool {
	return a == b || a != a && b != b
}

// RandView returns rows×cols values in [-1, 1) at stride ld, NaN in the padding.
func RandView(rng *rand.Rand, rows, cols, ld int) []float32 {
	x := make([]float32, (rows-1)*ld+cols)
	for i := range x {
		if i%ld < cols {
			x[i] = 2*rng.Float32() - 1
		} else {
			x[i] = float32(math.NaN())
		}
	}
	return x
}

// Tolerance is the allowed |got − want| for an element whose terms sum to mag in
// absolute value, after a k-term float32 dot product.
//
// Justification: each of the k multiply-adds rounds once, with relative error at most
// u = 2⁻²⁴ of the running sum, so |error| ≤ k·u·Σ|a·b| in the worst case; with errors
// of random sign (the usual model, Higham §2.8) they add up like a random walk, as
// √k·u·Σ|a·b|. Folding alpha into Ã and adding beta·C cost two more roundings. We
// allow 2·√k·(2u)·mag + the smallest normal: a factor 4 above the random-walk estimate,
// and still far below what a wrong element (an O(mag) error) produces.
func Tolerance(k int, mag float64) float64 {
	const eps = 1.0 / (1 << 23) // 2u
	return 2*math.Sqrt(float64(max(k, 1)))*eps*mag + 1e-37
}
