//go:build amd64 && !purego

package gemm

// gemmMicroAVX2 computes one 6×16 tile (12 YMM accumulators: 6 rows × 2 vectors of 8)
// with AVX2 FMA3 (gemm_avx2_amd64.s):
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*6+i] * b[p*16+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s
//			} else {
//				c[i*ldc+j] = s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
//go:noescape
func gemmMicroAVX2(k int, a, b, c []float32, ldc int, beta float32)
