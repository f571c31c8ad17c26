package functional

import (
	"unsafe"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/asm/winograd"
)

// Winograd F(2×2, 3×3) in BF16 precision (the transforms are winograd.InputF2 and
// winograd.OutputF2; their doc gives the matrices). It computes the 3×3 stride-1
// convolutions, and through convInputGradAsConv their input gradients, with 16
// multiplications per 2×2 outputs and input channel instead of 36 (2.25× fewer), at
// the bf16 GEMM's rate:
//
//   - the transformed filters U[ξ] = (G g Gᵀ)[ξ] (Cout × Cin, one float32 GEMM with
//     G⊗G, exact coefficients 0, ±1/4, ±1/2, 1) are rounded to bf16 and packed once
//     per call (gemm.BF16PackedA), shared by the goroutines;
//   - the transformed input tiles V[ξ] = (Bᵀ d B)[ξ] are computed in float32 from
//     the float32 activations, and rounded to bf16 while the GEMM packs them;
//   - the 16 stages M[ξ] (Cout × tiles) = U[ξ]·V[ξ] are bf16 GEMMs with float32
//     accumulation (gemm.BF16PackedMatSerial); the output transform Aᵀ M A and the
//     epilogue run in float32.
//
// Chunking and layouts are convForwardWinograd's (F(4×4) in FP32): the goroutines take
// chunks of whole tile rows, a chunk's V is [Cin][16][tiles] and M [Cout][16][tiles].
// The input transform reads each image row zero-padded into a small plane (tile t of
// a tile row starts at column 2t).
//
// Error. Bᵀ and Aᵀ have only 0 and ±1 entries and G only 0, ±1/2, 1, so U and V are
// exact up to float32 rounding before they are rounded to bf16 (relative error ≤ 2⁻⁸
// each, so ≤ 2⁻⁷ + 2⁻¹⁶ per product U[ξ]·V[ξ]). Per output the error is then at most
// that times Σ_ξ |Aᵀ⊗Aᵀ|·|U[ξ]|·|V[ξ]| ≤ Σ_ci Σ_{taps, window} c·|w||x|, whose
// coefficients c (of |Aᵀ||G| and |Bᵀ|, per dimension) are at most 2 and sum to 8
// against 3 for the true convolution's taps: the worst case is a few times bf16
// im2col's, which the tests bound as (2⁻⁷ + 2⁻¹⁶)·4·Σ_ci (Σ_taps |w|)·(Σ_window |x|).
// Rounding errors are random in sign, so the typical error is far smaller:
// TestWinogradF2BF16Error measures it on ResNet34's channel counts (see the README):
// RMS 0.35–0.39% of the output against 0.23–0.24% for bf16 im2col (1.5–1.6×).

