package gemm

// microKernel computes one full R×W tile of C from packed panels:
//
//	for i := 0; i < R; i++ {
//		for j := 0; j < W; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*R+i] * b[p*W+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s // C is not read: NaNs in it do not propagate
//			} else {
//				c[i*ldc+j] = s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// a holds k·R and b k·W packed values; c holds the tile's R rows at stride ldc. The
// driver checks the lengths before the call; k ≥ 1. The assembly kernels sum in their
// own order (one FMA chain per element), so results differ from the loop above by
// rounding only.
type microKernel = microTile[float32]

// microTile is a micro-kernel on packed panels of element type E: microKernel's loop
// for float32 panels (Sgemm), bf16Micro's for panels of bf16 pairs (BF16), where each
// uint32 holds the values of two depths and k counts the pairs.
type microTile[E float32 | uint32] func(k int, a, b []E, c []float32, ldc int, beta float32)

// tiles is what the float32 and bf16 paths share: the register micro-kernels on
// panels of element type E, the tile sizes they cover, the cache blocking around
// them (kc counts elements of E: depths for float32, depth pairs for bf16) and the
// macro kernel and workspaces written once for both. gemmKernel and bf16Kernel embed
// it and add their packing routines.
type tiles[E float32 | uint32] struct {
	name   string
	mr, nr int // MR×NR: the main register tile
	// kc (BLIS KC): depth of one packed block; the Ã micro-panel kc·mr·4 bytes sits in L1.
	kc int
	// mc (BLIS MC): rows of C per Ã block; mc·kc·4 bytes in L2/L3.
	mc int
	// nc (BLIS NC): columns of C per B̃ block; kc·nc·4 bytes sits in L2.
	nc int

	heights, widths []int
	kernels         [][]microTile[E]
}

// gemmKernel is one path's register micro-kernels together with the cache blocking
// the driver uses around them. The loop nest (see gemmBlocked) is
//
//	ic (MC rows of C)  → pc (KC deep) → pack Ã (MC×KC)
//	  → jc (NC columns) → pack B̃ (KC×NC)
//	    → ir (MR) → jr (NR) → micro-kernel,
//
// so one MR-tall micro-panel of Ã (KC·MR floats) stays in L1 while the KC×NC block B̃
// streams from L2 under it, and Ã (MC×KC) lives in L2/L3.
//
// Besides the main MR×NR kernel a path may offer smaller edge kernels: heights and
// widths list the tile sizes it has (ascending, ending with MR and NR) and
// kernels[h][w] computes heights[h]×widths[w]. The last row (column) panel of a block
// is packed at the smallest height (width) that holds it and runs on the matching
// kernel, so a narrow edge costs little more than its own size.
type gemmKernel struct {
	tiles[float32]

	// interleave8 packs 8 source rows at once for the interleaved cases (see
	// packInterleave); it computes interleave8Generic.
	interleave8 func(dst, src []float32, ld, kc, r int, alpha float32)
	// panels packs full panels in the contiguous cases; it computes panelsGeneric.
	panels func(dst, src []float32, ld, kc, np, r int, alpha float32)
}

// newGemmKernel describes a path with only the main MR×NR kernel and the Go packing
// helpers.
func newGemmKernel(name string, mr, nr, kc, mc, nc int, micro microKernel) *gemmKernel {
	return &gemmKernel{tiles: tiles[float32]{name: name, mr: mr, nr: nr, kc: kc, mc: mc, nc: nc,
		heights: []int{mr}, widths: []int{nr}, kernels: [][]microKernel{{micro}}},
		interleave8: interleave8Generic, panels: panelsGeneric}
}

// micro returns the main MR×NR kernel.
func (g *tiles[E]) micro() microTile[E] {
	return g.kernels[len(g.heights)-1][len(g.widths)-1]
}

// fit returns the index of the smallest size in sizes that holds x (x ≤ the last).
func fit(sizes []int, x int) int {
	for i, s := range sizes {
		if s >= x {
			return i
		}
	}
	return len(sizes) - 1
}

// panelHeight is the packed height of a row panel holding rows rows (≤ MR).
func (g *tiles[E]) panelHeight(rows int) int { return g.heights[fit(g.heights, rows)] }

// panelWidth is the packed width of a column panel holding cols columns (≤ NR).
func (g *tiles[E]) panelWidth(cols int) int { return g.widths[fit(g.widths, cols)] }

// paddedRows is the number of rows the micro-kernels compute for m rows of C.
func (g *tiles[E]) paddedRows(m int) int {
	if r := m % g.mr; r != 0 {
		return m - r + g.panelHeight(r)
	}
	return m
}

// paddedCols is the number of columns the micro-kernels compute for n columns of C.
func (g *tiles[E]) paddedCols(n int) int {
	if r := n % g.nr; r != 0 {
		return n - r + g.panelWidth(r)
	}
	return n
}
