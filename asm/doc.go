// Package asm is the root of fastgo's SIMD kernels; it holds no code. Each kernel
// family is a package of its own below it, with Go assembly for the instruction sets
// (AVX-512 and AVX2+FMA on amd64, NEON on arm64) beside a pure-Go twin that is both the
// reference and the fallback:
//
//	asm/cpu       which instruction set runs: detection, FASTGO_SIMD, cpu.Use, threads
//	asm/gemm      matrix multiply: Sgemm, BF16 (bfloat16 operands), bf16 conversions
//	asm/vec       element-wise and reductions: Axpy, Scale, Add, Mul, Relu, Sum, Max, Dot
//	asm/bn        batch norm: statistics, fused apply (+ReLU, +residual), gradients
//	asm/pool      3×3 stride-2 max pool with argmax
//	asm/winograd  Winograd F(4×4, 3×3) transforms: input, output, output gradient
//	asm/adam      the Adam optimiser step (amd64 assembly; arm64 runs the twin)
//	asm/internal/kerneltest  helpers the families' tests share (paths, guard bands)
//
// # Dispatch
//
// Package asm/cpu chooses the instruction set once at start-up from the CPU's features,
// or as forced with the environment variable FASTGO_SIMD (generic, avx2, avx512 or
// neon; a path the CPU lacks leaves the generic path active and cpu.ForcedErr reports
// why). Each family keeps a table of its kernels per path and registers an install hook
// with cpu.OnInstall, so its public functions call through the active path's table,
// never through a per-element branch, and cpu.Use switches every family at once for
// tests and benchmarks. The build tag purego leaves only the generic path.
//
// Every assembly kernel is tested against its twin on random and edge sizes; run them
// all with go test ./asm/..., each path with FASTGO_SIMD=<path> go test ./asm/..., and
// the NEON path with GOARCH=arm64 go test -exec 'qemu-aarch64 -cpu max' ./asm/....
package asm
