package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestGemmBF16PackedMat checks the pre-packed-A GEMM with B in memory on every path,
// bit for bit against the bf16 driver on the same operands (same rounding, blocking
// and summation order), on edge shapes (every edge tile, odd depths, several depth,
// row and column blocks, last panels of every tile width) with alpha, beta and both layouts of A.
func TestGemmBF16PackedMat(t *testing.T) {
	forEachBF16(t, func(t *testing.T, g *bf16Kernel) {
		rng := rand.New(rand.NewPCG(23, 7))
		type shape struct{ m, n, k int }
		shapes := []shape{{1, 1, 1}, {3, 5, 7}, {g.mr + 1, g.nr - 1, 2*g.kc + 3}, {13, 2*g.nr + 5, 17},
			{g.mc + g.mr + 3, g.nr + 7, 4*g.kc + 9}, {5, g.nc + g.nr + 7, 2*g.kc + 9}, {64, 3 * g.nr, 64}, {2, g.nc*2 + 1, 8},
			{64, 2*g.nr + 16, 63}, {9, g.nr + 32, 64}, {17, 16, 65}, {5, 32, 2}}
		for si, s := range shapes {
			for _, transA := range []bool{false, true} {
				alpha, beta := float32(1), float32(0)
				if si%2 == 1 {
					alpha, beta = -0.75, 0.5
				}
				lda, ar := s.k+3, s.m
				if transA {
					lda, ar = s.m+3, s.k
				}
				a := specialFloats(rng, ar*lda)
				ldb := s.n + 2
				b := specialFloats(rng, s.k*ldb)
				ldc := s.n + 1
				c0 := specialFloats(rng, s.m*ldc)
				want := append([]float32(nil), c0...)
				ws := g.getWorkspace()
				bf16Blocked(g, ws, transA, false, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, want, ldc)
				putWorkspace(ws)

				var pa BF16PackedA
				pa.Pack(transA, s.m, s.k, alpha, a, lda)
				got := append([]float32(nil), c0...)
				BF16PackedMatSerial(&pa, s.n, b, ldb, beta, got, ldc)
				name := fmt.Sprintf("%s m=%d n=%d k=%d transA=%v", g.name, s.m, s.n, s.k, transA)
				for i := range want {
					if !sameBits(got[i], want[i]) {
						t.Fatalf("%s: C[%d] = %g, GemmBF16's driver gives %g", name, i, got[i], want[i])
					}
				}
			}
		}
	})
}
