package functional

import (
	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/asm/winograd"
)

// Winograd F(4×4, 3×3) weight gradient. The forward tile is y = Aᵀ[U ⊙ V]A with
// U = G g Gᵀ and V = Bᵀ d B (winograd_conv.go), so y[o] = Σ_ξ Â[o][ξ]·U[ξ]·V[ξ] with
// Â = Aᵀ⊗Aᵀ and U[ξ] = Σ_k Ĝ[ξ][k]·g[k], Ĝ = G⊗G. Differentiating,
//
//	dg[k] = Σ_tiles Σ_o dy[o] Σ_ξ Â[o][ξ]·Ĝ[ξ][k]·V[ξ] = Σ_ξ Ĝ[ξ][k]·Σ_tiles Z[ξ]·V[ξ]
//
// with Z = A dy Aᵀ (winograd.OutputGradF4; dy is zero past the output's edges, d
// is zero in the padding, as in the forward). So per chunk of tiles: transform the
// input tiles (V, [Cin][36][tiles]) and the output-gradient tiles (Z, [Cout][36][tiles]),
// then the 36 GEMMs P[ξ][Cout × Cin] += Z[ξ][Cout × T]·V[ξ][Cin × T]ᵀ reduce over the
// tiles; at the end dw[co·Cin+ci][k] = Σ_ξ P[ξ][co·Cin+ci]·Ĝ[ξ][k], one GEMM with
// winograd.F4Filter. Each goroutine accumulates its own P, which are then summed.
//
// Error: each dw is a float32 evaluation of Σ x·dy through the transforms (Bᵀ's entries
// up to 5, A's up to 8, Ĝ's down to 1/576); as for the forward, a small multiple of
// 2⁻²⁴·Σ|x|·|dy| amplified by the transforms' norms, plus the longer reduction over
// all tiles and images; winogradWGradTol states the tests' bound.

// useWinogradWeightGrad reports whether the weight gradient of g runs as Winograd: an
// eligible geometry in FP32, with FASTGO_CONV=winograd, or auto where it measured
// faster (winogradWGradWins).
func (g *convGeom) useWinogradWeightGrad() bool { return g.winogradChosen(FP32, winogradWGradWins) }

// winogradWGradWins reports whether the Winograd weight gradient measured faster than
// im2col for this layer shape on the active path. Measured with BenchmarkTuneWinograd
// (bwd-weight, one thread, thread CPU time, best of 5 interleaved rounds, Zen 5, on a
// machine shared with load ≈ 10 on 2 cores, so ±10%; effective GFLOP/s = the direct
// convolution's FLOPs / time, im2col → Winograd; batch 64 as in training, and batch
// 16 before winograd.OutputGradF4 lost its copies):
//
//	layer (Cin=Cout, H=W)  AVX-512 batch 64  AVX2 batch 64  AVX-512 batch 16 (older)
//	layer1 (64, 56)        146 → 220         76 → 143       129–139 → 113–167
//	layer2 (128, 28)       156 → 292         79 → 192       132 → 161
//	layer3 (256, 14)       147 → 214         82 → 158       153 → 169
//	layer4 (512, 7)        143 → 226         77 → 121       156–174 → 153–169
//
// The 36 GEMMs reduce over the tiles, so with few tiles (layer4 at batch 16: 64) they
// are short and their accumulation into the 36·Cout·Cin sums dominates: auto takes
// Winograd on the SIMD paths from 256 tiles (layer4 at batch 64) up. (These figures
// predate the AVX-512 output-gradient transform, which measured 10–20× faster than the
// Go twin AVX2 still uses; with it, batch 64, one thread, best of 3 interleaved rounds on
// the shared machine: layer1 263, layer2 300, layer3 247 GFLOP/s.) The generic path
// keeps im2col, as for the forward, and so does NEON (not measured on arm64 hardware).
func winogradWGradWins(g *convGeom) bool {
	tiles := g.n * ((g.ho + 3) / 4) * ((g.wo + 3) / 4)
	return (cpu.Active() == cpu.AVX512 || cpu.Active() == cpu.AVX2) && tiles >= winoWGradMinTiles
}

// winoWGradMinTiles is the fewest tiles (over the batch) for which auto takes the
// Winograd weight gradient (see winogradWGradWins).
const winoWGradMinTiles = 256

