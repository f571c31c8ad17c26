package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/vec"
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
			restore := withThreads(threads)
			y, wantY := tensor.New(n), make([]float32, n)
			Relu(y, x)
			vec.Relu(wantY, x.Data())
			dx, wantDx := filled(x, float32(math.NaN())), make([]float32, n)
			ReluBackward(Overwrite(dx), dy, y)
			vec.ReluBackward(wantDx, dy.Data(), wantY)
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

// TestReluBackwardAccumulateMatchesOverwrite checks that accumulating adds exactly what
// overwriting stores, on outputs y that include NaNs of both signs, ±0 and ±Inf.
func TestReluBackwardAccumulateMatchesOverwrite(t *testing.T) {
	nan := float32(math.NaN())
	negNaN := math.Float32frombits(math.Float32bits(nan) | 1<<31)
	inf := float32(math.Inf(1))
	yv := []float32{nan, negNaN, inf, -inf, 0, float32(math.Copysign(0, -1)), 2, -2, 1e-45}
	n := 64*3 + len(yv)
	y, dy := tensor.New(n), tensor.New(n)
	for i := range n {
		y.Data()[i] = yv[i%len(yv)]
		dy.Data()[i] = float32(i + 1)
	}
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 3} {
			restore := withThreads(threads)
			dx, acc := tensor.New(n), filled(y, 1)
			ReluBackward(Overwrite(dx), dy, y)
			ReluBackward(Accumulate(acc), dy, y)
			restore()
			for i, v := range acc.Data() {
				if v != 1+dx.Data()[i] {
					t.Fatalf("threads=%d y=%g: accumulated %g, overwritten %g", threads, y.Data()[i], v, dx.Data()[i])
				}
			}
		}
	})
}
