package gemm

import "fmt"

// PackedB is the layout of a k×n right operand packed into the micro-kernels' column
// panels B̃ for the path active when it was made, so that a producer (the Winograd
// input transform) can write its output straight into the panels and the GEMMs on it
// (SgemmPackedABSerial, SgemmPackedBSerial) skip their packing pass. The depth is cut
// into the blocks the GEMM uses (KC deep, balanced), each block into panels of NR
// columns (the last one at the path's smallest width that holds it):
//
//	depth d of block [d0, d0+kcb), column j of panel jp (NR·jp ≤ j < NR·jp + W):
//	offset d0·N + jp·NR·kcb + (d−d0)·W + (j − NR·jp)
//
// where N is the padded column count (Size = k·N). Columns of the last panel past n
// are padding: the GEMMs compute them but never store them, so they may hold anything.
type PackedB struct {
	g    *gemmKernel
	k, n int
	kc   int // the depth block (gemmBlocked's balanced KC)
	npad int // n rounded up to the panels' widths
}

// NewPackedB returns the layout of a k×n operand on the active path.
func NewPackedB(k, n int) PackedB {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("gemm.NewPackedB: negative size k=%d n=%d", k, n))
	}
	g := cur
	l := PackedB{g: g, k: k, n: n}
	if k > 0 && n > 0 {
		l.kc = blocks(k, g.kc, 1)
		l.npad = g.paddedCols(n)
	}
	return l
}

// Size is the number of float32s the packed operand occupies.
func (l PackedB) Size() int { return l.k * l.npad }

// Depth and Cols return the operand's k and n.
func (l PackedB) Depth() int { return l.k }
func (l PackedB) Cols() int  { return l.n }

// At returns the offset of element (d, j) (d < k, j < n) and how many columns from j
// on lie at consecutive offsets (up to the end of j's panel or column n).
func (l PackedB) At(d, j int) (off, run int) {
	nr := l.g.nr
	d0 := d / l.kc * l.kc
	kcb := min(l.kc, l.k-d0)
	jp := j / nr
	w := nr
	if rest := l.n - jp*nr; rest < nr {
		w = l.g.panelWidth(rest)
	}
	return d0*l.npad + jp*nr*kcb + (d-d0)*w + j - jp*nr, min(nr*(jp+1), l.n) - j
}

// PackB packs op(B) (k×n: B, or Bᵀ when transB, with leading dimension ldb) into dst
// (l.Size() float32s) in layout l, zeroing the padding: what a producer that cannot
// write the layout itself does, and the tests' reference.
func PackB(dst []float32, l PackedB, transB bool, b []float32, ldb int) {
	br, bc := l.k, l.n
	if transB {
		br, bc = l.n, l.k
	}
	checkMat("B", br, bc, b, ldb)
	if len(dst) < l.Size() {
		panic(fmt.Sprintf("gemm.PackB: buffer of %d float32s for a %d×%d operand that needs %d", len(dst), l.k, l.n, l.Size()))
	}
	for pc := 0; pc < l.k; pc += l.kc {
		kcb := min(l.kc, l.k-pc)
		packB(l.g, dst[pc*l.npad:], transB, b, ldb, pc, 0, kcb, l.n)
	}
}

// SgemmPackedABSerial computes C = A·B + beta·C on the calling goroutine, with A
// packed by PackA and B (b) packed in layout l (its Depth must be A's; both for the
// same path). C is m×l.Cols() with leading dimension ldc; with beta == 0 it is written
// without being read. The sums are SgemmPackedSerial's on the same operands, bit for
// bit.
func SgemmPackedABSerial(a *PackedA, l PackedB, b []float32, beta float32, c []float32, ldc int) {
	if a.g != l.g || a.k != l.k {
		panic(fmt.Sprintf("gemm.SgemmPackedABSerial: A (%d×%d, %s) and B (%d×%d, %s) do not match",
			a.m, a.k, a.g.name, l.k, l.n, l.g.name))
	}
	gemmOnPackedB(a.m, l, b, beta, c, ldc, a.mc, func(_ *workspace[float32], _, _, _, _, blk int) []float32 {
		return a.buf[blk*a.stride : (blk+1)*a.stride]
	})
}

// SgemmPackedBSerial computes C = alpha·op(A)·B + beta·C on the calling goroutine,
// where op(A) is m×l.Depth() (A, or Aᵀ when transA, with leading dimension lda) and B
// (b) is packed in layout l for the active path. The sums are SgemmSerial's on the
// same operands, bit for bit, where SgemmSerial does not run transposed.
func SgemmPackedBSerial(transA bool, m int, alpha float32, a []float32, lda int, l PackedB, b []float32, beta float32, c []float32, ldc int) {
	if l.g != cur {
		panic(fmt.Sprintf("gemm.SgemmPackedBSerial: B packed for %s, the active path is %s", l.g.name, cur.name))
	}
	ar, ac := m, l.k
	if transA {
		ar, ac = l.k, m
	}
	checkMat("A", ar, ac, a, lda)
	g := l.g
	gemmOnPackedB(m, l, b, beta, c, ldc, blocks(m, g.mc, g.mr), func(ws *workspace[float32], ic, pc, mcb, kcb, _ int) []float32 {
		packA(g, ws.a, transA, a, lda, ic, pc, mcb, kcb, alpha)
		return ws.a
	})
}

// gemmOnPackedB runs gemmBlocked's loops over C (m × l.n) with B̃ already packed in b:
// blockA returns the packed Ã block (rows [ic, ic+mcb), depths [pc, pc+kcb), the
// blk-th in PackA's order) that mc-row blocks use.
func gemmOnPackedB(m int, l PackedB, b []float32, beta float32, c []float32, ldc, mc int,
	blockA func(ws *workspace[float32], ic, pc, mcb, kcb, blk int) []float32) {
	k, n := l.k, l.n
	if m < 0 {
		panic(fmt.Sprintf("gemm: negative size m=%d", m))
	}
	checkMat("C", m, n, c, ldc)
	if len(b) < l.Size() {
		panic(fmt.Sprintf("gemm: packed B of %d float32s for a %d×%d operand that needs %d", len(b), k, n, l.Size()))
	}
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	g := l.g
	ws := g.getWorkspace()
	wb := *ws // ws with b pointing into the packed operand
	nc := blocks(n, g.nc, g.nr)
	for ic, blk := 0, 0; ic < m; ic += mc {
		mcb := min(mc, m-ic)
		for pc := 0; pc < k; pc += l.kc {
			kcb := min(l.kc, k-pc)
			pa := blockA(ws, ic, pc, mcb, kcb, blk)
			blk++
			bet := beta
			if pc > 0 {
				bet = 1
			}
			for jc := 0; jc < n; jc += nc {
				ncb := min(nc, n-jc)
				wb.b = b[pc*l.npad+jc*kcb : pc*l.npad+(jc+g.paddedCols(ncb))*kcb]
				g.macroKernel(&wb, pa, mcb, ncb, kcb, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
	putWorkspace(ws)
}
