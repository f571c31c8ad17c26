package autograd

import (
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

func bnState(c int) *BatchNormState {
	rm := tensor.New(c)
	rv := tensor.Full(1, c)
	return &BatchNormState{RunningMean: rm, RunningVar: rv, Momentum: 0.1, Eps: 1e-5}
}

// The layer kernels have their own fixture and float64 checks in tensor/functional; these
// check that the autograd operations route every gradient (and only the wanted ones).
func TestGradCheckLayerOps(t *testing.T) {
	cases := map[string]struct {
		f        func(g *Graph, in []*Var) *Var
		inputs   []*tensor.Tensor
		training bool
	}{
		"conv": {func(g *Graph, in []*Var) *Var {
			return Conv2d(in[0], in[1], in[2], functional.ConvOpts(2, 1))
		}, []*tensor.Tensor{randT(1, 2, 2, 5, 4), randT(2, 3, 2, 3, 3), randT(3, 3)}, false},
		"conv-nobias": {func(g *Graph, in []*Var) *Var {
			return Conv2d(in[0], in[1], nil, functional.ConvOpts(1, 1))
		}, []*tensor.Tensor{randT(4, 2, 1, 4, 4), randT(5, 2, 2, 3, 3)}, false},
		"bn2d-train": {func(g *Graph, in []*Var) *Var {
			return BatchNorm2d(in[0], in[1], in[2], bnState(2), false, nil)
		}, []*tensor.Tensor{randT(6, 2, 3, 2, 2), randT(7, 2), randT(8, 2)}, true},
		"bn2d-relu-res": {func(g *Graph, in []*Var) *Var {
			return BatchNorm2d(in[0], in[1], in[2], bnState(2), true, in[3])
		}, []*tensor.Tensor{randT(9, 2, 3, 2, 2), randT(10, 2), randT(11, 2), randT(12, 2, 3, 2, 2)}, true},
		"bn2d-eval-relu": {func(g *Graph, in []*Var) *Var {
			return BatchNorm2d(in[0], in[1], in[2], bnState(2), true, nil)
		}, []*tensor.Tensor{randT(13, 2, 3, 2, 2), randT(14, 2), randT(15, 2)}, false},
		"bn1d": {func(g *Graph, in []*Var) *Var {
			return BatchNorm1d(in[0], in[1], in[2], bnState(3))
		}, []*tensor.Tensor{randT(16, 4, 3), randT(17, 3), randT(18, 3)}, true},
		"maxpool": {func(g *Graph, in []*Var) *Var {
			return MaxPool2d(in[0], functional.PoolOpts(3, 2, 1))
		}, []*tensor.Tensor{randT(19, 2, 2, 5, 6)}, false},
		"concatpool-flatten": {func(g *Graph, in []*Var) *Var {
			return Flatten(AdaptiveConcatPool2d(in[0], 1, 1))
		}, []*tensor.Tensor{randT(20, 3, 2, 3, 3)}, false},
		"avgpool": {func(g *Graph, in []*Var) *Var {
			return AdaptiveAvgPool2d(in[0], 2, 1)
		}, []*tensor.Tensor{randT(21, 2, 2, 5, 3)}, false},
		"linear": {func(g *Graph, in []*Var) *Var {
			return Linear(in[0], in[1], in[2])
		}, []*tensor.Tensor{randT(22, 4, 5), randT(23, 3, 5), randT(24, 3)}, false},
		"dropout": {func(g *Graph, in []*Var) *Var {
			return Dropout(in[0], 0.5, rand.New(rand.NewPCG(7, 7)))
		}, []*tensor.Tensor{randT(25, 4, 6)}, true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if err := GradCheck(c.f, c.inputs, GradCheckOptions{Training: c.training}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFrozenConvWeightGetsNoGradient(t *testing.T) {
	g := NewGraph(nil, Record)
	x := g.Input(randT(1, 3, 2, 8, 8))
	w1 := NewParam(randT(2, 4, 3, 3, 3))
	w2 := NewParam(randT(3, 2, 4, 1, 1))
	w1.SetRequiresGrad(false)
	y := Conv2d(Conv2d(x, w1, nil, functional.ConvOpts(1, 1)), w2, nil, functional.ConvOpts(1, 0))
	g.Backward(Mean(y))
	if w1.Grad != nil || x.Grad != nil {
		t.Fatal("frozen weight or input got a gradient")
	}
	if w2.Grad == nil || w2.Grad.Max() == 0 && w2.Grad.Sum() == 0 {
		t.Fatal("trainable weight got no gradient")
	}
}

func TestEvalDropoutIsIdentity(t *testing.T) {
	g := NewGraph(nil, NoGrad)
	x := g.Input(randT(1, 3, 4))
	if Dropout(x, 0.5, rand.New(rand.NewPCG(1, 1))) != x {
		t.Fatal("dropout outside training must return its input")
	}
}
