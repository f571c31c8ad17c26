package gemm

import "fmt"

// PackedA is the left operand alpha·op(A) (m×k) of GEMMs packed once into the
// micro-kernel's row panels, for several products with different right operands
// (SgemmPackedSerial): a convolution multiplies the same weights (or Winograd's
// transformed filters) by every chunk of columns, which would otherwise pack them
// again for each chunk and goroutine. It is read-only once packed, so any number of
// goroutines may use it at once. It holds the kernel it was packed for; products
// use that kernel even if cpu.Use switches paths in between.
type PackedA struct {
	g      *gemmKernel
	m, k   int
	mc, kc int // the row and depth blocks (gemmBlocked's balanced blocks)
	stride int // float32s per packed (mc × kc) block
	buf    []float32
}

// packedLayout returns the blocking PackA uses for an m×k operand on g and the
// float32s it needs.
func packedLayout(g *gemmKernel, m, k int) (mc, kc, stride, size int) {
	kc = blocks(k, g.kc, 1)
	mc = blocks(m, g.mc, g.mr)
	stride = roundUp(mc, g.mr) * kc
	return mc, kc, stride, ceilDiv(m, mc) * ceilDiv(k, kc) * stride
}

// Active reports whether a was packed for the active path, which products with B
// packed now (NewPackedB, SgemmPackedABSerial) need.
func (a *PackedA) Active() bool { return a.g == cur }

// PackASize returns how many float32s PackA needs for an m×k op(A) on the active
// path (0 when m or k is 0).
func PackASize(m, k int) int {
	if m <= 0 || k <= 0 {
		return 0
	}
	_, _, _, size := packedLayout(cur, m, k)
	return size
}

// PackA packs alpha·op(A), an m×k matrix (op(A) = A, or Aᵀ when transA, stored with
// leading dimension lda), into buf, which must hold PackASize(m, k) float32s, for the
// active path; the result refers to buf. Sizes that do not fit panic with the sizes
// named.
func PackA(buf []float32, transA bool, m, k int, alpha float32, a []float32, lda int) *PackedA {
	if m < 0 || k < 0 {
		panic(fmt.Sprintf("gemm.PackA: negative size m=%d k=%d", m, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	checkMat("A", ar, ac, a, lda)
	g := cur
	p := &PackedA{g: g, m: m, k: k}
	if m == 0 || k == 0 {
		return p
	}
	var size int
	p.mc, p.kc, p.stride, size = packedLayout(g, m, k)
	if len(buf) < size {
		panic(fmt.Sprintf("gemm.PackA: buffer of %d float32s for a %d×%d operand that needs %d", len(buf), m, k, size))
	}
	p.buf = buf[:size]
	for ic, blk := 0, 0; ic < m; ic += p.mc {
		mcb := min(p.mc, m-ic)
		for pc := 0; pc < k; pc += p.kc {
			kcb := min(p.kc, k-pc)
			packA(g, p.buf[blk*p.stride:(blk+1)*p.stride], transA, a, lda, ic, pc, mcb, kcb, alpha)
			blk++
		}
	}
	return p
}

// Rows and Depth return the packed operand's m and k.
func (p *PackedA) Rows() int  { return p.m }
func (p *PackedA) Depth() int { return p.k }

// SgemmPackedSerial computes C = A·op(B) + beta·C on the calling goroutine, where A is
// the m×k operand packed by PackA (alpha already applied), op(B) is k×n (B, or Bᵀ when
// transB, with leading dimension ldb) and C is m×n with leading dimension ldc. With
// beta == 0, C is written without being read. The sums are those of SgemmSerial with
// the same operands, except that a problem SgemmSerial would run transposed (see
// gemmSwapped) runs directly here, which may round differently.
func SgemmPackedSerial(a *PackedA, transB bool, n int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	m, k := a.m, a.k
	if n < 0 {
		panic(fmt.Sprintf("gemm.SgemmPackedSerial: negative size n=%d", n))
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat("B", br, bc, b, ldb)
	checkMat("C", m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	g := a.g
	ws := g.getWorkspace()
	nc := blocks(n, g.nc, g.nr)
	for ic, blk := 0, 0; ic < m; ic += a.mc {
		mcb := min(a.mc, m-ic)
		for pc := 0; pc < k; pc += a.kc {
			kcb := min(a.kc, k-pc)
			pa := a.buf[blk*a.stride : (blk+1)*a.stride]
			blk++
			bet := beta
			if pc > 0 {
				bet = 1
			}
			for jc := 0; jc < n; jc += nc {
				ncb := min(nc, n-jc)
				packB(g, ws.b, transB, b, ldb, pc, jc, kcb, ncb)
				g.macroKernel(ws, pa, mcb, ncb, kcb, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
	putWorkspace(ws)
}
