package functional

import (
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/winograd"
)

// Winograd F(4×4, 3×3) convolution (the transforms are winograd.InputF4 and
// winograd.OutputF4; their doc gives the matrices).
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

// winoFlippedFilter is winograd.F4Filter with its nine columns reversed: the
// filter transform of the flipped kernel g[2−i][2−j].
var winoFlippedFilter = func() []float32 {
	f := make([]float32, 36*9)
	for xi := 0; xi < 36; xi++ {
		for t := 0; t < 9; t++ {
			f[xi*9+t] = winograd.F4Filter[xi*9+8-t]
		}
	}
	return f
}()

// winoFilters are the 36 transformed filters U[ξ] (Cout × Cin) of a Winograd
// convolution, for the element-wise GEMMs of every chunk: as computed (u, [ξ] then
// the layer's [co][ci]), or also packed once for the GEMM micro-kernels (packs,
// gemm.PackA) when enough chunks share them (see winoPrepackChunks).
type winoFilters struct {
	g       *convGeom
	flipped bool
	u, buf  []float32
	packs   []*gemm.PackedA
}

// winoPrepackChunks is how many chunks per goroutine a layer needs for its filters to
// be packed once up front instead of by each chunk's GEMMs. Packing up front writes
// the packed filters out and reads them back, where a chunk's GEMM packs each block
// just before using it from the cache: measured (BenchmarkTuneWinograd, one thread,
// batch 16) it gained nothing on layer1–3 and lost 10–15% on layer4's single chunk;
// it pays where the same filters would be packed by several chunks per goroutine.
const winoPrepackChunks = 3

// newWinoFilters transforms the filters of an eligible geometry, and packs them when
// prepack. Without flipped, w is g's weight [Cout, Cin, 3, 3]. With flipped, g is the
// convolution that computes an input gradient (convInputGradAsConv) and w the weight
// of the layer being differentiated, [g.cin, g.cout, 3, 3]: g's filter (ci, co) is
// that weight's (co, ci) rotated by 180°, which the reversed filter transform and a
// transposed A operand give without a flipped copy. release returns the buffers.
func newWinoFilters(g *convGeom, w []float32, flipped, prepack bool) *winoFilters {
	pairs := g.cout * g.cin
	f := winograd.F4Filter
	if flipped {
		f = winoFlippedFilter
	}
	wf := &winoFilters{g: g, flipped: flipped, u: getScratch(36 * pairs)}
	gemm.Sgemm(false, true, 36, pairs, 9, 1, f, 9, w, 9, 0, wf.u, pairs)
	if !prepack {
		return wf
	}
	size := gemm.PackASize(g.cout, g.cin)
	wf.buf = getScratch(36 * size)
	wf.packs = make([]*gemm.PackedA, 36)
	nt := threadsFor(8*36*float64(pairs), 36)
	parallel(nt, func(t int) {
		x0, x1 := split(36, nt, t, 1)
		for xi := x0; xi < x1; xi++ {
			a, lda := wf.a(xi)
			wf.packs[xi] = gemm.PackA(wf.buf[xi*size:(xi+1)*size], flipped, g.cout, g.cin, 1, a, lda)
		}
	})
	return wf
}

// a returns U[ξ] as GEMM operand A: [co][ci] (lda Cin), or flipped its transpose
// stored [ci][co] (lda Cout).
func (wf *winoFilters) a(xi int) ([]float32, int) {
	pairs := wf.g.cout * wf.g.cin
	if wf.flipped {
		return wf.u[xi*pairs : (xi+1)*pairs], wf.g.cout
	}
	return wf.u[xi*pairs : (xi+1)*pairs], wf.g.cin
}

// mul computes M[ξ] (Cout × tc, leading dimension ldm) = U[ξ]·V[ξ] (V: Cin × tc,
// leading dimension ldv) on the calling goroutine.
func (wf *winoFilters) mul(xi, tc int, v []float32, ldv int, m []float32, ldm int) {
	if wf.packs != nil {
		gemm.SgemmPackedSerial(wf.packs[xi], false, tc, v, ldv, 0, m, ldm)
		return
	}
	a, lda := wf.a(xi)
	gemm.SgemmSerial(wf.flipped, false, wf.g.cout, tc, wf.g.cin, 1, a, lda, v, ldv, 0, m, ldm)
}

func (wf *winoFilters) release() {
	putScratch(wf.u)
	if wf.buf != nil {
		putScratch(wf.buf)
	}
}

// convForwardWinograd computes the forward convolution of an eligible geometry
// (winogradEligible): y = conv(x, w) (beta 0) or y += conv(x, w) (beta 1), then the
// epilogue. With flipped, w is the weight of the layer whose input gradient g computes
// (see newWinoFilters).
func convForwardWinograd(g *convGeom, y, x, w []float32, flipped bool, epi convEpi, beta float32) {
	th, tw := (g.ho+3)/4, (g.wo+3)/4
	rows := g.n * th
	pairs := g.cout * g.cin
	perTile := 36 * (g.cin + g.cout)
	rowsPer := max(winoBudget/(perTile*tw), (winoChunkTiles(g.cin, g.cout)+tw-1)/tw, 1)
	// 4·Cin·Cout·36 multiply-adds per tile, the work threadsFor weighs.
	nt := threadsFor(2*36*float64(pairs)*float64(rows*tw), rows)
	chunks := newChunker(rows, rowsPer, 1, nt)
	nChunks := (rows + chunks.size - 1) / chunks.size
	filters := newWinoFilters(g, w, flipped, nChunks >= winoPrepackChunks*nt)
	defer filters.release()
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
						winograd.InputF4(v[ci*36*tc+t0:], tc, plane[4*(ty-ty0)*rs:], rs, l, tw)
					}
				}
				q += ty1 - ty0
			}
			// The 36 element-wise stages.
			for xi := 0; xi < 36; xi++ {
				filters.mul(xi, tc, v[xi*tc:], 36*tc, m[xi*tc:], 36*tc)
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
					winograd.OutputF4(yc[n*plane0+4*ty*g.wo:], g.wo, min(4, g.ho-4*ty), g.wo,
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
