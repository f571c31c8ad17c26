package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// The GEMMs on a pre-packed right operand give SgemmPackedSerial's (packed A) and
// SgemmSerial's (plain A, where it does not run transposed) results bit for bit on
// every path, with B packed by PackB or written element by element through At into a
// NaN-filled buffer (so padding columns, which the GEMMs compute but must never store,
// hold NaN); At's runs are consecutive and end at a panel boundary or column n. Shapes
// cover 1, primes, non-multiples of the register tile, depths past KC, rows past MC
// and columns past NC, both transposes of A and B, alpha and beta.
func TestSgemmPackedB(t *testing.T) {
	type shape struct{ m, n, k int }
	shapes := []shape{{1, 1, 1}, {1, 17, 5}, {7, 1, 3}, {8, 48, 256}, {13, 97, 31}, {64, 98, 64},
		{9, 50, 257}, {37, 61, 600}, {400, 20, 70}, {96, 800, 33}, {512, 128, 512}}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(19, uint64(isa)))
		for _, s := range shapes {
			for _, tr := range allTrans {
				cs := gemmCase{tA: tr[0], tB: tr[1], m: s.m, n: s.n, k: s.k, alpha: float32(rng.IntN(5)) - 2,
					beta: []float32{0, 1, 0.5}[rng.IntN(3)], padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3)}
				op := newOperands(cs, rng)
				l := NewPackedB(s.k, s.n)
				if l.Depth() != s.k || l.Cols() != s.n {
					t.Fatalf("%v: layout is %d×%d", cs, l.Depth(), l.Cols())
				}
				packed := make([]float32, l.Size())
				PackB(packed, l, cs.tB, op.b, op.ldb)
				opB := func(d, j int) float32 {
					if cs.tB {
						return op.b[j*op.ldb+d]
					}
					return op.b[d*op.ldb+j]
				}
				// The same operand written through At, padding left NaN.
				byAt := make([]float32, l.Size())
				for i := range byAt {
					byAt[i] = float32(math.NaN())
				}
				for d := 0; d < s.k; d++ {
					for j := 0; j < s.n; {
						off, run := l.At(d, j)
						if run < 1 || j+run > s.n || (j+run < s.n && (j+run)%cur.nr != 0) {
							t.Fatalf("%v: At(%d, %d) run %d", cs, d, j, run)
						}
						for r := 0; r < run; r++ {
							if packed[off+r] != opB(d, j+r) {
								t.Fatalf("%v: PackB put %v at At(%d, %d)+%d, want B[%d][%d] = %v", cs, packed[off+r], d, j, r, d, j+r, opB(d, j+r))
							}
							byAt[off+r] = opB(d, j+r)
						}
						j += run
					}
				}
				pa := PackA(make([]float32, PackASize(s.m, s.k)), cs.tA, s.m, s.k, cs.alpha, op.a, op.lda)
				want, _ := guardedC(cs, op)
				SgemmPackedSerial(pa, cs.tB, s.n, op.b, op.ldb, cs.beta, want, op.ldc)
				same := func(name string, c []float32) {
					t.Helper()
					for i := 0; i < s.m; i++ {
						for j := 0; j < s.n; j++ {
							if g, w := c[i*op.ldc+j], want[i*op.ldc+j]; math.Float32bits(g) != math.Float32bits(w) {
								t.Fatalf("%v: %s: C[%d][%d] = %v, SgemmPackedSerial gives %v", cs, name, i, j, g, w)
							}
						}
					}
				}
				for _, b := range [][]float32{packed, byAt} {
					c, guarded := guardedC(cs, op)
					SgemmPackedABSerial(pa, l, b, cs.beta, c, op.ldc)
					same("SgemmPackedABSerial", c)
					if msg := checkGuards(cs, guarded, op.ldc); msg != "" {
						t.Fatalf("%v: %s", cs, msg)
					}
					c, guarded = guardedC(cs, op)
					SgemmPackedBSerial(cs.tA, s.m, cs.alpha, op.a, op.lda, l, b, cs.beta, c, op.ldc)
					same("SgemmPackedBSerial", c)
					if msg := checkGuards(cs, guarded, op.ldc); msg != "" {
						t.Fatalf("%v: %s", cs, msg)
					}
				}
				if !swapPays(cur, s.m, s.n) {
					ref, _ := runSgemm(cs, op)
					same("SgemmSerial", ref)
				}
			}
		}
	})
}

// The pre-packed-B GEMMs panic, with the sizes named, on short or mismatched operands.
func TestSgemmPackedBPanics(t *testing.T) {
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
	l := NewPackedB(5, 4)
	pa := PackA(make([]float32, PackASize(6, 5)), false, 6, 5, 1, a, 5)
	mustPanic("short packed B", func() { SgemmPackedABSerial(pa, l, make([]float32, l.Size()-1), 0, make([]float32, 24), 4) })
	mustPanic("short C", func() { SgemmPackedABSerial(pa, l, make([]float32, l.Size()), 0, make([]float32, 23), 4) })
	mustPanic("depth mismatch", func() { SgemmPackedABSerial(pa, NewPackedB(4, 4), make([]float32, 64), 0, make([]float32, 24), 4) })
	mustPanic("short A", func() { SgemmPackedBSerial(false, 7, 1, a, 5, l, make([]float32, l.Size()), 0, make([]float32, 28), 4) })
	mustPanic("short PackB buffer", func() { PackB(make([]float32, l.Size()-1), l, false, make([]float32, 20), 4) })
	mustPanic("negative", func() { NewPackedB(-1, 3) })
}
