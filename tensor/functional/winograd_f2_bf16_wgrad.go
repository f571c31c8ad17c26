package functional

import (
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/asm/winograd"
)

// The bf16 Winograd F(2×2, 3×3) weight gradient, the BF16 counterpart of
// convWeightGradWinograd (winograd_wgrad.go, whose doc derives it): per chunk of tiles
// transform the input tiles (V = Bᵀ d B, [Cin][16][tiles], as the forward) and the
// output-gradient tiles (Z = A dy Aᵀ, winograd.OutputGradF2, [Cout][16][tiles]), then
// the 16 bf16 GEMMs P[ξ][Cout × Cin] += Z[ξ]·V[ξ]ᵀ (both operands rounded to bf16 as
// they are packed, float32 accumulation, gemm.BF16Serial) reduce over the tiles; at
// the end dw = Σ_ξ P[ξ]·Ĝ[ξ] with Ĝ = winograd.F2Filter, in float32. Each goroutine
// accumulates its own P; they are summed at the end.
//
// Error: A, Bᵀ have entries 0, ±1 and G 0, ±1/2, 1, so Z and V are exact up to float32
// rounding before their bf16 rounding (2⁻⁸ relative each); as for the forward, the
// error of a dw is that of bf16 products of sums of a few terms, about 1.5× bf16
// im2col's (TestWinogradF2BF16WeightGrad bounds and measures it).

// useWinogradF2BF16WeightGrad reports whether the weight gradient of g runs as bf16
// Winograd F(2×2): an eligible geometry in BF16 precision, with FASTGO_CONV=winograd,
// or auto where it measured faster (wino2WGradWins); never with im2col.
func (g *convGeom) useWinogradF2BF16WeightGrad() bool { return g.winogradChosen(BF16, wino2WGradWins) }

// wino2WGradWins reports whether the bf16 F(2×2) weight gradient measured faster than
// bf16 im2col's for this layer shape on the active path: the forward's shapes
// (wino2Wins). Measured with BenchmarkTuneWinogradF2BF16 (bwd-weight, batch 64 as in
// training, one thread, thread CPU time, best of 3 interleaved rounds, Zen 5, shared
// machine; effective GFLOP/s, bf16 im2col → F(2×2)): layer1 251 → 293, layer2 290 →
// 356, layer3 313 → 377, layer4 328 → 331 (a tie: left to im2col).
func wino2WGradWins(g *convGeom) bool {
	return wino2Wins(g)
}

// convWeightGradWinogradF2BF16 sets dw (+)= the weight gradient of an eligible
// geometry in BF16 precision. The input is x, or when xbits is not nil x stored as
// bf16 (gemm.ToBF16), whose rows the input transform reads as bf16 (wino2Input).
func convWeightGradWinogradF2BF16(g *convGeom, dw, dy, x []float32, xbits []uint16, acc bool) {
	th, tw := (g.ho+1)/2, (g.wo+1)/2
	rows := g.n * th
	pairs := g.cout * g.cin
	perTile := 16 * (g.cin + g.cout)
	rowsPer := max(wino2Budget/(perTile*tw), (wino2MinTiles+tw-1)/tw, 1)
	nt := threadsFor(16*float64(pairs)*float64(rows*tw), rows)
	chunks := newChunker(rows, rowsPer, 1, nt)
	rs := 2*tw + 2
	parts := make([][]float32, nt)
	parallel(nt, func(id int) {
		tcMax := chunks.size * tw
		v := getScratch(16 * g.cin * tcMax)
		z := getScratch(16 * g.cout * tcMax)
		plane := getScratch((2*chunks.size + 2) * rs)
		clear(plane) // see wino2Input
		dbuf := getScratch(2 * chunks.size * g.wo)
		defer func() {
			putScratch(v)
			putScratch(z)
			putScratch(plane)
			putScratch(dbuf)
		}()
		p := getScratch(16 * pairs)
		clear(p)
		parts[id] = p
		plane0 := g.ho * g.wo
		for {
			q0, q1, ok := chunks.take()
			if !ok {
				return
			}
			tc := (q1 - q0) * tw
			wino2Input(g, v, tc, x, xbits, plane, th, tw, q0, q1)
			// Output-gradient transform, one output channel and image's run of tile rows
			// at a time, from a copy of the run's rows of dy: the kernel's masked loads
			// straight from dy (not in the caches) measured 1.6× slower for the whole
			// layer1 gradient (batch 16, one thread) than copying the rows first.
			c0 := q0/th*plane0 + min(2*(q0%th), g.ho)*g.wo // the chunk's run of a channel of dy
			c1 := q1/th*plane0 + min(2*(q1%th), g.ho)*g.wo
			for co := 0; co < g.cout; co++ {
				dyc := dy[co*g.p : (co+1)*g.p]
				if wino2InputPrefetch && co+1 < g.cout {
					vec.Prefetch(dy[(co+1)*g.p+c0 : (co+1)*g.p+c1])
				}
				for q := q0; q < q1; {
					n, ty0 := q/th, q%th
					ty1 := min(th, ty0+q1-q)
					nr := min(2*(ty1-ty0), g.ho-2*ty0)
					off := n*plane0 + 2*ty0*g.wo
					copy(dbuf, dyc[off:off+nr*g.wo])
					winograd.OutputGradF2(z[co*16*tc+(q-q0)*tw:], tc, dbuf,
						g.wo, nr, g.wo, tw, ty1-ty0)
					q += ty1 - ty0
				}
			}
			// The 16 reductions over the chunk's tiles.
			for xi := 0; xi < 16; xi++ {
				gemm.BF16Serial(false, true, g.cout, g.cin, tc, 1, z[xi*tc:], 16*tc,
					v[xi*tc:], 16*tc, 1, p[xi*pairs:], g.cin)
			}
		}
	})
	finishWinogradWeightGrad(dw, parts, pairs, winograd.F2Filter, acc)
}
