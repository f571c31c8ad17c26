package gemm

// Packing copies a block of op(A) or op(B) into the contiguous, zero-padded panels the
// micro-kernels read. It is Go, except two helpers a path may supply in assembly (an
// 8-row transpose and a panel copy, with Go twins; see gemmKernel). Every transpose
// case reduces to one of two copies:
//
//   - contiguous: the panel's MR (or NR) values for one depth p are adjacent in the
//     source (op(A) = Aᵀ, op(B) = B): the source rows are read in memory order and
//     dealt out to the panels;
//   - interleaved: they are in different source rows (op(A) = A, op(B) = Bᵀ): the
//     source rows are read along p and written MR (NR) apart.
//
// alpha is folded into Ã, so the micro-kernels never multiply by it.

// packA packs rows [i0, i0+mc) and depths [p0, p0+kc) of alpha·op(A) into row
// micro-panels of height R = MR (the last one R = g.panelHeight(rows left)):
//
//	dst[ip*kc*MR + p*R + ii] = alpha * op(A)[i0+ip*MR+ii][p0+p]   (0 past row i0+mc)
//
// where op(A)[i][p] is a[i*lda+p], or a[p*lda+i] when transA.
func packA(g *gemmKernel, dst []float32, transA bool, a []float32, lda, i0, p0, mc, kc int, alpha float32) {
	mr := g.mr
	if transA {
		// op(A) = Aᵀ: row p0+p of A holds depth p of every row panel.
		packContiguous(g, dst, a[p0*lda+i0:], lda, kc, mc, mr, g.heights, alpha)
		return
	}
	for ip := 0; ip*mr < mc; ip++ {
		w := min(mr, mc-ip*mr)
		r := mr
		if w < mr {
			r = g.panelHeight(w)
		}
		i := i0 + ip*mr
		packInterleave(g.interleave8, dst[ip*kc*mr:ip*kc*mr+kc*r], a[i*lda+p0:], lda, kc, w, r, alpha)
	}
}

// packB packs depths [p0, p0+kc) and columns [j0, j0+nc) of op(B) into column
// micro-panels of width W = NR (the last one W = g.panelWidth(columns left)):
//
//	dst[jp*kc*NR + p*W + jj] = op(B)[p0+p][j0+jp*NR+jj]   (0 past column j0+nc)
//
// where op(B)[p][j] is b[p*ldb+j], or b[j*ldb+p] when transB.
func packB(g *gemmKernel, dst []float32, transB bool, b []float32, ldb, p0, j0, kc, nc int) {
	nr := g.nr
	if !transB {
		// op(B) = B: row p0+p of B holds depth p of every column panel.
		packContiguous(g, dst, b[p0*ldb+j0:], ldb, kc, nc, nr, g.widths, 1)
		return
	}
	for jp := 0; jp*nr < nc; jp++ {
		w := min(nr, nc-jp*nr)
		r := nr
		if w < nr {
			r = g.panelWidth(w)
		}
		j := j0 + jp*nr
		packInterleave(g.interleave8, dst[jp*kc*nr:jp*kc*nr+kc*r], b[j*ldb+p0:], ldb, kc, w, r, 1)
	}
}

// packContiguous is the contiguous case of packA and packB: it packs n rows (or
// columns) whose depth p lies at src[p*ld : p*ld+n] into panels of r (MR or NR),
// the last one at the smallest of sizes (g.heights or g.widths) that holds it. It
// walks the kc source rows once, in memory order, dealing each out to the panels
// (reading along rows lets the hardware prefetcher stream the source): full panels
// through g.panels, then the last partial one depth by depth.
func packContiguous(g *gemmKernel, dst, src []float32, ld, kc, n, r int, sizes []int, alpha float32) {
	full := n / r
	g.panels(dst, src, ld, kc, full, r, alpha)
	if w := n - full*r; w > 0 {
		rw := sizes[fit(sizes, w)]
		d := dst[full*kc*r:]
		for p := 0; p < kc; p++ {
			packRow(d[p*rw:p*rw+rw], src[p*ld+full*r:p*ld+n], alpha)
		}
	}
}

