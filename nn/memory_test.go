package nn

import (
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
	for i := range evalOut {
		if evalOut[i] != keepOut[i] {
			t.Fatalf("logit %d: %v with freeing, %v without", i, evalOut[i], keepOut[i])
		}
	}
}
