package cnn

import (
	"encoding/binary"
	"fmt"
	"iter"

	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/vision"
)

// Loader adapts a vision.Loader to the generic learner.Loader: every call of Batches runs the
// loader's next epoch (a training loader draws that epoch's shuffle and augmentation
// from the loader seed and the epoch number), and each batch's buffer is released after
// the loop body that received it. Its random state is the epoch counter, which is all a
// checkpoint needs to repeat the same batches.
type Loader struct {
	dl     *vision.Loader
	epoch  int
	images int64
}

// NewLoader wraps dl, starting at epoch 0.
func NewLoader(dl *vision.Loader) *Loader { return &Loader{dl: dl} }

// Len implements learner.Loader.
func (l *Loader) Len() int { return l.dl.Len() }

// Epoch returns the number of epochs started.
func (l *Loader) Epoch() int { return l.epoch }

// Images returns the number of images yielded so far.
func (l *Loader) Images() int64 { return l.images }

// SetImages sets the image count (when a run continues from a checkpoint).
func (l *Loader) SetImages(n int64) { l.images = n }

// Batches implements learner.Loader.
func (l *Loader) Batches() iter.Seq2[learner.Batch, error] {
	return func(yield func(learner.Batch, error) bool) {
		e := l.epoch
		l.epoch++
		for b, err := range l.dl.Epoch(e) {
			if err != nil {
				yield(learner.Batch{}, err)
				return
			}
			l.images += int64(b.N)
			ok := yield(learner.Batch{X: b.X, Y: b.Y}, nil)
			b.Release()
			if !ok {
				return
			}
		}
	}
}

// Augmented implements learner.Augmenter for Learner.TTA: a Loader over the same items in
// the same order that applies the training transforms (vision.Loader.Augmented), its
// passes numbered from 0 so that TTA draws the same augmentations every time it runs.
func (l *Loader) Augmented() learner.Loader { return NewLoader(l.dl.Augmented()) }

// RandomState implements learner.RandomState: the epoch counter, 8 bytes little-endian.
func (l *Loader) RandomState() ([]byte, error) {
	return binary.LittleEndian.AppendUint64(nil, uint64(l.epoch)), nil
}

// SetRandomState implements learner.RandomState.
func (l *Loader) SetRandomState(b []byte) error {
	if len(b) != 8 {
		return fmt.Errorf("loader state: %d bytes, want 8", len(b))
	}
	e := binary.LittleEndian.Uint64(b)
	if e > 1<<40 {
		return fmt.Errorf("loader state: epoch %d out of range", e)
	}
	l.epoch = int(e)
	return nil
}
