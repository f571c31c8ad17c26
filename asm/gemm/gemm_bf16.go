package gemm

import "github.com/fastgo/fastgo/asm/cpu"

// The bf16 GEMM: C = alpha·op(A)·op(B) + beta·C with A, B and C float32 in memory, the
// operands rounded to bfloat16 while they are packed and the products accumulated in
// float32. It is the fp32 driver's BLIS structure (gemm_driver.go) and shares its
// macro kernel, workspaces and thread strips (tiles[uint32], inStrips), with two
// changes in the packing and blocking:
//
//   - packing rounds each value to bf16 (nearest even, see bf16.go) and puts the two
//     values of depths 2q and 2q+1 into one 32-bit word, the pair a dot-product
//     instruction reads: Ã holds, per depth pair q, MR words (one per row), B̃ NR words
//     (one per column). So a bf16 panel is the fp32 panel layout with "depth" read as
//     "depth pair", and the micro-kernels are the fp32 ones with each FMA replaced by a
//     two-depth dot product (VDPBF16PS on x86, BFDOT on arm64): twice the
//     multiply-adds per instruction on half the bytes.
//   - an odd depth is padded with a zero upper half.
//
// Rounding happens in the packing, which the fp32 GEMM does anyway, so there is no
// separate conversion pass over the operands and nothing is stored in bf16 outside
// the packing buffers. A weight matrix is rounded each time it is packed (once per
// GEMM call and row block), which costs the same as the fp32 copy it replaces; a
// caller that multiplies the same matrix many times packs it once (BF16PackedA,
// gemm_bf16_packed.go).

// bf16Micro computes one full R×W tile of C from packed bf16 panels:
//
//	for i := 0; i < R; i++ {
//		for j := 0; j < W; j++ {
//			var s float32
//			for q := 0; q < kp; q++ {
//				s = dotBF16(s, a[q*R+i], b[q*W+j])
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s // C is not read
//			} else {
//				c[i*ldc+j] = s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// a holds kp·R and b kp·W packed pairs; kp ≥ 1.
type bf16Micro = microTile[uint32]

// bf16Kernel is one path's bf16 micro-kernels and blocking (tiles, shared with the
// float32 driver), with kc counted in depth pairs (so the byte sizes of the panels
// match the fp32 ones at the same kc), and its bf16 packing routines.
type bf16Kernel struct {
	tiles[uint32]

	// panels packs np full panels of width r, ps words apart, in the contiguous case
	// for an even depth kc (see bf16PanelsGeneric); nil means the Go twin.
	panels func(dst []uint32, src []float32, ld, kc, np, r, ps int)
	// interleave8 packs 8 rows in the interleaved case for depths [0, kc&^15) (see
	// bf16Interleave8Generic); nil means the Go twin does all of it.
	interleave8 func(dst []uint32, src []float32, ld, kc, r int)
	// toBF16, toBF16Centred and fromBF16 convert whole slices for storage (see ToBF16,
	// ToBF16Centred and FromBF16); nil means the Go twins.
	toBF16        func(dst []uint16, src []float32)
	toBF16Centred func(dst []uint16, src []float32, centre float32)
	fromBF16      func(dst []float32, src []uint16)
}

// bf16Kernels holds, per SIMD path, the bf16 kernels when the CPU has the
// instructions; arch files fill it from init functions (bf16CPU is known by then).
// The generic twin is bf16Generic.
var bf16Kernels [cpu.NEON + 1]*bf16Kernel

// bf16Generic is the pure-Go bf16 path: the twin of the assembly kernels and the
// fallback where they cannot run. Its 4×16 tile and blocking are the fp32 generic
// path's.
var bf16Generic = &bf16Kernel{tiles: tiles[uint32]{
	name: "generic 4×16 (Go twin)",
	mr:   4, nr: 16,
	kc: 128, mc: 256, nc: 512,
	heights: []int{4}, widths: []int{16},
	kernels: [][]bf16Micro{{bf16MicroGeneric(4, 16)}},
}}

// bf16Active returns the kernels for the active path.
func bf16Active() *bf16Kernel {
	if k := bf16Kernels[cpu.Active()]; k != nil {
		return k
	}
	return bf16Generic
}