var (
	// wino2Pairs makes the forward (and the input gradient as a forward) write the
	// transformed input as bf16 pairs straight into the GEMMs' packed layout
	// (wino2InputPairs) where the input channels are even and fit one depth block;
	// tests and A/B measurements turn it off to get the float32 V and its packing.
	wino2Pairs = true
	// wino2Budget is the number of float32s of one goroutine's chunk of transformed
	// input and output (16·(Cin + Cout) per tile).
	wino2Budget = 128 << 10
	// wino2MinTiles is the fewest tiles in a chunk (the GEMMs' column count).
	wino2MinTiles = 96
	// wino2FuseEpilogue runs the forward's ReLU epilogues inside the output transform
	// (winograd.OutputF2ReLU: each output written once, the same bits, the next
	// channel's outputs and residual prefetched by the kernel as it writes); false runs
	// winograd.OutputF2 and then a pass over each channel's rows of the chunk
	// (convEpi.applyRow), for tests and A/B measurements. Measured with
	// BenchmarkTuneWino2Infer (AVX-512, shared machine, medians of 11 interleaved
	// rounds; effective GFLOP/s of layer1–3 as fused (the default) / the pass with
	// vec.Prefetch / the pass without prefetching, as before):
	//
	//	one thread, batch 32, thread CPU time:     344/325/320  468/452/435  460/462/466
	//	two threads, batch 64, process CPU time:   321/304/291  400/380/359  385/396/395
	//
	// Layer3's rows of 14 outputs gain nothing. Before the kernel prefetched, fused and
	// the pass measured equal with vec.Prefetch before each call (as the pass does: e.g.
	// 407/409, 486/492, 463/451 at two threads); without any prefetch the fused
	// transform, whose residual loads miss between long runs of arithmetic, lost (296 →
	// 317, 467 → 493, 492 → 504 at one thread).
	wino2FuseEpilogue = true
	// wino2Prefetch prefetches the next output channel's rows of the chunk and their
	// residual while the output transform works on this channel's: each is a few KiB
	// of a plane far from the last, which the hardware prefetcher picks up only after
	// several misses (winoPrefetch's reason). The output transforms (OutputF2ReLU,
	// OutputF2) do it themselves, a line or two with each store (the pass's residual
	// is prefetched with vec.Prefetch before the call). Measured as above, one thread:
	// OutputF2ReLU prefetching against vec.Prefetch of the rows before the call 344/325
	// (layer1), 468/452 (layer2), 460/462 (layer3) GFLOP/s (BenchmarkOutputF2Epilogue:
	// 10–15% less time); the plain forward (training's), OutputF2 prefetching /
	// vec.Prefetch / none, 375/358/328, 443/423/413, 366/379/347, and before
	// vec.Prefetch → none 363/338, 448/429, 523/527; prefetching only the residual, not
	// the outputs, lost (vec.Prefetch, two threads, batch 64: 364/371, 384/403,
	// 369/386). Tried and dropped (layer1 and layer2 against vec.Prefetch of the next
	// channel's rows and residual, one thread): the next channel's 16 rows of M too
	// (in L2 already) 326/340, 512/520; two channels ahead 283/286, 378/379; every
	// channel's rows and residual spread over the 16 stage GEMMs (one sixteenth after
	// each, to overlap the misses with the GEMMs) 315/324, 424/441; non-temporal
	// stores (VMOVNTPS where a vector is whole and 64-byte aligned: about half of
	// layer1's, a quarter of layer2's; layer3's 14-column rows have none) 273/278,
	// 355/343, and without prefetching the outputs 257/278, 358/343: the outputs go to
	// memory at a few GB/s, far below its bandwidth, so saving their read for
	// ownership does not show.
	wino2Prefetch = true
)

// useWinogradF2BF16 reports whether the forward convolution of g (or an input
// gradient computed as one) runs as bf16 Winograd F(2×2, 3×3): an eligible geometry in
// BF16 precision, unless FASTGO_CONV (or -conv) is im2col; with winograd always, with
// auto where it measured faster (wino2Wins).
func (g *convGeom) useWinogradF2BF16() bool { return g.winogradChosen(BF16, wino2Wins) }

// wino2Wins reports whether bf16 F(2×2) measured faster than bf16 im2col for this
// layer shape on the active path: only AVX-512 has both the bf16 kernels and SIMD
// F(2×2) transforms, and only images at least 12 outputs wide measured faster.
// Measured with BenchmarkTuneWinogradF2BF16 (batch
// 16, one thread, thread CPU time, best of 5 interleaved rounds, Zen 5, shared
// machine; effective GFLOP/s = the direct convolution's FLOPs / time, bf16 im2col →
// F(2×2), forward / input gradient):
//
//	layer (Cin=Cout, H=W)   forward      input gradient
//	layer1 (64, 56)         277 → 385    277 → 360
//	layer2 (128, 28)        288 → 417    245 → 324
//	layer3 (256, 14)        292 → 345    318 → 390
//	layer4 (512, 7)         319 → 256    202 → 207
//
// On layer4 each chunk re-reads the 16 packed 512×512 transformed filters (8 MiB)
// for few tiles, and a 7×7 tile row fills 4 of the transforms' 16 lanes: laying the
// images of a chunk side by side (one transform call per tile row of all of them)
// gained 4% (265 → 275), chunks of 384 tiles reached a tie (328 against 334), so
// layer4 keeps im2col.
func wino2Wins(g *convGeom) bool {
	return cpu.Active() == cpu.AVX512 && winograd.F2Path() && g.wo >= 12
}

