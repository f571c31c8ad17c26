package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
)

// TestGemmBF16Packed checks the pre-packed-A, rows-of-B GEMM on every path: bit for
// bit against the bf16 driver on the same operands (same rounding, blocking and
// summation order), on edge shapes (every edge tile, odd depths, several depth,
// row and column blocks), with alpha, beta and both layouts of A; and that packing A
// on several goroutines gives the serial packing's bits.
func TestGemmBF16Packed(t *testing.T) {
	forEachBF16(t, func(t *testing.T, g *bf16Kernel) {
		rng := rand.New(rand.NewPCG(21, 5))
		type shape struct{ m, n, k int }
		shapes := []shape{{1, 1, 1}, {3, 5, 7}, {g.mr + 1, g.nr - 1, 2*g.kc + 3}, {13, 2*g.nr + 5, 17},
			{g.mc + g.mr + 3, g.nr + 7, 4*g.kc + 9}, {5, g.nc + g.nr + 7, 2*g.kc + 9}, {64, 3 * g.nr, 576}, {2, g.nc*2 + 1, 8}}
		for si, s := range shapes {
			for _, transA := range []bool{false, true} {
				alpha, beta := float32(1), float32(0)
				if si%2 == 1 {
					alpha, beta = -0.75, 0.5
				}
				lda := s.k + 3
				if transA {
					lda = s.m + 3
				}
				ar := s.m
				if transA {
					ar = s.k
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
				// Packed on 3 goroutines however small: the same blocks, bit for bit.
				var par BF16PackedA
				prevMin, prevThreads := packParallelMin, cpu.SetThreads(3)
				packParallelMin = 0
				par.Pack(transA, s.m, s.k, alpha, a, lda)
				packParallelMin = prevMin
				cpu.SetThreads(prevThreads)
				if !slices.Equal(par.off, pa.off) || !slices.Equal(par.data, pa.data) {
					t.Fatalf("%s m=%d k=%d transA=%v: packed on 3 goroutines differs from the serial packing", g.name, s.m, s.k, transA)
				}
				got := append([]float32(nil), c0...)
				calls := 0
				BF16PackedSerial(&pa, s.n, func(dst []float32, ld, p0, p1, j0, j1 int) {
					calls++
					if p1-p0 > bf16RowGroup || p0 < 0 || p1 > s.k || j0 < 0 || j1 > s.n {
						panic(fmt.Sprintf("rows [%d,%d) cols [%d,%d) asked", p0, p1, j0, j1))
					}
					for p := p0; p < p1; p++ {
						copy(dst[(p-p0)*ld:(p-p0)*ld+j1-j0], b[p*ldb+j0:p*ldb+j1])
					}
				}, beta, got, ldc)
				name := fmt.Sprintf("%s m=%d n=%d k=%d transA=%v", g.name, s.m, s.n, s.k, transA)
				for i := range want {
					if !sameBits(got[i], want[i]) {
						t.Fatalf("%s: C[%d] = %g, GemmBF16's driver gives %g", name, i, got[i], want[i])
					}
				}
				if calls == 0 {
					t.Fatalf("%s: rows never called", name)
				}
			}
		}
	})
}

// sameBits reports whether x and y are the same float32, NaNs of any payload equal.
func sameBits(x, y float32) bool {
	return math.Float32bits(x) == math.Float32bits(y) || x != x && y != y
}

// TestGemmBF16RowsT checks the rows-of-B weight-gradient GEMM on every path bit for
// bit against the bf16 driver with a transposed B, on edge shapes (edge tiles, odd
// depths, several blocks in every dimension, one row block and several).
func TestGemmBF16RowsT(t *testing.T) {
	forEachBF16(t, func(t *testing.T, g *bf16Kernel) {
		rng := rand.New(rand.NewPCG(22, 6))
		type shape struct{ m, n, k int }
		shapes := []shape{{1, 1, 1}, {3, 5, 7}, {g.mr + 1, g.nr - 1, 2*g.kc + 3}, {13, 2*g.nr + 5, 17},
			{g.mc + g.mr + 3, g.nr + 7, 4*g.kc + 9}, {5, g.nc + g.nr + 7, 2*g.kc + 9}, {64, 9, 600}, {2, 2*g.nc + 1, 40},
			{2*g.mc + g.mr + 1, g.nc + g.nr + 5, 2*g.kc + 7}} // several row, column and depth blocks at once
		for si, s := range shapes {
			alpha, beta := float32(1), float32(0)
			if si%2 == 1 {
				alpha, beta = -0.75, 0.5
			}
			lda, ldb, ldc := s.k+3, s.k+2, s.n+1
			a := specialFloats(rng, s.m*lda)
			b := specialFloats(rng, s.n*ldb)
			c0 := specialFloats(rng, s.m*ldc)
			want := append([]float32(nil), c0...)
			ws := g.getWorkspace()
			bf16Blocked(g, ws, false, true, s.m, s.n, s.k, alpha, a, lda, b, ldb, beta, want, ldc)
			putWorkspace(ws)
			got := append([]float32(nil), c0...)
			BF16RowsTSerial(s.m, s.n, s.k, alpha, a, lda, func(dst []float32, ld, j0, j1, p0, p1 int) {
				if j1-j0 > 8 || j0 < 0 || j1 > s.n || p0 < 0 || p1 > s.k {
					panic(fmt.Sprintf("rows [%d,%d) depths [%d,%d) asked", j0, j1, p0, p1))
				}
				for j := j0; j < j1; j++ {
					copy(dst[(j-j0)*ld:(j-j0)*ld+p1-p0], b[j*ldb+p0:j*ldb+p1])
				}
			}, beta, got, ldc)
			for i := range want {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("%s m=%d n=%d k=%d: C[%d] = %g, GemmBF16's driver gives %g", g.name, s.m, s.n, s.k, i, got[i], want[i])
				}
			}
		}
	})
}

