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
			bf16PackB(g, ws.b, false, b, ldb, pc, jc, kcb, ncb)
			for bi, ic := 0, 0; ic < m; bi, ic = bi+1, ic+a.mc {
				mcb := min(a.mc, m-ic)
				o := a.off[bi*nk+bp]
				g.macroKernel(ws, a.data[o:o+g.paddedRows(mcb)*kp], mcb, ncb, kp, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
	putWorkspace(ws)
}