// wino2ChunkRows returns the number of tile rows (of tw tiles) per chunk near want
// (from want/2 to 2·want) whose tile count wastes least of the last GEMM panel of
// width nr: a narrow last panel runs a narrow micro-kernel (AVX-512's 8×16 measured
// 8–10% of layer1's time with 112 tiles a chunk, 2·48 + 16). Ties go to the count
// nearest want.
func wino2ChunkRows(want, tw, nr int) int {
	best, bestWaste := want, 2.0
	for d := 0; d <= want; d++ {
		for _, r := range []int{want - d, want + d} {
			if r < max(1, want/2) || r > 2*want {
				continue
			}
			t := r * tw
			waste := float64((t+nr-1)/nr*nr-t) / float64(t)
			if waste < bestWaste-0.01 {
				best, bestWaste = r, waste
			}
		}
	}
	return best
}

// convForwardWinogradF2BF16 computes the forward convolution of an eligible geometry
// (winogradEligible) in BF16 precision: y = conv(x, w) (beta 0) or y += conv(x, w)
// (beta 1), then the epilogue.
func convForwardWinogradF2BF16(g *convGeom, y, x, w []float32, epi convEpi, beta float32) {
	th, tw := (g.ho+1)/2, (g.wo+1)/2
	rows := g.n * th
	pairs := g.cout * g.cin
	perTile := 16 * (g.cin + g.cout)
	rowsPer := wino2ChunkRows(max(wino2Budget/(perTile*tw), (wino2MinTiles+tw-1)/tw, 1), tw, gemm.BF16TileWidth())
	// Cin·Cout·16 multiply-adds per tile, the work threadsFor weighs (at twice the
	// float32 rate).
	nt := threadsFor(16*float64(pairs)*float64(rows*tw), rows)
	chunks := newChunker(rows, rowsPer, rowsPer, nt)

	// The filter transform, then the 16 packs.
	u := getScratch(16 * pairs)
	defer putScratch(u)
	gemm.Sgemm(false, true, 16, pairs, 9, 1, winograd.F2Filter, 9, w, 9, 0, u, pairs)
	var packs [16]*gemm.BF16PackedA
	for xi := range packs {
		packs[xi] = getPacked(g.cout, g.cin)
	}
	defer func() {
		for _, p := range packs {
			putPacked(p)
		}
	}()
	pt := threadsFor(8*16*float64(pairs), 16)
	parallel(pt, func(t int) {
		x0, x1 := split(16, pt, t, 1)
		for xi := x0; xi < x1; xi++ {
			packs[xi].Pack(false, g.cout, g.cin, 1, u[xi*pairs:(xi+1)*pairs], g.cin)
		}
	})

	rs := 2*tw + 2 // a padded plane row: tile t reads columns 2t .. 2t+3
	plain := epi.res == nil && !epi.relu
	acc := beta != 0
	// The ReLU epilogues (with or without a residual) run inside the output transform
	// (winograd.OutputF2ReLU, the same bits as the pass), so that each output is
	// written once; a residual without ReLU and accumulation take the pass over each
	// channel's rows of the chunk (convEpi.applyRow).
	fused := epi.relu && !acc && wino2FuseEpilogue
	usePairs := wino2Pairs && g.cin%2 == 0 && g.cin <= gemm.BF16PanelsMaxDepth()
	parallel(nt, func(int) {
		tcMax := (chunks.size*tw + 15) &^ 15
		var v []float32
		if usePairs {
			v = getScratch(16 * gemm.BF16PanelsSize(g.cin, tcMax)) // uint32 words
		} else {
			v = getScratch(16 * g.cin * tcMax)
		}
		m := getScratch(16 * g.cout * tcMax)
		planeSize := (2*chunks.size + 2) * rs
		plane := getScratch(2 * planeSize)
		// Only image rows are copied into the plane, at columns [pw, pw+w): its
		// padding columns stay zero from here on.
		clear(plane)
		defer func() {
			putScratch(v)
			putScratch(m)
			putScratch(plane)
		}()
		for {
			q0, q1, ok := chunks.take()
			if !ok {
				return
			}
			// tc is the chunk's tile count rounded up to a multiple of 16, the columns
			// of V and M: the GEMMs then pack every panel of V with the SIMD packing
			// (gemm.BF16PackedMatSerial), or the pairs fill whole panels. The padding
			// columns of V hold whatever the buffer held; their columns of M are never
			// read.
			tc := ((q1-q0)*tw + 15) &^ 15
			if usePairs {
				// V rounded to bf16 and packed by the transform itself, 16 matrices
				// xiStride words apart (wino2InputPairs).
				pv := unsafe.Slice((*uint32)(unsafe.Pointer(&v[0])), len(v))
				xiStride := gemm.BF16PanelsSize(g.cin, tc)
				wino2InputPairs(g, pv, xiStride, tc, x, plane[:planeSize], plane[planeSize:], th, tw, q0, q1)
				for xi := 0; xi < 16; xi++ {
					gemm.BF16PackedPanelsSerial(packs[xi], tc, pv[xi*xiStride:], 0, m[xi*tc:], 16*tc)
				}
			} else {
				wino2Input(g, v, tc, x, nil, plane, th, tw, q0, q1)
				// The 16 element-wise stages, bf16 GEMMs.
				for xi := 0; xi < 16; xi++ {
					gemm.BF16PackedMatSerial(packs[xi], tc, v[xi*tc:], 16*tc, 0, m[xi*tc:], 16*tc)
				}
			}
			// Output transform and epilogue, one output channel at a time.
			plane0 := g.ho * g.wo
			pOf := func(q int) int { return q/th*plane0 + min(2*(q%th), g.ho)*g.wo }
			lo, hi := pOf(q0), pOf(q1)
			for co := 0; co < g.cout; co++ {
				next := 0 // elements to the next channel's same outputs, for prefetching
				if wino2Prefetch && co+1 < g.cout {
					next = g.p
				}
				if next > 0 && !fused && epi.res != nil {
					// The pass's residual; the output transform prefetches the outputs
					// itself as it writes this channel's.
					vec.Prefetch(epi.res[(co+1)*g.p+lo : (co+1)*g.p+hi])
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
				// One call per image's run of tile rows.
				for q := q0; q < q1; {
					n, ty0 := q/th, q%th
					ty1 := min(th, ty0+q1-q)
					at, rows := n*plane0+2*ty0*g.wo, min(2*(ty1-ty0), g.ho-2*ty0)
					mc := m[co*16*tc+(q-q0)*tw:]
					if fused {
						var r []float32
						if rc != nil {
							r = rc[at:]
						}
						winograd.OutputF2ReLU(yc[at:], g.wo, rows, g.wo, mc, tc, tw, bias, r, next)
					} else {
						winograd.OutputF2(yc[at:], g.wo, rows, g.wo, mc, tc, tw, bias, acc, next)
					}
					q += ty1 - ty0
				}
				if !plain && !fused {
					epi.applyRow(yc, co, lo, hi)
				}
			}
		}
	})
}

// wino2Input writes the input transform of tile rows [q0, q1) (q = n·th + ty) of x
// into v ([Cin][16][tc]), one image's run of tile rows and one channel at a time,
// through plane, a buffer of 2·(q1−q0)+2 rows of 2·tw+2 zeros (only image rows are
// copied into it, at columns [pw, pw+w), so its padding columns stay zero). When
// xbits is not nil the input is x stored as bf16 (gemm.ToBF16): plane then holds
// bf16 rows (its memory seen as uint16s, the same zeros), read by
// winograd.InputF2BF16, which widens them exactly as the transform reads them, so V is
// the one the widened x gives, bit for bit, without a float32 copy of the rows.
func wino2Input(g *convGeom, v []float32, tc int, x []float32, xbits []uint16, plane []float32, th, tw, q0, q1 int) {
	rs := 2*tw + 2
	direct := wino2DirectRows && wino2InPlace(g, tw)
	var bits []uint16
	if xbits != nil {
		bits = unsafe.Slice((*uint16)(unsafe.Pointer(&plane[0])), len(plane))
	}
	for q := q0; q < q1; {
		n, ty0 := q/th, q%th
		ty1 := min(th, ty0+q1-q)
		r0, r1 := max(2*ty0-g.ph, 0), min(2*ty1+2-g.ph, g.h) // the image rows read
		for ci := 0; ci < g.cin; ci++ {
			base, dst := (ci*g.n+n)*g.h*g.w, v[ci*16*tc+(q-q0)*tw:]
			if wino2InputPrefetch && ci+1 < g.cin && r0 < r1 {
				next := base + g.n*g.h*g.w // the next channel's image n
				if xbits != nil {
					prefetchBits(xbits[next+r0*g.w : next+r1*g.w])
				} else {
					vec.Prefetch(x[next+r0*g.w : next+r1*g.w])
				}
			}
			if xbits != nil {
				// The inner tile rows [a, b) in place, the others through the plane.
				a, b := ty0, ty0
				if direct {
					for a < ty1 && !wino2Inner(g, a) {
						a++
					}
					for b = a; b < ty1 && wino2Inner(g, b); b++ {
					}
				}
				for _, r := range [2][2]int{{ty0, a}, {b, ty1}} {
					if r[0] < r[1] {
						wino2Plane(g, bits, rs, xbits, base, r[0], r[1])
						winograd.InputF2BF16(dst[(r[0]-ty0)*tw:], tc, bits, rs, tw, r[1]-r[0])
					}
				}
				if a < b {
					o := base + (2*a-1)*g.w - 1 // column 0 of tile row a: a padding one
					winograd.InputF2BF16Rows(dst[(a-ty0)*tw:], tc, xbits[o:], g.w, tw, b-a, true, true)
				}
			} else {
				wino2Plane(g, plane, rs, x, base, ty0, ty1)
				winograd.InputF2(dst, tc, plane, rs, tw, ty1-ty0)
			}
		}
		q += ty1 - ty0
	}
}

// wino2InputPrefetch makes the input transforms (and the weight gradient's copies of
// dy) prefetch the next channel's rows (vec.Prefetch) while they copy and transform
// the current one's: each is a few hundred bytes to a few KiB of a plane far from the
// last, which the hardware prefetcher catches only after several misses (as
// wino2Prefetch for the output). A/B measurements turn it off: weight gradient 8–10%
// less CPU time on layers 1–3 (batch 32, one thread, process CPU time, medians of 3
// interleaved rounds, AVX-512, shared machine), forward 0–2%.
var wino2InputPrefetch = true

// wino2DirectRows makes the forward's input transform (wino2InputPairs) and the
// weight gradient's (wino2Input on bf16) read the inner tile rows of an image in
// place, without copying their rows into padded planes; tests and A/B measurements
// turn it off. Measured (batch 32, one thread, process CPU time, medians of 5
// interleaved rounds, AVX-512, shared machine; planes → in place): Conv2dForward
// layer1 19.4 → 18.2 ms, layer2 16.3 → 14.7, layer3 19.8 → 18.1; the weight gradient
// from bf16 25.4 → 25.0, 20.4 → 19.5, 21.5 → 21.5 (a load average of 12).
var wino2DirectRows = true

// wino2InPlace reports whether the input transforms can read g's inner tile rows in
// place (winograd.InputF2PairsRows, InputF2BF16Rows): one padding row and column and
// an even width (so the only padding columns are the first and the last tile's).
func wino2InPlace(g *convGeom, tw int) bool {
	return g.ph == 1 && g.pw == 1 && g.w%2 == 0 && 2*tw == g.w
}

// wino2Inner reports whether tile row ty of g reads only image rows (2ty−1 to 2ty+2).
func wino2Inner(g *convGeom, ty int) bool { return 2*ty-1 >= 0 && 2*ty+2 < g.h }

// prefetchBits is vec.Prefetch for bf16 values (the whole 4-byte words among them).
func prefetchBits(b []uint16) {
	if len(b) >= 2 {
		vec.Prefetch(unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/2))
	}
}

