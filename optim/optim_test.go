package optim

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/tensortest"
)

// newParam returns a named parameter with the given value and, when grad is non-nil, that
// gradient.
func newParam(name string, value, grad []float32, noDecay bool) *Param {
	v := autograd.NewParam(tensor.FromData(append([]float32(nil), value...), len(value)))
	if grad != nil {
		v.Grad = tensor.FromData(append([]float32(nil), grad...), len(grad))
	}
	return &Param{Name: name, Var: v, NoDecay: noDecay}
}

// adamRef is an independent float64 evaluation of SPEC §3's Adam step for one element.
type adamRef struct{ p, m, v float64 }

func (r *adamRef) step(g, lr, mom, sqr, eps, wd float64, decay bool, t int) {
	if decay {
		r.p *= 1 - lr*wd
	}
	r.m = mom*r.m + (1-mom)*g
	r.v = sqr*r.v + (1-sqr)*g*g
	b1 := 1 - math.Pow(mom, float64(t))
	b2 := 1 - math.Pow(sqr, float64(t))
	r.p -= lr / b1 * r.m / (math.Sqrt(r.v/b2) + eps)
}

func TestAdamMatchesSpecFormula(t *testing.T) {
	w := newParam("w", []float32{0.5, -1.25, 2, 0}, []float32{0, 0, 0, 0}, false)
	b := newParam("b", []float32{0.1, -0.2}, []float32{0, 0}, true)
	o, err := NewAdam([][]*Param{{w}, {b}}, AdamDefaults())
	if err != nil {
		t.Fatal(err)
	}
	refs := map[*Param][]adamRef{}
	for _, p := range []*Param{w, b} {
		for _, x := range p.Var.Value.Data() {
			refs[p] = append(refs[p], adamRef{p: float64(x)})
		}
	}
	for step := 1; step <= 5; step++ {
		lr, mom := 1e-2*float64(step), 0.95-0.025*float64(step) // scheduled, as one-cycle does
		if err := o.SetHyper(HyperLR, lr, lr/3); err != nil {
			t.Fatal(err)
		}
		if err := o.SetHyper(HyperMom, mom); err != nil {
			t.Fatal(err)
		}
		for gi, p := range []*Param{w, b} {
			g := p.Var.Grad.Data()
			for i := range g {
				g[i] = float32(math.Sin(float64(3*step+i+gi))) * 0.3
				glr := lr
				if gi == 1 {
					glr = lr / 3
				}
				refs[p][i].step(float64(g[i]), glr, mom, 0.99, 1e-5, 0.01, !p.NoDecay, step)
			}
		}
		o.Step()
		for _, p := range []*Param{w, b} {
			for i, x := range p.Var.Value.Data() {
				if d := math.Abs(float64(x) - refs[p][i].p); d > 2e-6*math.Max(1, math.Abs(refs[p][i].p)) {
					t.Fatalf("step %d %s[%d] = %.9g, formula gives %.9g", step, p.Name, i, x, refs[p][i].p)
				}
			}
		}
	}
}

