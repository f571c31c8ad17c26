package functional

import "testing"

// BenchmarkTuneWinoInfer compares variants of the Winograd forward convolution on
// ResNet34's 3×3 stride-1 layers (inference: forward only), batch FASTGO_BENCH_BATCH
// (default 16), FASTGO_BENCH_THREADS threads: the measurements behind winoMosaic
// (batch 64, one thread, thread CPU time, median of 7 interleaved rounds, AVX-512,
// shared machine: layer3 268 → 326 and layer4 262 → 298 effective GFLOP/s; layer1
// and layer2 do not fit the mosaic) and winoMinTiles (112 against 96: layer1 245 →
// 263, layer2 330 → 350).
func BenchmarkTuneWinoInfer(b *testing.B) {
	setThreads(b)
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		if s.k != 3 || s.s != 1 {
			continue
		}
		c := newTuneCase(s, batch)
		fwd := func() { Conv2dForward(c.y, c.x, c.w, nil, c.p) }
		b.Run(s.name, func(b *testing.B) {
			defer knob(&convAlgo, ConvWinograd)()()
			compareVariants(b, c.flops, []variant{
				{"default", noKnob, fwd},
				{"no mosaic", knob(&winoMosaic, false), fwd},
				{"min 96", knob(&winoMinTiles, 96), fwd},
			})
		})
	}
}
