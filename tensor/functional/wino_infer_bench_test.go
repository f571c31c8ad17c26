package functional

import (
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// BenchmarkTuneWinoInfer compares variants of the Winograd forward convolution on
// ResNet34's 3×3 stride-1 layers in their inference form (bias, residual and ReLU
// fused), batch FASTGO_BENCH_BATCH (default 16), FASTGO_BENCH_THREADS threads: the
// measurements behind winoMosaic, winoMinTiles and winoPrefetch, and filters kept
// between calls (WinogradFilters, as nn.ConvBN keeps them in evaluation). Batch 64, one
// thread, thread CPU time, medians of 7–8 interleaved rounds, AVX-512, shared
// machine (effective GFLOP/s):
//
//	                       layer1  layer2  layer3  layer4
//	no mosaic → mosaic        -       -     268→326 262→298   (plain forward)
//	min tiles 96 → 112     265→304 359→405     -       -
//	no prefetch → prefetch 298→304 377→405 284→303 372→374
func BenchmarkTuneWinoInfer(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		if s.k != 3 || s.s != 1 {
			continue
		}
		c := newTuneCase(s, batch)
		// The inference form of a residual block's second convolution: folded bias,
		// residual and ReLU in the epilogue.
		bias, res := tensor.Full(0.1, c.y.Dim(0)), c.dy
		fwd := func() { Conv2dForwardFused(c.y, c.x, c.w, bias, res, true, c.p) }
		var kept *WinogradFilters
		cached := func() { Conv2dForwardWinograd(c.y, c.x, kept, bias, res, true) }
		b.Run(s.name, func(b *testing.B) {
			defer knob(&convAlgo, ConvWinograd)()()
			kept = NewWinogradFilters(c.w, c.x.Shape(), c.p)
			compareVariants(b, c.flops, []variant{
				{"default", noKnob, fwd},
				{"kept filters", noKnob, cached},
				{"kept, fused epilogue", knob(&winoFuseEpilogue, true), cached},
				{"fused epilogue", knob(&winoFuseEpilogue, true), fwd},
				{"min 96", knob(&winoMinTiles, 96), fwd},
				{"no prefetch", knob(&winoPrefetch, false), fwd},
			})
		})
	}
}