// loadStep reads one fixture of testdata/step.
func loadStep(t *testing.T, name string) *tensor.Tensor {
	t.Helper()
	x, err := tensor.LoadNPY(filepath.Join("testdata", "step", name+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func loadStep64(t *testing.T, name string) ([]float64, []int) {
	t.Helper()
	x, shape, err := tensor.LoadNPY64(filepath.Join("testdata", "step", name+".npy"))
	if err != nil {
		t.Fatal(err)
	}
	return x, shape
}

// runFixture replays testdata/step's six steps (per-group lrs, scheduled moms) with the
// optimiser made by mk and compares every parameter after every step with prefix's fixture.
// w1's gradient is always zero (the stale-gradient case); an extra parameter without a
// gradient must not move.
func runFixture(t *testing.T, prefix string, mk func(groups [][]*Param) (*Optimizer, error), setMom bool, atol, rtol float64) *Optimizer {
	names := []string{"w0", "b0", "w1"}
	params := map[string]*Param{}
	grads := map[string]*tensor.Tensor{}
	for _, n := range names {
		init := loadStep(t, "init_"+n)
		params[n] = &Param{Name: n, Var: autograd.NewParam(init.Clone()), NoDecay: n == "b0"}
		grads[n] = loadStep(t, "grads_"+n)
	}
	untouched := newParam("never", []float32{1, 2, 3}, nil, false)
	o, err := mk([][]*Param{{params["w0"], params["b0"]}, {params["w1"], untouched}})
	if err != nil {
		t.Fatal(err)
	}
	lrs, _ := loadStep64(t, "lrs")
	moms, _ := loadStep64(t, "moms")
	want := map[string]*tensor.Tensor{}
	for _, n := range names {
		want[n] = loadStep(t, prefix+n)
	}
	for s := range moms {
		if err := o.SetHyper(HyperLR, lrs[2*s], lrs[2*s+1]); err != nil {
			t.Fatal(err)
		}
		if setMom {
			if err := o.SetHyper(HyperMom, moms[s]); err != nil {
				t.Fatal(err)
			}
		}
		for _, n := range names {
			p := params[n]
			g := grads[n]
			sz := p.Var.Value.Len()
			p.Var.Grad = tensor.FromData(append([]float32(nil), g.Data()[s*sz:(s+1)*sz]...), p.Var.Value.Shape()...)
		}
		o.Step()
		for _, n := range names {
			sz := params[n].Var.Value.Len()
			w := tensor.FromData(want[n].Data()[s*sz:(s+1)*sz], params[n].Var.Value.Shape()...)
			tensortest.AllClose(t, prefix+n, params[n].Var.Value, w, atol, rtol)
		}
	}
	tensortest.AllCloseSlices(t, "param without gradient", untouched.Var.Value.Data(), []float32{1, 2, 3}, 0, 0)
	return o
}

func TestAdamAgainstFastaiFormulaFixture(t *testing.T) {
	c := AdamDefaults()
	o := runFixture(t, "adam_fastai_", func(g [][]*Param) (*Optimizer, error) { return NewAdam(g, c) }, true, 1e-7, 2e-7)
	st := o.State()
	for _, n := range []string{"w0", "b0", "w1"} {
		tensortest.AllClose(t, "m "+n, st.Tensors["param."+n+".grad_avg"], reshapeLike(loadStep(t, "adam_fastai_m_"+n), st.Tensors["param."+n+".grad_avg"]), 1e-8, 1e-6)
		tensortest.AllClose(t, "v "+n, st.Tensors["param."+n+".sqr_avg"], reshapeLike(loadStep(t, "adam_fastai_v_"+n), st.Tensors["param."+n+".sqr_avg"]), 1e-9, 1e-6)
		if st.Scalars["param."+n+".step"] != 6 {
			t.Errorf("%s step = %v, want 6", n, st.Scalars["param."+n+".step"])
		}
	}
	if _, ok := st.Scalars["param.never.step"]; ok {
		t.Error("a parameter without gradient got optimiser state")
	}
}

func reshapeLike(x, like *tensor.Tensor) *tensor.Tensor { return x.Reshape(like.Shape()...) }

func TestAdamAgainstTorchAdamW(t *testing.T) {
	// torch.optim.AdamW computes sqrt(v)/sqrt(b2) instead of sqrt(v/b2): equal up to rounding.
	runFixture(t, "adam_torch_", func(g [][]*Param) (*Optimizer, error) { return NewAdam(g, AdamDefaults()) }, true, 1e-6, 1e-6)
}

func TestSGDAgainstFixtures(t *testing.T) {
	fastai := SGDConfig{LR: 1e-3, Mom: 0.9, WD: 0.01}
	runFixture(t, "sgd_fastai_", func(g [][]*Param) (*Optimizer, error) { return NewSGD(g, fastai) }, false, 1e-7, 2e-7)
	torch := SGDConfig{LR: 1e-3, Mom: 0.9} // torch's weight_decay is L2, not decoupled: compare without
	runFixture(t, "sgd_torch_", func(g [][]*Param) (*Optimizer, error) { return NewSGD(g, torch) }, false, 1e-6, 1e-6)
}

func TestPlainSGD(t *testing.T) {
	p := newParam("p", []float32{1, -2}, []float32{0.5, 0.25}, false)
	o, err := NewSGD([][]*Param{{p}}, SGDConfig{LR: 0.1, WD: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	o.Step()
	// p·(1−0.05) − 0.1·g
	want := []float32{float32(float32(1)*float32(0.95)) - 0.05, float32(float32(-2)*float32(0.95)) - 0.025}
	tensortest.AllCloseSlices(t, "p", p.Var.Value.Data(), want, 0, 0)
}

func TestStaleZeroGradientIsOnlyDecayed(t *testing.T) {
	// SPEC §3: a parameter with a zero (not nil) gradient keeps being visited; Adam's update
	// is exactly 0 and only the weight decay (1 − lr·wd) applies, with its group's lr.
	stale := newParam("stale", []float32{1, -3, 0.5}, []float32{0, 0, 0}, false)
	staleBN := newParam("bn", []float32{1, -3}, []float32{0, 0}, true)
	o, err := NewAdam([][]*Param{{stale, staleBN}, {}}, AdamDefaults())
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, -3, 0.5}
	for i, lr := range []float64{1e-3, 5e-3, 2e-2} {
		_ = o.SetHyper(HyperLR, lr, 1)
		o.Step()
		f := float32(1 - lr*0.01)
		for j := range want {
			want[j] *= f
		}
		tensortest.AllCloseSlices(t, "stale after step", stale.Var.Value.Data(), want, 0, 0)
		tensortest.AllCloseSlices(t, "no-decay stale", staleBN.Var.Value.Data(), []float32{1, -3}, 0, 0)
		_ = i
	}
}

func TestZeroGradKeepsGradients(t *testing.T) {
	p := newParam("p", []float32{1}, []float32{3}, false)
	q := newParam("q", []float32{1}, nil, false)
	o, _ := NewAdam([][]*Param{{p, q}}, AdamDefaults())
	o.ZeroGrad()
	if p.Var.Grad == nil || p.Var.Grad.Data()[0] != 0 {
		t.Fatal("ZeroGrad must zero an existing gradient and keep it")
	}
	if q.Var.Grad != nil {
		t.Fatal("ZeroGrad allocated a gradient that did not exist")
	}
}

func TestNewRejectsBadInput(t *testing.T) {
	a := newParam("a", []float32{1}, nil, false)
	a2 := newParam("a", []float32{1}, nil, false)
	if _, err := NewAdam([][]*Param{{a}, {a2}}, AdamDefaults()); err == nil {
		t.Error("duplicate names accepted")
	}
	if _, err := NewAdam([][]*Param{{&Param{Name: "x"}}}, AdamDefaults()); err == nil {
		t.Error("parameter without value accepted")
	}
	if _, err := NewAdam(nil, AdamDefaults()); err == nil {
		t.Error("no groups accepted")
	}
	c := AdamDefaults()
	c.Mom = 1
	if _, err := NewAdam([][]*Param{{a}}, c); err == nil {
		t.Error("mom 1 accepted")
	}
	c = AdamDefaults()
	c.Eps = 0
	if _, err := NewAdam([][]*Param{{a}}, c); err == nil {
		t.Error("eps 0 accepted")
	}
	o, _ := NewAdam([][]*Param{{a}, {}}, AdamDefaults())
	if err := o.SetHyper(HyperLR, 1, 2, 3); err == nil {
		t.Error("3 lrs for 2 groups accepted")
	}
	if err := o.SetHyper("beta", 1); err == nil {
		t.Error("unknown hyper-parameter accepted")
	}
}
