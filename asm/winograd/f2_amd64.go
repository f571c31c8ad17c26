//go:build amd64 && !purego

package winograd

import "github.com/fastgo/fastgo/asm/cpu"

// The AVX-512 F(2×2, 3×3) transforms (f2_avx512_amd64.s), 16 tiles per iteration.
// They compute winoInputF2Generic's, winoOutputF2Generic's and
// winoOutputF2ReLUGeneric's sums in the same order (additions only), so they match the
// Go twins bit for bit. AVX2 keeps the Go twins:
// the BF16 convolutions that use F(2×2) need AVX512_BF16.

//go:noescape
func winoInputF2AVX512(dst []float32, dstStride int, src []float32, rowStride, tiles, tileRows int)

//go:noescape
func winoOutputF2AVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool, next int)

//go:noescape
func winoOutputF2ReLUAVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32, next int)

//go:noescape
func winoOutputGradF2AVX512(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles, tileRows int)

var _ = func() bool {
	f2ByISA[cpu.AVX512] = &f2Kernels{input: winoInputF2AVX512, output: winoOutputF2AVX512,
		outputGrad: winoOutputGradF2AVX512, outputReLU: winoOutputF2ReLUAVX512}
	return true
}()
