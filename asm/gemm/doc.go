// Package gemm is fastgo's matrix multiply: Sgemm (float32) and BF16 (operands rounded
// to bfloat16, float32 accumulation), each with a Serial variant for callers that
// already run in parallel, as Go assembly micro-kernels for each instruction set
// (AVX-512, AVX2+FMA on amd64, NEON on arm64) beside a pure-Go twin that is both the
// reference and the fallback. It also holds the bfloat16 conversions (RoundBF16,
// BF16Bits) and says whether bf16 instructions run here (BF16Err, HasBF16, BF16Path).
//
// # Dispatch
//
// The instruction set is chosen by package asm/cpu: once at start-up from the CPU's
// features, or forced with the environment variable FASTGO_SIMD (generic, avx2,
// avx512 or neon; a path the CPU lacks leaves the generic path active and
// cpu.ForcedErr reports why). Each path registers its GEMM kernel (dispatch.go) and
// this package installs the active path's through cpu.OnInstall, so Sgemm never
// branches on the instruction set per call, and cpu.Use switches it with every other
// kernel family for tests and benchmarks. The build tag purego leaves only the
// generic path.
//
// # Algorithm
//
// Sgemm follows BLIS (gemm_driver.go): five loops around a register micro-kernel,
// with op(A) and op(B) packed into contiguous, zero-padded panels (gemm_pack.go; every
// transpose case is either a row copy or an 8-row transpose, alpha folded into Ã), so
// the micro-kernels only ever see full tiles; edge tiles are computed into a small
// buffer and copied out in Go. The blocking (KC, MC, NC) and the tile sizes are per
// path (gemm_amd64.go, gemm_arm64.go, gemm_generic.go):
//
//	avx512  8×48 tile (24 ZMM accumulators) with 4/8 × 16/32/48 edge kernels
//	avx2    6×16 tile (12 YMM accumulators)
//	neon    8×12 tile (24 of 32 vector registers)
//	generic 4×16 tile in plain Go
//
// Problems with a small n (say 49 columns against a 48-wide tile) are computed
// transposed (gemm_swap.go). Up to cpu.Threads() goroutines each take a strip of C with
// their own packing buffers; buffers live on a free list (gemm_workspace.go), so
// steady-state calls do not allocate. With beta == 0, C is never read.
//
// The assembly is hand-written (no generator); every instruction carries a comment
// with its Go meaning, and each stub's doc comment is the Go loop it computes.
//
// # bf16
//
// BF16 is the same driver with the operands rounded to bfloat16 while they are packed
// and float32 accumulation (gemm_bf16.go, conversions in bf16.go): VDPBF16PS kernels
// on the AVX-512 tile where the CPU has AVX512_BF16, BFDOT on the NEON tile where it
// has FEAT_BF16, and a pure-Go twin that rounds and sums as VDPBF16PS does. BF16Err
// says whether the active path has bf16 kernels. The float32 and bf16 paths share the
// macro kernel, workspaces and thread strips (tiles[E], generic over the packed
// element: float32, or a uint32 holding a bf16 pair); only packing and blocking differ.
// For convolutions, BF16PackedA packs a weight matrix once for many products, and
// BF16PackedSerial and BF16RowsTSerial take the im2col operand a few rows at a time
// from a callback instead of a float32 matrix.
//
// # Errors
//
// Programming errors (slices too short for the dimensions given, negative sizes)
// panic with a message that starts with "gemm." and names the sizes.
package gemm
