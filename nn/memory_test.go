package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// An evaluation pass frees activations as it goes: it needs far less memory than a
// training pass, which keeps them for the backward, and gives the same logits.
func TestEvalForwardFreesActivations(t *testing.T) {
	arch := NewResNet(ResNet34Blocks, [4]int{8, 16, 32, 64}, 10)
	rng := rand.New(rand.NewPCG(1, 2))
	InitResNet(arch, rng)
	c := NewCNN(arch, 5, rng, 3)
	x := tensor.RandN(rng, 1, 3, 4, 64, 64)
	run := func(mode autograd.Mode) (int64, []float32) {
		pool := autograd.NewPool()
		g := autograd.NewGraph(pool, mode)
		y := c.Forward(g, g.Input(x))
		out := append([]float32(nil), y.Value.Data()...)
		g.Release()
		return pool.AllocatedBytes(), out
	}
	evalBytes, evalOut := run(autograd.NoGrad)
	keepBytes, keepOut := run(autograd.Record)
	if evalBytes*2 > keepBytes {
		t.Errorf("evaluation pass allocated %d bytes, a recording pass %d: activations are not freed", evalBytes, keepBytes)
	}
	// The evaluation pass folds each batch norm into its convolution (ConvBN), so its
	// logits differ from the recording pass's by float32 rounding only: the folded
	// weights s·w round once more and the bias enters before the residual instead of
	// after, a relative change of a few 1e-7 per layer that 36 layers amplify to about
	// 1e-6 of the largest logit (see TestFoldedEvalMatchesUnfolded); a wrong fold is off
	// by O(1).
	maxAbs := 0.0
	for _, v := range keepOut {
		maxAbs = math.Max(maxAbs, math.Abs(float64(v)))
	}
	for i := range evalOut {
		if d := math.Abs(float64(evalOut[i] - keepOut[i])); !(d <= 1e-4*maxAbs) {
			t.Fatalf("logit %d: %v with freeing and folding, %v without (|diff| %.3g > %.3g)",
				i, evalOut[i], keepOut[i], d, 1e-4*maxAbs)
		}
	}
}
