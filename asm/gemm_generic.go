package asm

// gemmGeneric is the pure-Go GEMM path, the fallback on every platform and the twin
// of the assembly kernels: a 4×16 tile accumulated in a small array.
//
// Why an array and not 64 local variables: the Go compiler keeps scalar float32
// locals in the 16 X registers and, with more live values than that, spills and
// reloads them around every multiply-add; it also schedules all multiplies of a step
// before the adds, which forces more spills. Accumulating row by row into a 256-byte
// array that stays in L1 (load, multiply, add, store per element) measured about 1.5×
// faster than 4×8, 4×4 or 3×4 register tiles on Zen 5 (about 6 against 4 GFLOP/s per
// core under load). The ceiling of scalar code there is 2 multiplies and 2 adds per
// cycle, about 13 GFLOP/s; gonum reaches that figure with SSE assembly in its inner
// loop, which a pure-Go kernel cannot match.
var gemmGeneric = newGemmKernel("generic 4×16", 4, 16, 256, 256, 1024, microGeneric4x16)

// microGeneric4x16 is the microKernel loop (see its doc) for R=4, W=16.
func microGeneric4x16(k int, a, b, c []float32, ldc int, beta float32) {
	var t [4][16]float32
	a = a[:4*k]
	b = b[:16*k]
	for p := 0; p < k; p++ {
		ap := (*[4]float32)(a[4*p:])
		bp := (*[16]float32)(b[16*p:])
		for i := range ap {
			ai := ap[i]
			r := &t[i]
			r[0] += ai * bp[0]
			r[1] += ai * bp[1]
			r[2] += ai * bp[2]
			r[3] += ai * bp[3]
			r[4] += ai * bp[4]
			r[5] += ai * bp[5]
			r[6] += ai * bp[6]
			r[7] += ai * bp[7]
			r[8] += ai * bp[8]
			r[9] += ai * bp[9]
			r[10] += ai * bp[10]
			r[11] += ai * bp[11]
			r[12] += ai * bp[12]
			r[13] += ai * bp[13]
			r[14] += ai * bp[14]
			r[15] += ai * bp[15]
		}
	}
	for i := range t {
		row := c[i*ldc : i*ldc+16]
		if beta == 0 {
			copy(row, t[i][:])
			continue
		}
		for j, v := range t[i] {
			row[j] = v + beta*row[j]
		}
	}
}
