package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// SgemmPackedSerial with an operand packed by PackA gives, on every path, the float64
// reference within Sgemm's tolerance, and the same bits as SgemmSerial wherever that
// does not run transposed (the same blocking and kernels); it writes nothing outside
// C's view. Shapes cover 1, primes, non-multiples of the register tile, depths past KC
// (two and three balanced blocks), rows past MC and columns past NC, every transpose,
// alpha and beta; one packed operand serves several right operands, as in the
// convolutions.
func TestSgemmPacked(t *testing.T) {
	type shape struct{ m, n, k int }
	shapes := []shape{{1, 1, 1}, {1, 17, 5}, {7, 1, 3}, {8, 48, 256}, {13, 97, 31}, {64, 98, 64},
		{9, 50, 257}, {37, 61, 600}, {400, 20, 70}, {96, 800, 33}}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(9, uint64(isa)))
		for _, s := range shapes {
			for _, tr := range allTrans {
				alpha := float32(rng.IntN(5)) - 2
				base := gemmCase{tA: tr[0], tB: tr[1], m: s.m, n: s.n, k: s.k, alpha: alpha,
					padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3)}
				op := newOperands(base, rng)
				buf := make([]float32, PackASize(s.m, s.k)+5)
				pa := PackA(buf, base.tA, s.m, s.k, alpha, op.a, op.lda)
				for _, beta := range []float32{0, 1, 0.5} {
					cs := base
					cs.beta = beta
					// A fresh right operand and C for each product.
					fresh := newOperands(cs, rng)
					op.b, op.c0 = fresh.b, fresh.c0
					c, guarded := guardedC(cs, op)
					SgemmPackedSerial(pa, cs.tB, cs.n, op.b, op.ldb, cs.beta, c, op.ldc)
					want, mag := refGemm(cs, op)
					if msg := compareGemm(cs, c, op.ldc, want, mag, 1); msg != "" {
						t.Fatalf("%v: %s", cs, msg)
					}
					if msg := checkGuards(cs, guarded, op.ldc); msg != "" {
						t.Fatalf("%v: %s", cs, msg)
					}
					if swapPays(cur, cs.m, cs.n) {
						continue
					}
					ref, _ := runSgemm(cs, op)
					for i := 0; i < cs.m; i++ {
						for j := 0; j < cs.n; j++ {
							if g, w := c[i*op.ldc+j], ref[i*op.ldc+j]; math.Float32bits(g) != math.Float32bits(w) {
								t.Fatalf("%v: C[%d][%d] = %v, SgemmSerial gives %v", cs, i, j, g, w)
							}
						}
					}
				}
			}
		}
	})
}

// PackA and SgemmPackedSerial panic, with the sizes named, on short buffers and
// operands.
func TestSgemmPackedPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	a := make([]float32, 6*5)
	mustPanic("short buffer", func() { PackA(make([]float32, 3), false, 6, 5, 1, a, 5) })
	mustPanic("short A", func() { PackA(make([]float32, PackASize(7, 5)), false, 7, 5, 1, a, 5) })
	pa := PackA(make([]float32, PackASize(6, 5)), false, 6, 5, 1, a, 5)
	mustPanic("short B", func() { SgemmPackedSerial(pa, false, 4, make([]float32, 19), 4, 0, make([]float32, 24), 4) })
	mustPanic("short C", func() { SgemmPackedSerial(pa, false, 4, make([]float32, 20), 4, 0, make([]float32, 23), 4) })
	if PackASize(0, 5) != 0 || pa.Rows() != 6 || pa.Depth() != 5 {
		t.Errorf("PackASize(0, 5) = %d, Rows %d, Depth %d", PackASize(0, 5), pa.Rows(), pa.Depth())
	}
}
