package optim

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/fastgo/fastgo/asm/cpu"
)

// Rule is the update one optimiser applies to a single parameter (fastai's list of
// stepper callbacks, fused into one pass over the elements).
type Rule interface {
	// Name is the optimiser's name ("Adam", "SGD").
	Name() string
	// step updates value in place from grad using the group's hyper-parameters h, the
	// parameter's decay flag and its state st.
	step(value, grad []float32, h *Hyper, decay bool, st *paramState)
}

// Optimizer updates parameter groups with a Rule. It is not safe for concurrent use.
type Optimizer struct {
	groups    []*Group
	rule      Rule
	state     map[*Param]*paramState
	byName    map[string]*Param
	frozenIdx int
	items     []stepItem // Step's list, kept to be reused
}

// New returns an optimiser over groups (each a list of parameters) whose groups all start
// with hyper-parameters h. Parameters must have a Var and unique names.
func New(groups [][]*Param, rule Rule, h Hyper) (*Optimizer, error) {
	o := &Optimizer{rule: rule, state: map[*Param]*paramState{}, byName: map[string]*Param{}}
	for gi, ps := range groups {
		for pi, p := range ps {
			switch {
			case p == nil || p.Var == nil || p.Var.Value == nil:
				return nil, fmt.Errorf("optim.New: group %d parameter %d has no value", gi, pi)
			case p.Name == "":
				return nil, fmt.Errorf("optim.New: group %d parameter %d has no name", gi, pi)
			case o.byName[p.Name] != nil:
				return nil, fmt.Errorf("optim.New: parameter name %q appears twice", p.Name)
			}
			o.byName[p.Name] = p
		}
		o.groups = append(o.groups, &Group{Params: append([]*Param(nil), ps...), Hyper: h})
	}
	if len(o.groups) == 0 {
		return nil, fmt.Errorf("optim.New: no parameter groups")
	}
	return o, nil
}

// Rule returns the optimiser's update rule.
func (o *Optimizer) Rule() Rule { return o.rule }

// Groups returns the parameter groups (the slice is the optimiser's own; do not modify it).
func (o *Optimizer) Groups() []*Group { return o.groups }

// Hypers returns a copy of every group's hyper-parameters.
func (o *Optimizer) Hypers() []Hyper {
	hs := make([]Hyper, len(o.groups))
	for i, g := range o.groups {
		hs[i] = g.Hyper
	}
	return hs
}

// SetHyper sets hyper-parameter n of every group: one value for all groups, or one per
// group (fastai's set_hyper with a float or a list).
func (o *Optimizer) SetHyper(n HyperName, vals ...float64) error {
	if len(vals) != 1 && len(vals) != len(o.groups) {
		return fmt.Errorf("optim: %d values for hyper-parameter %s, want 1 or %d (one per group)", len(vals), n, len(o.groups))
	}
	for i, g := range o.groups {
		p, err := g.Hyper.field(n)
		if err != nil {
			return err
		}
		if len(vals) == 1 {
			*p = vals[0]
		} else {
			*p = vals[i]
		}
	}
	return nil
}

// SetLR sets every group's learning rate from lr spread over the groups (SPEC §3).
func (o *Optimizer) SetLR(lr LR) error {
	v, err := lr.Spread(len(o.groups))
	if err != nil {
		return err
	}
	return o.SetHyper(HyperLR, v...)
}

// Step updates every parameter whose gradient exists (see the package doc). Large
// models are updated on cpu.Threads() goroutines that take whole parameters, largest
// first, as they come free; the result does not depend on how they are shared out.
func (o *Optimizer) Step() {
	items := o.items[:0]
	total := 0
	for _, g := range o.groups {
		for _, p := range g.Params {
			if p.Var.Grad == nil {
				continue
			}
			st := o.state[p]
			if st == nil {
				st = &paramState{}
				o.state[p] = st
			}
			items = append(items, stepItem{p, &g.Hyper, st})
			total += p.Var.Value.Len()
		}
	}
	o.items = items
	nt := min(cpu.Threads(), total/parallelStepMin)
	if nt < 2 {
		for _, it := range items {
			o.stepOne(it)
		}
		return
	}
	slices.SortFunc(items, func(a, b stepItem) int { return b.p.Var.Value.Len() - a.p.Var.Value.Len() })
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(nt)
	for range nt {
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(items); i = int(next.Add(1) - 1) {
				o.stepOne(items[i])
			}
		}()
	}
	wg.Wait()
}

// stepItem is one parameter a step updates, with its group's hyper-parameters and state.
type stepItem struct {
	p  *Param
	h  *Hyper
	st *paramState
}

// stepOne applies the rule to one parameter.
func (o *Optimizer) stepOne(it stepItem) {
	o.rule.step(it.p.Var.Value.Data(), it.p.Var.Grad.Data(), it.h, !it.p.NoDecay, it.st)
}

// parallelStepMin is the number of elements per goroutine below which Step runs on one.
const parallelStepMin = 1 << 18

// ZeroGrad zeroes every existing gradient, keeping it allocated (fastai's zero_grad).
func (o *Optimizer) ZeroGrad() {
	for _, g := range o.groups {
		for _, p := range g.Params {
			p.Var.ZeroGrad()
		}
	}
}

// ClearState forgets every parameter's moments and step count (fastai's clear_state); the
// NoDecay and ForceTrain flags are properties of the parameters and are kept.
func (o *Optimizer) ClearState() { clear(o.state) }

// FreezeTo makes groups [n:] trainable and groups [:n] frozen, with Python indexing (n<0
// counts from the end, so -1 freezes all but the last group); parameters with ForceTrain
// stay trainable. It changes requires-grad flags only: gradients that exist are kept (see
// the package doc) and the state is not cleared — the learner's freeze_to does that. It
// returns the index of the first trainable group, len(groups) when the whole model is
// frozen.
func (o *Optimizer) FreezeTo(n int) int {
	k := pyIndex(n, len(o.groups))
	for i, g := range o.groups {
		for _, p := range g.Params {
			p.Var.SetRequiresGrad(i >= k || p.ForceTrain)
		}
	}
	o.frozenIdx = k
	return k
}

// FrozenIdx returns the index of the first trainable group set by the last FreezeTo (0
// when FreezeTo was never called).
func (o *Optimizer) FrozenIdx() int { return o.frozenIdx }

// pyIndex turns a Python slice bound n into an index in [0, l].
func pyIndex(n, l int) int {
	if n < 0 {
		n += l
		if n < 0 {
			n = 0
		}
	}
	if n > l {
		n = l
	}
	return n
}
