package asm

// Packing copies a block of op(A) or op(B) into the contiguous, zero-padded panels the
// micro-kernels read, in plain Go. Every transpose case reduces to one of two copies:
//
//   - contiguous: the panel's MR (or NR) values for one depth p are adjacent in the
//     source (op(A) = Aᵀ, op(B) = B): one row copy per p;
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
	for ip := 0; ip*mr < mc; ip++ {
		w := min(mr, mc-ip*mr)
		r := mr
		if w < mr {
			r = g.panelHeight(w)
		}
		d := dst[ip*kc*mr : ip*kc*mr+kc*r]
		i := i0 + ip*mr
		if transA {
			packContig(d, a[p0*lda+i:], lda, kc, w, r, alpha)
		} else {
			packInterleave(g.interleave8, d, a[i*lda+p0:], lda, kc, w, r, alpha)
		}
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
	for jp := 0; jp*nr < nc; jp++ {
		w := min(nr, nc-jp*nr)
		r := nr
		if w < nr {
			r = g.panelWidth(w)
		}
		d := dst[jp*kc*nr : jp*kc*nr+kc*r]
		j := j0 + jp*nr
		if transB {
			packInterleave(g.interleave8, d, b[j*ldb+p0:], ldb, kc, w, r, 1)
		} else {
			packContig(d, b[p0*ldb+j:], ldb, kc, w, r, 1)
		}
	}
}

// packContig sets dst[p*r+q] = alpha*src[p*ld+q] for p < kc, q < w, and zero for
// w ≤ q < r.
func packContig(dst, src []float32, ld, kc, w, r int, alpha float32) {
	for p := 0; p < kc; p++ {
		d := dst[p*r : p*r+r]
		s := src[p*ld : p*ld+w]
		if alpha == 1 {
			copy(d, s)
		} else {
			for q, v := range s {
				d[q] = alpha * v
			}
		}
		clear(d[w:])
	}
}

// packInterleave sets dst[p*r+q] = alpha*src[q*ld+p] for q < w, p < kc, and zero for
// w ≤ q < r. Groups of 8 source rows go through il8 (an assembly transpose) when the
// path has one; the rest walks four source rows at a time so that each depth writes
// four adjacent values.
func packInterleave(il8 func(dst, src []float32, ld, kc, r int, alpha float32),
	dst, src []float32, ld, kc, w, r int, alpha float32) {
	dst = dst[:kc*r]
	q := 0
	if il8 != nil {
		for ; q+8 <= w; q += 8 {
			il8(dst[q:], src[q*ld:], ld, kc, r, alpha)
		}
	}
	for ; q+4 <= w; q += 4 {
		s0 := src[q*ld : q*ld+kc]
		s1 := src[(q+1)*ld : (q+1)*ld+kc]
		s2 := src[(q+2)*ld : (q+2)*ld+kc]
		s3 := src[(q+3)*ld : (q+3)*ld+kc]
		d := dst[q:]
		if alpha == 1 {
			for p := range s0 {
				e := d[p*r : p*r+4]
				e[0], e[1], e[2], e[3] = s0[p], s1[p], s2[p], s3[p]
			}
		} else {
			for p := range s0 {
				e := d[p*r : p*r+4]
				e[0], e[1], e[2], e[3] = alpha*s0[p], alpha*s1[p], alpha*s2[p], alpha*s3[p]
			}
		}
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

// interleave8Generic is the twin of the assembly interleave8 kernels: eight source
// rows of packInterleave at once.
func interleave8Generic(dst, src []float32, ld, kc, r int, alpha float32) {
	for q := 0; q < 8; q++ {
		s := src[q*ld : q*ld+kc]
		for p, v := range s {
			dst[p*r+q] = alpha * v
		}
	}
}
