package functional

import (
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/vec"
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
// The goroutines take chunks of whole tile rows (of any images; whole images for the
// mosaic of small images, see convForwardWinograd) on demand; a chunk's
// V and M are sized by winoBudget to stay in the caches, and each output row of a
// chunk gets its epilogue (bias, residual, ReLU) right after its transform. A chunk's
// V is written as the 36 GEMMs' packed right operands (winoVLayout), and M is stored
// [Cout][36][tiles] (the GEMMs write it with leading dimension 36·tiles), so that each
// output-transform call reads one compact block of 36 rows (measured 0–20% faster on
// layer1 than [36][C][tiles], noisy).
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
	// 1024 on layer3 and layer4 (5–10%, near the noise). 112 then beat 96 and 144 in
	// the forward convolution of layer1 and layer2 (batch 64, one thread, medians:
	// +6–7%): their chunks become 8 and 16 tile rows, 112 tiles = 48 + 48 + 16 columns
	// for the AVX-512 GEMM (7 × 16 for AVX2), where 98 left a 16-wide edge panel with 2
	// columns. The weight gradient shares it (not measured again).
	winoMinTiles = 112
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

// winogradFilterMatrix is G⊗G (36×9) for filters as they are, or for them flipped.
func winogradFilterMatrix(flipped bool) []float32 {
	if flipped {
		return winoFlippedFilter
	}
	return winograd.F4Filter
}

// winoFilters are the 36 transformed filters U[ξ] (Cout × Cin) of a Winograd
// convolution, for the element-wise GEMMs of every chunk: as computed (u, [ξ] then
// the layer's [co][ci]), or also packed once for the GEMM micro-kernels (packs,
// gemm.PackA) when enough chunks share them (see winoPrepackChunks).
type winoFilters struct {
	g       *convGeom
	flipped bool
	u, buf  []float32
	packs   []*gemm.PackedA
	kept    bool // owned by a WinogradFilters: release leaves it alone
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
	return transformWinoFilters(g, w, flipped, prepack, false)
}

// transformWinoFilters is newWinoFilters; with kept (always prepacked) the packs live in
// a buffer of their own, which a WinogradFilters keeps, and the transformed filters'
// scratch is returned at once.
func transformWinoFilters(g *convGeom, w []float32, flipped, prepack, kept bool) *winoFilters {
	pairs := g.cout * g.cin
	wf := &winoFilters{g: g, flipped: flipped, kept: kept, u: getScratch(36 * pairs)}
	gemm.Sgemm(false, true, 36, pairs, 9, 1, winogradFilterMatrix(flipped), 9, w, 9, 0, wf.u, pairs)
	if !prepack {
		return wf
	}
	size := gemm.PackASize(g.cout, g.cin)
	if kept {
		wf.buf = make([]float32, 36*size)
	} else {
		wf.buf = getScratch(36 * size)
	}
	wf.packs = make([]*gemm.PackedA, 36)
	nt := threadsFor(8*36*float64(pairs), 36)
	parallel(nt, func(t int) {
		x0, x1 := split(36, nt, t, 1)
		for xi := x0; xi < x1; xi++ {
			a, lda := wf.a(xi)
			wf.packs[xi] = gemm.PackA(wf.buf[xi*size:(xi+1)*size], flipped, g.cout, g.cin, 1, a, lda)
		}
	})
	if kept { // the GEMMs read only the packs
		putScratch(wf.u)
		wf.u = nil
	}
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

// mul computes M[ξ] (Cout × tiles, leading dimension ldm) = U[ξ]·V[ξ] on the calling
// goroutine, with V[ξ] (Cin × tiles) in vb packed in layout lb.
func (wf *winoFilters) mul(xi int, lb gemm.PackedB, vb []float32, m []float32, ldm int) {
	if wf.packs != nil {
		gemm.SgemmPackedABSerial(wf.packs[xi], lb, vb, 0, m, ldm)
		return
	}
	a, lda := wf.a(xi)
	gemm.SgemmPackedBSerial(wf.flipped, wf.g.cout, 1, a, lda, lb, vb, 0, m, ldm)
}

func (wf *winoFilters) release() {
	if wf.kept {
		return
	}
	putScratch(wf.u)
	if wf.buf != nil {
		putScratch(wf.buf)
	}
}

// convForwardWinograd computes the forward convolution of an eligible geometry
// (winogradEligible): y = conv(x, w) (beta 0) or y += conv(x, w) (beta 1), then the
// epilogue. With flipped, w is the weight of the layer whose input gradient g computes
// (see newWinoFilters).
//
// Small images (winoMosaicFits: ResNet's 14×14 and 7×7 layers, 4 and 2 tiles a row)
// are transformed as a mosaic: a chunk is a run of whole images, its tiles ordered
// [tile row][image][tile column], and one input-transform call covers a tile row of
// every image of the chunk side by side, where per image it would fill 2 or 4 of a
// vector's 16 lanes.
func convForwardWinograd(g *convGeom, y, x, w []float32, flipped bool, epi convEpi, beta float32) {
	convForwardWinogradWith(g, y, x, w, flipped, nil, epi, beta)
}

// convForwardWinogradWith is convForwardWinograd with the filters already transformed
// (filters, for g's Cout and Cin and flipped, see WinogradFilters), or transformed from
// w here when filters is nil.
func convForwardWinogradWith(g *convGeom, y, x, w []float32, flipped bool, filters *winoFilters, epi convEpi, beta float32) {
	th, tw := (g.ho+3)/4, (g.wo+3)/4
	rows := g.n * th
	pairs := g.cout * g.cin
	perTile := 36 * (g.cin + g.cout)
	rowsPer := max(winoBudget/(perTile*tw), (winoChunkTiles(g.cin, g.cout)+tw-1)/tw, 1)
	// 4·Cin·Cout·36 multiply-adds per tile, the work threadsFor weighs.
	nt := threadsFor(2*36*float64(pairs)*float64(rows*tw), rows)
	// A mosaic's chunks are whole images: with fewer than 4 images per goroutine (a
	// served batch of one) tile-row chunks keep every goroutine busy instead.
	mosaic := winoMosaic && g.winoMosaicFits(tw) && (nt == 1 || g.n >= 4*nt)
	// A chunk is tile rows [q0, q1) (q = n·th + ty) or, in a mosaic, images [q0, q1).
	unitRows := 1
	if mosaic {
		unitRows = th
	}
	chunks := newChunker(rows/unitRows, max((rowsPer+unitRows-1)/unitRows, 1), 1, nt)
	if filters == nil {
		nChunks := (rows/unitRows + chunks.size - 1) / chunks.size
		filters = newWinoFilters(g, w, flipped, nChunks >= winoPrepackChunks*nt)
		defer filters.release()
	}
	plain := epi.res == nil && !epi.relu
	acc := beta != 0
	// The epilogue (bias, residual, ReLU) is one pass over each channel's rows of the
	// chunk right after their output transform (convEpi.applyRow), or, with
	// winoFuseEpilogue, the ReLU epilogues run inside the output transform
	// (winograd.OutputF4ReLU) while the tile is in registers (measured slower, see
	// winoFuseEpilogue); a residual without ReLU and accumulation always take the pass.
	fused := epi.relu && !acc && winoFuseEpilogue
	parallel(nt, func(int) {
		rowsMax := chunks.size * unitRows
		tcMax := rowsMax * tw
		v := getScratch(36 * winoPackedStride(gemm.NewPackedB(g.cin, tcMax).Size()))
		m := getScratch(36 * g.cout * tcMax)
		in := newWinoInput(g, th, tw, chunks.size, mosaic)
		defer func() {
			putScratch(v)
			putScratch(m)
			in.release()
		}()
		for {
			q0, q1, ok := chunks.take()
			if !ok {
				return
			}
			tc := (q1 - q0) * unitRows * tw
			vl := winoVLayout{packed: gemm.NewPackedB(g.cin, tc)}
			vl.stride = winoPackedStride(vl.packed.Size())
			in.transform(v, &vl, x, q0, q1)
			// The 36 element-wise stages.
			for xi := 0; xi < 36; xi++ {
				filters.mul(xi, vl.packed, v[xi*vl.stride:(xi+1)*vl.stride], m[xi*tc:], 36*tc)
			}
			// Output transform and epilogue, one output channel at a time.
			plane0 := g.ho * g.wo
			// The chunk's first and last outputs of a channel, and where in M the tiles
			// of tile row ty of image n start.
			var lo, hi int
			var tileAt func(n, ty int) int
			if mosaic {
				lo, hi = q0*plane0, q1*plane0
				tileAt = func(n, ty int) int { return (ty*(q1-q0) + n - q0) * tw }
			} else {
				pOf := func(q int) int { return q/th*plane0 + min(4*(q%th), g.ho)*g.wo }
				lo, hi = pOf(q0), pOf(q1)
				tileAt = func(n, ty int) int { return (n*th + ty - q0) * tw }
			}
			for co := 0; co < g.cout; co++ {
				if winoPrefetch && co+1 < g.cout {
					// The next channel's outputs (and residual), which the output
					// transform's own prefetch reaches only from its second tile row on.
					vec.Prefetch(y[(co+1)*g.p+lo : (co+1)*g.p+hi])
					if epi.res != nil {
						vec.Prefetch(epi.res[(co+1)*g.p+lo : (co+1)*g.p+hi])
					}
				}
				var bias float32
				if (plain || fused) && epi.bias != nil {
					bias = epi.bias[co]
				}
				yc := y[co*g.p : (co+1)*g.p]
				var rc []float32
				if fused && epi.res != nil {
					rc = epi.res[co*g.p : (co+1)*g.p]
				}
				mc := m[co*36*tc:]
				for q := q0 * unitRows; q < q1*unitRows; q++ {
					n, ty := q/th, q%th
					at := n*plane0 + 4*ty*g.wo
					if fused {
						var r []float32
						if rc != nil {
							r = rc[at:]
						}
						winograd.OutputF4ReLU(yc[at:], g.wo, min(4, g.ho-4*ty), g.wo,
							mc[tileAt(n, ty):], tc, tw, bias, r)
						continue
					}
					winograd.OutputF4(yc[at:], g.wo, min(4, g.ho-4*ty), g.wo,
						mc[tileAt(n, ty):], tc, tw, bias, acc)
				}
				if !plain && !fused {
					epi.applyRow(yc, co, lo, hi)
				}
			}
		}
	})
}

// winoFuseEpilogue runs the ReLU epilogues inside the output transform
// (winograd.OutputF4ReLU; see convForwardWinogradWith); false, the default, runs
// OutputF4 and then one pass over each channel's rows of the chunk while they are in
// cache (convEpi.applyRow). Measured first (BenchmarkTuneWinoInfer, residual + ReLU,
// medians, heavily loaded shared machine): one thread, batch 32, thread CPU time,
// layer1 206 → 230 GFLOP/s fused and layer3 228 → 231; two threads within ±5%. Measured
// again with the filters kept (as inference runs them; AVX-512, 2026-12-05 23:15 UTC,
// shared machine), fused → separate: two threads, batch 64, process CPU time, medians of
// 11 rounds, layer1–4 262 → 277, 308 → 330, 216 → 224, 273 → 281 GFLOP/s; one thread,
// batch 32, 7 rounds, 289 → 294, 371 → 393, 307 → 309, 336 → 343; the whole ResNet34
// inference (`bench infer -threads 2`, 4 alternated runs) 32.6 → 29.3 CPU ms per image,
// every run faster. Re-measured (2026-12-06 03:35 UTC, shared machine, two threads, batch
// 64, process CPU time, medians of 11 rounds, filters kept) after bf16 F(2×2)'s fused
// epilogue (winograd.OutputF2ReLU) measured equal to its pass: separate/fused layer1–4
// 324/311, 332/340, 301/296, 307/310 GFLOP/s, so the pass stays.
var winoFuseEpilogue = false

// winoPrefetch enables prefetching the next channel's input rows, outputs and residual
// (vec.Prefetch): each is a few KiB of a plane far from the last, which the hardware
// prefetcher picks up only after several misses. Measured (BenchmarkTuneWinoInfer)
// 0–7% faster; false turns it off for measurements.
var winoPrefetch = true

// winoMosaic enables the mosaic transform of small images (see convForwardWinograd);
// false keeps one transform call per image and tile row (for measurements).
var winoMosaic = true

// winoMosaicFits reports whether images of g with tw tiles a row can be laid side by
// side tw phase entries apart (4·tw columns), so that tile tw−1 of one image reads
// columns 4·tw and 4·tw+1 from the next image's padded columns 0 and 1. Those columns
// only feed outputs past the image's last (4·tw > wo) unless the last output needs
// column 4·tw (wo+1 = 4·tw), which is zero padding in both images when pw ≥ 1; they
// enter the rounding of the tile's other outputs as any column of its 6×6 window does,
// which the error bound (winoTol in the tests) already covers. The mosaic pays only
// when a tile row fills less than a vector (tw < 8).
func (g *convGeom) winoMosaicFits(tw int) bool {
	return tw < 8 && (g.wo+1 < 4*tw || g.wo+1 == 4*tw && g.pw >= 1)
}

// winoPackedStride is the distance between the 36 packed V[ξ] of size floats: the size
// rounded up to a cache line and one more, so that the 36 rows an input-transform call
// writes do not all fall into the same cache sets (a size of whole 4 KiB pages, as
// layer1's 64 × 112 tiles is, measured 20% slower).
func winoPackedStride(size int) int { return (size+15)/16*16 + 16 }

// winoVLayout is where the input transform puts transformed element ξ of tile t of
// input channel ci: straight into V[ξ] packed as the GEMM's right operand, at
// ξ·stride + the packed offset of (ci, t), which spares the GEMMs their packing pass
// over V. Measured (BenchmarkTuneWinoInfer, batch 64, one thread, medians) against V
// stored [Cin][36][tiles] and packed by each GEMM: 2–3% faster on layer1 and layer2,
// 6% on layer3 and layer4.
type winoVLayout struct {
	packed gemm.PackedB
	stride int // between the 36 elements ξ
}

// put transforms tiles [t0, t0+cnt) of channel ci from the phase plane src (see
// winograd.InputF4) into v.
func (vl *winoVLayout) put(v []float32, ci, t0, cnt int, src []float32, rowStride, phaseStride int) {
	for t := t0; t < t0+cnt; {
		off, run := vl.packed.At(ci, t)
		run = min(run, t0+cnt-t)
		winograd.InputF4(v[off:], vl.stride, src[t-t0:], rowStride, phaseStride, run)
		t += run
	}
}

// winoInput is one goroutine's input transform of the tiles of a chunk into V
// ([Cin][36][tc], see convForwardWinograd), with its phase-plane buffers.
type winoInput struct {
	g      *convGeom
	th, tw int
	mosaic bool
	plane  []float32
}

// newWinoInput sizes the buffers for chunks of up to units tile rows (images in a
// mosaic).
func newWinoInput(g *convGeom, th, tw, units int, mosaic bool) *winoInput {
	in := &winoInput{g: g, th: th, tw: tw, mosaic: mosaic}
	if mosaic {
		in.plane = getScratch((4*th + 2) * 4 * (units*tw + 1))
	} else {
		in.plane = getScratch((4*units + 2) * 4 * (tw + 1))
	}
	return in
}

func (in *winoInput) release() {
	putScratch(in.plane)
}

// phases writes entries [off, off+cnt) of the four phases (l apart in dst) of input
// row ih of image plane img zero-padded by pw columns on the left: dst[r·l + off + t]
// = the image's column 4t + r − pw, or 0 outside the image (every entry when ih is
// outside it), with winograd.PhaseRow.
func (in *winoInput) phases(dst []float32, l, off, cnt int, img []float32, ih int) {
	g := in.g
	if ih < 0 || ih >= g.h {
		for r := 0; r < 4; r++ {
			clear(dst[r*l+off : r*l+off+cnt])
		}
		return
	}
	winograd.PhaseRow(dst[off:], l, cnt, img[ih*g.w:(ih+1)*g.w], g.pw)
}

// transform writes the transformed tiles of chunk [q0, q1) of x into v in layout vl.
func (in *winoInput) transform(v []float32, vl *winoVLayout, x []float32, q0, q1 int) {
	g, th, tw := in.g, in.th, in.tw
	if in.mosaic {
		// Images [q0, q1) side by side: phase r of row i holds entry n·tw + t = padded
		// column 4t + r of image q0+n, and entry (q1−q0)·tw the zeros past the last.
		ni := q1 - q0
		l := ni*tw + 1
		rs := 4 * l
		for ci := 0; ci < g.cin; ci++ {
			if winoPrefetch && ci+1 < g.cin {
				// The next channel's images, one contiguous run.
				vec.Prefetch(x[((ci+1)*g.n+q0)*g.h*g.w : ((ci+1)*g.n+q1)*g.h*g.w])
			}
			for r := 0; r < 4*th+2; r++ {
				dst := in.plane[r*rs : (r+1)*rs]
				for n := q0; n < q1; n++ {
					img := x[(ci*g.n+n)*g.h*g.w : (ci*g.n+n+1)*g.h*g.w]
					in.phases(dst, l, (n-q0)*tw, tw, img, r-g.ph)
				}
				for p := 0; p < 4; p++ {
					dst[p*l+ni*tw] = 0
				}
			}
			for ty := 0; ty < th; ty++ {
				vl.put(v, ci, ty*ni*tw, ni*tw, in.plane[4*ty*rs:], rs, l)
			}
		}
		return
	}
	l := tw + 1 // a phase's length: tile t reads phase entries t and t+1
	rs := 4 * l // a phase-plane row
	for q := q0; q < q1; {
		n, ty0 := q/th, q%th
		ty1 := min(th, ty0+q1-q)
		// The image rows the tile rows read.
		r0, r1 := max(4*ty0-g.ph, 0), min(4*ty1+2-g.ph, g.h)
		for ci := 0; ci < g.cin; ci++ {
			img := x[(ci*g.n+n)*g.h*g.w : (ci*g.n+n+1)*g.h*g.w]
			if winoPrefetch && ci+1 < g.cin && r0 < r1 {
				next := x[((ci+1)*g.n+n)*g.h*g.w:]
				vec.Prefetch(next[r0*g.w : r1*g.w])
			}
			for r := 0; r < 4*(ty1-ty0)+2; r++ {
				in.phases(in.plane[r*rs:(r+1)*rs], l, 0, l, img, 4*ty0+r-g.ph)
			}
			for ty := ty0; ty < ty1; ty++ {
				t0 := (q + ty - ty0 - q0) * tw
				vl.put(v, ci, t0, tw, in.plane[4*(ty-ty0)*rs:], rs, l)
			}
		}
		q += ty1 - ty0
	}
}
