package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// TestChannelMoments checks the one-pass mean and variance against float64 two-pass
// sums on channels that are hard for one pass: a mean 10⁴ times the spread, blocks
// whose means jump by hundreds of their own spreads (a channel of very different
// images), a constant channel, and lengths around the block size.
func TestChannelMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	cases := map[string]func(i int) float32{
		"large mean":  func(int) float32 { return 1000 + 0.1*float32(rng.NormFloat64()) },
		"block jumps": func(i int) float32 { return float32(100*((i/3000)%7)) + 0.01*float32(rng.NormFloat64()) },
		"constant":    func(int) float32 { return 3.25 },
		"normal":      func(int) float32 { return float32(rng.NormFloat64()) },
	}
	for name, gen := range cases {
		for _, n := range []int{1, 2, 17, bnBlock - 1, bnBlock, bnBlock + 1, 3*bnBlock + 77, 200000} {
			x := make([]float32, n)
			var mean, m2 float64
			for i := range x {
				x[i] = gen(i)
				mean += float64(x[i])
			}
			mean /= float64(n)
			for _, v := range x {
				m2 += (float64(v) - mean) * (float64(v) - mean)
			}
			variance := m2 / float64(n)
			forEachISA(t, func(t *testing.T) {
				gm, gv := channelMoments(x)
				// float32 block sums round at 2⁻²⁴ of the values' size, |mean| + spread,
				// and the variance to a few roundings of the squared deviations.
				if math.Abs(gm-mean) > 1e-6*(math.Abs(mean)+math.Sqrt(variance))+1e-12 ||
					math.Abs(gv-variance) > 1e-5*variance+1e-12 {
					t.Fatalf("%s n=%d: mean %.9g, variance %.9g; want %.9g, %.9g", name, n, gm, gv, mean, variance)
				}
			})
		}
	}
}

// TestBatchNormReLUNaN checks PyTorch's NaN rules in the fused layer, in eval mode so
// that a NaN stays in its element: relu(NaN) is NaN, and the backward passes dy where
// y is NaN and blocks it where y <= 0 (also y = 0).
func TestBatchNormReLUNaN(t *testing.T) {
	nan := float32(math.NaN())
	pattern := []float32{nan, -1, 2, 0, 3, -0.5, nan, 1}
	const n = 40 // SIMD blocks and a tail on every path
	x := tensor.New(1, 1, 1, n)
	for i := range x.Data() {
		x.Data()[i] = pattern[i%len(pattern)]
	}
	p := &BatchNormParams{Gamma: tensor.Full(1, 1), Beta: tensor.New(1), RunningMean: tensor.New(1),
		RunningVar: tensor.Full(1, 1), Momentum: BNMomentum, Eps: BNEps}
	invstd := float32(1 / math.Sqrt(1+BNEps))
	forEachISA(t, func(t *testing.T) {
		var s BNSaved
		y, dx := tensor.New(1, 1, 1, n), tensor.New(1, 1, 1, n)
		BatchNorm2dReLU(y, x, nil, p, &s)
		BatchNorm2dReLUBackward(Overwrite(dx), GradOut{}, GradOut{}, GradOut{}, tensor.Full(1, 1, 1, 1, n), x, y, p, &s)
		for i, v := range x.Data() {
			wantY, wantDx := max(v*invstd, 0), invstd
			switch {
			case v != v:
				wantY = nan
			case v <= 0:
				wantDx = 0
			}
			if got := y.Data()[i]; got != wantY && !(got != got && wantY != wantY) {
				t.Fatalf("y[%d] = %g for x = %g, want %g", i, got, v, wantY)
			}
			if got := dx.Data()[i]; got != wantDx {
				t.Fatalf("dx[%d] = %g for x = %g, want %g", i, got, v, wantDx)
			}
		}
	})
}
