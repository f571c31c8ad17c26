package learner

import (
	"errors"
	"fmt"
	"math"

	"github.com/fastgo/fastgo/optim"
)

// LRFindOptions are lr_find's arguments.
type LRFindOptions struct {
	StartLR, EndLR float64
	NumIt          int
	StopDiv        bool
	// PlotPath, when set, is where the curve is saved as a PNG.
	PlotPath string
	// Suggestions computes and prints lr_min and lr_steep.
	Suggestions bool
}

// DefaultLRFind returns fastai's defaults: 1e-7 to 10 over 100 iterations, stop on
// divergence, suggestions on, no plot file.
func DefaultLRFind() LRFindOptions {
	return LRFindOptions{StartLR: 1e-7, EndLR: 10, NumIt: 100, StopDiv: true, Suggestions: true}
}

// LRFindResult is the outcome of LRFind.
type LRFindResult struct {
	// LRs and Losses are the learning rate and smoothed loss of every batch run.
	LRs, Losses []float64
	// Suggested is nil when suggestions were off or there were too few points.
	Suggested *SuggestedLRs
}

// SuggestedLRs are fastai 2020's two suggestions.
type SuggestedLRs struct {
	// LRMin is a tenth of the lr at the minimum smoothed loss.
	LRMin float64
	// LRSteep is the lr where the loss falls fastest against log(lr).
	LRSteep float64
}

// String writes the suggestions as Python shows the namedtuple.
func (s SuggestedLRs) String() string {
	return "SuggestedLRs(lr_min=" + optim.PyFloat(s.LRMin) + ", lr_steep=" + optim.PyFloat(s.LRSteep) + ")"
}

// LRFind is fastai's lr_find (SPEC §5): a mock training of at most NumIt batches over
// NumIt/len(train)+1 epochs, without validation or table, where before batch k every
// group's lr is start·(end/start)^(k/NumIt); it stops after a batch whose smoothed loss
// exceeds 4× the best so far (with StopDiv) or after NumIt batches, never because of a
// NaN. The model and the optimiser (state and hyper-parameters) are then restored and the
// gradients zeroed; data and random states are not restored. The curve is saved to
// PlotPath and the suggestions are printed.
func (l *Learner) LRFind(o LRFindOptions) (*LRFindResult, error) {
	if o.NumIt < 1 || !(o.StartLR > 0 && o.EndLR > 0) {
		return nil, fmt.Errorf("learner: lr_find: need num_it ≥ 1 and positive start/end lrs, got %d, %g, %g", o.NumIt, o.StartLR, o.EndLR)
	}
	if l.Train.Len() <= 0 {
		return nil, fmt.Errorf("learner: lr_find: the training loader has no batches")
	}
	if l.pending != nil && l.fitCount < l.pending.FitIndex {
		l.fitCount++ // done before the checkpoint being resumed
		return &LRFindResult{}, nil
	}
	nEpoch := o.NumIt/l.Train.Len() + 1
	model, opt := l.snapshotModel(), l.Opt.State()
	finder := &lrFinder{sched: optim.SchedExp(o.StartLR, o.EndLR), numIt: o.NumIt, stopDiv: o.StopDiv}
	desc := fmt.Sprintf("lr_find(start_lr=%s, end_lr=%s, num_it=%d)", optim.PyFloat(o.StartLR), optim.PyFloat(o.EndLR), o.NumIt)
	err := l.run(&fitSpec{desc: desc, nEpoch: nEpoch, cbs: []Callback{finder}, noLog: true, skipValid: true})
	l.Opt.ZeroGrad()
	if rerr := l.Model.LoadStateDict(model); rerr != nil && err == nil {
		err = fmt.Errorf("learner: lr_find: restoring the model: %w", rerr)
	}
	if rerr := l.Opt.LoadState(opt); rerr != nil && err == nil {
		err = fmt.Errorf("learner: lr_find: restoring the optimiser: %w", rerr)
	}
	if err != nil {
		return nil, err
	}
	res := &LRFindResult{LRs: append([]float64(nil), l.Recorder.LRs...), Losses: append([]float64(nil), l.Recorder.Losses...)}
	if o.PlotPath != "" {
		if err := PlotLRFind(o.PlotPath, res.LRs, res.Losses, 5); err != nil {
			return res, err
		}
	}
	if o.Suggestions {
		s, err := Suggest(res.LRs, res.Losses, o.NumIt)
		switch {
		case err == nil:
			res.Suggested = &s
			fmt.Fprintln(l.out, s)
		case errors.Is(err, ErrNoSuggestion):
			fmt.Fprintf(l.out, "lr_find: %v\n", err)
		default:
			return res, err
		}
	}
	return res, nil
}