// BF16 computes C = alpha·op(A)·op(B) + beta·C like Sgemm, but with every value of
// alpha·op(A) and op(B) rounded to bfloat16 (nearest even) before it is multiplied,
// and the products summed in float32. The arguments mean what they mean for Sgemm;
// A, B and C are float32 slices. On a path without bf16 instructions (see BF16Err) it
// runs the pure-Go twin, which rounds and sums the same way. It runs on up to
// cpu.Threads() goroutines.
//
// Error bound, per element: rounding each operand costs at most 2⁻⁸ of its magnitude,
// so |C − C_exact| ≤ (2·2⁻⁸ + 2⁻¹⁶)·|alpha|·Σ|a||b| plus the float32 summation error
// (at most k·2⁻²⁴·Σ|ã||b̃|) and the rounding of beta·C.
func BF16(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemmBF16(bf16Active(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, cpu.Threads())
}

// BF16Serial is BF16 on the calling goroutine only.
func BF16Serial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	gemmBF16(bf16Active(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1)
}

// gemmBF16 is sgemm (gemm_driver.go) for the bf16 kernels g.
func gemmBF16(g *bf16Kernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, nthreads int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	if alpha == 1 && m*n <= maxSwapElems && 8*g.paddedRows(n)*g.paddedCols(m) < 7*g.paddedRows(m)*g.paddedCols(n) {
		// Computed transposed, as gemmSwapped does (gemm_swap.go); only with alpha = 1,
		// since alpha is rounded with op(A) and the transposed run would round it with op(B).
		s := getScratch(m * n)
		bf16Parallel(g, !transB, !transA, n, m, k, alpha, b, ldb, a, lda, 0, s.buf, m, nthreads)
		addTransposed(m, n, s.buf, beta, c, ldc)
		putScratch(s)
		return
	}
	bf16Parallel(g, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nthreads)
}

// bf16Parallel is gemmParallel for the bf16 kernels: up to nthreads strips of whole
// tiles along the larger dimension, each with its own workspace.
func bf16Parallel(g *bf16Kernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, nthreads int) {
	if 2*float64(m)*float64(n)*float64(k) < 2*minParallelFlops {
		nthreads = 1 // twice the fp32 threshold: the same time at twice the rate
	}
	if nthreads <= 1 {
		// Without the strips' closure, as gemmParallel: BF16Serial allocates nothing.
		ws := g.getWorkspace()
		bf16Blocked(g, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		putWorkspace(ws)
		return
	}
	inStrips(&g.tiles, transA, transB, m, n, a, lda, b, ldb, c, ldc, nthreads,
		func(ws *workspace[uint32], m, n int, a, b, c []float32) {
			bf16Blocked(g, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		})
}

// bf16Blocked is gemmBlocked for the bf16 kernels: the depth blocks are even (a pair
// never straddles two blocks) and hold at most 2·kc depths.
func bf16Blocked(g *bf16Kernel, ws *workspace[uint32], transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	kc := blocks(k, 2*g.kc, 2)
	mc := blocks(m, g.mc, g.mr)
	nc := blocks(n, g.nc, g.nr)
	for ic := 0; ic < m; ic += mc {
		mcb := min(mc, m-ic)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			bf16PackA(g, ws.a, transA, a, lda, ic, pc, mcb, kcb, alpha)
			bet := beta
			if pc > 0 {
				bet = 1
			}
			for jc := 0; jc < n; jc += nc {
				ncb := min(nc, n-jc)
				bf16PackB(g, ws.b, transB, b, ldb, pc, jc, kcb, ncb)
				g.macroKernel(ws, ws.a, mcb, ncb, (kcb+1)/2, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// bf16PackA packs rows [i0, i0+mc) and depths [p0, p0+kc) of alpha·op(A), rounded to
// bf16, into row micro-panels of height R (MR, the last one g.panelHeight of the
// rows left), kp = ⌈kc/2⌉ pairs deep:
//
//	dst[ip*kp*MR + q*R + ii] = bf16Pair(alpha·op(A)[i][p0+2q], alpha·op(A)[i][p0+2q+1])
//
// with i = i0+ip*MR+ii, zero past row i0+mc and past depth p0+kc.
func bf16PackA(g *bf16Kernel, dst []uint32, transA bool, a []float32, lda, i0, p0, mc, kc int, alpha float32) {
	mr, kp := g.mr, (kc+1)/2
	if transA {
		bf16PackContiguous(g, dst, a[p0*lda+i0:], lda, kc, mc, mr, g.heights, alpha)
		return
	}
	for ip := 0; ip*mr < mc; ip++ {
		w := min(mr, mc-ip*mr)
		r := mr
		if w < mr {
			r = g.panelHeight(w)
		}
		i := i0 + ip*mr
		bf16PackInterleave(g, dst[ip*kp*mr:ip*kp*mr+kp*r], a[i*lda+p0:], lda, kc, w, r, alpha)
	}
}

// bf16PackB packs depths [p0, p0+kc) and columns [j0, j0+nc) of op(B), rounded to bf16,
// into column micro-panels of width W (NR, the last one g.panelWidth of the columns
// left):
//
//	dst[jp*kp*NR + q*W + jj] = bf16Pair(op(B)[p0+2q][j], op(B)[p0+2q+1][j])
//
// with j = j0+jp*NR+jj, zero past column j0+nc and past depth p0+kc.
func bf16PackB(g *bf16Kernel, dst []uint32, transB bool, b []float32, ldb, p0, j0, kc, nc int) {
	nr, kp := g.nr, (kc+1)/2
	if !transB {
		bf16PackContiguous(g, dst, b[p0*ldb+j0:], ldb, kc, nc, nr, g.widths, 1)
		return
	}
	for jp := 0; jp*nr < nc; jp++ {
		w := min(nr, nc-jp*nr)
		r := nr
		if w < nr {
			r = g.panelWidth(w)
		}
		j := j0 + jp*nr
		bf16PackInterleave(g, dst[jp*kp*nr:jp*kp*nr+kp*r], b[j*ldb+p0:], ldb, kc, w, r, 1)
	}
}

// bf16PackContiguous packs n rows (or columns) whose depth p lies at
// src[p*ld : p*ld+n] into pair panels of width r, the last one at the smallest of
// sizes that holds it: full panels through g.panels (even depths) and Go for the rest.
func bf16PackContiguous(g *bf16Kernel, dst []uint32, src []float32, ld, kc, n, r int, sizes []int, alpha float32) {
	kp := (kc + 1) / 2
	full := n / r
	done := 0 // depth pairs of the full panels already packed
	if g.panels != nil && alpha == 1 && kc >= 2 && full > 0 {
		g.panels(dst, src, ld, kc&^1, full, r, kp*r)
		done = kc / 2
	}
	for q := done; q < kp; q++ {
		s0, s1 := bf16RowPair(src, ld, kc, q)
		for jp := 0; jp < full; jp++ {
			bf16PairRow(dst[jp*kp*r+q*r:jp*kp*r+q*r+r], s0[jp*r:jp*r+r], s1, jp*r, alpha)
		}
	}
	if w := n - full*r; w > 0 {
		rw := sizes[fit(sizes, w)]
		d := dst[full*kp*r:]
		for q := 0; q < kp; q++ {
			s0, s1 := bf16RowPair(src, ld, kc, q)
			bf16PairRow(d[q*rw:q*rw+rw], s0[full*r:n], s1, full*r, alpha)
		}
	}
}

// bf16RowPair returns the source rows of depths 2q and 2q+1 (nil past the depth kc).
func bf16RowPair(src []float32, ld, kc, q int) (s0, s1 []float32) {
	s0 = src[2*q*ld:]
	if 2*q+1 < kc {
		s1 = src[(2*q+1)*ld:]
	}
	return s0, s1
}

// bf16PairRow sets d[j] = bf16Pair(alpha·s0[j], alpha·s1[off+j]) for j < len(s0) (the
// upper half zero when s1 is nil) and zero for len(s0) ≤ j < len(d).
func bf16PairRow(d []uint32, s0, s1 []float32, off int, alpha float32) {
	if s1 == nil {
		for j, v := range s0 {
			d[j] = bf16Pair(alpha*v, 0)
		}
	} else {
		s1 = s1[off : off+len(s0)]
		for j, v := range s0 {
			d[j] = bf16Pair(alpha*v, alpha*s1[j])
		}
	}
	clear(d[len(s0):])
}

// bf16PackInterleave sets dst[q*r+i] = bf16Pair(alpha·src[i*ld+2q], alpha·src[i*ld+2q+1])
// for i < w and q < ⌈kc/2⌉ (the upper half zero past kc), and zero for w ≤ i < r.
// Groups of 8 rows go through g.interleave8 for whole blocks of 16 depths.
func bf16PackInterleave(g *bf16Kernel, dst []uint32, src []float32, ld, kc, w, r int, alpha float32) {
	kp := (kc + 1) / 2
	dst = dst[:kp*r]
	i := 0
	if g.interleave8 != nil && alpha == 1 && kc >= 16 {
		k16 := kc &^ 15
		for ; i+8 <= w; i += 8 {
			g.interleave8(dst[i:], src[i*ld:], ld, k16, r)
			bf16InterleaveRows(dst[i:], src[i*ld:], ld, k16, kc, 8, r, alpha)
		}
	}
	if i < w {
		bf16InterleaveRows(dst[i:], src[i*ld:], ld, 0, kc, w-i, r, alpha)
	}
	if w < r {
		for q := 0; q < kp; q++ {
			clear(dst[q*r+w : q*r+r])
		}
	}
}

// bf16InterleaveRows is bf16PackInterleave's Go loop for rows i < rows and depths
// [p0, kc), p0 even: dst[q*r+i] = bf16Pair(alpha·src[i*ld+2q], alpha·src[i*ld+2q+1]).
func bf16InterleaveRows(dst []uint32, src []float32, ld, p0, kc, rows, r int, alpha float32) {
	for i := 0; i < rows; i++ {
		s := src[i*ld : i*ld+kc]
		p := p0
		for ; p+1 < kc; p += 2 {
			dst[p/2*r+i] = bf16Pair(alpha*s[p], alpha*s[p+1])
		}
		if p < kc {
			dst[p/2*r+i] = bf16Pair(alpha*s[p], 0)
		}
	}
}

// bf16PanelsGeneric is the twin of a path's panels: np full panels of width r, ps
// words apart, from the kc source rows (kc even):
//
//	dst[jp*ps + q*r + j] = bf16Pair(src[2q*ld + jp*r + j], src[(2q+1)*ld + jp*r + j])
//
// for q < kc/2, jp < np, j < r.
func bf16PanelsGeneric(dst []uint32, src []float32, ld, kc, np, r, ps int) {
	for q := 0; q < kc/2; q++ {
		s0, s1 := src[2*q*ld:], src[(2*q+1)*ld:]
		for jp := 0; jp < np; jp++ {
			bf16PairRow(dst[jp*ps+q*r:jp*ps+q*r+r], s0[jp*r:jp*r+r], s1, jp*r, 1)
		}
	}
}

// bf16Interleave8Generic is the twin of a path's interleave8: 8 rows, depths
// [0, kc) with kc a multiple of 16:
//
//	dst[q*r+i] = bf16Pair(src[i*ld+2q], src[i*ld+2q+1])   for i < 8, q < kc/2.
func bf16Interleave8Generic(dst []uint32, src []float32, ld, kc, r int) {
	bf16InterleaveRows(dst, src, ld, 0, kc, 8, r, 1)
}

// bf16MicroGeneric returns the Go micro-kernel for an R×W tile, the loop in bf16Micro's
// doc: the twin every assembly kernel is tested against bit for bit (with beta = 0).
func bf16MicroGeneric(R, W int) bf16Micro {
	return func(kp int, a, b []uint32, c []float32, ldc int, beta float32) {
		var buf [8 * 48]float32 // the largest tile (AVX-512's); on the stack
		t := buf[:R*W]
		a, b = a[:kp*R], b[:kp*W]
		for q := 0; q < kp; q++ {
			bq := b[q*W : q*W+W]
			for i, av := range a[q*R : q*R+R] {
				row := t[i*W : i*W+W]
				for j, bv := range bq {
					row[j] = dotBF16(row[j], av, bv)
				}
			}
		}
		storeTile(c, ldc, t, W, R, W, beta)
	}
}