// packRow sets d[q] = alpha*s[q] for q < len(s) and zero for len(s) ≤ q < len(d): one
// depth of one panel in the contiguous cases. A full row with alpha = 1 is a copy
// (runtime.memmove); the rest is a short loop.
func packRow(d, s []float32, alpha float32) {
	if alpha == 1 && len(s) == len(d) {
		copy(d, s)
		return
	}
	for q, v := range s {
		d[q] = alpha * v
	}
	for q := len(s); q < len(d); q++ {
		d[q] = 0
	}
}

// packInterleave sets dst[p*r+q] = alpha*src[q*ld+p] for q < w, p < kc, and zero for
// w ≤ q < r. Groups of 8 source rows go through il8 (the path's interleave8: an
// assembly transpose, or interleave8Generic); the rest walks four source rows at a
// time so that each depth writes four adjacent values.
func packInterleave(il8 func(dst, src []float32, ld, kc, r int, alpha float32),
	dst, src []float32, ld, kc, w, r int, alpha float32) {
	dst = dst[:kc*r]
	q := 0
	for ; q+8 <= w; q += 8 {
		il8(dst[q:], src[q*ld:], ld, kc, r, alpha)
	}
	for ; q+4 <= w; q += 4 {
		interleave4(dst[q:], src[q*ld:], ld, kc, r, alpha)
	}
	for ; q < w; q++ {
		s := src[q*ld : q*ld+kc]
		for p, v := range s {
			dst[p*r+q] = alpha * v
		}
	}
	if w < r {
		for p := 0; p < kc; p++ {
			clear(dst[p*r+w : p*r+r])
		}
	}
}

// interleave8Generic is the twin of the assembly interleave8 kernels and the Go
// paths' interleave8: eight source rows of packInterleave at once,
//
//	dst[p*r+q] = alpha * src[q*ld+p]   for q < 8, p < kc,
//
// as two groups of four.
func interleave8Generic(dst, src []float32, ld, kc, r int, alpha float32) {
	interleave4(dst, src, ld, kc, r, alpha)
	interleave4(dst[4:], src[4*ld:], ld, kc, r, alpha)
}

// interleave4 sets dst[p*r+q] = alpha*src[q*ld+p] for q < 4, p < kc: four source rows
// read along p, each depth writing four adjacent values.
func interleave4(dst, src []float32, ld, kc, r int, alpha float32) {
	s0 := src[:kc]
	s1 := src[ld : ld+kc]
	s2 := src[2*ld : 2*ld+kc]
	s3 := src[3*ld : 3*ld+kc]
	if alpha == 1 {
		for p := range s0 {
			e := dst[p*r : p*r+4]
			e[0], e[1], e[2], e[3] = s0[p], s1[p], s2[p], s3[p]
		}
		return
	}
	for p := range s0 {
		e := dst[p*r : p*r+4]
		e[0], e[1], e[2], e[3] = alpha*s0[p], alpha*s1[p], alpha*s2[p], alpha*s3[p]
	}
}

// panelsGeneric is the contiguous packing of np full panels of width r, reading the
// kc source rows in memory order:
//
//	dst[jp*kc*r + p*r + q] = alpha * src[p*ld + jp*r + q]
//
// for p < kc, jp < np, q < r.
func panelsGeneric(dst, src []float32, ld, kc, np, r int, alpha float32) {
	for p := 0; p < kc; p++ {
		row := src[p*ld : p*ld+np*r]
		for jp := 0; jp < np; jp++ {
			packRow(dst[jp*kc*r+p*r:jp*kc*r+p*r+r], row[jp*r:jp*r+r], alpha)
		}
	}
}
