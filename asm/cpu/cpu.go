// Package cpu chooses the instruction-set path every kernel family under asm/ runs
// on: it names the paths (ISA), detects what this CPU and build can run
// (github.com/klauspost/cpuid/v2), honours the FASTGO_SIMD environment variable
// (generic, avx2, avx512 or neon; a path the CPU lacks leaves the generic path active
// and ForcedErr reports why), and lets tests and benchmarks switch paths with Use.
// Each kernel family registers an install hook (OnInstall) that re-selects its own
// kernel table whenever the active path changes. It also holds the thread count the
// parallel kernels use (Threads, SetThreads).
package cpu

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"

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
	return Generic, fmt.Errorf("cpu: unknown SIMD path %q (want generic, avx2, avx512 or neon)", s)
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
	runHooks()
}

// detect records which paths this CPU and this build can run.
func detect() {
	for _, isa := range compiled {
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
		return func() {}, fmt.Errorf("cpu: %v is not available on this CPU/build (available: %v)", isa, Available())
	}
	prev := active
	active = isa
	runHooks()
	return func() { active = prev; runHooks() }, nil
}

// CPUName is the CPU's brand string, for reports.
func CPUName() string { return cpuid.CPU.BrandName }

// hooks are the kernel families' install functions, called with the active path.
var hooks []func(ISA)

// OnInstall registers a kernel family's install function: it is called now with the
// active path and again whenever Use changes it. Families call it from init.
func OnInstall(f func(ISA)) {
	hooks = append(hooks, f)
	f(active)
}

// runHooks re-installs every registered family's kernels for the active path.
func runHooks() {
	for _, f := range hooks {
		f(active)
	}
}

var threads atomic.Int32

// SetThreads sets how many goroutines the parallel kernels (Sgemm, GemmBF16) may use;
// n <= 0 means GOMAXPROCS. It returns the previous setting, for restoring.
func SetThreads(n int) (prev int) { return int(threads.Swap(int32(n))) }

// Threads reports how many goroutines the parallel kernels use.
func Threads() int {
	if n := int(threads.Load()); n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}
