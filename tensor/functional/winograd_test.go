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
		{4, 6, 9, 7, 7, 1}, // enough images for a mosaic on two threads
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

// inputGradRef returns the float64 input gradient of a 3×3 stride-1 convolution, dx
// = Σ_co Σ_taps dy·w (the transposed convolution), and Σ|dy|·|w| per input.
func inputGradRef(dy []float32, dyShape []int, w []float32, cin, h, wd, pad int) (ref, mag []float64) {
	cout, n, ho, wo := dyShape[0], dyShape[1], dyShape[2], dyShape[3]
	ref = make([]float64, cin*n*h*wd)
	mag = make([]float64, len(ref))
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			for b := 0; b < n; b++ {
				for oh := 0; oh < ho; oh++ {
					for ow := 0; ow < wo; ow++ {
						d := float64(dy[((co*n+b)*ho+oh)*wo+ow])
						for kh := 0; kh < 3; kh++ {
							for kw := 0; kw < 3; kw++ {
								ih, iw := oh+kh-pad, ow+kw-pad
								if ih < 0 || ih >= h || iw < 0 || iw >= wd {
									continue
								}
								v := d * float64(w[((co*cin+ci)*3+kh)*3+kw])
								i := ((ci*n+b)*h+ih)*wd + iw
								ref[i] += v
								mag[i] += math.Abs(v)
							}
						}
					}
				}
			}
		}
	}
	return ref, mag
}

// The input gradient through Winograd (the flipped filters transformed and packed
// transposed, without a flipped copy) and through im2col of the flipped copy, against
// the float64 transposed convolution, overwriting and accumulating, on every path,
// one and two threads, filters packed up front and by each chunk, Cin ≠ Cout and
// padding 0, 1 and 2.
func TestConvInputGradViaConv(t *testing.T) {
	cases := []struct{ cin, cout, n, h, w, pad int }{
		{3, 5, 2, 7, 7, 1},
		{5, 7, 2, 13, 17, 1},
		{4, 3, 1, 9, 6, 0},
		{6, 2, 2, 5, 11, 2},
		{24, 17, 2, 18, 18, 1},
	}
	oldMin := convInputGradViaConvMinP
	convInputGradViaConvMinP = 0
	defer func() { convInputGradViaConvMinP = oldMin }()
	rng := rand.New(rand.NewPCG(13, 14))
	forEachISA(t, func(t *testing.T) {
		for _, algo := range []ConvAlgo{ConvWinograd, ConvIm2col} {
			restoreAlgo := withConvAlgo(algo)
			for _, threads := range []int{1, 2} {
				restore := withThreads(threads)
				// Budget 1: a chunk per tile row, so Winograd packs the filters up front
				// (winoPrepackChunks); 512K: one chunk, packed by its GEMMs.
				for _, budget := range []int{1, 512 << 10} {
					oldB, oldM := winoBudget, winoMinTiles
					winoBudget, winoMinTiles = budget, 1
					for _, c := range cases {
						p := ConvOpts(1, c.pad)
						x := randT(rng, c.cin, c.n, c.h, c.w)
						w := randT(rng, c.cout, c.cin, 3, 3)
						shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), p)
						if err != nil {
							t.Fatal(err)
						}
						dy := randT(rng, shape...)
						ref, mag := inputGradRef(dy.Data(), shape, w.Data(), c.cin, c.h, c.w, c.pad)
						dx := tensor.Full(float32(math.NaN()), x.Shape()...)
						Conv2dBackward(Overwrite(dx), GradOut{}, GradOut{}, dy, x, w, p)
						checkWino(t, algo.String()+" overwrite", dx.Data(), ref, mag)
						old := randT(rng, x.Shape()...)
						acc := old.Clone()
						Conv2dBackward(Accumulate(acc), GradOut{}, GradOut{}, dy, x, w, p)
						refAcc, magAcc := make([]float64, len(ref)), make([]float64, len(ref))
						for i := range ref {
							refAcc[i] = ref[i] + float64(old.Data()[i])
							magAcc[i] = mag[i] + math.Abs(float64(old.Data()[i]))
						}
						checkWino(t, algo.String()+" accumulate", acc.Data(), refAcc, magAcc)
					}
					winoBudget, winoMinTiles = oldB, oldM
				}
				restore()
			}
			restoreAlgo()
		}
	})
}
