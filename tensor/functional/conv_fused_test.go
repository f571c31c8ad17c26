package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// The folded, fused inference convolution equals convolution → eval batch norm
// (→ + residual → ReLU) computed in float64 from the definitions, on every dispatch path,
// for the 1×1 (X is the column matrix) and im2col drivers, with and without a
// convolution bias, one and two threads.
func TestConv2dForwardFusedMatchesConvBN(t *testing.T) {
	cases := []struct {
		name          string
		cin, cout, hw int
		k             int
		p             Conv2dParams
		bias          bool
	}{
		{"3x3s1", 5, 7, 9, 3, ConvOpts(1, 1), false},
		{"3x3s2_bias", 6, 4, 11, 3, ConvOpts(2, 1), true},
		{"1x1s1", 8, 5, 7, 1, ConvOpts(1, 0), false},
		{"1x1s2", 3, 9, 8, 1, ConvOpts(2, 0), true},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			restore := withThreads(threads)
			for _, c := range cases {
				x := randT(rng, c.cin, 3, c.hw, c.hw)
				w := randT(rng, c.cout, c.cin, c.k, c.k)
				var cb *tensor.Tensor
				if c.bias {
					cb = randT(rng, c.cout)
				}
				gamma, beta, mean := randT(rng, c.cout), randT(rng, c.cout), randT(rng, c.cout)
				variance := tensor.New(c.cout)
				for i := range variance.Data() {
					variance.Data()[i] = 0.1 + 2*rng.Float32()
				}
				shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), c.p)
				if err != nil {
					t.Fatal(err)
				}
				res := randT(rng, shape...)
				var cb64 []float64
				if cb != nil {
					cb64 = to64(cb.Data())
				}
				conv := convRef(to64(x.Data()), x.Shape(), to64(w.Data()), w.Shape(), cb64, c.p)
				fw, fb := tensor.New(w.Shape()...), tensor.New(c.cout)
				FoldBatchNorm(fw, fb, w, cb, gamma, beta, mean, variance, BNEps)
				for _, mode := range []struct {
					name string
					res  *tensor.Tensor
					relu bool
				}{{"plain", nil, false}, {"relu", nil, true}, {"res+relu", res, true}, {"res", res, false}} {
					var res64 []float64
					if mode.res != nil {
						res64 = to64(mode.res.Data())
					}
					want := bnRef(conv, c.cout, to64(gamma.Data()), to64(beta.Data()), to64(mean.Data()),
						to64(variance.Data()), false, res64, mode.relu)
					y := tensor.Full(float32(math.NaN()), shape...)
					Conv2dForwardFused(y, x, fw, fb, mode.res, mode.relu, c.p)
					// A float32 sum of K ≤ 54 products of folded weights (rounded once
					// more than the reference): its error is a few 1e-7 of the output's
					// scale; the bound, 1e-4 of the largest output (plus 1e-3 relative), is
					// far below what a wrong fold, bias or residual gives (O(1)).
					checkGrad(t, c.name+"/"+mode.name, y.Data(), want)
				}
			}
			restore()
		}
	})
}

// FoldBatchNorm with no bias and default affine parameters divides by √(var + eps) only.
func TestFoldBatchNormDefaults(t *testing.T) {
	w := tensor.FromData([]float32{1, 2, 3, 4}, 2, 2, 1, 1)
	mean := tensor.FromData([]float32{0.5, -1}, 2)
	variance := tensor.FromData([]float32{4, 0.25}, 2)
	fw, fb := tensor.New(2, 2, 1, 1), tensor.New(2)
	FoldBatchNorm(fw, fb, w, nil, nil, nil, mean, variance, 0)
	want := []float32{0.5, 1, 6, 8}
	for i, v := range want {
		if fw.Data()[i] != v {
			t.Errorf("fw[%d] = %v, want %v", i, fw.Data()[i], v)
		}
	}
	if fb.Data()[0] != -0.25 || fb.Data()[1] != 2 {
		t.Errorf("fb = %v, want [-0.25 2]", fb.Data())
	}
}
