package optim

import (
	"strings"
	"testing"

	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/tensortest"
)

// threeGroups mimics the ResNet34 split: a conv weight and a BN weight in each body group
// and a head weight.
func threeGroups() ([][]*Param, map[string]*Param) {
	ps := map[string]*Param{}
	mk := func(name string, bn bool) *Param {
		p := newParam(name, []float32{1, 2}, nil, bn)
		p.ForceTrain = bn
		ps[name] = p
		return p
	}
	return [][]*Param{
		{mk("conv0", false), mk("bn0", true)},
		{mk("conv1", false), mk("bn1", true)},
		{mk("head", false), mk("headbn", true)},
	}, ps
}

func trainable(ps map[string]*Param) string {
	var s []string
	for _, n := range []string{"conv0", "bn0", "conv1", "bn1", "head", "headbn"} {
		if ps[n].Var.RequiresGrad() {
			s = append(s, n)
		}
	}
	return strings.Join(s, " ")
}

func TestFreezeTo(t *testing.T) {
	groups, ps := threeGroups()
	o, err := NewAdam(groups, AdamDefaults())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		n      int
		idx    int
		trains string
	}{
		{-1, 2, "bn0 bn1 head headbn"},             // freeze(): head + every BN
		{-2, 1, "bn0 conv1 bn1 head headbn"},       // freeze_to(-2)
		{0, 0, "conv0 bn0 conv1 bn1 head headbn"},  // unfreeze()
		{3, 3, "bn0 bn1 headbn"},                   // whole model frozen, BN still trains
		{-7, 0, "conv0 bn0 conv1 bn1 head headbn"}, // Python slicing clamps
	}
	for _, c := range cases {
		if got := o.FreezeTo(c.n); got != c.idx || o.FrozenIdx() != c.idx {
			t.Errorf("FreezeTo(%d) = %d, want %d", c.n, got, c.idx)
		}
		if got := trainable(ps); got != c.trains {
			t.Errorf("FreezeTo(%d) trains %q, want %q", c.n, got, c.trains)
		}
	}
}

func TestClearStateAndStateRoundTrip(t *testing.T) {
	groups, ps := threeGroups()
	o, _ := NewAdam(groups, AdamDefaults())
	for _, n := range []string{"conv1", "bn1", "head"} {
		ps[n].Var.Grad = tensor.FromData([]float32{0.5, -0.25}, 2)
	}
	o.FreezeTo(-2)
	_ = o.SetHyper(HyperLR, 1e-3, 2e-3, 3e-3)
	o.Step()
	o.Step()
	saved := o.State()
	if saved.Scalars["param.head.step"] != 2 || saved.Scalars["param.head.has_grad"] != 1 || saved.Scalars["frozen_idx"] != 1 {
		t.Fatalf("state scalars %v", saved.Scalars)
	}
	if _, ok := saved.Scalars["param.conv0.has_grad"]; ok {
		t.Fatal("conv0 has no gradient but the state says it has")
	}
	if saved.Scalars["group.2.lr"] != 3e-3 || saved.Scalars["group.0.sqr_mom"] != 0.99 {
		t.Fatalf("hypers not saved: %v", saved.Scalars)
	}

	// A fresh optimiser over fresh parameters (a resumed process) continues identically.
	groups2, ps2 := threeGroups()
	for _, n := range []string{"conv0", "bn0", "conv1", "bn1", "head", "headbn"} {
		ps2[n].Var.Value.CopyFrom(ps[n].Var.Value)
	}
	o2, _ := NewAdam(groups2, AdamDefaults())
	if err := o2.LoadState(saved); err != nil {
		t.Fatal(err)
	}
	if trainable(ps2) != "bn0 conv1 bn1 head headbn" {
		t.Fatalf("frozen state not restored: %s", trainable(ps2))
	}
	if ps2["head"].Var.Grad == nil || ps2["conv0"].Var.Grad != nil {
		t.Fatal("has_grad not restored as zero gradients (or conv0 got one)")
	}
	for _, n := range []string{"conv1", "bn1", "head"} {
		ps2[n].Var.Grad.CopyFrom(ps[n].Var.Grad)
	}
	o.Step()
	o2.Step()
	tensortest.AllClose(t, "head after resumed step", ps2["head"].Var.Value, ps["head"].Var.Value, 0, 0)

	// The exported state is a copy: further steps do not change it.
	m0 := saved.Tensors["param.head.grad_avg"].Data()[0]
	o.Step()
	if saved.Tensors["param.head.grad_avg"].Data()[0] != m0 || saved.Scalars["param.head.step"] != 2 {
		t.Fatal("State() aliases the optimiser's buffers")
	}
	if err := o.LoadState(saved); err != nil {
		t.Fatal(err)
	}
	if o.State().Scalars["param.head.step"] != 2 {
		t.Fatal("LoadState did not restore the step count")
	}

	// ClearState forgets moments and steps, keeps flags.
	o.ClearState()
	st := o.State()
	if len(st.Tensors) != 0 || st.Scalars["param.head.step"] != 0 {
		t.Fatalf("ClearState left %d tensors, step %v", len(st.Tensors), st.Scalars["param.head.step"])
	}
	if !ps["bn0"].NoDecay || !ps["bn0"].ForceTrain {
		t.Fatal("ClearState changed parameter flags")
	}
}

func TestLoadStateErrors(t *testing.T) {
	groups, ps := threeGroups()
	o, _ := NewAdam(groups, AdamDefaults())
	ps["head"].Var.Grad = tensor.FromData([]float32{1, 1}, 2)
	o.Step()
	good := o.State()
	bad := func(mut func(s *State)) State {
		s := State{Tensors: map[string]*tensor.Tensor{}, Scalars: map[string]float64{}}
		for k, v := range good.Tensors {
			s.Tensors[k] = v
		}
		for k, v := range good.Scalars {
			s.Scalars[k] = v
		}
		mut(&s)
		return s
	}
	cases := map[string]State{
		"unknown param":  bad(func(s *State) { s.Scalars["param.nope.step"] = 1 }),
		"bad shape":      bad(func(s *State) { s.Tensors["param.head.grad_avg"] = tensor.New(3) }),
		"bad group":      bad(func(s *State) { s.Scalars["group.7.lr"] = 1 }),
		"bad hyper":      bad(func(s *State) { s.Scalars["group.0.beta"] = 1 }),
		"bad step":       bad(func(s *State) { s.Scalars["param.head.step"] = 1.5 }),
		"bad frozen_idx": bad(func(s *State) { s.Scalars["frozen_idx"] = 9 }),
		"unknown key":    bad(func(s *State) { s.Scalars["momentum"] = 1 }),
		"unknown tensor": bad(func(s *State) { s.Tensors["param.head.exp_avg"] = tensor.New(2) }),
	}
	for name, s := range cases {
		before := o.State()
		if err := o.LoadState(s); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "optim.LoadState") {
			t.Errorf("%s: error %q does not name the function", name, err)
		}
		after := o.State()
		if after.Scalars["param.head.step"] != before.Scalars["param.head.step"] || len(after.Tensors) != len(before.Tensors) {
			t.Errorf("%s: failed LoadState changed the state", name)
		}
	}
}
