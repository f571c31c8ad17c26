package asm

// gemmGeneric is the pure-Go GEMM path: a 4×8 register tile held in local variables.
// The Go compiler keeps the four A values and most accumulators in registers; it is
// the fallback on every platform and the twin of the assembly kernels.
var gemmGeneric = newGemmKernel("generic 4×8", 4, 8, 256, 256, 1024, microGeneric4x8)

// microGeneric4x8 is the microKernel loop (see its doc) for MR=4, NR=8, written with
// 32 scalar accumulators so that each loaded value is used four or eight times.
func microGeneric4x8(k int, a, b, c []float32, ldc int, beta float32) {
	var (
		c00, c01, c02, c03, c04, c05, c06, c07 float32
		c10, c11, c12, c13, c14, c15, c16, c17 float32
		c20, c21, c22, c23, c24, c25, c26, c27 float32
		c30, c31, c32, c33, c34, c35, c36, c37 float32
	)
	a = a[:4*k]
	b = b[:8*k]
	for len(a) >= 4 && len(b) >= 8 {
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3, b4, b5, b6, b7 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c04 += a0 * b4
		c05 += a0 * b5
		c06 += a0 * b6
		c07 += a0 * b7
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c14 += a1 * b4
		c15 += a1 * b5
		c16 += a1 * b6
		c17 += a1 * b7
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c24 += a2 * b4
		c25 += a2 * b5
		c26 += a2 * b6
		c27 += a2 * b7
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		c34 += a3 * b4
		c35 += a3 * b5
		c36 += a3 * b6
		c37 += a3 * b7
		a = a[4:]
		b = b[8:]
	}
	storeRow8(c[0*ldc:], beta, c00, c01, c02, c03, c04, c05, c06, c07)
	storeRow8(c[1*ldc:], beta, c10, c11, c12, c13, c14, c15, c16, c17)
	storeRow8(c[2*ldc:], beta, c20, c21, c22, c23, c24, c25, c26, c27)
	storeRow8(c[3*ldc:], beta, c30, c31, c32, c33, c34, c35, c36, c37)
}

// storeRow8 writes c[j] = v_j (beta == 0, C not read) or v_j + beta*c[j].
func storeRow8(c []float32, beta float32, v0, v1, v2, v3, v4, v5, v6, v7 float32) {
	c = c[:8]
	if beta != 0 {
		v0 += beta * c[0]
		v1 += beta * c[1]
		v2 += beta * c[2]
		v3 += beta * c[3]
		v4 += beta * c[4]
		v5 += beta * c[5]
		v6 += beta * c[6]
		v7 += beta * c[7]
	}
	c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7] = v0, v1, v2, v3, v4, v5, v6, v7
}
