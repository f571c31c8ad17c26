// Package asm holds every numeric kernel of fastgo: the SGEMM micro-kernels and the
// vector kernels the layers use, each as Go assembly for one instruction set (AVX-512,
// AVX2+FMA on amd64, NEON on arm64) beside a pure-Go twin that is both the reference
// and the fallback.
//
// # Dispatch
//
// The instruction set is chosen once at start-up from the CPU's features
// (github.com/klauspost/cpuid/v2). The environment variable FASTGO_SIMD forces one:
// generic, avx2, avx512 or neon. Forcing a path the CPU lacks is never silently
// ignored: the package then runs the generic path and ForcedErr reports the problem,
// which commands print as an error and tests use to skip. Each path is a kernelSet
// (dispatch.go); the public functions call through the installed set, never through a
// per-element branch. Use switches paths for tests and benchmarks. The build tag
// purego leaves only the generic path.
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
// transposed (gemm_swap.go). Up to Threads() goroutines each take a strip of C with
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

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// ISA names one instruction-set path of the kernels.
type ISA int

const (
	// Generic is the pure-Go path, available everywhere.
	Generic ISA = iota
	// AVX2 is the amd64 path using AVX2 and FMA3 (256-bit vectors).
	AVX2
	// AVX512 is the amd64 path using AVX-512 F/DQ/BW/VL (512-bit vectors).
	AVX512
	// NEON is the arm64 path using Advanced SIMD (128-bit vectors).
	NEON
)

// String returns the name FASTGO_SIMD uses for the path.
func (i ISA) String() string {
	switch i {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	case NEON:
		return "neon"
	}
	return fmt.Sprintf("ISA(%d)", int(i))
}

// ParseISA turns a FASTGO_SIMD name into an ISA.
func ParseISA(s string) (ISA, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "generic", "go", "purego":
		return Generic, nil
	case "avx2":
		return AVX2, nil
	case "avx512":
		return AVX512, nil
	case "neon":
		return NEON, nil
	}
	return Generic, fmt.Errorf("asm: unknown SIMD path %q (want generic, avx2, avx512 or neon)", s)
}

var (
	active    ISA
	forcedErr error
	supported = map[ISA]bool{Generic: true}
)

func init() {
	detect()
	best := Generic
	for _, isa := range []ISA{NEON, AVX2, AVX512} {
		if supported[isa] {
			best = isa
		}
	}
	active = best
	if env := os.Getenv("FASTGO_SIMD"); env != "" {
		isa, err := ParseISA(env)
		switch {
		case err != nil:
			forcedErr = fmt.Errorf("FASTGO_SIMD: %w", err)
			active = Generic
		case !supported[isa]:
			forcedErr = fmt.Errorf("FASTGO_SIMD=%s: this CPU (%s) does not support it; available: %v",
				env, cpuid.CPU.BrandName, Available())
			active = Generic
		default:
			active = isa
		}
	}
	install(active)
}

// detect records which paths this CPU and this build can run.
func detect() {
	for _, isa := range compiledISAs() {
		switch isa {
		case AVX2:
			supported[AVX2] = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
		case AVX512:
			supported[AVX512] = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3,
				cpuid.AVX512F, cpuid.AVX512DQ, cpuid.AVX512BW, cpuid.AVX512VL)
		case NEON:
			supported[NEON] = cpuid.CPU.Supports(cpuid.ASIMD) || runtime.GOARCH == "arm64"
		}
	}
}

// Active reports the path the kernels run on now.
func Active() ISA { return active }

// ForcedErr reports why FASTGO_SIMD could not be honoured, or nil.
func ForcedErr() error { return forcedErr }

// Available lists the paths this CPU and build can run, generic first.
func Available() []ISA {
	var out []ISA
	for _, isa := range []ISA{Generic, AVX2, AVX512, NEON} {
		if supported[isa] {
			out = append(out, isa)
		}
	}
	return out
}

// Supported reports whether the path can run here.
func Supported(isa ISA) bool { return supported[isa] }

// Use switches every kernel to the given path and returns a function that restores the
// previous one. It fails for a path the CPU or build lacks. It is meant for tests and
// benchmarks; it must not race with running kernels.
func Use(isa ISA) (restore func(), err error) {
	if !supported[isa] {
		return func() {}, fmt.Errorf("asm: %v is not available on this CPU/build (available: %v)", isa, Available())
	}
	prev := active
	active = isa
	install(isa)
	return func() { active = prev; install(prev) }, nil
}

// CPUName is the CPU's brand string, for reports.
func CPUName() string { return cpuid.CPU.BrandName }
