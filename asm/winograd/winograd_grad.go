package winograd

import "fmt"

// OutputGradF4 computes the transform A·dy·Aᵀ of F(4×4, 3×3) (A = (Aᵀ)ᵀ, the
// transpose of the output transform, see winograd.go) of tiles consecutive 4×4 tiles of
// one tile row of an output gradient: the 6×6 tiles whose element-wise products with
// the transformed input tiles, summed over tiles, are the transformed weight gradient
// (dW = Gᵀ[Σ (A dy Aᵀ) ⊙ (Bᵀ d B)]G). Element (i, j) of tile t is src[i·ldy + 4t + j]
// for i < rows (≤ 4) and 4t + j < cols (4·(tiles−1) < cols ≤ 4·tiles), zero outside;
// transformed element ξ = 6a+b of tile t goes to dst[ξ·dstStride + t].
//
// AVX-512 has an assembly kernel (16 tiles per iteration); the other paths run the Go
// twin, winoOutputGradF4Generic, whose sums (all products are by powers of two) round
// the same, so every path gives the same bits.
func OutputGradF4(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles int) {
	if tiles <= 0 {
		return
	}
	if rows < 0 || rows > 4 || cols <= 4*(tiles-1) || cols > 4*tiles || ldy < cols ||
		(rows > 0 && len(src) < (rows-1)*ldy+cols) || dstStride < tiles || len(dst) < 35*dstStride+tiles {
		panic(fmt.Sprintf("winograd.OutputGradF4: %d tiles, %d rows × %d cols (ldy %d, src %d), dst %d with stride %d",
			tiles, rows, cols, ldy, len(src), len(dst), dstStride))
	}
	if k := curWino().outputGradF4; k != nil {
		k(dst, dstStride, src, ldy, rows, cols, tiles)
		return
	}
	winoOutputGradF4Generic(dst, dstStride, src, ldy, rows, cols, tiles)
}

// winoGrad6 is the 1-D transform A·m of F(4×4, 3×3) on four values: the rows of A are
// the columns of Aᵀ, (1 0 0 0), (1 1 1 1), (1 −1 1 −1), (1 2 4 8), (1 −2 4 −8), (0 0 0 1).
func winoGrad6(m0, m1, m2, m3 float32) (z0, z1, z2, z3, z4, z5 float32) {
	e, o := m0+m2, m1+m3
	e2, o2 := m0+4*m2, 2*m1+8*m3
	return m0, e + o, e - o, e2 + o2, e2 - o2, m3
}

// winoOutputGradF4Generic is OutputGradF4 in plain Go, one tile at a time.
func winoOutputGradF4Generic(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles int) {
	var t [4][6]float32 // t[i][b]: row i of the tile transformed along the columns
	for tile := 0; tile < tiles; tile++ {
		for i := 0; i < 4; i++ {
			var m0, m1, m2, m3 float32
			if c0 := 4 * tile; i < rows && c0+4 <= cols {
				r := src[i*ldy+c0 : i*ldy+c0+4 : i*ldy+c0+4]
				m0, m1, m2, m3 = r[0], r[1], r[2], r[3]
			} else if i < rows {
				var m [4]float32
				for j := range cols - c0 {
					m[j] = src[i*ldy+c0+j]
				}
				m0, m1, m2, m3 = m[0], m[1], m[2], m[3]
			}
			t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5] = winoGrad6(m0, m1, m2, m3)
		}
		for b := 0; b < 6; b++ {
			z0, z1, z2, z3, z4, z5 := winoGrad6(t[0][b], t[1][b], t[2][b], t[3][b])
			d := dst[b*dstStride+tile:]
			d[0], d[6*dstStride], d[12*dstStride] = z0, z1, z2
			d[18*dstStride], d[24*dstStride], d[30*dstStride] = z3, z4, z5
		}
	}
}