// convWeightGradWinograd sets dw (+)= the weight gradient of an eligible geometry.
func convWeightGradWinograd(g *convGeom, dw, dy, x []float32, acc bool) {
	th, tw := (g.ho+3)/4, (g.wo+3)/4
	rows := g.n * th
	pairs := g.cout * g.cin
	perTile := 36 * (g.cin + g.cout)
	rowsPer := max(winoBudget/(perTile*tw), (winoChunkTiles(g.cin, g.cout)+tw-1)/tw, 1)
	nt := threadsFor(2*36*float64(pairs)*float64(rows*tw), rows)
	chunks := newChunker(rows, rowsPer, 1, nt)
	l := tw + 1
	rs := 4 * l
	parts := make([][]float32, nt)
	parallel(nt, func(id int) {
		tcMax := chunks.size * tw
		v := getScratch(36 * g.cin * tcMax)
		z := getScratch(36 * g.cout * tcMax)
		plane := getScratch((4*chunks.size + 2) * rs)
		defer func() {
			putScratch(v)
			putScratch(z)
			putScratch(plane)
		}()
		p := getScratch(36 * pairs)
		clear(p)
		parts[id] = p
		for {
			q0, q1, ok := chunks.take()
			if !ok {
				return
			}
			tc := (q1 - q0) * tw
			// Input transform, as in convForwardWinograd.
			for q := q0; q < q1; {
				n, ty0 := q/th, q%th
				ty1 := min(th, ty0+q1-q)
				for ci := 0; ci < g.cin; ci++ {
					img := x[(ci*g.n+n)*g.h*g.w : (ci*g.n+n+1)*g.h*g.w]
					for r := 0; r < 4*(ty1-ty0)+2; r++ {
						dst := plane[r*rs : (r+1)*rs]
						ih := 4*ty0 + r - g.ph
						if ih < 0 || ih >= g.h {
							clear(dst)
							continue
						}
						winograd.PhaseRow(dst, l, l, img[ih*g.w:(ih+1)*g.w], g.pw)
					}
					for ty := ty0; ty < ty1; ty++ {
						t0 := (q + ty - ty0 - q0) * tw
						winograd.InputF4(v[ci*36*tc+t0:], tc, plane[4*(ty-ty0)*rs:], rs, l, tw)
					}
				}
				q += ty1 - ty0
			}
			// Output-gradient transform, one output channel and tile row at a time.
			plane0 := g.ho * g.wo
			for co := 0; co < g.cout; co++ {
				dyc := dy[co*g.p : (co+1)*g.p]
				for q := q0; q < q1; q++ {
					n, ty := q/th, q%th
					winograd.OutputGradF4(z[co*36*tc+(q-q0)*tw:], tc, dyc[n*plane0+4*ty*g.wo:],
						g.wo, min(4, g.ho-4*ty), g.wo, tw)
				}
			}
			// The 36 reductions over the chunk's tiles.
			for xi := 0; xi < 36; xi++ {
				gemm.SgemmSerial(false, true, g.cout, g.cin, tc, 1, z[xi*tc:], 36*tc,
					v[xi*tc:], 36*tc, 1, p[xi*pairs:], g.cin)
			}
		}
	})
	finishWinogradWeightGrad(dw, parts, pairs, winograd.F4Filter, acc)
}

// finishWinogradWeightGrad ends a Winograd weight gradient: it sums the goroutines'
// partial products parts (each P[ξ][co·Cin+ci], points × pairs, over its tiles) into
// parts[0], sets dw (+= with acc) to Σ_ξ P[ξ]·filter[ξ], where filter is the points×9
// matrix G⊗G (winograd.F4Filter: 36 points, winograd.F2Filter: 16), and returns parts
// to the scratch pool.
func finishWinogradWeightGrad(dw []float32, parts [][]float32, pairs int, filter []float32, acc bool) {
	nt, points := len(parts), len(filter)/9
	size := points * pairs
	parallel(nt, func(t int) {
		lo, hi := split(size, nt, t, 16)
		for _, part := range parts[1:] {
			vec.Axpy(1, part[lo:hi], parts[0][lo:hi])
		}
	})
	beta := float32(0)
	if acc {
		beta = 1
	}
	gemm.Sgemm(true, false, pairs, 9, points, 1, parts[0], pairs, filter, 9, beta, dw, 9)
	for _, part := range parts {
		putScratch(part)
	}
}
