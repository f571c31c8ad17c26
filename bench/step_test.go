package bench

import (
	"os"
	"testing"

	"github.com/fastgo/fastgo/tensor/functional"
)

func TestMeasureStepSmall(t *testing.T) {
	o := DefaultStepOptions()
	o.Size, o.Batch, o.Warmup, o.Steps, o.Profile = 64, 2, 1, 1, true
	r, err := MeasureStep(o)
	if err != nil {
		t.Fatal(err)
	}
	// ResNet34 at 64×64 is (64/224)² of its 3.6 GMAC at 224: ≈ 0.3 GMAC per image forward.
	perImage := r.GFLOPs / 3 / float64(o.Batch)
	if perImage < 0.55 || perImage > 0.65 {
		t.Errorf("forward GFLOP per image %.3f, want ≈ 0.60", perImage)
	}
	if r.ImagesPerSec <= 0 || r.Profile.Forward["Conv2d"] <= 0 || r.Profile.Backward["Conv2d"] <= 0 {
		t.Errorf("result not filled: %+v", r)
	}
}

// BenchmarkTrainStep times ResNet34 training steps at 224×224, batch 64 (set
// FASTGO_BENCH_BATCH / FASTGO_BENCH_SIZE to change; FASTGO_BENCH_PRECISION=bf16 for bf16),
// reporting images/s.
func BenchmarkTrainStep(b *testing.B) { benchStep(b, true) }

// BenchmarkInfer times ResNet34 inference at 224×224, batch 64, reporting images/s.
func BenchmarkInfer(b *testing.B) { benchStep(b, false) }

func benchStep(b *testing.B, train bool) {
	o := DefaultStepOptions()
	o.Train = train
	o.Size = envInt("FASTGO_BENCH_SIZE", o.Size)
	o.Batch = envInt("FASTGO_BENCH_BATCH", o.Batch)
	o.Warmup, o.Steps = 1, b.N
	if p := os.Getenv("FASTGO_BENCH_PRECISION"); p != "" {
		var err error
		if o.Precision, err = functional.ParsePrecision(p); err != nil {
			b.Fatal(err)
		}
	}
	r, err := MeasureStep(o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.ImagesPerSec, "images/s")
	b.ReportMetric(r.GFLOPPerSec, "GFLOP/s")
	b.ReportMetric(r.PeakRSSMiB, "peakRSS-MiB")
}
