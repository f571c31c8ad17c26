package learner

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// Activation is the function get_preds applies to the model's outputs (fastai's
// loss_func.activation).
type Activation int

const (
	// Sigmoid is BCEWithLogitsLossFlat's activation (multi-label), the default loss's.
	Sigmoid Activation = iota
	// Softmax over the last dimension is CrossEntropyLossFlat's (single-label).
	Softmax
	// NoActivation returns the raw outputs.
	NoActivation
)

// String names the activation.
func (a Activation) String() string {
	switch a {
	case Sigmoid:
		return "sigmoid"
	case Softmax:
		return "softmax"
	case NoActivation:
		return "none"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// Augmenter is implemented by loaders that can make a copy of themselves applying the
// training transforms: the same items, in the same order and batches (the last partial
// batch kept), with fresh random augmentation at every pass (fastai's
// dl.new(shuffled=False, drop_last=False) under dataset.set_split_idx(0)). Learner.TTA
// uses it when TTAOptions.Aug is nil.
type Augmenter interface {
	Augmented() Loader
}

// TTAOptions are the arguments of Learner.TTA (fastai's learn.tta(ds_idx, dl, n, beta,
// use_max)); DefaultTTA returns fastai's defaults.
type TTAOptions struct {
	// DL is the data to predict, with its own (validation) transforms; nil means the
	// learner's validation loader (ds_idx=1).
	DL Loader
	// Aug yields DL's items in DL's order with the training transforms, drawing new ones
	// at every pass; nil means DL.(Augmenter).Augmented().
	Aug Loader
	// N is the number of augmented passes (fastai n=4); at least 1.
	N int
	// Beta is the weight of the plain predictions: the result is
	// lerp(aug, plain, beta) = (1−beta)·aug + beta·plain (fastai beta=0.25), in [0, 1].
	Beta float64
	// UseMax takes the elementwise maximum over the augmented passes and the plain pass
	// instead of their mean and lerp (Beta is then unused), as fastai's use_max=True.
	UseMax bool
	// Act is applied to every pass's outputs before they are combined (Softmax for a
	// cross-entropy learner, Sigmoid for BCE).
	Act Activation
}

// DefaultTTA returns fastai's tta defaults: n=4, beta=0.25, use_max=False, with the
// activation act.
func DefaultTTA(act Activation) TTAOptions { return TTAOptions{N: 4, Beta: 0.25, Act: act} }

// TTAResult holds Learner.TTA's predictions, each [items, classes] in the loader's item
// order (activated).
type TTAResult struct {
	// Preds is the combination: lerp(Aug, Plain, Beta), or with UseMax the elementwise
	// maximum of Aug and Plain.
	Preds *tensor.Tensor
	// Plain are the predictions with the loader's own transforms (fastai's preds).
	Plain *tensor.Tensor
	// Aug is the mean over the augmented passes, or with UseMax their maximum (fastai's
	// aug_preds; what tta returns as a pair with beta=None).
	Aug *tensor.Tensor
	// Targets are the loader's targets (fastai's targs).
	Targets *tensor.Tensor
}

// GetPreds runs the model in evaluation mode without gradients over every batch of dl
// (nil: the validation loader) and returns the activated predictions and the targets,
// each [items, classes] (fastai's get_preds(dl=dl) with the loss's activation).
func (l *Learner) GetPreds(dl Loader, act Activation) (preds, targets *tensor.Tensor, err error) {
	if dl == nil {
		dl = l.Valid
	}
	if dl == nil {
		return nil, nil, fmt.Errorf("learner: get_preds: no loader and no validation loader")
	}
	l.Model.Train(false)
	g := autograd.NewGraph(l.pool, autograd.NoGrad)
	var p, t []float32
	c, n := 0, 0
	for b, err := range dl.Batches() {
		if err != nil {
			return nil, nil, fmt.Errorf("learner: get_preds, batch %d: %w", n+1, err)
		}
		out := l.Model.Forward(g, g.Input(b.X)).Value
		if out.Dims() != 2 || out.Dim(0) != b.Y.Dim(0) || (c != 0 && out.Dim(1) != c) {
			g.Release()
			return nil, nil, fmt.Errorf("learner: get_preds, batch %d: outputs %v for targets %v", n+1, out.Shape(), b.Y.Shape())
		}
		c = out.Dim(1)
		start := len(p)
		p = append(p, out.Data()...)
		t = append(t, b.Y.Data()...)
		g.Release()
		activate(p[start:], c, act)
		n++
	}
	if c == 0 {
		return nil, nil, fmt.Errorf("learner: get_preds: the loader yielded no batches")
	}
	rows := len(p) / c
	preds = tensor.FromData(p, rows, c)
	targets = tensor.FromData(t, rows, len(t)/rows)
	return preds, targets, nil
}

// activate applies act in place to rows of c outputs.
func activate(x []float32, c int, act Activation) {
	switch act {
	case Sigmoid:
		for i, v := range x {
			x[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	case Softmax:
		for r := 0; r+c <= len(x); r += c {
			row := x[r : r+c]
			m := math.Inf(-1)
			for _, v := range row {
				m = math.Max(m, float64(v))
			}
			s := 0.0
			for _, v := range row {
				s += math.Exp(float64(v) - m)
			}
			for i, v := range row {
				row[i] = float32(math.Exp(float64(v)-m) / s)
			}
		}
	}
}

// TTA is fastai's learn.tta: o.N passes over the data with the training transforms,
// combined by their mean (or, with UseMax, their maximum), then one pass with the data's
// own transforms, and the result lerp(aug, plain, Beta) = (1−Beta)·aug + Beta·plain (or,
// with UseMax, the elementwise maximum of the two). Every pass is activated with o.Act
// first. The model is left in evaluation mode.
func (l *Learner) TTA(o TTAOptions) (*TTAResult, error) {
	if o.N < 1 {
		return nil, fmt.Errorf("learner: tta: n = %d, want at least 1", o.N)
	}
	if !o.UseMax && (o.Beta < 0 || o.Beta > 1 || math.IsNaN(o.Beta)) {
		return nil, fmt.Errorf("learner: tta: beta = %g, want 0 ≤ beta ≤ 1", o.Beta)
	}
	dl := o.DL
	if dl == nil {
		dl = l.Valid
	}
	if dl == nil {
		return nil, fmt.Errorf("learner: tta: no loader and no validation loader")
	}
	aug := o.Aug
	if aug == nil {
		a, ok := dl.(Augmenter)
		if !ok {
			return nil, fmt.Errorf("learner: tta: the loader (%T) cannot apply the training transforms; set TTAOptions.Aug", dl)
		}
		if aug = a.Augmented(); aug == nil {
			return nil, fmt.Errorf("learner: tta: the loader (%T) returned no augmented loader", dl)
		}
	}
	var acc, augTargets []float32
	for i := range o.N {
		p, t, err := l.GetPreds(aug, o.Act)
		if err != nil {
			return nil, fmt.Errorf("tta pass %d: %w", i+1, err)
		}
		if i == 0 {
			acc, augTargets = p.Data(), t.Data()
			continue
		}
		if len(p.Data()) != len(acc) {
			return nil, fmt.Errorf("learner: tta: augmented pass %d gave %d outputs, pass 1 %d", i+1, len(p.Data()), len(acc))
		}
		for j, v := range p.Data() {
			if o.UseMax {
				acc[j] = max(acc[j], v)
			} else {
				acc[j] += v
			}
		}
	}
	plain, targets, err := l.GetPreds(dl, o.Act)
	if err != nil {
		return nil, fmt.Errorf("tta plain pass: %w", err)
	}
	pd := plain.Data()
	if len(pd) != len(acc) {
		return nil, fmt.Errorf("learner: tta: the augmented passes gave %d outputs, the plain pass %d (the augmented loader must yield the same items)", len(acc), len(pd))
	}
	if len(augTargets) != len(targets.Data()) {
		return nil, fmt.Errorf("learner: tta: the augmented pass's targets are %d values, the plain pass's %d", len(augTargets), len(targets.Data()))
	}
	for j, v := range targets.Data() {
		if augTargets[j] != v {
			return nil, fmt.Errorf("learner: tta: the augmented pass's targets differ from the plain pass's at item %d (the augmented loader must keep the items' order)", j/targets.Dim(1))
		}
	}
	if !o.UseMax {
		inv := float32(1 / float64(o.N))
		for j := range acc {
			acc[j] *= inv
		}
	}
	res := make([]float32, len(pd))
	beta := float32(o.Beta)
	for j, a := range acc {
		if o.UseMax {
			res[j] = max(a, pd[j])
		} else {
			res[j] = lerp(a, pd[j], beta)
		}
	}
	sh := plain.Shape()
	return &TTAResult{Preds: tensor.FromData(res, sh...), Plain: plain,
		Aug: tensor.FromData(acc, sh...), Targets: targets}, nil
}

// lerp is torch.lerp(start, end, weight) as PyTorch computes it: from the nearer end, so
// that weight 0 gives start and weight 1 end exactly.
func lerp(start, end, weight float32) float32 {
	if weight < 0.5 {
		return start + weight*(end-start)
	}
	return end - (end-start)*(1-weight)
}
