package functional

import (
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// BenchmarkTuneStemPool compares ResNet34's inference stem (7×7 stride-2 convolution
// with folded bias and ReLU, then the 3×3 stride-2 max pool) computed whole then
// pooled against Conv2dForwardFusedMaxPool's chunks of 1, 2 (the default) and 4 images,
// batch FASTGO_BENCH_BATCH (default 16), FASTGO_BENCH_THREADS threads: the measurement
// behind convPoolChunkBytes.
func BenchmarkTuneStemPool(b *testing.B) {
	setThreads(b)
	c := newTuneCase(tuneShapes[0], envInt("FASTGO_BENCH_BATCH", 16))
	bias := tensor.Full(0.1, c.y.Dim(0))
	pp := PoolOpts(3, 2, 1)
	ps, err := MaxPool2dOutputShape(c.y.Shape(), pp)
	if err != nil {
		b.Fatal(err)
	}
	pooled := tensor.New(ps...)
	image := 4 * c.y.Dim(0) * c.y.Dim(2) * c.y.Dim(3)
	whole := func() {
		Conv2dForwardFused(c.y, c.x, c.w, bias, nil, true, c.p)
		MaxPool2d(pooled, nil, c.y, pp)
	}
	fused := func() { Conv2dForwardFusedMaxPool(pooled, c.x, c.w, bias, true, c.p, pp) }
	compareVariants(b, c.flops, []variant{
		{"whole, then pool", noKnob, whole},
		{"chunks of 2 (default)", noKnob, fused},
		{"chunks of 1", knob(&convPoolChunkBytes, image), fused},
		{"chunks of 4", knob(&convPoolChunkBytes, 4*image), fused},
	})
}
