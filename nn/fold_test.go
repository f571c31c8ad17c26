package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// An evaluation graph that records nothing runs each conv → batch norm (→ residual →
// ReLU) folded (ConvBN); a recording eval-mode graph runs the modules one by one. With
// non-trivial running statistics and affine parameters both give the same logits to
// float32 rounding, on every dispatch path, for basic and bottleneck blocks.
func TestFoldedEvalMatchesUnfolded(t *testing.T) {
	for _, a := range []Arch{ResNet34, ResNet50} {
		t.Run(a.Name, func(t *testing.T) { foldedEvalMatchesUnfolded(t, a) })
	}
}

func foldedEvalMatchesUnfolded(t *testing.T, a Arch) {
	arch := NewResNetArch(a, [4]int{8, 16, 32, 64}, 10)
	rng := rand.New(rand.NewPCG(7, 8))
	InitResNet(arch, rng)
	c := NewCNN(arch, 5, rng, 3)
	for _, m := range Members(c) {
		switch {
		case strings.HasSuffix(m.Name, "running_mean"):
			fill(m.Buffer.Data(), func() float64 { return rng.NormFloat64() * 0.3 })
		case strings.HasSuffix(m.Name, "running_var"):
			fill(m.Buffer.Data(), func() float64 { return 0.5 + rng.Float64() })
		case m.Kind == NormParam && strings.HasSuffix(m.Name, "weight"):
			fill(m.Param.Value.Data(), func() float64 { return 0.5 + rng.Float64() })
		case m.Kind == NormParam:
			fill(m.Param.Value.Data(), func() float64 { return rng.NormFloat64() * 0.2 })
		}
	}
	x := tensor.RandN(rng, 1, 3, 3, 48, 48)
	run := func(mode autograd.Mode) []float32 {
		g := autograd.NewGraph(nil, mode)
		y := c.Forward(g, g.Input(x))
		out := append([]float32(nil), y.Value.Data()...)
		g.Release()
		return out
	}
	forEachISA(t, func(t *testing.T) {
		folded, plain := run(autograd.NoGrad), run(autograd.Record)
		var maxAbs, maxDiff float64
		for i := range plain {
			maxAbs = math.Max(maxAbs, math.Abs(float64(plain[i])))
			maxDiff = math.Max(maxDiff, math.Abs(float64(folded[i]-plain[i])))
		}
		// Rounding differences only (see TestEvalForwardFreesActivations): a wrong fold
		// (variance for std, a missing bias or residual) moves logits by O(max|logit|).
		if !(maxDiff <= 1e-4*maxAbs) {
			t.Errorf("folded logits differ from unfolded by %.3g (max |logit| %.3g)", maxDiff, maxAbs)
		}
		t.Logf("max |folded − unfolded| = %.3g of max |logit| %.3g", maxDiff, maxAbs)
	})
}

func fill(d []float32, f func() float64) {
	for i := range d {
		d[i] = float32(f())
	}
}
