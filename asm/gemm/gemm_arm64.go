//go:build arm64 && !purego

package gemm

import "github.com/fastgo/fastgo/asm/cpu"

// gemmMicroNEON computes one 8×12 tile (24 accumulators V0-V23: 8 rows × 3 vectors of
// 4) with NEON FMLA by element (gemm_neon_arm64.s):
//
//	for i := 0; i < 8; i++ {
//		for j := 0; j < 12; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*8+i] * b[p*12+j]
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
func gemmMicroNEON(k int, a, b, c []float32, ldc int, beta float32)

// gemmNEON is the arm64 path: an 8×12 tile (24 of the 32 vector registers hold
// accumulators, 2 hold a[p*8:+8] and 3 b[p*12:+12]), blocked for a 64 KiB L1D and a
// 1 MiB L2 (Neoverse/Apple class cores): Ã micro-panel 8 KiB, B̃ 384 KiB.
var gemmNEON = newGemmKernel("neon 8×12", 8, 12, 256, 256, 384, gemmMicroNEON)

var _ = register(cpu.NEON, gemmNEON)
