//go:build amd64 && !purego

package winograd

import (
	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/klauspost/cpuid/v2"
)

// winoInputF2PairsAVX512 is InputF2Pairs in AVX-512 with AVX512_BF16
// (f2pairs_avx512_amd64.s): winoInputF2AVX512's transform for each channel, rounded
// and paired by VCVTNE2PS2BF16 and VPERMW, bit-identical to the Go twin.
//
//go:noescape
func winoInputF2PairsAVX512(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int)

var _ = func() bool {
	if cpuid.CPU.Supports(cpuid.AVX512BF16, cpuid.AVX512F, cpuid.AVX512BW) {
		f2PairsByISA[cpu.AVX512] = winoInputF2PairsAVX512
	}
	return true
}()

// winoInputF2PairsRowsAVX512 is InputF2PairsRows in AVX-512 with AVX512_BF16 (the end of
// f2pairs_avx512_amd64.s): winoInputF2PairsAVX512 with the padding columns' loads
// masked off, bit-identical to the Go twin.
//
//go:noescape
func winoInputF2PairsRowsAVX512(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int, padLeft, padRight bool)

var _ = func() bool {
	if cpuid.CPU.Supports(cpuid.AVX512BF16, cpuid.AVX512F, cpuid.AVX512BW) {
		f2PairsRowsByISA[cpu.AVX512] = winoInputF2PairsRowsAVX512
	}
	return true
}()
