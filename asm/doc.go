// Package asm holds the SGEMM (fp32 and bf16) and vector kernels of fastgo (Sgemm,
// GemmBF16, Axpy, Scale, Add, Mul, Relu, ReluBackward, Sum, Max, Dot), each as Go
// assembly for one instruction set (AVX-512, AVX2+FMA on amd64, NEON on arm64) beside a
// pure-Go twin that is both the reference and the fallback. The other kernel families
// have their own packages below asm/: asm/bn (batch norm), asm/pool (max pool),
// asm/winograd (Winograd transforms) and asm/adam (the optimiser step); asm/cpu
// chooses the instruction set for all of them.
//
// # Dispatch
//
// The instruction set is chosen by package asm/cpu: once at start-up from the CPU's
// features, or forced with the environment variable FASTGO_SIMD (generic, avx2,
// avx512 or neon; a path the CPU lacks leaves the generic path active and
// cpu.ForcedErr reports why). Each path is a kernelSet (dispatch.go); this package
// registers an install hook with asm/cpu, so the public functions call through the
// set of the active path, never through a per-element branch, and cpu.Use switches
// every kernel at once for tests and benchmarks. The build tag purego leaves only
// the generic path.
//
// # GEMM
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
// their own packing buffers; buffers live on a free list, so steady-state calls do not
// allocate. With beta == 0, C is never read.
//
// The assembly is hand-written (no generator); every instruction carries a comment
// with its Go meaning, and each stub's doc comment is the Go loop it computes.
//
// # bf16
//
// GemmBF16 is the same driver with the operands rounded to bfloat16 while they are
// packed and float32 accumulation (gemm_bf16.go): VDPBF16PS kernels on the AVX-512
// tile where the CPU has AVX512_BF16, BFDOT on the NEON tile where it has FEAT_BF16,
// and a pure-Go twin that rounds and sums as VDPBF16PS does. BF16Err says whether the
// active path has bf16 kernels.
//
// # Errors
//
// Programming errors (slices too short for the dimensions given, negative sizes)
// panic with a message that starts with "asm." and names the sizes.
package asm
