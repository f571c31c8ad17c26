package winograd

// winoIn4 is the 1-D input transform Bᵀd of F(2×2, 3×3) on four values.
func winoIn4(d0, d1, d2, d3 float32) (t0, t1, t2, t3 float32) {
	return d0 - d2, d1 + d2, d2 - d1, d1 - d3
}

// winoOut4 is the 1-D output transform Aᵀm of F(2×2, 3×3) on four values, summed
// left to right as the SIMD kernels sum them.
func winoOut4(m0, m1, m2, m3 float32) (o0, o1 float32) {
	return (m0 + m1) + m2, (m1 - m2) - m3
}

// winoInputF2Generic is InputF2 in plain Go, one tile at a time (winoInputTile).
func winoInputF2Generic(dst []float32, dstStride int, src []float32, rowStride, tiles, tileRows int) {
	var v [16]float32
	for r := 0; r < tileRows; r++ {
		for tile := 0; tile < tiles; tile++ {
			winoInputTile(&v, src[2*r*rowStride:], rowStride, tile)
			for xi, x := range v {
				dst[xi*dstStride+r*tiles+tile] = x
			}
		}
	}
}

// winoInputTile sets v[ξ] (ξ = 4a+b) to the input transform of tile t, whose element
// (i, j) is src[i·rowStride + 2t + j]: the rows first, then the columns, as the SIMD
// kernels compute it.
func winoInputTile(v *[16]float32, src []float32, rowStride, tile int) {
	var t [4][4]float32 // t[i][b]: row i transformed along the columns
	for i := 0; i < 4; i++ {
		r := src[i*rowStride+2*tile : i*rowStride+2*tile+4]
		t[i][0], t[i][1], t[i][2], t[i][3] = winoIn4(r[0], r[1], r[2], r[3])
	}
	for b := 0; b < 4; b++ {
		v[b], v[4+b], v[8+b], v[12+b] = winoIn4(t[0][b], t[1][b], t[2][b], t[3][b])
	}
}

// winoOutputF2Generic is OutputF2 in plain Go, one tile row at a time (Go has no
// prefetch: next is ignored).
func winoOutputF2Generic(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool, next int) {
	for r := 0; 2*r < rows; r++ {
		winoOutputF2Row(dst[2*r*ldy:], ldy, min(2, rows-2*r), cols, src[r*tiles:], srcStride, tiles, bias, acc)
	}
}

// winoOutputF2Row is one tile row of winoOutputF2Generic (rows ≤ 2), one tile at a
// time.
func winoOutputF2Row(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool) {
	var s [4][2]float32 // s[a][j]: row a of m transformed along the columns
	for tile := 0; tile < tiles; tile++ {
		for a := 0; a < 4; a++ {
			m := src[4*a*srcStride+tile:]
			s[a][0], s[a][1] = winoOut4(m[0], m[srcStride], m[2*srcStride], m[3*srcStride])
		}
		for j := 0; j < 2; j++ {
			c := 2*tile + j
			if c >= cols {
				break
			}
			o0, o1 := winoOut4(s[0][j], s[1][j], s[2][j], s[3][j])
			o := [2]float32{o0 + bias, o1 + bias}
			for i, v := range o[:rows] {
				p := &dst[i*ldy+c]
				if acc {
					*p += v
				} else {
					*p = v
				}
			}
		}
	}
}

// winoGrad4 is the 1-D transform A·m of F(2×2, 3×3) on two values: the rows of A are
// the columns of Aᵀ, (1 0), (1 1), (1 −1), (0 −1).
func winoGrad4(m0, m1 float32) (z0, z1, z2, z3 float32) {
	return m0, m0 + m1, m0 - m1, -m1
}

// winoOutputGradF2Generic is OutputGradF2 in plain Go, one tile row at a time.
func winoOutputGradF2Generic(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles, tileRows int) {
	for r := 0; r < tileRows; r++ {
		rr := min(max(rows-2*r, 0), 2)
		var s []float32
		if rr > 0 {
			s = src[2*r*ldy:]
		}
		winoOutputGradF2Row(dst[r*tiles:], dstStride, s, ldy, rr, cols, tiles)
	}
}

// winoOutputGradF2Row is one tile row of winoOutputGradF2Generic (rows ≤ 2), one tile
// at a time.
func winoOutputGradF2Row(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles int) {
	var t [2][4]float32 // t[i][b]: row i of the tile transformed along the columns
	for tile := 0; tile < tiles; tile++ {
		for i := 0; i < 2; i++ {
			var m0, m1 float32
			if c0 := 2 * tile; i < rows {
				m0 = src[i*ldy+c0]
				if c0+1 < cols {
					m1 = src[i*ldy+c0+1]
				}
			}
			t[i][0], t[i][1], t[i][2], t[i][3] = winoGrad4(m0, m1)
		}
		for b := 0; b < 4; b++ {
			z0, z1, z2, z3 := winoGrad4(t[0][b], t[1][b])
			d := dst[b*dstStride+tile:]
			d[0], d[4*dstStride], d[8*dstStride], d[12*dstStride] = z0, z1, z2, z3
		}
	}
}
