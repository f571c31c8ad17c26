package functional

import (
	"os"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// BenchmarkTuneStemPool compares ResNet34's inference stem (7×7 stride-2 convolution
// with folded bias and ReLU, then the 3×3 stride-2 max pool) computed whole then
// pooled, in Conv2dForwardFusedMaxPool's chunks of 2 images, and in its bands of 4, 8
// (the default) and 14 pooled rows, batch FASTGO_BENCH_BATCH (default 16),
// FASTGO_BENCH_THREADS threads, precision FASTGO_BENCH_PRECISION (fp32 or bf16): the
// measurements behind convPoolBands, convPoolBandRows and convPoolChunkBytes.
func BenchmarkTuneStemPool(b *testing.B) {
	setThreads(b)
	if s := os.Getenv("FASTGO_BENCH_PRECISION"); s != "" {
		prec, err := ParsePrecision(s)
		if err != nil {
			b.Fatal(err)
		}
		if err := CheckPrecision(prec); err != nil {
			b.Skip(err)
		}
		prev := SetPrecision(prec)
		b.Cleanup(func() { SetPrecision(prev) })
	}
	c := newTuneCase(tuneShapes[0], envInt("FASTGO_BENCH_BATCH", 16))
	bias := tensor.Full(0.1, c.y.Dim(0))
	pp := PoolOpts(3, 2, 1)
	ps, err := MaxPool2dOutputShape(c.y.Shape(), pp)
	if err != nil {
		b.Fatal(err)
	}
	pooled := tensor.New(ps...)
	whole := func() {
		Conv2dForwardFused(c.y, c.x, c.w, bias, nil, true, c.p)
		MaxPool2d(pooled, nil, c.y, pp)
	}
	fused := func() { Conv2dForwardFusedMaxPool(pooled, c.x, c.w, bias, true, c.p, pp) }
	compareVariants(b, c.flops, []variant{
		{"whole, then pool", noKnob, whole},
		{"chunks of 2 images", knob(&convPoolBands, false), fused},
		{"bands of 8 rows (default)", noKnob, fused},
		{"bands of 4 rows", knob(&convPoolBandRows, 4), fused},
		{"bands of 14 rows", knob(&convPoolBandRows, 14), fused},
	})
}