// wino2Plane copies the image rows that tile rows [ty0, ty1) of one channel's image
// (at base in x: float32 values or bf16 bits) read into plane, row r at plane[r·rs:]
// from column pw, and zeroes the rows above and below the image.
func wino2Plane[E float32 | uint16](g *convGeom, plane []E, rs int, x []E, base, ty0, ty1 int) {
	for r := 0; r < 2*(ty1-ty0)+2; r++ {
		dst := plane[r*rs : (r+1)*rs]
		ih := 2*ty0 + r - g.ph
		if ih < 0 || ih >= g.h {
			clear(dst)
			continue
		}
		row := base + ih*g.w
		copy(dst[g.pw:], x[row:row+g.w])
	}
}

// wino2InputPairs is wino2Input for the forward in BF16 precision with an even Cin:
// the transform of tile rows [q0, q1) goes, rounded to bf16 and paired by channels
// (2c, 2c+1), straight into the 16 packed B operands of the stage GEMMs
// (winograd.InputF2Pairs): matrix ξ at pv[ξ·xiStride:], Cin × tc packed whole
// (gemm.BF16PanelSpan). Two channels' rows at a time are copied into plane0 and
// plane1 (each as wino2Input's plane). The pairs are the rounding of wino2Input's V,
// which the GEMM's packing would make, so the products are the same bit for bit.
func wino2InputPairs(g *convGeom, pv []uint32, xiStride, tc int, x []float32, plane0, plane1 []float32, th, tw, q0, q1 int) {
	rs := 2*tw + 2
	// With one padding row and column and an even width, the tile rows whose rows all
	// lie in the image (inner) read them where they are (winograd.InputF2PairsRows:
	// the padding columns masked): only the top and bottom tile rows of an image go
	// through the planes.
	direct := wino2DirectRows && wino2InPlace(g, tw)
	inner := func(ty int) bool { return direct && wino2Inner(g, ty) }
	// A segment is a run of tiles contiguous in the packed layout: whole tile rows
	// within one panel (rows of them), or the part of a tile row on one panel; its tile
	// rows are all inner (read in place: ty, t its first tile row and its first tile's
	// column in it) or all not (read from the planes at plane offset src).
	type segment struct {
		src, dst, stride, tiles, rows int // plane offset, pv offset of pair 0
		inner                         bool
		ty, t                         int
	}
	var segs []segment
	var segBuf [64]segment
	for q := q0; q < q1; {
		n, ty0 := q/th, q%th
		ty1 := min(th, ty0+q1-q)
		segs = segBuf[:0]
		for ty := ty0; ty < ty1; ty++ {
			t0 := (q + ty - ty0 - q0) * tw
			in := inner(ty)
			for t := t0; t < t0+tw; {
				off, stride, run := gemm.BF16PanelSpan(g.cin, tc, t)
				cnt := min(run, t0+tw-t)
				if k := len(segs) - 1; cnt == tw && k >= 0 && segs[k].tiles == tw && segs[k].inner == in &&
					segs[k].stride == stride && segs[k].dst+segs[k].rows*tw == off {
					segs[k].rows++ // the next whole tile row, right after on the same panel
				} else {
					segs = append(segs, segment{src: 2*(ty-ty0)*rs + 2*(t-t0), dst: off, stride: stride, tiles: cnt, rows: 1,
						inner: in, ty: ty, t: t - t0})
				}
				t += cnt
			}
		}
		r0, r1 := max(2*ty0-g.ph, 0), min(2*ty1+2-g.ph, g.h) // the image rows read
		for cp := 0; cp < g.cin/2; cp++ {
			if wino2InputPrefetch && cp+1 < g.cin/2 && r0 < r1 {
				for k := 2; k < 4; k++ { // the next pair's images n
					next := ((2*cp+k)*g.n + n) * g.h * g.w
					vec.Prefetch(x[next+r0*g.w : next+r1*g.w])
				}
			}
			base0, base1 := (2*cp*g.n+n)*g.h*g.w, ((2*cp+1)*g.n+n)*g.h*g.w
			for ty := ty0; ty < ty1; ty++ { // the planes' rows of the tile rows not inner
				if !inner(ty) {
					p := 2 * (ty - ty0) * rs
					wino2Plane(g, plane0[p:], rs, x, base0, ty, ty+1)
					wino2Plane(g, plane1[p:], rs, x, base1, ty, ty+1)
				}
			}
			for _, s := range segs {
				d := pv[s.dst+cp*s.stride:]
				if s.inner {
					o := (2*s.ty-1)*g.w + 2*s.t - 1 // column 0 of the segment's first tile (a padding one when s.t is 0)
					winograd.InputF2PairsRows(d, xiStride, x[base0+o:], x[base1+o:], g.w, s.tiles, s.rows, s.t == 0, s.t+s.tiles == tw)
				} else {
					winograd.InputF2Pairs(d, xiStride, plane0[s.src:], plane1[s.src:], rs, s.tiles, s.rows)
				}
			}
		}
		q += ty1 - ty0
	}
}
