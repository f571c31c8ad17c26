package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fastgo/fastgo/tensor"
)

// GradCheckOptions sets the step and tolerances of GradCheck.
type GradCheckOptions struct {
	Eps  float64 // central-difference step (default 1e-2)
	ATol float64 // absolute tolerance (default 1e-3)
	RTol float64 // relative tolerance (default 1e-2)
	Seed uint64  // seed of the random projection of the output
	// Training is passed to the graphs f runs in (BatchNorm batch statistics, Dropout).
	Training bool
}

// GradCheck compares the gradients Backward computes for f with central differences.
// f builds an output from Vars wrapping the given inputs; the check differentiates the
// scalar L = Σ r⊙f(inputs) for a fixed random r, so every output element contributes.
// L and the differences are accumulated in float64; f itself computes in float32, so the
// step must be large enough (1e-2 for O(1) inputs) for float32 rounding not to dominate.
// It returns an error naming the input, element and both values of the worst mismatch.
// The inputs are restored before it returns. f must be deterministic (seed any RNG
// inside it identically on every call).
func GradCheck(f func(g *Graph, in []*Var) *Var, inputs []*tensor.Tensor, o GradCheckOptions) error {
	if o.Eps == 0 {
		o.Eps = 1e-2
	}
	if o.ATol == 0 {
		o.ATol = 1e-3
	}
	if o.RTol == 0 {
		o.RTol = 1e-2
	}
	pool := NewPool()
	// Analytic gradients.
	g := NewGraph(pool, Record)
	g.Training = o.Training
	vars := make([]*Var, len(inputs))
	for i, t := range inputs {
		vars[i] = g.Leaf(t)
	}
	out := f(g, vars)
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e3779b97f4a7c15))
	r := tensor.RandN(rng, 1, out.Value.Shape()...)
	g.BackwardWith(out, r)
	g.Release()

	loss := func() float64 {
		g := NewGraph(pool, NoGrad)
		g.Training = o.Training
		in := make([]*Var, len(inputs))
		for i, t := range inputs {
			in[i] = NewConst(t)
			in[i].g = g
		}
		y := f(g, in)
		var s float64
		for i, v := range y.Value.Data() {
			s += float64(v) * float64(r.Data()[i])
		}
		g.Release()
		return s
	}
	for i, t := range inputs {
		if vars[i].Grad == nil {
			return fmt.Errorf("input %d: no gradient was computed", i)
		}
		an := vars[i].Grad.Data()
		d := t.Data()
		worst, worstJ := 0.0, -1
		var worstNum float64
		for j := range d {
			orig := d[j]
			d[j] = float32(float64(orig) + o.Eps)
			hi := float64(d[j]) - float64(orig) // the step actually taken in float32
			lp := loss()
			d[j] = float32(float64(orig) - o.Eps)
			lo := float64(orig) - float64(d[j])
			lm := loss()
			d[j] = orig
			num := (lp - lm) / (hi + lo)
			ex := math.Abs(num-float64(an[j])) / (o.ATol + o.RTol*math.Abs(num))
			if math.IsNaN(ex) || ex > worst {
				worst, worstJ, worstNum = ex, j, num
			}
		}
		if worstJ >= 0 && (worst > 1 || math.IsNaN(worst)) {
			return fmt.Errorf("input %d (shape %v) element %d: analytic gradient %.6g, numerical %.6g",
				i, t.Shape(), worstJ, an[worstJ], worstNum)
		}
	}
	return nil
}
