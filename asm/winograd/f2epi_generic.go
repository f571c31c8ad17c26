package winograd

// winoOutputF2ReLUGeneric is OutputF2ReLU in plain Go, one tile row at a time (Go
// has no prefetch: next is ignored).
func winoOutputF2ReLUGeneric(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32, next int) {
	for r := 0; 2*r < rows; r++ {
		var rr []float32
		if res != nil {
			rr = res[2*r*ldy:]
		}
		winoOutputF2ReLURow(dst[2*r*ldy:], ldy, min(2, rows-2*r), cols, src[r*tiles:], srcStride, tiles, bias, rr)
	}
}

// winoOutputF2ReLURow is one tile row of winoOutputF2ReLUGeneric (rows ≤ 2), one tile
// at a time, with winoOutputF2Row's sums.
func winoOutputF2ReLURow(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32) {
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
				if res != nil {
					v += res[i*ldy+c]
				}
				// max, not reluNaN's branch: the signs are unpredictable. The sum is
				// never −0 (OutputF2ReLU's doc), where the two would differ.
				dst[i*ldy+c] = max(v, 0)
			}
		}
	}
}
