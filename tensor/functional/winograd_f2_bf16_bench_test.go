package functional

import (
	"fmt"
	"testing"
)

// BenchmarkTuneWinogradF2BF16 compares bf16 im2col with bf16 Winograd F(2×2, 3×3) on
// ResNet34's 3×3 stride-1 layers, forward and both gradients, and F(2×2)'s chunk budget
// and minimum chunk: the measurements behind wino2Wins, wino2Budget and wino2MinTiles
// (see compareVariants for how it times; FASTGO_BENCH_BATCH, FASTGO_BENCH_THREADS,
// FASTGO_TUNE_ROUNDS apply).
func BenchmarkTuneWinogradF2BF16(b *testing.B) {
	setThreads(b)
	defer withPrecision(BF16)()
	batch := envInt("FASTGO_BENCH_BATCH", 16)
	for _, s := range tuneShapes {
		if s.k != 3 || s.s != 1 {
			continue
		}
		c := newTuneCase(s, batch)
		for _, op := range []struct {
			name string
			f    func()
		}{
			{"fwd", func() { Conv2dForward(c.y, c.x, c.w, nil, c.p) }},
			{"bwd-input", func() { Conv2dBackward(Overwrite(c.dx), GradOut{}, GradOut{}, c.dy, c.x, c.w, c.p) }},
			{"bwd-weight", func() { Conv2dBackward(GradOut{}, Accumulate(c.dw), GradOut{}, c.dy, c.x, c.w, c.p) }},
		} {
			b.Run(s.name+"/"+op.name, func(b *testing.B) {
				vs := []variant{{"bf16 im2col", knob(&convAlgo, ConvIm2col), op.f}}
				for _, kb := range [][2]int{{128 << 10, 96}, {256 << 10, 96}, {64 << 10, 96}, {128 << 10, 384}} {
					vs = append(vs, variant{fmt.Sprintf("F(2×2) budget=%dK min=%d", kb[0]>>10, kb[1]), func() func() {
						r1, r2, r3 := knob(&convAlgo, ConvWinograd)(), knob(&wino2Budget, kb[0])(), knob(&wino2MinTiles, kb[1])()
						return func() { r1(); r2(); r3() }
					}, op.f})
				}
				compareVariants(b, c.flops, vs)
			})
		}
	}
}
