package winograd

// winoIn6 is the 1-D input transform Bᵀd of F(4×4, 3×3) on six values, written as the
// SIMD kernels compute it (shared sums, multiplications by 4, 5 and 2).
func winoIn6(d0, d1, d2, d3, d4, d5 float32) (t0, t1, t2, t3, t4, t5 float32) {
	a := d4 - 4*d2
	b := d3 - 4*d1
	c := d4 - d2
	e := 2 * (d3 - d1)
	t0 = (d4 - 5*d2) + 4*d0
	t1 = a + b
	t2 = a - b
	t3 = c + e
	t4 = c - e
	t5 = (d5 - 5*d3) + 4*d1
	return
}

// winoOut6 is the 1-D output transform Aᵀm of F(4×4, 3×3) on six values.
func winoOut6(m0, m1, m2, m3, m4, m5 float32) (o0, o1, o2, o3 float32) {
	s12, d12 := m1+m2, m1-m2
	s34, d34 := m3+m4, m3-m4
	o0 = m0 + s12 + s34
	o1 = d12 + 2*d34
	o2 = s12 + 4*s34
	o3 = (d12 + 8*d34) + m5
	return
}

// winoInputF4Generic is InputF4 in plain Go, one tile at a time.
func winoInputF4Generic(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int) {
	var t [6][6]float32 // t[i][b]: row i transformed along the columns
	for tile := 0; tile < tiles; tile++ {
		for i := 0; i < 6; i++ {
			r := src[i*rowStride+tile:]
			t[i][0], t[i][1], t[i][2], t[i][3], t[i][4], t[i][5] = winoIn6(
				r[0], r[phaseStride], r[2*phaseStride], r[3*phaseStride], r[1], r[phaseStride+1])
		}
		for b := 0; b < 6; b++ {
			v0, v1, v2, v3, v4, v5 := winoIn6(t[0][b], t[1][b], t[2][b], t[3][b], t[4][b], t[5][b])
			for a, v := range [6]float32{v0, v1, v2, v3, v4, v5} {
				dst[(a*6+b)*dstStride+tile] = v
			}
		}
	}
}

// winoOutputTile is Aᵀ m A for one tile of src (its 36 entries srcStride apart):
// o[i][j] is the tile's output at row i, column j.
func winoOutputTile(src []float32, srcStride, tile int) (o [4][4]float32) {
	var s [6][4]float32 // s[a][j]: row a of m transformed along the columns
	for a := 0; a < 6; a++ {
		m := src[a*6*srcStride+tile:]
		s[a][0], s[a][1], s[a][2], s[a][3] = winoOut6(m[0], m[srcStride], m[2*srcStride],
			m[3*srcStride], m[4*srcStride], m[5*srcStride])
	}
	for j := 0; j < 4; j++ {
		o[0][j], o[1][j], o[2][j], o[3][j] = winoOut6(s[0][j], s[1][j], s[2][j], s[3][j], s[4][j], s[5][j])
	}
	return o
}

// winoOutputF4Generic is OutputF4 in plain Go, one tile at a time.
func winoOutputF4Generic(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool) {
	for tile := 0; tile < tiles; tile++ {
		o := winoOutputTile(src, srcStride, tile)
		for j := 0; j < 4 && 4*tile+j < cols; j++ {
			c := 4*tile + j
			for i := 0; i < rows; i++ {
				p := &dst[i*ldy+c]
				if acc {
					*p += o[i][j] + bias
				} else {
					*p = o[i][j] + bias
				}
			}
		}
	}
}

// winoOutputF4ReLUGeneric is OutputF4ReLU in plain Go, one tile at a time.
func winoOutputF4ReLUGeneric(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32) {
	for tile := 0; tile < tiles; tile++ {
		o := winoOutputTile(src, srcStride, tile)
		for j := 0; j < 4 && 4*tile+j < cols; j++ {
			c := 4*tile + j
			for i := 0; i < rows; i++ {
				v := o[i][j] + bias
				if res != nil {
					v += res[i*ldy+c]
				}
				dst[i*ldy+c] = reluNaN(v)
			}
		}
	}
}
