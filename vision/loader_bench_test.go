package vision

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkLoader measures decoded, augmented, normalised 224×224 training images per
// second on the shared VOC data with 1 and 2 workers; one op is one batch of 32. It
// reports the wall-clock rate, the CPU time per image (less sensitive to other load on
// the machine) and the time per stage.
func BenchmarkLoader(b *testing.B) {
	needVOC(b)
	ds, err := FromCSV(filepath.Join(vocDir, "train.csv"), DefaultCSV())
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			o := DefaultLoader()
			o.Workers, o.BatchSize = w, 32
			l, err := NewLoader(ds.Train, ds.Vocab, true, o)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			r, err := MeasureLoader(l, b.N)
			if err != nil {
				b.Fatal(err)
			}
			d, rs, a, n := r.Stats.PerImage()
			ms := func(x time.Duration) float64 { return float64(x) / 1e6 }
			b.ReportMetric(r.PerSecond, "images/s")
			b.ReportMetric(ms(r.CPU)/float64(r.Images), "cpu-ms/image")
			b.ReportMetric(ms(d), "decode-ms")
			b.ReportMetric(ms(rs), "resize-ms")
			b.ReportMetric(ms(a), "augment-ms")
			b.ReportMetric(ms(n), "normalize-ms")
		})
	}
}
