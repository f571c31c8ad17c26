//go:build amd64 && !purego

package asm

// The amd64 micro-kernels. Each stub's doc comment is the Go loop it computes; the
// loop is microKernel's (see gemm_kernel.go) with the stub's MR and NR.

// gemmMicroAVX512 computes one 8×48 tile (24 ZMM accumulators: 8 rows × 3 vectors of
// 16) with AVX-512F FMAs:
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
func gemmMicroAVX512(k int, a, b, c []float32, ldc int, beta float32)

// gemmMicroAVX2 computes one 6×16 tile (12 YMM accumulators: 6 rows × 2 vectors of 8)
// with AVX2 FMA3:
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

// gemmAVX512 blocks for Zen 5 (48 KiB L1D, 1 MiB L2 per core): the Ã micro-panel
// (KC·8·4 = 12 KiB) stays in L1, B̃ (KC·NC·4 = 576 KiB) in L2.
var gemmAVX512 = &gemmKernel{
	name: "avx512 8×48",
	mr:   8, nr: 48,
	kc: 384, mc: 384, nc: 384,
	micro: gemmMicroAVX512,
}

// gemmAVX2 uses the same cache budget with the 6×16 tile.
var gemmAVX2 = &gemmKernel{
	name: "avx2 6×16",
	mr:   6, nr: 16,
	kc: 384, mc: 384, nc: 384,
	micro: gemmMicroAVX2,
}

var (
	_ = register(AVX512, &kernelSet{
		gemm:         gemmAVX512,
		axpy:         axpyGeneric,
		scale:        scaleGeneric,
		add:          addGeneric,
		mul:          mulGeneric,
		relu:         reluGeneric,
		reluBackward: reluBackwardGeneric,
		sum:          sumGeneric,
		max:          maxGeneric,
		dot:          dotGeneric,
	})
	_ = register(AVX2, &kernelSet{
		gemm:         gemmAVX2,
		axpy:         axpyGeneric,
		scale:        scaleGeneric,
		add:          addGeneric,
		mul:          mulGeneric,
		relu:         reluGeneric,
		reluBackward: reluBackwardGeneric,
		sum:          sumGeneric,
		max:          maxGeneric,
		dot:          dotGeneric,
	})
)
