package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// withConvAlgo selects a convolution algorithm for a test and restores the previous.
func withConvAlgo(a ConvAlgo) (restore func()) {
	old := convAlgo
	convAlgo = a
	return func() { convAlgo = old }
}

// winoTol is the test's bound on a Winograd output's error relative to Σ|w|·|x| over
// the products that make it. A float32 im2col sum is within K·2⁻²⁴·Σ|w||x| in the worst
// case (K = 9·Cin) and about √K·2⁻²⁴ typically; Winograd F(4×4, 3×3) first computes
// the 36 transformed products, whose entries are sums with coefficients up to 5·5 (Bᵀ
// twice) and 1/6-type fractions (G twice) rounded once more, then combines them with
// Aᵀ's up to 8·8: the error of each output is a few tens of ulps of the transformed
// magnitudes, which are at most ‖Aᵀ‖·‖G‖·‖Bᵀ‖-fold (about 100, infinity norms)
// Σ|w||x|. 2e-5 ≈ 170·2⁻²⁴ covers that with margin; the measured worst case on these
// random shapes is about 4e-6. A wrong tap, tile or transform entry is off by O(1)
// of Σ|w||x| for some output.
const winoTol = 2e-5

// checkWino compares y with the float64 reference ref, output by output, against
// winoTol·Σ|w|·|x| (absRef), and returns the largest ratio |y−ref| / Σ|w||x|.
func checkWino(t *testing.T, name string, y []float32, ref, absRef []float64) float64 {
	t.Helper()
	worst := 0.0
	for i, r := range ref {
		d := math.Abs(float64(y[i]) - r)
		bound := winoTol * absRef[i]
		if !(d <= bound+1e-30) {
			t.Fatalf("%s: output %d = %v, want %v (|diff| %.3g > %.3g = %.0e·Σ|w||x|)", name, i, y[i], r, d, bound, winoTol)
		}
		if absRef[i] > 0 {
			worst = max(worst, d/absRef[i])
		}
	}
	return worst
}

// Winograd convolution against the float64 direct convolution on every dispatch path:
// odd and prime sizes (partial tiles on the right and bottom), 1×1 images, padding 0, 1
// and 2, bias, the fused epilogues, accumulation (beta 1, as the input gradient uses),
// one and two threads, and chunks from one tile row up.
func TestWinogradMatchesDirect(t *testing.T) {
	cases := []struct {
		cin, cout, n, h, w, pad int
	}{
		{1, 1, 1, 1, 1, 1},
		{3, 5, 2, 7, 7, 1},
		{8, 16, 3, 14, 14, 1},
		{5, 7, 2, 13, 17, 1},
		{4, 3, 1, 9, 6, 0},
		{6, 2, 2, 5, 11, 2},
		{17, 19, 2, 23, 29, 1},
		{32, 24, 2, 30, 30, 1},
	}
	rng := rand.New(rand.NewPCG(11, 12))
	type prepared struct {
		p                 Conv2dParams
		x, w, b, res      *tensor.Tensor
		ref, absRef       []float64
		refRes, absRefRes []float64 // relu(conv + b + res), and its Σ|·|
		refAcc            []float64 // res + conv, no bias
	}
	var preps []prepared
	for _, c := range cases {
		var q prepared
		q.p = ConvOpts(1, c.pad)
		q.x = randT(rng, c.cin, c.n, c.h, c.w)
		q.w = randT(rng, c.cout, c.cin, 3, 3)
		q.b = randT(rng, c.cout)
		shape, err := Conv2dOutputShape(q.x.Shape(), q.w.Shape(), q.p)
		if err != nil {
			t.Fatal(err)
		}
		q.res = randT(rng, shape...)
		q.ref = convRef(to64(q.x.Data()), q.x.Shape(), to64(q.w.Data()), q.w.Shape(), to64(q.b.Data()), q.p)
		q.absRef = convRef(abs64(to64(q.x.Data())), q.x.Shape(), abs64(to64(q.w.Data())), q.w.Shape(), abs64(to64(q.b.Data())), q.p)
		per := len(q.ref) / c.cout
		for i, r := range q.ref {
			rv := float64(q.res.Data()[i])
			q.refRes = append(q.refRes, max(r+rv, 0))
			q.absRefRes = append(q.absRefRes, q.absRef[i]+math.Abs(rv))
			q.refAcc = append(q.refAcc, r-float64(q.b.Data()[i/per])+rv)
		}
		preps = append(preps, q)
	}
	restoreAlgo := withConvAlgo(ConvWinograd)
	defer restoreAlgo()
	worst := 0.0
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			for _, budget := range []int{1, 512 << 10} {
				restore := withThreads(threads)
				oldB, oldM := winoBudget, winoMinTiles
				winoBudget, winoMinTiles = budget, 1
				for _, q := range preps {
					g := mustConvGeom("test", q.x.Shape(), q.w.Shape(), q.p)
					if !g.useWinograd() {
						t.Fatalf("%v: not routed to Winograd", q.x.Shape())
					}
					y := tensor.Full(float32(math.NaN()), q.res.Shape()...)
					Conv2dForward(y, q.x, q.w, q.b, q.p)
					worst = max(worst, checkWino(t, "forward", y.Data(), q.ref, q.absRef))
					// Fused residual + ReLU: the addition and the ReLU add no error to speak of.
					Conv2dForwardFused(y, q.x, q.w, q.b, q.res, true, q.p)
					checkWino(t, "fused", y.Data(), q.refRes, q.absRefRes)
					// Accumulation: y (= res) += conv(x, w), no bias.
					y = q.res.Clone()
					convForward(&g, y.Data(), q.x.Data(), q.w.Data(), convEpi{}, 1)
					checkWino(t, "accumulate", y.Data(), q.refAcc, q.absRefRes)
				}
				winoBudget, winoMinTiles = oldB, oldM
				restore()
			}
		}
	})
	t.Logf("worst |winograd − exact| / Σ|w||x| = %.3g", worst)
}
