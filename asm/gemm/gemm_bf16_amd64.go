//go:build amd64 && !purego

package gemm

import (
	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/klauspost/cpuid/v2"
)

// The AVX512_BF16 GEMM kernels (gemm_bf16_avx512_amd64.s, packing in
// gemm_bf16_pack_amd64.s). Each micro-kernel computes the bf16Micro loop for its R×W.

// gemmBF16AVX512_8x48 is the bf16Micro loop for R=8, W=48 (VDPBF16PS).
//
//go:noescape
func gemmBF16AVX512_8x48(kp int, a, b []uint32, c []float32, ldc int, beta float32)

// gemmBF16AVX512_8x32 is the bf16Micro loop for R=8, W=32 (VDPBF16PS).
//
//go:noescape
func gemmBF16AVX512_8x32(kp int, a, b []uint32, c []float32, ldc int, beta float32)

// gemmBF16AVX512_8x16 is the bf16Micro loop for R=8, W=16 (VDPBF16PS).
//
//go:noescape
func gemmBF16AVX512_8x16(kp int, a, b []uint32, c []float32, ldc int, beta float32)

// gemmBF16AVX512_4x48 is the bf16Micro loop for R=4, W=48 (VDPBF16PS).
//
//go:noescape
func gemmBF16AVX512_4x48(kp int, a, b []uint32, c []float32, ldc int, beta float32)

// gemmBF16AVX512_4x32 is the bf16Micro loop for R=4, W=32 (VDPBF16PS).
//
//go:noescape
func gemmBF16AVX512_4x32(kp int, a, b []uint32, c []float32, ldc int, beta float32)

// gemmBF16AVX512_4x16 is the bf16Micro loop for R=4, W=16 (VDPBF16PS).
//
//go:noescape
func gemmBF16AVX512_4x16(kp int, a, b []uint32, c []float32, ldc int, beta float32)

// bf16CPU reports whether the CPU has the bf16 instructions the kernels use.
func bf16CPU() bool {
	return cpuid.CPU.Supports(cpuid.AVX512BF16, cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512VL)
}

// gemmBF16AVX512 is the AVX512_BF16 path: the fp32 AVX-512 path's 8×48 tile, edge
// kernels and panel bytes (KC = 256 pairs = 512 depths, so the Ã micro-panel is 8 KiB
// and B̃ 768 KiB as in fp32).
var gemmBF16AVX512 = &bf16Kernel{tiles: tiles[uint32]{
	name: "avx512-bf16 8×48",
	mr:   8, nr: 48,
	kc: 256, mc: 384, nc: 768,
	heights: []int{4, 8},
	widths:  []int{16, 32, 48},
	kernels: [][]bf16Micro{
		{gemmBF16AVX512_4x16, gemmBF16AVX512_4x32, gemmBF16AVX512_4x48},
		{gemmBF16AVX512_8x16, gemmBF16AVX512_8x32, gemmBF16AVX512_8x48},
	},
},
	panels:        bf16PanelsFast,
	interleave8:   bf16Interleave8Fast,
	toBF16:        toBF16Fast,
	toBF16Centred: toBF16CentredFast,
	fromBF16:      fromBF16Fast,
}

func init() {
	if bf16CPU() {
		bf16Kernels[cpu.AVX512] = gemmBF16AVX512
	}
}

// bf16PanelsAVX512 is bf16PanelsGeneric for r a multiple of 16 (VCVTNE2PS2BF16 rounds
// two source rows, VPERMW interleaves them into pairs):
//
//	for q := 0; q < kc/2; q++ {
//		for jp := 0; jp < np; jp++ {
//			for j := 0; j < r; j++ {
//				dst[jp*ps+q*r+j] = bf16Pair(src[2q*ld+jp*r+j], src[(2q+1)*ld+jp*r+j])
//			}
//		}
//	}
//
//go:noescape
func bf16PanelsAVX512(dst []uint32, src []float32, ld, kc, np, r, ps int)

// bf16PanelsFast checks the slices (the assembly does not) and runs bf16PanelsAVX512
// when r is a multiple of 16, the Go twin otherwise.
func bf16PanelsFast(dst []uint32, src []float32, ld, kc, np, r, ps int) {
	if kc < 2 || np == 0 {
		return
	}
	_ = src[(kc-1)*ld+np*r-1]
	_ = dst[(np-1)*ps+(kc/2)*r-1]
	if r%16 != 0 || ps < kc/2*r {
		bf16PanelsGeneric(dst, src, ld, kc, np, r, ps)
		return
	}
	bf16PanelsAVX512(dst, src, ld, kc, np, r, ps)
}

// bf16Interleave8AVX512 is bf16Interleave8Generic (kc a multiple of 16): per block of
// 16 depths, VCVTNEPS2BF16 turns each of the 8 rows into 8 pairs and an 8×8
// transpose of 32-bit words deals them out:
//
//	for i := 0; i < 8; i++ {
//		for q := 0; q < kc/2; q++ {
//			dst[q*r+i] = bf16Pair(src[i*ld+2q], src[i*ld+2q+1])
//		}
//	}
//
//go:noescape
func bf16Interleave8AVX512(dst []uint32, src []float32, ld, kc, r int)

// bf16Interleave8Fast checks the slices and runs bf16Interleave8AVX512.
func bf16Interleave8Fast(dst []uint32, src []float32, ld, kc, r int) {
	if kc < 16 {
		return
	}
	_ = src[7*ld+kc-1]
	_ = dst[(kc/2-1)*r+7]
	bf16Interleave8AVX512(dst, src, ld, kc&^15, r)
}

// toBF16AVX512 is toBF16Generic for len(src) a multiple of 16 (VCVTNEPS2BF16):
//
//	for i, v := range src {
//		dst[i] = BF16Bits(v)
//	}
//
//go:noescape
func toBF16AVX512(dst []uint16, src []float32)

// toBF16CentredAVX512 is toBF16CentredGeneric for len(src) a multiple of 16 (VSUBPS,
// VCVTNEPS2BF16):
//
//	for i, v := range src {
//		dst[i] = BF16Bits(v - centre)
//	}
//
//go:noescape
func toBF16CentredAVX512(dst []uint16, src []float32, centre float32)

// fromBF16AVX512 is fromBF16Generic (VPMOVZXWD, VPSLLD; the tail under a lane mask):
//
//	for i, h := range src {
//		dst[i] = math.Float32frombits(uint32(h) << 16)
//	}
//
//go:noescape
func fromBF16AVX512(dst []float32, src []uint16)

// toBF16Fast runs toBF16AVX512 on the multiple of 16 and the Go twin on the tail
// (ToBF16 has checked the lengths).
func toBF16Fast(dst []uint16, src []float32) {
	n := len(src) &^ 15
	toBF16AVX512(dst[:n], src[:n])
	toBF16Generic(dst[n:len(src)], src[n:])
}

// fromBF16Fast is fromBF16AVX512, which widens the tail under a mask too.
func fromBF16Fast(dst []float32, src []uint16) { fromBF16AVX512(dst[:len(src)], src) }

// toBF16CentredFast runs toBF16CentredAVX512 on the multiple of 16 and the Go twin on
// the tail.
func toBF16CentredFast(dst []uint16, src []float32, centre float32) {
	n := len(src) &^ 15
	toBF16CentredAVX512(dst[:n], src[:n], centre)
	toBF16CentredGeneric(dst[n:len(src)], src[n:], centre)
}
