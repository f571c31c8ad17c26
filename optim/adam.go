package optim

import (
	"fmt"
	"math"

	adamk "github.com/fastgo/fastgo/asm/adam"
)

// AdamConfig holds Adam's starting hyper-parameters.
type AdamConfig struct {
	LR     float64 // learning rate (the learner's lr; schedules override it)
	Mom    float64 // β1
	SqrMom float64 // β2
	Eps    float64 // added to the debiased sqrt(v), outside the square root
	WD     float64 // decoupled weight decay
}

// AdamDefaults returns fastai's defaults: lr 1e-3 (Learner's lr), mom 0.9, sqr_mom 0.99,
// eps 1e-5, wd 0.01.
func AdamDefaults() AdamConfig {
	return AdamConfig{LR: 1e-3, Mom: 0.9, SqrMom: 0.99, Eps: 1e-5, WD: 0.01}
}

// NewAdam returns fastai's Adam with decoupled weight decay over groups. For each visited
// parameter p with gradient g and its group's hyper-parameters, one step is:
//
//	if decay && wd != 0: p ← p·(1 − lr·wd)
//	m ← mom·m + (1−mom)·g;  v ← sqr_mom·v + (1−sqr_mom)·g²;  t ← t+1
//	p ← p − (lr/b1)·m / (sqrt(v/b2) + eps),  b1 = 1−mom^t, b2 = 1−sqr_mom^t
//
// with the current mom (a schedule may change it every step).
func NewAdam(groups [][]*Param, c AdamConfig) (*Optimizer, error) {
	if err := checkMom("Adam mom", c.Mom); err != nil {
		return nil, err
	}
	if err := checkMom("Adam sqr_mom", c.SqrMom); err != nil {
		return nil, err
	}
	if !(c.Eps > 0) {
		return nil, fmt.Errorf("optim.NewAdam: eps %g must be positive", c.Eps)
	}
	return New(groups, adam{}, Hyper{LR: c.LR, Mom: c.Mom, SqrMom: c.SqrMom, Eps: c.Eps, WD: c.WD})
}

func checkMom(what string, m float64) error {
	if !(m >= 0 && m < 1) {
		return fmt.Errorf("optim: %s %g must be in [0, 1)", what, m)
	}
	return nil
}

type adam struct{}

// Name implements Rule.
func (adam) Name() string { return "Adam" }

// debias is fastai's debias(mom, damp, step) = damp·(1 − mom^step)/(1 − mom), in float64.
func debias(mom, damp float64, step int) float64 {
	return damp * (1 - math.Pow(mom, float64(step))) / (1 - mom)
}

func (adam) step(p, g []float32, h *Hyper, decay bool, st *paramState) {
	if st.gradAvg == nil {
		st.gradAvg = make([]float32, len(p))
		st.sqrAvg = make([]float32, len(p))
	}
	st.step++
	c := adamk.Coeffs{
		Decay: 1,
		Mom:   float32(h.Mom), Damp1: float32(1 - h.Mom),
		SqrMom: float32(h.SqrMom), Damp2: float32(1 - h.SqrMom),
		Debias2: float32(debias(h.SqrMom, 1-h.SqrMom, st.step)),
		Eps:     float32(h.Eps),
		Step:    float32(-h.LR / debias(h.Mom, 1-h.Mom, st.step)),
	}
	if decay && h.WD != 0 {
		c.Decay = float32(1 - h.LR*h.WD)
	}
	adamk.Step(p, g, st.gradAvg, st.sqrAvg, &c)
}

// scaleSlice multiplies every element of x by s.
func scaleSlice(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}