// lrFinder is fastai's LRFinder callback.
type lrFinder struct {
	sched   optim.Sched
	numIt   int
	stopDiv bool
	best    float32
}

// Handle implements Callback.
func (f *lrFinder) Handle(e Event, l *Learner) error {
	switch {
	case e == BeforeFit:
		f.best = float32(math.Inf(1))
	case e == BeforeBatch && l.Training:
		return l.Opt.SetHyper(optim.HyperLR, f.sched(float64(l.TrainIter)/float64(f.numIt)))
	case e == AfterBatch && l.Training:
		if f.stop(l.Recorder.SmoothLoss(), l.TrainIter) {
			return ErrCancelFit
		}
	}
	return nil
}

// stop records the smoothed loss s after trainIter batches and reports whether the sweep
// ends: s > 4·best (float32, with StopDiv) or trainIter ≥ num_it. NaN never stops it.
func (f *lrFinder) stop(s float32, trainIter int) bool {
	if s < f.best {
		f.best = s
	}
	return s > 4*f.best && f.stopDiv || trainIter >= f.numIt
}

// ErrNoSuggestion is returned by Suggest when too few points remain.
var ErrNoSuggestion = errors.New("too few points for lr_find suggestions")

// Suggest computes fastai 2020's suggestions from lr_find's records (SPEC §5): with
// Lr = lrs[numIt/10 : len−5] and S = losses[numIt/10 : len−5] as float32,
// lr_min = Lr[argmin S]/10 and lr_steep = Lr[argmin g] with
// g_i = (S[i+1] − S[i]) / (ln Lr[i+1] − ln Lr[i]); argmin takes the first minimum, and a
// NaN counts as the minimum (PyTorch's argmin). It returns ErrNoSuggestion when fewer than
// two points remain (fastai returns None for none and fails for one).
func Suggest(lrs, losses []float64, numIt int) (SuggestedLRs, error) {
	if len(lrs) != len(losses) {
		return SuggestedLRs{}, fmt.Errorf("learner.Suggest: %d lrs for %d losses", len(lrs), len(losses))
	}
	lo, hi := numIt/10, len(lrs)-5
	if hi-lo < 2 {
		return SuggestedLRs{}, fmt.Errorf("%w: %d recorded, %d skipped at the start and 5 at the end", ErrNoSuggestion, len(lrs), lo)
	}
	lr := make([]float32, hi-lo)
	s := make([]float32, hi-lo)
	for i := range lr {
		lr[i], s[i] = float32(lrs[lo+i]), float32(losses[lo+i])
	}
	g := make([]float32, len(s)-1)
	for i := range g {
		dl := float32(math.Log(float64(lr[i+1]))) - float32(math.Log(float64(lr[i])))
		g[i] = (s[i+1] - s[i]) / dl
	}
	return SuggestedLRs{LRMin: float64(lr[argmin(s)]) / 10, LRSteep: float64(lr[argmin(g)])}, nil
}

// argmin is PyTorch's argmin: the first minimum, the first NaN if there is one.
func argmin(x []float32) int {
	best := 0
	for i, v := range x {
		if v != v {
			return i
		}
		if v < x[best] {
			best = i
		}
	}
	return best
}
