package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/gemm"
)

// Whole-activation bf16 conversions on the goroutines (cpu.Threads()): a training
// graph in BF16 precision stores what its backward keeps as bf16 once the forward has
// consumed it and widens it back for the backward (autograd's keep.go). Those passes
// run between operations, when no other work is in flight, so on one goroutine they
// left the other cores idle. Each is element-wise, so the result is the serial
// conversion's bit for bit however the range is split.

// convertAlign is the element alignment of the goroutines' ranges: 32 values, a
// 64-byte line of bf16 and two of float32, so that no two goroutines write one line.
const convertAlign = 32

// StoreBF16 sets dst[i] = gemm.BF16Bits(src[i]) for every i (gemm.ToBF16) on the
// goroutines. dst must be at least as long as src.
func StoreBF16(dst []uint16, src []float32) {
	convertOnThreads("StoreBF16", dst, src, gemm.ToBF16)
}

// WidenBF16 sets dst[i] = src[i] widened to float32 (gemm.FromBF16, exact) on the
// goroutines. dst must be at least as long as src.
func WidenBF16(dst []float32, src []uint16) {
	convertOnThreads("WidenBF16", dst, src, gemm.FromBF16)
}

// convertOnThreads runs the element-wise conversion convert(dst, src) over
// convertAlign-aligned ranges of src on the goroutines; name is the caller's, for the
// length check's panic.
func convertOnThreads[D, S any](name string, dst []D, src []S, convert func([]D, []S)) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("functional.%s: dst of length %d for %d values", name, len(dst), len(src)))
	}
	n := len(src)
	nt := threadsFor(6*float64(n), (n+convertAlign-1)/convertAlign)
	parallel(nt, func(t int) {
		lo, hi := split(n, nt, t, convertAlign)
		if lo < hi {
			convert(dst[lo:hi], src[lo:hi])
		}
	})
}
