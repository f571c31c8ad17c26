package vision

import "image"

// libjpeg's fixed-point YCbCr→RGB tables (jdcolor.c build_ycc_rgb_table, 16 fraction
// bits): R = Y + crR[Cr], G = Y + (cbG[Cb] + crG[Cr]) >> 16, B = Y + cbB[Cb].
var crR, cbB, crG, cbG [256]int32

func init() {
	const half = 1 << 15
	fix := func(x float64) int32 { return int32(x*65536 + 0.5) }
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (fix(1.40200)*x + half) >> 16
		cbB[i] = (fix(1.77200)*x + half) >> 16
		crG[i] = -fix(0.71414) * x
		cbG[i] = -fix(0.34414)*x + half
	}
}

func clamp255(v int32) uint8 {
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// ycbcrToRGB converts a decoded YCbCr JPEG to dst (already sized), upsampling 4:2:0,
// 4:2:2 and 4:4:0 chroma with libjpeg's fancy (triangle) filter and other ratios by
// replication, as libjpeg does.
func ycbcrToRGB(m *image.YCbCr, dst *RGB) {
	w, h := dst.W, dst.H
	hf, vf := chromaFactors(m.SubsampleRatio)
	cw, ch := (w+hf-1)/hf, (h+vf-1)/vf
	cb := make([]uint8, 2*w)
	cr := cb[w:]
	cb = cb[:w]
	sums := make([]int32, 2*cw)
	for y := 0; y < h; y++ {
		upsampleRow(cb, m.Cb, m.CStride, cw, ch, hf, vf, y, sums[:cw])
		upsampleRow(cr, m.Cr, m.CStride, cw, ch, hf, vf, y, sums[cw:])
		yr := m.Y[y*m.YStride:][:w]
		out := dst.Pix[3*w*y:][:3*w]
		for x, yv := range yr {
			Y := int32(yv)
			b, r := cb[x], cr[x]
			out[3*x] = clamp255(Y + crR[r])
			out[3*x+1] = clamp255(Y + (cbG[b]+crG[r])>>16)
			out[3*x+2] = clamp255(Y + cbB[b])
		}
	}
}

// chromaFactors returns the horizontal and vertical chroma subsampling factors.
func chromaFactors(r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 2, 1
	case image.YCbCrSubsampleRatio420:
		return 2, 2
	case image.YCbCrSubsampleRatio440:
		return 1, 2
	case image.YCbCrSubsampleRatio411:
		return 4, 1
	case image.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// upsampleRow writes row y of one chroma plane at full resolution into out. plane is
// cw×ch samples with the given stride. Factors of 2 use libjpeg's fancy upsampling
// (jdsample.c h2v1/h1v2/h2v2_fancy_upsample: weights 3/4 and 1/4 towards the nearer
// neighbour, edges replicated, alternating rounding biases); other factors replicate.
// sums is scratch of length cw.
func upsampleRow(out []uint8, plane []uint8, stride, cw, ch, hf, vf, y int, sums []int32) {
	w := len(out)
	if hf > 2 || vf > 2 {
		row := plane[(y/vf)*stride:][:cw]
		for x := range out {
			out[x] = row[x/hf]
		}
		return
	}
	cy := y / vf
	row := plane[cy*stride:][:cw]
	if vf == 1 {
		for x, v := range row {
			sums[x] = int32(v)
		}
	} else {
		ny := cy - 1 // the nearer neighbouring chroma row: above for even y, below for odd
		if y&1 == 1 {
			ny = cy + 1
		}
		ny = max(0, min(ny, ch-1))
		nrow := plane[ny*stride:][:cw]
		for x, v := range row {
			sums[x] = 3*int32(v) + int32(nrow[x])
		}
	}
	switch {
	case hf == 1 && vf == 1:
		for x := range out {
			out[x] = uint8(sums[x])
		}
	case hf == 1: // h1v2: (colsum + 1 or 2) >> 2
		bias := int32(1 + y&1)
		for x := range out {
			out[x] = uint8((sums[x] + bias) >> 2)
		}
	default: // h2v1 (scale 4, biases 1/2) or h2v2 (scale 16, biases 8/7)
		shift, even, odd := uint(2), int32(1), int32(2)
		if vf == 2 {
			shift, even, odd = 4, 8, 7
		}
		for cx := 0; cx < cw; cx++ {
			s := 3 * sums[cx]
			l, r := sums[max(cx-1, 0)], sums[min(cx+1, cw-1)]
			x := 2 * cx
			out[x] = uint8((s + l + even) >> shift)
			if x+1 < w {
				out[x+1] = uint8((s + r + odd) >> shift)
			}
		}
	}
}
