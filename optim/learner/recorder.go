package learner

import (
	"math"

	"github.com/fastgo/fastgo/optim"
)

// SmoothLoss is fastai's AvgSmoothLoss: an exponential moving average of batch losses,
// e ← lerp(loss, e, β) in float32, debiased as e/(1 − β^count). PyTorch's lerp computes
// e − (e − loss)·(1 − β) for weights ≥ 0.5, and its CPU kernel is compiled with fused
// multiply-adds, so the product and the subtraction round once: Add does the same (the
// exact product in float64, one float64 rounding, then float32 — a double rounding that
// differs from a true float32 FMA only for a result exactly half-way between two float32
// values). The committed fixture is matched bit for bit.
type SmoothLoss struct {
	val   float32
	count int
}

// smoothBeta is fastai's β: a Python float in the debias power, a float32 in the lerp.
const smoothBeta = 0.98

// Reset starts a new average.
func (s *SmoothLoss) Reset() { s.val, s.count = 0, 0 }

// Add accumulates one batch loss.
func (s *SmoothLoss) Add(loss float32) {
	s.count++
	w := float32(smoothBeta)
	d := float64(s.val - loss)
	s.val = float32(float64(s.val) - d*float64(1-w))
}

// Value returns the debiased average (NaN before any loss).
func (s *SmoothLoss) Value() float32 {
	return s.val / float32(1-math.Pow(smoothBeta, float64(s.count)))
}

// avgLoss is fastai's AvgLoss: Σ loss_b·B_b / Σ B_b, summed in float32.
type avgLoss struct {
	total float32
	count int
}

func (a *avgLoss) add(loss float32, bs int) {
	a.total += float32(loss * float32(bs))
	a.count += bs
}

func (a *avgLoss) value() float64 {
	if a.count == 0 {
		return math.NaN()
	}
	return float64(a.total / float32(a.count))
}

// Recorder keeps a fit's records (fastai's Recorder).
type Recorder struct {
	// Names are the table's columns: epoch, train_loss, valid_loss, the metrics, time.
	Names []string
	// LRs and Moms are the last group's lr and mom of every training batch, Losses the
	// smoothed loss after it.
	LRs, Moms, Losses []float64
	// Values holds one row per epoch: train_loss, valid_loss, then the metrics (NaN where
	// there was no validation); Times the epochs' durations in seconds.
	Values [][]float64
	Times  []float64

	smooth SmoothLoss
	valid  avgLoss
}

// SmoothLoss returns the current smoothed training loss.
func (r *Recorder) SmoothLoss() float32 { return r.smooth.Value() }

// RecorderState is a Recorder's content, for checkpoints.
type RecorderState struct {
	SmoothVal         float32
	SmoothCount       int
	LRs, Moms, Losses []float64
	Values            [][]float64
	Times             []float64
}

// State returns a copy of the recorder's content.
func (r *Recorder) State() RecorderState {
	st := RecorderState{SmoothVal: r.smooth.val, SmoothCount: r.smooth.count,
		LRs: append([]float64(nil), r.LRs...), Moms: append([]float64(nil), r.Moms...),
		Losses: append([]float64(nil), r.Losses...), Times: append([]float64(nil), r.Times...)}
	for _, v := range r.Values {
		st.Values = append(st.Values, append([]float64(nil), v...))
	}
	return st
}

// setState restores a copy of st.
func (r *Recorder) setState(st RecorderState) {
	r.smooth = SmoothLoss{val: st.SmoothVal, count: st.SmoothCount}
	cp := (&Recorder{LRs: st.LRs, Moms: st.Moms, Losses: st.Losses, Values: st.Values, Times: st.Times}).State()
	r.LRs, r.Moms, r.Losses, r.Values, r.Times = cp.LRs, cp.Moms, cp.Losses, cp.Values, cp.Times
}

// reset starts the records of a new fit.
func (r *Recorder) reset(names []string) {
	r.Names = names
	r.LRs, r.Moms, r.Losses, r.Values, r.Times = nil, nil, nil, nil, nil
	r.smooth.Reset()
}

// afterTrainBatch records a training batch: its loss into the smoothed loss, and the
// last group's lr and mom.
func (r *Recorder) afterTrainBatch(loss float32, o *optim.Optimizer) {
	r.smooth.Add(loss)
	hs := o.Hypers()
	r.LRs = append(r.LRs, hs[len(hs)-1].LR)
	r.Moms = append(r.Moms, hs[len(hs)-1].Mom)
	r.Losses = append(r.Losses, float64(r.smooth.Value()))
}

func nan() float64 { return math.NaN() }
