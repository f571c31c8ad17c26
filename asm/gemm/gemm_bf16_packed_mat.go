package gemm

import "fmt"

// BF16PackedMatSerial computes C = A·B + beta·C on the calling goroutine, with A
// packed by BF16PackedA.Pack (m×k, alpha already folded in) and B a k×n float32
// matrix (ldb-strided, not transposed), rounded to bf16 as it is packed. It is
// BF16PackedSerial with B read from memory instead of produced by rows: the sums and
// rounding are the same (the result is BF16's for the same operands and blocking).
// The Winograd convolutions in BF16 precision multiply each transformed filter,
// packed once, by many chunks of transformed input tiles with it.
func BF16PackedMatSerial(a *BF16PackedA, n int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if a.emptyProduct(n, beta, c, ldc) {
		return
	}
	checkMat("B", a.k, n, b, ldb)
	m := a.m
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

// BF16PanelsSize is the number of words of a k×n B packed whole in the bf16 panel layout
// of the active path (one depth block: its column panels of width NR, the last one
// the smallest tile width that holds the columns left), as BF16PackedPanelsSerial
// reads it.
func BF16PanelsSize(k, n int) int {
	g := bf16Active()
	kp := (k + 1) / 2
	full := n / g.nr
	size := full * kp * g.nr
	if w := n - full*g.nr; w > 0 {
		size += kp * g.panelWidth(w)
	}
	return size
}

// BF16PanelSpan returns where column j of a k×n B packed whole in the active path's
// bf16 panel layout (see BF16PanelsSize) lies: the pair of depths (2q, 2q+1) of column
// j is word off + q·stride, and the columns j … j+run−1 follow it contiguously (the
// rest of its panel).
func BF16PanelSpan(k, n, j int) (off, stride, run int) {
	g := bf16Active()
	kp := (k + 1) / 2
	jp := j / g.nr
	cols := min(g.nr, n-jp*g.nr)
	stride = g.nr
	if cols < g.nr {
		stride = g.panelWidth(cols)
	}
	jj := j - jp*g.nr
	return jp*kp*g.nr + jj, stride, cols - jj
}

// BF16PackedPanelsSerial computes C = A·B + beta·C on the calling goroutine, with A
// packed by BF16PackedA.Pack (m×k, k at most one depth block: 2·KC, 512 on AVX-512)
// and B (k×n) already rounded and packed whole in the active path's panel layout
// (BF16PanelsSize words, BF16PanelSpan's offsets; a depth past k must be zero in the
// last pair when k is odd). It is BF16PackedMatSerial without the packing of B: the
// products and sums are the same, so the result is BF16PackedMatSerial's on the
// float32 B that rounds to these pairs, bit for bit. The Winograd F(2×2)
// convolutions in BF16 precision write their transformed inputs straight into this
// layout (winograd.InputF2Pairs).
func BF16PackedPanelsSerial(a *BF16PackedA, n int, b []uint32, beta float32, c []float32, ldc int) {
	if a.emptyProduct(n, beta, c, ldc) {
		return
	}
	m := a.m
	if a.k > a.kc {
		panic(fmt.Sprintf("gemm.BF16PackedPanelsSerial: depth %d is more than one depth block (%d)", a.k, a.kc))
	}
	if a.g != bf16Active() {
		panic("gemm.BF16PackedPanelsSerial: A was packed for another SIMD path")
	}
	if need := BF16PanelsSize(a.k, n); len(b) < need {
		panic(fmt.Sprintf("gemm.BF16PackedPanelsSerial: packed B of %d words for %d×%d (need %d)", len(b), a.k, n, need))
	}
	g := a.g
	ws := g.getWorkspace()
	own := ws.b
	kp := (a.k + 1) / 2
	nc := blocks(n, g.nc, g.nr)
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		ws.b = b[jc*kp:] // column block jc starts at panel jc/NR (nc is a multiple of NR)
		for bi, ic := 0, 0; ic < m; bi, ic = bi+1, ic+a.mc {
			mcb := min(a.mc, m-ic)
			o := a.off[bi]
			g.macroKernel(ws, a.data[o:o+g.paddedRows(mcb)*kp], mcb, ncb, kp, beta, c[ic*ldc+jc:], ldc)
		}
	}
	ws.b = own
	putWorkspace(ws)
}

// BF16PanelsMaxDepth is the largest depth k that BF16PackedPanelsSerial takes (one
// depth block of the active path: 2·KC).
func BF16PanelsMaxDepth() int { return 2 * bf16Active().kc }
