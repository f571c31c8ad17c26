package vision

import (
	"sync/atomic"
	"time"
)

// Stats are a loader's cumulative counters since it was made (or ResetStats): images
// processed and the time spent in each stage, summed over workers (so with 2 busy
// workers the stage times grow at twice the wall-clock rate).
type Stats struct {
	Images    int64
	Decode    time.Duration // file read + JPEG/PNG decode + RGB conversion
	Resize    time.Duration // fastai crop + PIL bilinear resize to Resize×Resize
	Augment   time.Duration // area pre-shrink, affine+warp grid sample, lighting
	Normalize time.Duration // (x - mean) / std
	Wait      time.Duration // time the consumer spent waiting for a batch
	Buffers   int64         // batch buffers allocated (stays at Prefetch+2 when batches are released)
}

// PerImage returns the mean time per image of each stage.
func (s Stats) PerImage() (decode, resize, augment, normalize time.Duration) {
	if s.Images == 0 {
		return
	}
	n := time.Duration(s.Images)
	return s.Decode / n, s.Resize / n, s.Augment / n, s.Normalize / n
}

// stageStats is the lock-free accumulator behind Stats.
type stageStats struct {
	images                             atomic.Int64
	decode, resize, augment, normalize atomic.Int64
	wait, buffers                      atomic.Int64
}

func (s *stageStats) snapshot() Stats {
	return Stats{
		Images:    s.images.Load(),
		Decode:    time.Duration(s.decode.Load()),
		Resize:    time.Duration(s.resize.Load()),
		Augment:   time.Duration(s.augment.Load()),
		Normalize: time.Duration(s.normalize.Load()),
		Wait:      time.Duration(s.wait.Load()),
		Buffers:   s.buffers.Load(),
	}
}

func (s *stageStats) reset() {
	for _, v := range []*atomic.Int64{&s.images, &s.decode, &s.resize, &s.augment, &s.normalize, &s.wait} {
		v.Store(0)
	}
}
