package functional

import (
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/winograd"
)

// Winograd F(4×4, 3×3) convolution (the transforms are winograd.WinogradInputF4 and
// winograd.WinogradOutputF4; their doc gives the matrices).
//
// The output is cut into 4×4 tiles, TH×TW per image (TH = ⌈Ho/4⌉, TW = ⌈Wo/4⌉), each
// computed from a 6×6 input window. With U[ξ] = (G g Gᵀ)[ξ] the transformed filters
// (one GEMM with G⊗G for all Cout·Cin filters) and V[ξ] = (Bᵀ d B)[ξ] the transformed
// input tiles, the 36 element-wise stages are the GEMMs M[ξ][Cout × T] = U[ξ][Cout ×
// Cin] · V[ξ][Cin × T]; then y tile = Aᵀ M A. That is 36 multiplications per 16
// outputs and input channel instead of 144: 4× fewer.
//
// The goroutines take chunks of whole tile rows (of any images) on demand; a chunk's
// V and M are sized by winoBudget to stay in the caches, and each output row of a
// chunk gets its epilogue (bias, residual, ReLU) right after its transform. A chunk's
// V is stored [Cin][36][tiles] and M [Cout][36][tiles] (the GEMMs read and write them
// with leading dimension 36·tiles), so that each transform call touches one compact
// block of 36 rows (measured 0–20% faster on layer1 than [36][C][tiles], noisy).
//
// Error: every output is a float32 evaluation of Σ w·x through the transforms, whose
// entries reach 5 (Bᵀ) and 8 (Aᵀ) and whose G has 1/6 and 1/24; the rounding error is
// a small multiple of 2⁻²⁴ times Σ|w|·|x| amplified by the transforms' norms, which
// the tests bound as 2e-5·Σ|w|·|x| per output (measured: up to 4e-6), against about
// 1e-7·√(9·Cin) for im2col.

var (
	// winoBudget is the number of float32s of one goroutine's chunk of transformed
	// input and output (36·(Cin + Cout) per tile). Measured (BenchmarkTuneWinograd,
	// batch 16, one thread, AVX-512) against 512K and 2M: 128K (512 KiB, half the L2)
	// is 10–20% faster on layer1 and within noise elsewhere.
	winoBudget = 128 << 10
	// winoMinTiles is the fewest tiles in a chunk: the 36 GEMMs of a chunk pack U[ξ]
	// (Cout × Cin) each, which a few tiles would not repay. Layers with many channels
	// take at least Cin·Cout/256 tiles (winoChunkTiles): measured (batch 32, one
	// thread) against 96, 256 and 1024 for all, 96 was best on layer1 and layer2 and
	// 1024 on layer3 and layer4 (5–10%, near the noise).
	winoMinTiles = 96
)

// winoChunkTiles is the fewest tiles in a chunk of a layer with cin and cout channels.
func winoChunkTiles(cin, cout int) int { return max(winoMinTiles, cin*cout/256) }

// convForwardWinograd computes the forward convolution of an eligible geometry
// (winogradEligible): y = conv(x, w) (beta 0) or y += conv(x, w) (beta 1), then the
// epilogue.
func convForwardWinograd(g *convGeom, y, x, w []float32, epi convEpi, beta float32) {
	th, tw := (g.ho+3)/4, (g.wo+3)/4
	rows := g.n * th
	pairs := g.cout * g.cin
	u := getScratch(36 * pairs)
	defer putScratch(u)
	gemm.Sgemm(false, true, 36, pairs, 9, 1, winograd.WinogradF4Filter, 9, w, 9, 0, u, pairs)

	perTile := 36 * (g.cin + g.cout)
	rowsPer := max(winoBudget/(perTile*tw), (winoChunkTiles(g.cin, g.cout)+tw-1)/tw, 1)
	// 4·Cin·Cout·36 multiply-adds per tile, the work threadsFor weighs.
	nt := threadsFor(2*36*float64(pairs)*float64(rows*tw), rows)
	chunks := newChunker(rows, rowsPer, 1, nt)
	l := tw + 1 // a phase's length: tile t reads phase entries t and t+1
	rs := 4 * l // a phase-plane row
	plain := epi.res == nil && !epi.relu
	acc := beta != 0
	parallel(nt, func(int) {
		tcMax := chunks.size * tw
		v := getScratch(36 * g.cin * tcMax)
		m := getScratch(36 * g.cout * tcMax)
		plane := getScratch((4*chunks.size + 2) * rs)
		prow := getScratch(rs)
		defer func() {
			putScratch(v)
			putScratch(m)
			putScratch(plane)
			putScratch(prow)
		}()
		for {
			q0, q1, ok := chunks.take()
			if !ok {
				return
			}
			tc := (q1 - q0) * tw
			// Input transform, one image's run of tile rows and one channel at a time.
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
						clear(prow[:g.pw])
						copy(prow[g.pw:], img[ih*g.w:(ih+1)*g.w])
						clear(prow[g.pw+g.w:])
						deinterleave4(dst, prow, l)
					}
					for ty := ty0; ty < ty1; ty++ {
						t0 := (q + ty - ty0 - q0) * tw
						winograd.WinogradInputF4(v[ci*36*tc+t0:], tc, plane[4*(ty-ty0)*rs:], rs, l, tw)
					}
				}
				q += ty1 - ty0
			}
			// The 36 element-wise stages.
			for xi := 0; xi < 36; xi++ {
				gemm.SgemmSerial(false, false, g.cout, tc, g.cin, 1, u[xi*pairs:], g.cin,
					v[xi*tc:], 36*tc, 0, m[xi*tc:], 36*tc)
			}
			// Output transform and epilogue, one output channel at a time.
			plane0 := g.ho * g.wo
			pOf := func(q int) int { return q/th*plane0 + min(4*(q%th), g.ho)*g.wo }
			for co := 0; co < g.cout; co++ {
				var bias float32
				if plain && epi.bias != nil {
					bias = epi.bias[co]
				}
				yc := y[co*g.p : (co+1)*g.p]
				for q := q0; q < q1; q++ {
					n, ty := q/th, q%th
					winograd.WinogradOutputF4(yc[n*plane0+4*ty*g.wo:], g.wo, min(4, g.ho-4*ty), g.wo,
						m[co*36*tc+(q-q0)*tw:], tc, tw, bias, acc)
				}
				if !plain {
					epi.applyRow(yc, co, pOf(q0), pOf(q1))
				}
			}
		}
	})
}

// deinterleave4 writes the four phases of row (4·l values) into dst: dst[r·l + t] =
// row[4t + r].
func deinterleave4(dst, row []float32, l int) {
	p0, p1, p2, p3 := dst[:l], dst[l:2*l], dst[2*l:3*l], dst[3*l:4*l]
	row = row[:4*l]
	for t := range p0 {
		s := row[4*t : 4*t+4]
		p0[t], p1[t], p2[t], p3[t] = s[0], s[1], s[2], s[3]
	}
}
