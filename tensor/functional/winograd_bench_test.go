package functional

import (
	"fmt"
	"testing"
)

// BenchmarkTuneWinograd compares im2col with Winograd F(4×4, 3×3) on ResNet34's 3×3
// stride-1 layers, forward, input and weight gradient, and Winograd's chunk budget and
// minimum chunk: the measurements behind winogradWins and winoBudget (see
// compareVariants for how it times; FASTGO_BENCH_BATCH, FASTGO_BENCH_THREADS,
// FASTGO_SIMD apply).
func BenchmarkTuneWinograd(b *testing.B) {
	benchWinogradVariants(b, "im2col", "winograd", &winoBudget, &winoMinTiles,
		[][2]int{{128 << 10, 96}, {512 << 10, 96}, {128 << 10, 256}, {128 << 10, 1024}})
}

// benchWinogradVariants times, on each of ResNet34's 3×3 stride-1 layers and for the
// forward and both gradients, im2col (named base) against the Winograd variant of the
// current precision (named wino) at each (chunk budget, minimum tiles) setting, written
// through the variant's knobs budget and minTiles.
func benchWinogradVariants(b *testing.B, base, wino string, budget, minTiles *int, settings [][2]int) {
	setThreads(b)
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
				vs := []variant{{base, knob(&convAlgo, ConvIm2col), op.f}}
				for _, kb := range settings {
					vs = append(vs, variant{fmt.Sprintf("%s budget=%dK min=%d", wino, kb[0]>>10, kb[1]), func() func() {
						r1, r2, r3 := knob(&convAlgo, ConvWinograd)(), knob(budget, kb[0])(), knob(minTiles, kb[1])()
						return func() { r1(); r2(); r3() }
					}, op.f})
				}
				compareVariants(b, c.flops, vs)
			})
		}
	}
}
