//go:build amd64 && !purego

package gemm

// The AVX-512 micro-kernel stubs (gemm_avx512_amd64.s): the 8×48 main tile and its
// edge variants. Each doc comment is the Go loop the kernel computes.

// gemmMicroAVX512_8x48 is the microKernel loop for R=8, W=48:
//
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 48; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*8+i] * b[p*48+j]
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
func gemmMicroAVX512_8x48(k int, a, b, c []float32, ldc int, beta float32)

// gemmMicroAVX512_8x32 is the microKernel loop for R=8, W=32:
//
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 32; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*8+i] * b[p*32+j]
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
func gemmMicroAVX512_8x32(k int, a, b, c []float32, ldc int, beta float32)

// gemmMicroAVX512_8x16 is the microKernel loop for R=8, W=16:
//
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*8+i] * b[p*16+j]
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
func gemmMicroAVX512_8x16(k int, a, b, c []float32, ldc int, beta float32)

// gemmMicroAVX512_4x48 is the microKernel loop for R=4, W=48:
//
//	for i := 0; i < 4; i++ {
//		for j := 0; j < 48; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*4+i] * b[p*48+j]
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
func gemmMicroAVX512_4x48(k int, a, b, c []float32, ldc int, beta float32)

// gemmMicroAVX512_4x32 is the microKernel loop for R=4, W=32:
//
//	for i := 0; i < 4; i++ {
//		for j := 0; j < 32; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*4+i] * b[p*32+j]
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
func gemmMicroAVX512_4x32(k int, a, b, c []float32, ldc int, beta float32)

// gemmMicroAVX512_4x16 is the microKernel loop for R=4, W=16:
//
//	for i := 0; i < 4; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*4+i] * b[p*16+j]
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
func gemmMicroAVX512_4x16(k int, a, b, c []float32, ldc int, beta float32)
