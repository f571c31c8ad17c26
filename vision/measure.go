package vision

import (
	"errors"
	"fmt"
	"iter"
	"time"
)

// LoaderThroughput is the result of MeasureLoader.
type LoaderThroughput struct {
	Workers   int
	Batches   int
	Images    int
	Wall      time.Duration
	CPU       time.Duration // process CPU time during the run (0 where not measured)
	Stats     Stats         // stage times of the run
	PerSecond float64       // images per wall-clock second
}

// String formats the result on one line.
func (r LoaderThroughput) String() string {
	d, rs, a, n := r.Stats.PerImage()
	ms := func(x time.Duration) float64 { return float64(x) / 1e6 }
	cpu := "n/a"
	if r.CPU > 0 && r.Images > 0 {
		cpu = fmt.Sprintf("%.2f", ms(r.CPU)/float64(r.Images))
	}
	return fmt.Sprintf("workers %d: %6.1f images/s (%d images in %v); CPU %s ms/image; per image: decode %.2f ms, resize %.2f ms, augment %.2f ms, normalize %.2f ms",
		r.Workers, r.PerSecond, r.Images, r.Wall.Round(time.Millisecond), cpu, ms(d), ms(rs), ms(a), ms(n))
}

// MeasureLoader pulls batches from l, starting at epoch 0 and moving to the next epoch
// when one ends, releasing each at once (a consumer that takes no time), and reports
// the steady rate: the first Prefetch+2 batches, which allocate the buffer pool, are
// pulled before the clock and the loader's stats start.
func MeasureLoader(l *Loader, batches int) (LoaderThroughput, error) {
	if batches < 1 {
		return LoaderThroughput{}, errors.New("MeasureLoader: need at least one batch")
	}
	if l.Len() == 0 {
		return LoaderThroughput{}, fmt.Errorf("MeasureLoader: no full batch in %d images", l.NumItems())
	}
	res := LoaderThroughput{Workers: l.opt.Workers}
	epoch := 0
	next, stop := iter.Pull2(l.Epoch(epoch))
	defer func() { stop() }()
	for warm := 0; warm < l.opt.Prefetch+2; warm++ {
		b, err, ok := next()
		if !ok {
			break
		}
		if err != nil {
			return res, err
		}
		b.Release()
	}
	l.ResetStats()
	cpu0, t0 := processCPU(), time.Now()
	for res.Batches < batches {
		b, err, ok := next()
		if !ok {
			stop()
			epoch++
			next, stop = iter.Pull2(l.Epoch(epoch))
			continue
		}
		if err != nil {
			return res, err
		}
		res.Images += b.N
		res.Batches++
		b.Release()
	}
	res.Wall, res.CPU = time.Since(t0), processCPU()-cpu0
	res.Stats = l.Stats()
	res.PerSecond = float64(res.Images) / res.Wall.Seconds()
	return res, nil
}
