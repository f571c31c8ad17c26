//go:build arm64 && !purego

package winograd

import "github.com/fastgo/fastgo/asm/cpu"

// The NEON Winograd transforms (winograd_neon_arm64.s) for whole blocks of 4 tiles; the
// wrappers run the tiles past the last whole block (and, for the output, a last block
// whose 16 columns are not all inside the image) on the Go twins. The kernels compute
// winoInputF4Generic's and winoOutputF4Generic's sums with fused multiply-adds.

//go:noescape
func winoInputF4NEON(dst []float32, dstStride int, src []float32, rowStride, phaseStride, blocks int, scratch []float32)

//go:noescape
func winoOutputF4NEON(dst []float32, ldy, rows int, src []float32, srcStride, blocks int, bias float32, acc bool, scratch []float32)

func winoInputF4NEONWrap(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int) {
	var scratch [36 * 4]float32
	full := tiles &^ 3
	if full > 0 {
		winoInputF4NEON(dst, dstStride, src, rowStride, phaseStride, full/4, scratch[:])
	}
	if full < tiles {
		winoInputF4Generic(dst[full:], dstStride, src[full:], rowStride, phaseStride, tiles-full)
	}
}

func winoOutputF4NEONWrap(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool) {
	var scratch [24 * 4]float32
	full := min(tiles, cols/4) &^ 3
	if full > 0 {
		winoOutputF4NEON(dst, ldy, rows, src, srcStride, full/4, bias, acc, scratch[:])
	}
	if full < tiles {
		winoOutputF4Generic(dst[4*full:], ldy, rows, cols-4*full, src[full:], srcStride, tiles-full, bias, acc)
	}
}

var _ = func() bool {
	winoByISA[cpu.NEON] = &winoKernels{inputF4: winoInputF4NEONWrap, outputF4: winoOutputF4NEONWrap}
	return true
}()
