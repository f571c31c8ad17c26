package vision

import (
	"fmt"
	"iter"
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
			epoch := 0
			next, stop := iter.Pull2(l.Epoch(epoch))
			defer func() { stop() }()
			l.ResetStats()
			images := 0
			cpu0, t0 := cpuTime(), time.Now()
			b.ResetTimer()
			for b.Loop() {
				batch, err, ok := next()
				if !ok {
					stop()
					epoch++
					next, stop = iter.Pull2(l.Epoch(epoch))
					batch, err, ok = next()
				}
				if err != nil || !ok {
					b.Fatal(err)
				}
				images += batch.N
				batch.Release()
			}
			el, cpu := time.Since(t0), cpuTime()-cpu0
			st := l.Stats()
			d, r, a, n := st.PerImage()
			ms := func(x time.Duration) float64 { return float64(x) / 1e6 }
			b.ReportMetric(float64(images)/el.Seconds(), "images/s")
			b.ReportMetric(ms(cpu)/float64(images), "cpu-ms/image")
			b.ReportMetric(ms(d), "decode-ms")
			b.ReportMetric(ms(r), "resize-ms")
			b.ReportMetric(ms(a), "augment-ms")
			b.ReportMetric(ms(n), "normalize-ms")
		})
	}
}
