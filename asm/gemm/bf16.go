package gemm

import (
	"fmt"
	"math"
	"runtime"

	"github.com/fastgo/fastgo/asm/cpu"
)

// bfloat16 (bf16) is the upper half of a float32: sign, the same 8-bit exponent and 7
// stored significand bits (8 bits of precision). The bf16 GEMM (gemm_bf16.go) rounds
// its operands to it and multiplies them with fp32 accumulation. The rounding and the
// arithmetic here are the Go twin of what AVX512_BF16 does on x86 (VCVTNE2PS2BF16,
// VCVTNEPS2BF16 and VDPBF16PS), measured on Zen 5 (see TestBF16Bits,
// TestBF16PackKernels and TestBF16MicroKernels):
//
//   - conversion rounds to nearest, ties to even; an fp32 denormal becomes a zero of
//     its sign (DAZ); a NaN stays a NaN (quieted), never turning into an infinity;
//   - a dot step acc += a₁·b₁ + a₀·b₀ adds the odd (upper) product first, then the
//     even one, each rounded to fp32 nearest-even; products and sums that are fp32
//     denormals become zero (FTZ). A product of two bf16 values is exact in fp32
//     (8+8 ≤ 24 bits), so only the two additions round.

// BF16Bits returns x rounded to bfloat16 (nearest, ties to even; denormals to a zero of
// their sign; NaNs stay NaN), as its 16 bits.
func BF16Bits(x float32) uint16 {
	b := math.Float32bits(x)
	switch {
	case b&0x7f800000 == 0: // zero or denormal: a zero of the same sign
		return uint16(b>>16) & 0x8000
	case b&0x7fffffff > 0x7f800000: // NaN: keep the payload's top bits, set the quiet bit
		return uint16(b>>16) | 0x0040
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// RoundBF16 returns x rounded to bfloat16 as BF16Bits does, widened back to float32.
func RoundBF16(x float32) float32 { return math.Float32frombits(uint32(BF16Bits(x)) << 16) }

// bf16Pair packs two values into one 32-bit word as the dot-product instructions read
// it: lo (depth 2q) in bits 0-15, hi (depth 2q+1) in bits 16-31.
func bf16Pair(lo, hi float32) uint32 { return uint32(BF16Bits(lo)) | uint32(BF16Bits(hi))<<16 }

// pairLo and pairHi return the two bf16 values of a packed pair as float32.
func pairLo(w uint32) float32 { return math.Float32frombits(w << 16) }
func pairHi(w uint32) float32 { return math.Float32frombits(w & 0xffff0000) }

// ftz returns x, or a zero of its sign when x is an fp32 denormal.
func ftz(x float32) float32 {
	if b := math.Float32bits(x); b&0x7f800000 == 0 {
		return math.Float32frombits(b & 0x80000000)
	}
	return x
}

// dotBF16 is one VDPBF16PS lane: acc + a.hi·b.hi + a.lo·b.lo, the odd product added
// first, each product and sum flushed to zero when denormal. The explicit float32
// conversions keep the compiler from fusing a multiply and an add (it does on arm64).
func dotBF16(acc float32, a, b uint32) float32 {
	acc = ftz(acc + ftz(float32(pairHi(a)*pairHi(b))))
	return ftz(acc + ftz(float32(pairLo(a)*pairLo(b))))
}

// bf16Feature names the CPU feature the bf16 kernels of this architecture need.
func bf16Feature() string {
	switch runtime.GOARCH {
	case "amd64", "386":
		return "AVX512_BF16"
	case "arm64":
		return "Arm BF16 (FEAT_BF16)"
	}
	return "bf16 dot-product instructions"
}

// BF16Err reports why bf16 GEMMs would not run on bf16 instructions here, or nil when
// they do: the CPU lacks the feature, or the active SIMD path (FASTGO_SIMD, cpu.Use) is one
// without bf16 kernels. BF16 still computes the same rounded products then, on the
// pure-Go twin; commands use BF16Err to refuse -precision bf16 instead of running
// that slow fallback silently.
func BF16Err() error {
	if bf16Kernels[cpu.Active()] != nil {
		return nil
	}
	if bf16CPU() {
		return fmt.Errorf("bf16 precision: the %v SIMD path has no bf16 kernels (this CPU has %s; unset FASTGO_SIMD to use them)",
			cpu.Active(), bf16Feature())
	}
	return fmt.Errorf("bf16 precision needs %s, which this CPU (%s) lacks", bf16Feature(), cpu.CPUName())
}

// HasBF16 reports whether the CPU has the bf16 instructions (AVX512_BF16 on amd64,
// FEAT_BF16 on arm64) and this build has kernels for them.
func HasBF16() bool { return bf16CPU() }

// BF16Feature names the CPU feature bf16 precision needs on this architecture.
func BF16Feature() string { return bf16Feature() }

// BF16Path names the kernel the bf16 GEMM runs on now, for reports.
func BF16Path() string { return bf16Active().name }
