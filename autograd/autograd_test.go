package autograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

func randT(seed uint64, shape ...int) *tensor.Tensor {
	return tensor.RandN(rand.New(rand.NewPCG(seed, 1)), 1, shape...)
}

func TestGradCheckBasicOps(t *testing.T) {
	cases := map[string]struct {
		f      func(g *Graph, in []*Var) *Var
		inputs []*tensor.Tensor
	}{
		"add":    {func(g *Graph, in []*Var) *Var { return Add(in[0], in[1]) }, []*tensor.Tensor{randT(1, 3, 4), randT(2, 3, 4)}},
		"mul":    {func(g *Graph, in []*Var) *Var { return Mul(in[0], in[1]) }, []*tensor.Tensor{randT(3, 5), randT(4, 5)}},
		"scale":  {func(g *Graph, in []*Var) *Var { return Scale(in[0], -2.5) }, []*tensor.Tensor{randT(5, 7)}},
		"relu":   {func(g *Graph, in []*Var) *Var { return ReLU(in[0]) }, []*tensor.Tensor{randT(6, 4, 5)}},
		"mean":   {func(g *Graph, in []*Var) *Var { return Mean(in[0]) }, []*tensor.Tensor{randT(7, 6)}},
		"matmul": {func(g *Graph, in []*Var) *Var { return MatMul(in[0], in[1]) }, []*tensor.Tensor{randT(8, 3, 5), randT(9, 5, 2)}},
		"reuse": {func(g *Graph, in []*Var) *Var { // x used twice: gradients must accumulate
			return Mul(Add(in[0], in[0]), ReLU(in[0]))
		}, []*tensor.Tensor{randT(10, 8)}},
		"reshape": {func(g *Graph, in []*Var) *Var { return Mul(Reshape(in[0], 6), in[1]) }, []*tensor.Tensor{randT(11, 2, 3), randT(12, 6)}},
		"bce": {func(g *Graph, in []*Var) *Var {
			return BCE(in[0], tensor.FromData([]float32{1, 0, 0, 1, 1, 0}, 2, 3))
		}, []*tensor.Tensor{randT(13, 2, 3)}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := GradCheck(c.f, c.inputs, GradCheckOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOnlyRequiredGradientsAreComputed(t *testing.T) {
	g := NewGraph(nil, Record)
	w := NewParam(randT(1, 2, 3))
	frozen := NewParam(randT(2, 3, 2))
	frozen.SetRequiresGrad(false)
	x := g.Input(randT(3, 4, 2))
	y := MatMul(MatMul(x, tensor2var(g, randT(4, 2, 2))), w) // [4,3]
	z := MatMul(y, frozen)
	g.Backward(Mean(z))
	if w.Grad == nil {
		t.Fatal("w got no gradient")
	}
	if frozen.Grad != nil || x.Grad != nil {
		t.Fatal("a Var that requires no gradient got one")
	}
	// Under NoGrad nothing is recorded.
	ng := NewGraph(nil, NoGrad)
	out := MatMul(ng.Input(randT(5, 1, 2)), w)
	if out.node != nil || len(ng.tape) != 0 {
		t.Fatal("NoGrad graph recorded an operation")
	}
}

func tensor2var(g *Graph, t *tensor.Tensor) *Var { return g.Input(t) }

func TestGradientsAccumulateAcrossBackwards(t *testing.T) {
	w := NewParam(tensor.FromData([]float32{1, 2}, 2))
	for i := 0; i < 2; i++ {
		g := NewGraph(nil, Record)
		g.Backward(Sum(Mul(w, g.Input(tensor.FromData([]float32{3, 4}, 2)))))
		g.Release()
	}
	if w.Grad.Data()[0] != 6 || w.Grad.Data()[1] != 8 {
		t.Fatalf("accumulated grad %v, want [6 8]", w.Grad.Data())
	}
	w.ZeroGrad()
	if w.Grad == nil || w.Grad.Data()[0] != 0 {
		t.Fatal("ZeroGrad must zero, not drop, the gradient")
	}
}

func TestBCEStableAndMatchesFormula(t *testing.T) {
	x := tensor.FromData([]float32{0.3, -1.2, 1e4, -1e4, 20, -100}, 2, 3)
	tg := tensor.FromData([]float32{1, 0, 1, 0, 0, 1}, 2, 3)
	g := NewGraph(nil, Record)
	xv := g.Leaf(x)
	l := BCE(xv, tg)
	g.Backward(l)
	var want float64
	for i, v := range x.Data() {
		p := 1 / (1 + math.Exp(-float64(v)))
		if tg.Data()[i] == 1 {
			want += -math.Log(p)
		} else {
			want += -math.Log(1 - p)
		}
	}
	// Elements 4 and 5 saturate in float64 too; use the exact asymptotes there.
	want = (-math.Log(1/(1+math.Exp(-0.3))) - math.Log(1-1/(1+math.Exp(1.2))) + 0 + 0 + (20 + math.Log1p(math.Exp(-20))) + 100) / 6
	got := float64(l.Value.Data()[0])
	if math.Abs(got-want) > 1e-5*want || math.IsInf(got, 0) || math.IsNaN(got) {
		t.Fatalf("BCE = %v, want %v", got, want)
	}
	if !xv.Grad.AllFinite() {
		t.Fatalf("BCE gradient not finite: %v", xv.Grad)
	}
	// d/dx = (σ(x)-t)/6: for x=1e4,t=1 → 0; x=-100,t=1 → -1/6.
	if d := xv.Grad.Data()[5]; math.Abs(float64(d)+1.0/6) > 1e-6 {
		t.Fatalf("grad at x=-100,t=1 is %v, want -1/6", d)
	}
}

func TestPoolReusesBuffersAcrossSteps(t *testing.T) {
	pool := NewPool()
	w := NewParam(randT(1, 16, 16))
	var after2 int64
	for step := 0; step < 50; step++ {
		g := NewGraph(pool, Record)
		x := g.Input(randT(uint64(step), 8, 16))
		h := ReLU(MatMul(x, w))
		g.Backward(Mean(Mul(h, h)))
		g.Release()
		if step == 1 {
			after2 = pool.AllocatedBytes()
		}
	}
	if got := pool.AllocatedBytes(); got != after2 {
		t.Fatalf("pool grew from %d to %d bytes after step 2", after2, got)
	}
}

func TestGradCheckCatchesAWrongBackward(t *testing.T) {
	// y = 2x with a backward that claims 3: GradCheck must report it.
	wrong := func(g *Graph, in []*Var) *Var {
		a := in[0]
		y := g.Alloc(a.Value.Shape()...)
		copy(y.Data(), a.Value.Data())
		y.Scale(2)
		return g.newVar("wrong", y, []*Var{a}, func(out *Var) {
			grad, _ := g.gradFor(a)
			tensor.AddScaled(grad, 3, out.Grad)
		})
	}
	if err := GradCheck(wrong, []*tensor.Tensor{randT(1, 4)}, GradCheckOptions{}); err == nil {
		t.Fatal("GradCheck accepted a wrong gradient")
	}
}
