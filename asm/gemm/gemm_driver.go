package gemm

import "sync"

// sgemm is the implementation behind Sgemm and SgemmSerial; the arguments are checked.
// It handles the trivial cases, chooses between the direct and the transposed
// formulation, and runs the blocked algorithm on up to nthreads goroutines.
func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, nthreads int) {
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	g := cur
	if swapPays(g, m, n) {
		gemmSwapped(g, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nthreads)
		return
	}
	gemmParallel(g, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nthreads)
}

// scaleMatrix sets C = beta·C; with beta == 0 it writes zeros without reading C.
func scaleMatrix(m, n int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
	}
}

// minParallelFlops is the smallest 2·m·n·k worth splitting over goroutines (about
// 40 µs of one core's work): below it, waking a second goroutine costs about as much
// as it saves. Tests lower it to split even small problems.
var minParallelFlops = float64(1 << 23)

// gemmParallel splits C into up to nthreads strips of whole tiles and runs gemmBlocked
// on each with its own workspace: one goroutine per strip, strip 0 on the caller's.
// Every strip of a split along n packs all of A, and of a split along m all of B, so
// the split goes along the larger dimension and only the smaller operand is packed
// more than once. Problems under minParallelFlops stay on one goroutine.
func gemmParallel(g *gemmKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, nthreads int) {
	if 2*float64(m)*float64(n)*float64(k) < minParallelFlops {
		nthreads = 1
	}
	if nthreads <= 1 {
		// Without the strips' closure, which escapes to the heap: a serial GEMM (the
		// convolutions' per-chunk products, thousands per training step) allocates
		// nothing.
		ws := g.getWorkspace()
		gemmBlocked(g, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		putWorkspace(ws)
		return
	}
	inStrips(&g.tiles, transA, transB, m, n, a, lda, b, ldb, c, ldc, nthreads,
		func(ws *workspace[float32], m, n int, a, b, c []float32) {
			gemmBlocked(g, ws, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		})
}

// inStrips splits C (m×n) into up to nthreads strips of whole g-tiles along the
// larger dimension (see gemmParallel) and runs blocked on each, one goroutine and
// workspace per strip (strip 0 on the caller's goroutine), with the strip's rows or
// columns of C and the matching rows of op(A) or columns of op(B).
func inStrips[E float32 | uint32](g *tiles[E], transA, transB bool, m, n int, a []float32, lda int,
	b []float32, ldb int, c []float32, ldc int, nthreads int,
	blocked func(ws *workspace[E], m, n int, a, b, c []float32)) {
	mt, nt := ceilDiv(m, g.mr), ceilDiv(n, g.nr)
	t := nthreads
	splitN := n >= m && nt >= t || mt < t
	if splitN {
		t = min(t, nt)
	} else {
		t = min(t, mt)
	}
	if t <= 1 {
		ws := g.getWorkspace()
		blocked(ws, m, n, a, b, c)
		putWorkspace(ws)
		return
	}
	var wg sync.WaitGroup
	run := func(w int) {
		ws := g.getWorkspace()
		defer putWorkspace(ws)
		if splitN {
			j0, j1 := nt*w/t*g.nr, min(nt*(w+1)/t*g.nr, n)
			var bb []float32 // op(B)'s columns from j0 on
			if transB {
				bb = b[j0*ldb:]
			} else {
				bb = b[j0:]
			}
			blocked(ws, m, j1-j0, a, bb, c[j0:])
		} else {
			i0, i1 := mt*w/t*g.mr, min(mt*(w+1)/t*g.mr, m)
			var aa []float32 // op(A)'s rows from i0 on
			if transA {
				aa = a[i0:]
			} else {
				aa = a[i0*lda:]
			}
			blocked(ws, i1-i0, n, aa, b, c[i0*ldc:])
		}
	}
	wg.Add(t - 1)
	for w := 1; w < t; w++ {
		go func() {
			defer wg.Done()
			run(w)
		}()
	}
	run(0)
	wg.Wait()
}

// blocks splits x into ceilDiv(x, max) near-equal blocks, each a multiple of unit
// except the last, and returns the block size.
func blocks(x, max, unit int) int {
	nb := ceilDiv(x, max)
	return min(max, roundUp(ceilDiv(x, nb), unit))
}

// gemmBlocked runs the five BLIS loops (see gemmKernel) on one goroutine. The KC, MC
// and NC blocks are balanced (a depth of 600 becomes two blocks of 300, not 512+88).
// The first KC block applies beta; the later ones accumulate.
func gemmBlocked(g *gemmKernel, ws *workspace[float32], transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	kc := blocks(k, g.kc, 1)
	mc := blocks(m, g.mc, g.mr)
	nc := blocks(n, g.nc, g.nr)
	for ic := 0; ic < m; ic += mc {
		mcb := min(mc, m-ic)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			packA(g, ws.a, transA, a, lda, ic, pc, mcb, kcb, alpha)
			bet := beta
			if pc > 0 {
				bet = 1
			}
			for jc := 0; jc < n; jc += nc {
				ncb := min(nc, n-jc)
				packB(g, ws.b, transB, b, ldb, pc, jc, kcb, ncb)
				g.macroKernel(ws, ws.a, mcb, ncb, kcb, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
}

// macroKernel multiplies the packed Ã (pa: mc×kc) by B̃ (ws.b: kc×nc), for float32 and
// bf16-pair panels alike (kc counts elements of E), into C (mc×nc at stride
// ldc): ir outer so that one Ã micro-panel stays in L1 while B̃ streams from L2. The
// last row and column panels run on the edge kernel of their packed size. Tiles that
// fill their kernel go straight to C; the others are computed into ws.tile and copied
// out, so a micro-kernel never sees a partial tile.
func (g *tiles[E]) macroKernel(ws *workspace[E], pa []E, mc, nc, kc int, beta float32, c []float32, ldc int) {
	mr, nr := g.mr, g.nr
	lastH, lastW := len(g.heights)-1, len(g.widths)-1
	for ir := 0; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		hi := lastH
		if rows < mr {
			hi = fit(g.heights, rows)
		}
		h := g.heights[hi]
		ap := pa[ir*kc : ir*kc+h*kc]
		for jr := 0; jr < nc; jr += nr {
			cols := min(nr, nc-jr)
			wi := lastW
			if cols < nr {
				wi = fit(g.widths, cols)
			}
			w := g.widths[wi]
			bp := ws.b[jr*kc : jr*kc+w*kc]
			kern := g.kernels[hi][wi]
			ct := c[ir*ldc+jr:]
			if rows == h && cols == w {
				_ = ct[(h-1)*ldc+w-1] // the assembly writes this far
				kern(kc, ap, bp, ct, ldc, beta)
			} else {
				kern(kc, ap, bp, ws.tile, w, 0)
				storeTile(ct, ldc, ws.tile, w, rows, cols, beta)
			}
		}
	}
}

// storeTile sets c[i*ldc+j] = t[i*ldt+j] + beta·c[i*ldc+j] for i < rows, j < cols,
// without reading C when beta == 0.
func storeTile(c []float32, ldc int, t []float32, ldt, rows, cols int, beta float32) {
	for i := 0; i < rows; i++ {
		dst := c[i*ldc : i*ldc+cols]
		src := t[i*ldt : i*ldt+cols]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}
