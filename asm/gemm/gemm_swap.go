package gemm

// A GEMM with one small dimension wastes most of its edge tiles when that dimension is
// n and NR is wide: n = 49 with NR = 48 computes 96 columns. Such problems are run
// transposed, Cᵀ = op(B)ᵀ·op(A)ᵀ, so that the small dimension meets the short MR side
// instead; the n×m result goes to a pooled scratch matrix and is added into C once,
// which costs m·n moves against m·n·k multiply-adds.

// maxSwapElems bounds the scratch matrix of a transposed run (4 MiB).
const maxSwapElems = 1 << 20

// swapPays reports whether computing Cᵀ instead of C saves at least an eighth of the
// micro-kernel work spent on padding.
func swapPays(g *gemmKernel, m, n int) bool {
	if m*n > maxSwapElems {
		return false
	}
	direct := g.paddedRows(m) * g.paddedCols(n)
	swapped := g.paddedRows(n) * g.paddedCols(m)
	return 8*swapped < 7*direct
}

// gemmSwapped computes T = op(B)ᵀ·op(A)ᵀ (n×m) into scratch and then
// C[i][j] = T[j][i] + beta·C[i][j].
func gemmSwapped(g *gemmKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, nthreads int) {
	s := getScratch(m * n)
	t := s.buf
	gemmParallel(g, !transB, !transA, n, m, k, alpha, b, ldb, a, lda, 0, t, m, nthreads)
	addTransposed(m, n, t, beta, c, ldc)
	putScratch(s)
}

// addTransposed sets c[i*ldc+j] = t[j*m+i] + beta·c[i*ldc+j] (C not read when
// beta == 0), walking 16×16 blocks so that both matrices are read along cache lines.
func addTransposed(m, n int, t []float32, beta float32, c []float32, ldc int) {
	const bs = 16
	for i0 := 0; i0 < m; i0 += bs {
		i1 := min(i0+bs, m)
		for j0 := 0; j0 < n; j0 += bs {
			j1 := min(j0+bs, n)
			for i := i0; i < i1; i++ {
				row := c[i*ldc+j0 : i*ldc+j1]
				if beta == 0 {
					for j := range row {
						row[j] = t[(j0+j)*m+i]
					}
				} else {
					for j := range row {
						row[j] = t[(j0+j)*m+i] + beta*row[j]
					}
				}
			}
		}
	}
}
