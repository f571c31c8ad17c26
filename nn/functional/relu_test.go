package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm"
	"github.com/fastgo/fastgo/tensor"
)

// TestReluParallel checks that Relu and ReluBackward split across goroutines give the
// kernels' results element for element, on a length that is no multiple of the chunk.
func TestReluParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	const n = 64*37 + 13
	x, dy := randT(rng, n), randT(rng, n)
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 3} {
			restore := withKnobs(knobs{threads: threads, colBudget: convColBudget, minChunk: convMinChunk,
				splitP: convWeightGradSplitP, viaConv: convInputGradViaConv, deint: convDeinterleave})
			y, wantY := tensor.New(n), make([]float32, n)
			Relu(y, x)
			asm.Relu(wantY, x.Data())
			dx, wantDx := filled(x, float32(math.NaN())), make([]float32, n)
			ReluBackward(Overwrite(dx), dy, y)
			asm.ReluBackward(wantDx, dy.Data(), wantY)
			acc := filled(x, 1)
			ReluBackward(Accumulate(acc), dy, y)
			restore()
			for i := range wantY {
				if y.Data()[i] != wantY[i] || dx.Data()[i] != wantDx[i] || acc.Data()[i] != 1+wantDx[i] {
					t.Fatalf("threads=%d element %d: relu %g, backward %g, accumulated %g; want %g, %g, %g",
						threads, i, y.Data()[i], dx.Data()[i], acc.Data()[i], wantY[i], wantDx[i], 1+wantDx[i])
				}
			}
		}
	})
}
