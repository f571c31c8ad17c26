package optim

import (
	"fmt"
	"math"
)

// Sched maps a position in training, pos in [0, 1], to a hyper-parameter value.
type Sched func(pos float64) float64

// SchedLin goes linearly from start to end: start + pos·(end−start).
func SchedLin(start, end float64) Sched {
	return func(pos float64) float64 { return start + float64(pos*(end-start)) }
}

// SchedCos is fastai's cosine annealing from start to end:
// start + (1 + cos(π(1−pos)))·(end−start)/2, evaluated in that order in float64.
func SchedCos(start, end float64) Sched {
	return func(pos float64) float64 { return start + (1+math.Cos(math.Pi*(1-pos)))*(end-start)/2 }
}

// SchedNo is the constant start.
func SchedNo(start, end float64) Sched { return func(float64) float64 { return start } }

// SchedExp goes exponentially from start to end: start·(end/start)^pos.
func SchedExp(start, end float64) Sched {
	return func(pos float64) float64 { return start * math.Pow(end/start, pos) }
}

// CombineScheds runs scheds[i] over the fraction pcts[i] of training, as fastai's
// combine_scheds does, including its float32 arithmetic: the phase bounds are the float32
// cumulative sums of [0, pcts…]; pos is rounded to float32 to find its phase (the last
// bound ≤ pos) and the fraction within the phase, (pos − lo)/(hi − lo), is computed in
// float32 before the phase's schedule sees it as a float64. Positions ≥ 1 give the last
// schedule's value at 1. The pcts must be non-negative and sum to 1 (in float64, as
// fastai asserts).
func CombineScheds(pcts []float64, scheds []Sched) (Sched, error) {
	if len(pcts) != len(scheds) || len(pcts) == 0 {
		return nil, fmt.Errorf("optim.CombineScheds: %d fractions for %d schedules", len(pcts), len(scheds))
	}
	var sum float64
	bounds := make([]float32, len(pcts)+1)
	for i, p := range pcts {
		if !(p >= 0) {
			return nil, fmt.Errorf("optim.CombineScheds: fraction %d is %g, want ≥ 0", i, p)
		}
		sum += p
		bounds[i+1] = bounds[i] + float32(p)
	}
	if sum != 1 {
		return nil, fmt.Errorf("optim.CombineScheds: fractions %v sum to %v, want 1", pcts, sum)
	}
	scheds = append([]Sched(nil), scheds...)
	last := len(bounds) - 2
	return func(pos float64) float64 {
		if pos >= 1 {
			return scheds[len(scheds)-1](1)
		}
		p := float32(pos)
		idx := 0
		for i, b := range bounds {
			if p >= b {
				idx = i
			}
		}
		idx = min(idx, last)
		actual := float32(p-bounds[idx]) / float32(bounds[idx+1]-bounds[idx])
		return scheds[idx](float64(actual))
	}, nil
}

// CombinedCos is fastai's combined_cos: cosine from start to middle over the first pct
// of training, then cosine from middle to end.
func CombinedCos(pct, start, middle, end float64) (Sched, error) {
	return CombineScheds([]float64{pct, 1 - pct}, []Sched{SchedCos(start, middle), SchedCos(middle, end)})
}

// OneCycle holds the schedules of fit_one_cycle (SPEC §4).
type OneCycle struct {
	LR  []Sched // one per group: combined_cos(pct, lr_max/div, lr_max, lr_max/div_final)
	Mom Sched   // combined_cos(pct, moms[0], moms[1], moms[2])
}

// NewOneCycle builds fit_one_cycle's schedules for the per-group maxima lrMax.
func NewOneCycle(lrMax []float64, div, divFinal, pctStart float64, moms [3]float64) (*OneCycle, error) {
	if !(div > 0 && divFinal > 0) {
		return nil, fmt.Errorf("optim.NewOneCycle: div %g and div_final %g must be positive", div, divFinal)
	}
	if !(pctStart >= 0 && pctStart <= 1) {
		return nil, fmt.Errorf("optim.NewOneCycle: pct_start %g must be in [0, 1]", pctStart)
	}
	oc := &OneCycle{}
	for _, l := range lrMax {
		s, err := CombinedCos(pctStart, l/div, l, l/divFinal)
		if err != nil {
			return nil, err
		}
		oc.LR = append(oc.LR, s)
	}
	s, err := CombinedCos(pctStart, moms[0], moms[1], moms[2])
	if err != nil {
		return nil, err
	}
	oc.Mom = s
	return oc, nil
}

// Apply sets the optimiser's lr (per group) and mom for position pos.
func (oc *OneCycle) Apply(o *Optimizer, pos float64) error {
	lrs := make([]float64, len(oc.LR))
	for i, s := range oc.LR {
		lrs[i] = s(pos)
	}
	if err := o.SetHyper(HyperLR, lrs...); err != nil {
		return err
	}
	return o.SetHyper(HyperMom, oc.Mom(pos))
}