// TestGemmBF16PackedPanels checks the GEMM on a B packed by the caller on every path:
// B laid out by BF16PanelSpan (its words counted by BF16PanelsSize) gives
// BF16PackedMatSerial's result on the float32 B bit for bit, on shapes with edge
// panels, odd depths, one full depth block, several row and column blocks, and beta.
func TestGemmBF16PackedPanels(t *testing.T) {
	forEachBF16(t, func(t *testing.T, g *bf16Kernel) {
		rng := rand.New(rand.NewPCG(23, 7))
		type shape struct{ m, n, k int }
		shapes := []shape{{1, 1, 1}, {3, 5, 2}, {g.mr + 1, g.nr - 1, 3}, {13, 2*g.nr + 5, 17},
			{9, 16, 64}, {g.mc + g.mr + 3, g.nr + 16, 2*g.kc - 1}, {5, g.nc + g.nr + 7, 2 * g.kc}, {64, 3*g.nr + 32, 128}}
		for si, s := range shapes {
			beta := float32(0)
			if si%2 == 1 {
				beta = 0.5
			}
			a := specialFloats(rng, s.m*s.k)
			b := specialFloats(rng, s.k*s.n)
			c0 := specialFloats(rng, s.m*s.n)
			var pa BF16PackedA
			pa.Pack(false, s.m, s.k, 1, a, s.k)
			want := append([]float32(nil), c0...)
			BF16PackedMatSerial(&pa, s.n, b, s.n, beta, want, s.n)

			size := BF16PanelsSize(s.k, s.n)
			pb := make([]uint32, size+3)
			for i := range pb {
				pb[i] = 0x7FC0BEEF // NaN pairs: a word the layout misses shows in C
			}
			kp := (s.k + 1) / 2
			for j := 0; j < s.n; {
				off, stride, run := BF16PanelSpan(s.k, s.n, j)
				if run < 1 || stride < run || stride > g.nr {
					t.Fatalf("%s %v: column %d: offset %d, stride %d, run %d", g.name, s, j, off, stride, run)
				}
				for jj := 0; jj < run; jj++ {
					for q := 0; q < kp; q++ {
						var hi float32
						if 2*q+1 < s.k {
							hi = b[(2*q+1)*s.n+j+jj]
						}
						pb[off+q*stride+jj] = bf16Pair(b[2*q*s.n+j+jj], hi)
					}
				}
				j += run
			}
			// The last panel's padding columns keep their NaNs: a column of C reads only
			// its own column of B.
			got := append([]float32(nil), c0...)
			BF16PackedPanelsSerial(&pa, s.n, pb, beta, got, s.n)
			for i := range want {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("%s m=%d n=%d k=%d: C[%d] = %g, BF16PackedMatSerial gives %g", g.name, s.m, s.n, s.k, i, got[i], want[i])
				}
			}
		}
	})
}
