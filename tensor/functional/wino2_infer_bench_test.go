package functional

import (
	"os"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// BenchmarkTuneWino2Infer compares variants of the bf16 Winograd F(2×2) forward on
// ResNet34's 3×3 stride-1 layers that take it (wino2Wins) in their inference form
// (folded bias, residual and ReLU), batch FASTGO_BENCH_BATCH (default 16),
// FASTGO_BENCH_THREADS threads, and the plain forward (as training runs it): the
// measurements behind wino2FuseEpilogue and wino2Prefetch (see compareVariants for how
// it times; FASTGO_TUNE_EPILOGUE=1 runs only the first two, fused against the pass).
func BenchmarkTuneWino2Infer(b *testing.B) {
	defer withPrecision(BF16)()
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		if s.k != 3 || s.s != 1 || s.w < 12 {
			continue
		}
		c := newTuneCase(s, batch)
		bias, res := tensor.Full(0.1, c.y.Dim(0)), c.dy
		fwd := func() { Conv2dForwardFused(c.y, c.x, c.w, bias, res, true, c.p) }
		plain := func() { Conv2dForward(c.y, c.x, c.w, nil, c.p) }
		b.Run(s.name, func(b *testing.B) {
			defer knob(&convAlgo, ConvWinograd)()()
			vs := []variant{
				{"default", noKnob, fwd},
				{"epilogue pass", knob(&wino2FuseEpilogue, false), fwd},
				{"no prefetch", knob(&wino2Prefetch, false), fwd},
				{"pass, no prefetch", func() func() {
					r1, r2 := knob(&wino2FuseEpilogue, false)(), knob(&wino2Prefetch, false)()
					return func() { r2(); r1() }
				}, fwd},
				{"plain forward", noKnob, plain},
				{"plain, no prefetch", knob(&wino2Prefetch, false), plain},
			}
			if os.Getenv("FASTGO_TUNE_EPILOGUE") != "" { // only fused against the pass
				vs = vs[:2]
			}
			compareVariants(b, c.flops, vs)
		})
	}
}
