package gemm

// BF16PackedMatSerial computes C = A·B + beta·C on the calling goroutine, with A
// packed by BF16PackedA.Pack (m×k, alpha already folded in) and B a k×n float32
// matrix (ldb-strided, not transposed), rounded to bf16 as it is packed. It is
// BF16PackedSerial with B read from memory instead of produced by rows: the sums and
// rounding are the same (the result is BF16's for the same operands and blocking).
// The Winograd convolutions in BF16 precision multiply each transformed filter,
// packed once, by many chunks of transformed input tiles with it.
func BF16PackedMatSerial(a *BF16PackedA, n int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	m := a.m
	if m == 0 || n == 0 {
		return
	}
	checkMat("B", a.k, n, b, ldb)
	checkMat("C", m, n, c, ldc)
	if a.k == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	g := a.g
	ws := g.getWorkspace()
	k := a.k
	nk := ceilDiv(k, a.kc)
	nc := blocks(n, g.nc, g.nr)
	for bp, pc := 0, 0; pc < k; bp, pc = bp+1, pc+a.kc {
		kcb := min(a.kc, k-pc)
		kp := (kcb + 1) / 2
		bet := beta
		if pc > 0 {
			bet = 1
		}
		for jc := 0; jc < n; jc += nc {
			ncb := min(nc, n-jc)
			bf16PackBMat(g, ws.b, b, ldb, pc, jc, kcb, ncb)
			for bi, ic := 0, 0; ic < m; bi, ic = bi+1, ic+a.mc {
				mcb := min(a.mc, m-ic)
				o := a.off[bi*nk+bp]
				g.macroKernel(ws, a.data[o:o+g.paddedRows(mcb)*kp], mcb, ncb, kp, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
	putWorkspace(ws)
}

// bf16PackBMat is bf16PackB for a B that is not transposed, with the last partial
// panel packed by the path's panel kernel too when its width is one of the tile widths
// (a multiple of 16 on AVX-512: callers that can pad their column count to one get no
// Go packing loop at all); otherwise it is bf16PackB.
func bf16PackBMat(g *bf16Kernel, dst []uint32, b []float32, ldb, p0, j0, kc, nc int) {
	nr, kp := g.nr, (kc+1)/2
	full := nc / nr
	w := nc - full*nr
	if g.panels == nil || kc < 2 || (w > 0 && g.panelWidth(w) != w) {
		bf16PackB(g, dst, false, b, ldb, p0, j0, kc, nc)
		return
	}
	src := b[p0*ldb+j0:]
	if full > 0 {
		g.panels(dst, src, ldb, kc&^1, full, nr, kp*nr)
	}
	if w > 0 {
		g.panels(dst[full*kp*nr:], src[full*nr:], ldb, kc&^1, 1, w, kp*w)
	}
	if kc%2 == 1 { // the last depth, paired with zeros
		q := kc / 2
		s0 := src[(kc-1)*ldb:]
		for jp := 0; jp < full; jp++ {
			bf16PairRow(dst[jp*kp*nr+q*nr:jp*kp*nr+q*nr+nr], s0[jp*nr:jp*nr+nr], nil, 0, 1)
		}
		if w > 0 {
			d := dst[full*kp*nr:]
			bf16PairRow(d[q*w:q*w+w], s0[full*nr:nc], nil, 0, 1)
		}
	}
}

// BF16TileWidth is the active path's bf16 micro-tile width (NR): a GEMM whose column
// count is a multiple of it runs the widest micro-kernel on every column.
func BF16TileWidth() int { return bf16Active().nr }
