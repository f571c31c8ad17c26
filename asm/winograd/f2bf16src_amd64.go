//go:build amd64 && !purego

package winograd

import (
	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/klauspost/cpuid/v2"
)

// winoInputF2BF16AVX512 is InputF2BF16 in AVX-512 (f2bf16src_avx512_amd64.s): each
// row's bf16 columns widened and split into even and odd by VPERMW, then
// winoInputF2AVX512's sums, bit-identical to the Go twin.
//
//go:noescape
func winoInputF2BF16AVX512(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int)

var _ = func() bool {
	if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW) {
		f2BF16SrcByISA[cpu.AVX512] = winoInputF2BF16AVX512
	}
	return true
}()

// winoInputF2BF16RowsAVX512 is InputF2BF16Rows in AVX-512 (the end of
// f2bf16src_avx512_amd64.s): winoInputF2BF16AVX512 with the padding columns' loads
// masked off, bit-identical to the Go twin.
//
//go:noescape
func winoInputF2BF16RowsAVX512(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int, padLeft, padRight bool)

var _ = func() bool {
	if cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW) {
		f2BF16RowsByISA[cpu.AVX512] = winoInputF2BF16RowsAVX512
	}
	return true
}()
