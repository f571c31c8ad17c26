//go:build arm64 && !purego

package gemm

import (
	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/klauspost/cpuid/v2"
)

// bf16CPU reports whether the CPU has Arm's BF16 extension (FEAT_BF16: BFDOT, BFMMLA;
// HWCAP2_BF16 on Linux, which qemu-aarch64 -cpu max reports).
func bf16CPU() bool { return cpuid.CPU.Supports(cpuid.BF16) }

// gemmBF16NEON computes the bf16Micro loop for R=8, W=12 with BFDOT by element
// (gemm_bf16_neon_arm64.s).
//
//go:noescape
func gemmBF16NEON(kp int, a, b []uint32, c []float32, ldc int, beta float32)

// gemmBF16ARM is the arm64 bf16 path: the NEON fp32 path's 8×12 tile and panel bytes
// (KC = 256 pairs) with BFDOT; packing is the Go twin's. BFMMLA (a 2×4·4×2 matrix
// multiply-accumulate, twice BFDOT's work per instruction on Neoverse V1/V2) would need
// panels of pairs of rows and columns; it is not used.
var gemmBF16ARM = &bf16Kernel{tiles: tiles[uint32]{
	name: "neon-bf16 8×12 (BFDOT)",
	mr:   8, nr: 12,
	kc: 256, mc: 256, nc: 384,
	heights: []int{8}, widths: []int{12},
	kernels: [][]bf16Micro{{gemmBF16NEON}},
}}

func init() {
	if bf16CPU() {
		bf16Kernels[cpu.NEON] = gemmBF16ARM
	}
}
