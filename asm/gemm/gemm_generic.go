package gemm

// gemmGeneric is the pure-Go GEMM path, the fallback on every platform and the twin
// of the assembly kernels: a 4×16 tile accumulated in a small array, eight depths at a
// time.
//
// Why this shape (measured on Zen 5, single core, GFLOP/s of the kernel alone): the Go
// compiler keeps scalar float32 locals in the 16 X registers, and with more live
// values than that it spills and reloads them around every multiply-add, so register
// tiles of 4×8, 4×4 or 3×4 ran at 4-4.6. Accumulating row by row into a 256-byte
// array that stays in L1 avoids the spills but pays a load and a store per
// multiply-add (5.7). Summing eight depths in registers before each load/store of the
// array amortises that: 8.3 with two depths, 9.9 with four, 11 with eight. The
// ceiling of scalar code there is two multiplies and two adds per cycle (about 13);
// gonum's Sgemm reaches 12-13 with SSE assembly in its inner loop (5.4 with its
// pure-Go noasm build). The blocking keeps B̃ (KC·NC·4 = 256 KiB) well inside L2:
// with NC = 1024 the whole GEMM ran at 7-8 instead of 10.
var gemmGeneric = newGemmKernel("generic 4×16", 4, 16, 128, 256, 512, microGeneric4x16)

// microGeneric4x16 is the microKernel loop (see its doc) for R=4, W=16. Each step adds
// the products of eight depths, summed pairwise, to the tile.
func microGeneric4x16(k int, a, b, c []float32, ldc int, beta float32) {
	var t [4 * 16]float32 // row i at t[16*i:]
	a = a[:4*k]
	b = b[:16*k]
	p := 0
	for ; p+8 <= k; p += 8 {
		ap := (*[32]float32)(a[4*p:])
		bp := (*[128]float32)(b[16*p:])
		for i := 0; i < 4; i++ {
			a0, a1, a2, a3 := ap[i], ap[4+i], ap[8+i], ap[12+i]
			a4, a5, a6, a7 := ap[16+i], ap[20+i], ap[24+i], ap[28+i]
			r := (*[16]float32)(t[16*i:])
			r[0] += ((a0*bp[0] + a1*bp[16]) + (a2*bp[32] + a3*bp[48])) +
				((a4*bp[64] + a5*bp[80]) + (a6*bp[96] + a7*bp[112]))
			r[1] += ((a0*bp[1] + a1*bp[17]) + (a2*bp[33] + a3*bp[49])) +
				((a4*bp[65] + a5*bp[81]) + (a6*bp[97] + a7*bp[113]))
			r[2] += ((a0*bp[2] + a1*bp[18]) + (a2*bp[34] + a3*bp[50])) +
				((a4*bp[66] + a5*bp[82]) + (a6*bp[98] + a7*bp[114]))
			r[3] += ((a0*bp[3] + a1*bp[19]) + (a2*bp[35] + a3*bp[51])) +
				((a4*bp[67] + a5*bp[83]) + (a6*bp[99] + a7*bp[115]))
			r[4] += ((a0*bp[4] + a1*bp[20]) + (a2*bp[36] + a3*bp[52])) +
				((a4*bp[68] + a5*bp[84]) + (a6*bp[100] + a7*bp[116]))
			r[5] += ((a0*bp[5] + a1*bp[21]) + (a2*bp[37] + a3*bp[53])) +
				((a4*bp[69] + a5*bp[85]) + (a6*bp[101] + a7*bp[117]))
			r[6] += ((a0*bp[6] + a1*bp[22]) + (a2*bp[38] + a3*bp[54])) +
				((a4*bp[70] + a5*bp[86]) + (a6*bp[102] + a7*bp[118]))
			r[7] += ((a0*bp[7] + a1*bp[23]) + (a2*bp[39] + a3*bp[55])) +
				((a4*bp[71] + a5*bp[87]) + (a6*bp[103] + a7*bp[119]))
			r[8] += ((a0*bp[8] + a1*bp[24]) + (a2*bp[40] + a3*bp[56])) +
				((a4*bp[72] + a5*bp[88]) + (a6*bp[104] + a7*bp[120]))
			r[9] += ((a0*bp[9] + a1*bp[25]) + (a2*bp[41] + a3*bp[57])) +
				((a4*bp[73] + a5*bp[89]) + (a6*bp[105] + a7*bp[121]))
			r[10] += ((a0*bp[10] + a1*bp[26]) + (a2*bp[42] + a3*bp[58])) +
				((a4*bp[74] + a5*bp[90]) + (a6*bp[106] + a7*bp[122]))
			r[11] += ((a0*bp[11] + a1*bp[27]) + (a2*bp[43] + a3*bp[59])) +
				((a4*bp[75] + a5*bp[91]) + (a6*bp[107] + a7*bp[123]))
			r[12] += ((a0*bp[12] + a1*bp[28]) + (a2*bp[44] + a3*bp[60])) +
				((a4*bp[76] + a5*bp[92]) + (a6*bp[108] + a7*bp[124]))
			r[13] += ((a0*bp[13] + a1*bp[29]) + (a2*bp[45] + a3*bp[61])) +
				((a4*bp[77] + a5*bp[93]) + (a6*bp[109] + a7*bp[125]))
			r[14] += ((a0*bp[14] + a1*bp[30]) + (a2*bp[46] + a3*bp[62])) +
				((a4*bp[78] + a5*bp[94]) + (a6*bp[110] + a7*bp[126]))
			r[15] += ((a0*bp[15] + a1*bp[31]) + (a2*bp[47] + a3*bp[63])) +
				((a4*bp[79] + a5*bp[95]) + (a6*bp[111] + a7*bp[127]))
		}
	}
	for ; p < k; p++ {
		ap := (*[4]float32)(a[4*p:])
		bp := (*[16]float32)(b[16*p:])
		for i := 0; i < 4; i++ {
			ai := ap[i]
			r := (*[16]float32)(t[16*i:])
			for j := range r {
				r[j] += ai * bp[j]
			}
		}
	}
	storeTile(c, ldc, t[:], 16, 4, 16, beta)
}
