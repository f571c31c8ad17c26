package optim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/fastgo/fastgo/tensor"
)

// State is an optimiser's state as named tensors and scalars, for checkpoints. Keys:
//
//	param.<name>.grad_avg, param.<name>.sqr_avg   tensors (when the parameter has them)
//	param.<name>.step                             scalar (when the parameter has state)
//	param.<name>.has_grad                         scalar 1 when the parameter's gradient exists
//	group.<i>.lr|mom|sqr_mom|eps|wd               scalars, every group
//	frozen_idx                                    scalar
//
// has_grad is saved because which gradients exist decides which parameters a step visits
// (the stale-gradient weight decay of re-frozen parameters, see the package doc).
type State struct {
	Tensors map[string]*tensor.Tensor
	Scalars map[string]float64
}

// State returns a deep copy of the optimiser's state.
func (o *Optimizer) State() State {
	s := State{Tensors: map[string]*tensor.Tensor{}, Scalars: map[string]float64{}}
	for gi, g := range o.groups {
		for _, n := range hyperNames {
			v, _ := g.Hyper.Get(n)
			s.Scalars["group."+strconv.Itoa(gi)+"."+string(n)] = v
		}
		for _, p := range g.Params {
			key := "param." + p.Name + "."
			if p.Var.Grad != nil {
				s.Scalars[key+"has_grad"] = 1
			}
			st := o.state[p]
			if st == nil {
				continue
			}
			s.Scalars[key+"step"] = float64(st.step)
			shape := p.Var.Value.Shape()
			if st.gradAvg != nil {
				s.Tensors[key+"grad_avg"] = tensor.FromData(append([]float32(nil), st.gradAvg...), shape...)
			}
			if st.sqrAvg != nil {
				s.Tensors[key+"sqr_avg"] = tensor.FromData(append([]float32(nil), st.sqrAvg...), shape...)
			}
		}
	}
	s.Scalars["frozen_idx"] = float64(o.frozenIdx)
	return s
}

// LoadState replaces the optimiser's state with a copy of s: hyper-parameters, moments and
// step counts (parameters absent from s get empty state), the frozen index (re-applied to
// the requires-grad flags), and a zero gradient for every parameter s marks has_grad that
// has none (existing gradients are never dropped). It checks every key and shape first
// and changes nothing on error.
func (o *Optimizer) LoadState(s State) error {
	hypers := o.Hypers()
	states := map[*Param]*paramState{}
	get := func(p *Param) *paramState {
		if states[p] == nil {
			states[p] = &paramState{}
		}
		return states[p]
	}
	var hasGrad []*Param
	frozen := -1
	for _, k := range sortedKeys(s.Scalars) {
		v := s.Scalars[k]
		switch {
		case k == "frozen_idx":
			if v != float64(int(v)) || v < 0 || int(v) > len(o.groups) {
				return fmt.Errorf("optim.LoadState: frozen_idx %v out of range for %d groups", v, len(o.groups))
			}
			frozen = int(v)
		case strings.HasPrefix(k, "group."):
			rest := k[len("group."):]
			dot := strings.IndexByte(rest, '.')
			gi, err := strconv.Atoi(rest[:max(dot, 0)])
			if dot < 0 || err != nil || gi < 0 || gi >= len(o.groups) {
				return fmt.Errorf("optim.LoadState: key %q names no group of %d", k, len(o.groups))
			}
			f, err := hypers[gi].field(HyperName(rest[dot+1:]))
			if err != nil {
				return fmt.Errorf("optim.LoadState: key %q: %v", k, err)
			}
			*f = v
		case strings.HasPrefix(k, "param."):
			p, field, err := o.paramKey(k)
			if err != nil {
				return err
			}
			switch field {
			case "step":
				if v != float64(int(v)) || v < 0 {
					return fmt.Errorf("optim.LoadState: %s = %v is not a step count", k, v)
				}
				get(p).step = int(v)
			case "has_grad":
				if v != 0 {
					hasGrad = append(hasGrad, p)
				}
			default:
				return fmt.Errorf("optim.LoadState: unknown scalar %q", k)
			}
		default:
			return fmt.Errorf("optim.LoadState: unknown scalar %q", k)
		}
	}
	for _, k := range sortedKeys(s.Tensors) {
		t := s.Tensors[k]
		p, field, err := o.paramKey(k)
		if err != nil {
			return err
		}
		if t == nil || t.Len() != p.Var.Value.Len() {
			return fmt.Errorf("optim.LoadState: %s has %v elements, parameter %s has shape %v", k, lenOf(t), p.Name, p.Var.Value.Shape())
		}
		buf := append([]float32(nil), t.Data()...)
		switch field {
		case "grad_avg":
			get(p).gradAvg = buf
		case "sqr_avg":
			get(p).sqrAvg = buf
		default:
			return fmt.Errorf("optim.LoadState: unknown tensor %q", k)
		}
	}
	for i, g := range o.groups {
		g.Hyper = hypers[i]
	}
	o.state = states
	if frozen >= 0 {
		o.FreezeTo(frozen)
	}
	for _, p := range hasGrad {
		if p.Var.Grad == nil {
			p.Var.Grad = tensor.New(p.Var.Value.Shape()...)
		}
	}
	return nil
}

func lenOf(t *tensor.Tensor) any {
	if t == nil {
		return "no"
	}
	return t.Len()
}

// paramKey splits "param.<name>.<field>" and finds the parameter.
func (o *Optimizer) paramKey(k string) (*Param, string, error) {
	if !strings.HasPrefix(k, "param.") {
		return nil, "", fmt.Errorf("optim.LoadState: unknown key %q", k)
	}
	rest := k[len("param."):]
	dot := strings.LastIndexByte(rest, '.')
	if dot < 0 {
		return nil, "", fmt.Errorf("optim.LoadState: key %q has no field", k)
	}
	p := o.byName[rest[:dot]]
	if p == nil {
		return nil, "", fmt.Errorf("optim.LoadState: key %q names no parameter of this optimiser", k)
	}
	return p, rest[dot+1:], nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
