//go:build amd64 && !purego

package asm

// maxPool3s2RowAVX512 is MaxPool3s2Row (pool_avx512_amd64.s) for len(y) >= 16, 16
// outputs at a time, the last 16 overlapping the block before when len(y) is not a
// multiple of 16 (each output is computed on its own, so a repeat writes the same):
//
//	for k := range y {
//		lo := max(2*k-1, 0)
//		at := r0 + lo
//		best := x[at]
//		for _, r := range [3]int{r0, r1, r2} {
//			for c := lo; c <= 2*k+1; c++ {
//				if v := x[r+c]; v > best || v != v {
//					best, at = v, r+c
//				}
//			}
//		}
//		y[k], idx[k] = best, int32(at)
//	}
//
//go:noescape
func maxPool3s2RowAVX512(y []float32, idx []int32, x []float32, r0, r1, r2 int)

// poolRowWide returns MaxPool3s2Row's kernel for a SIMD kernel that needs at least
// width outputs: shorter rows take the generic twin.
func poolRowWide(width int, k func(y []float32, idx []int32, x []float32, r0, r1, r2 int)) func(y []float32, idx []int32, x []float32, r0, r1, r2 int) {
	return func(y []float32, idx []int32, x []float32, r0, r1, r2 int) {
		if len(y) < width {
			maxPool3s2RowGeneric(y, idx, x, r0, r1, r2)
			return
		}
		k(y, idx, x, r0, r1, r2)
	}
}
