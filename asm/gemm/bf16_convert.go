package gemm

import (
	"fmt"
	"math"
)

// ToBF16 stores src in bfloat16: dst[i] = BF16Bits(src[i]), the rounding the bf16 GEMMs
// apply to their operands while packing (nearest even, denormals to a zero of their
// sign, NaNs stay NaN). Rounding a value that FromBF16 widened back is exact, so a
// GEMM operand stored with ToBF16 and widened with FromBF16 gives the GEMM the same
// bf16 value as the original float32 would. dst must be at least as long as src.
func ToBF16(dst []uint16, src []float32) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("gemm.ToBF16: dst of length %d for %d values", len(dst), len(src)))
	}
	if f := bf16Active().toBF16; f != nil {
		f(dst[:len(src)], src)
		return
	}
	toBF16Generic(dst[:len(src)], src)
}

// ToBF16Centred stores src minus centre in bfloat16: dst[i] = BF16Bits(src[i] − centre),
// the difference rounded to float32 first (as a float32 subtraction does). dst must be
// at least as long as src.
func ToBF16Centred(dst []uint16, src []float32, centre float32) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("gemm.ToBF16Centred: dst of length %d for %d values", len(dst), len(src)))
	}
	if f := bf16Active().toBF16Centred; f != nil {
		f(dst[:len(src)], src, centre)
		return
	}
	toBF16CentredGeneric(dst[:len(src)], src, centre)
}

// FromBF16 widens bfloat16 values to float32 (exact): dst[i] = src[i] as the upper 16
// bits of a float32. dst must be at least as long as src.
func FromBF16(dst []float32, src []uint16) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("gemm.FromBF16: dst of length %d for %d values", len(dst), len(src)))
	}
	if f := bf16Active().fromBF16; f != nil {
		f(dst[:len(src)], src)
		return
	}
	fromBF16Generic(dst[:len(src)], src)
}

// toBF16Generic is ToBF16's Go twin.
func toBF16Generic(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = BF16Bits(v)
	}
}

// toBF16CentredGeneric is ToBF16Centred's Go twin.
func toBF16CentredGeneric(dst []uint16, src []float32, centre float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = BF16Bits(v - centre)
	}
}

// fromBF16Generic is FromBF16's Go twin.
func fromBF16Generic(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = math.Float32frombits(uint32(h) << 16)
	}
}
