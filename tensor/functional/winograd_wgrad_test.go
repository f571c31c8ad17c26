package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// winogradWGradTol bounds a Winograd weight-gradient element's error relative to
// M = max over the nine taps of its (co, ci) pair of Σ|x|·|dy| over the products that
// make the tap: the transforms mix the nine taps of a pair (Ĝ) and the 36 transformed
// products of a tile, so a tap whose own products are few or none (the corner taps of
// a 1×1 image with padding 1, exactly 0) still carries the cancellation error of its
// neighbours' magnitudes. As for the forward (winoTol), each tile's
// contribution passes through transforms whose norms multiply the magnitudes by about
// 100 (Bᵀ up to 5 twice, A up to 8 twice, Ĝ's fractions); on top of that the float32
// GEMMs reduce over every tile of the batch (up to a few hundred here), whose rounding
// grows like √T·2⁻²⁴ of the transformed magnitudes. 2e-5 (the forward's winoTol)
// covers that with margin: the measured worst case on these shapes is 8e-7 (logged);
// a wrong tap, tile edge or transform entry is off by
// O(1)·Σ|x||dy| for some element.
const winogradWGradTol = 2e-5

// wgradRef returns the float64 weight gradient dw[co,ci,i,j] = Σ dy[co,n,oh,ow]·
// x[ci,n,oh+i−p,ow+j−p] of a 3×3 stride-1 convolution with padding p.
func wgradRef(x []float64, xs []int, dy []float64, ys []int, pad int) []float64 {
	cin, n, h, w := xs[0], xs[1], xs[2], xs[3]
	cout, ho, wo := ys[0], ys[2], ys[3]
	dw := make([]float64, cout*cin*9)
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					var s float64
					for b := 0; b < n; b++ {
						for oh := 0; oh < ho; oh++ {
							ih := oh + i - pad
							if ih < 0 || ih >= h {
								continue
							}
							for ow := 0; ow < wo; ow++ {
								iw := ow + j - pad
								if iw < 0 || iw >= w {
									continue
								}
								s += dy[((co*n+b)*ho+oh)*wo+ow] * x[((ci*n+b)*h+ih)*w+iw]
							}
						}
					}
					dw[(co*cin+ci)*9+i*3+j] = s
				}
			}
		}
	}
	return dw
}

// pairMax replaces each element of a [pairs][9] magnitude by the largest of its nine.
func pairMax(a []float64) []float64 {
	for i := 0; i < len(a); i += 9 {
		m := 0.0
		for _, v := range a[i : i+9] {
			m = max(m, v)
		}
		for k := i; k < i+9; k++ {
			a[k] = m
		}
	}
	return a
}

// The Winograd weight gradient against the float64 direct one on every dispatch path,
// for Overwrite and Accumulate, one and two threads, chunks from one tile row up: odd
// and prime sizes (partial tiles), 1×1 images, batch 1, padding 0, 1 and 2, channel
// counts that are not multiples of the GEMM's register tiles. The im2col weight
// gradient is checked against the same reference and bound, so the two agree.
func TestWinogradWeightGradMatchesDirect(t *testing.T) {
	cases := []struct {
		cin, cout, n, h, w, pad int
	}{
		{1, 1, 1, 1, 1, 1},
		{3, 5, 2, 7, 7, 1},
		{8, 16, 3, 14, 14, 1},
		{5, 7, 1, 13, 17, 1},
		{4, 3, 1, 9, 6, 0},
		{6, 2, 2, 5, 11, 2},
		{17, 19, 2, 23, 29, 1},
		{32, 24, 2, 30, 30, 1},
	}
	rng := rand.New(rand.NewPCG(21, 12))
	type prepared struct {
		p           Conv2dParams
		x, w, dy    *tensor.Tensor
		old         *tensor.Tensor
		ref, absRef []float64
		refAcc      []float64
		absAcc      []float64
	}
	var preps []prepared
	for _, c := range cases {
		var q prepared
		q.p = ConvOpts(1, c.pad)
		q.x = randT(rng, c.cin, c.n, c.h, c.w)
		q.w = randT(rng, c.cout, c.cin, 3, 3)
		shape, err := Conv2dOutputShape(q.x.Shape(), q.w.Shape(), q.p)
		if err != nil {
			t.Fatal(err)
		}
		q.dy = randT(rng, shape...)
		q.old = randT(rng, q.w.Shape()...)
		q.ref = wgradRef(to64(q.x.Data()), q.x.Shape(), to64(q.dy.Data()), shape, c.pad)
		q.absRef = pairMax(wgradRef(abs64(to64(q.x.Data())), q.x.Shape(), abs64(to64(q.dy.Data())), shape, c.pad))
		for i, r := range q.ref {
			o := float64(q.old.Data()[i])
			q.refAcc = append(q.refAcc, r+o)
			q.absAcc = append(q.absAcc, q.absRef[i]+math.Abs(o))
		}
		preps = append(preps, q)
	}
	check := func(t *testing.T, name string, got []float32, ref, absRef []float64) float64 {
		t.Helper()
		worst := 0.0
		for i, r := range ref {
			d := math.Abs(float64(got[i]) - r)
			if !(d <= winogradWGradTol*absRef[i]+1e-30) {
				t.Fatalf("%s: dw[%d] = %v, want %v (|diff| %.3g > %.0e·M = %.3g)", name, i, got[i], r, d, winogradWGradTol, winogradWGradTol*absRef[i])
			}
			if absRef[i] > 0 {
				worst = max(worst, d/absRef[i])
			}
		}
		return worst
	}
	worst := 0.0
	forEachISA(t, func(t *testing.T) {
		for _, algo := range []ConvAlgo{ConvWinograd, ConvIm2col} {
			restoreAlgo := withConvAlgo(algo)
			for _, threads := range []int{1, 2} {
				for _, budget := range []int{1, 512 << 10} {
					restore := withThreads(threads)
					oldB, oldM := winoBudget, winoMinTiles
					winoBudget, winoMinTiles = budget, 1
					for _, q := range preps {
						g := mustConvGeom("test", q.x.Shape(), q.w.Shape(), q.p)
						if g.useWinogradWeightGrad() != (algo == ConvWinograd) {
							t.Fatalf("%v %v: routed wrongly", algo, q.x.Shape())
						}
						name := algo.String()
						dw := tensor.Full(float32(math.NaN()), q.w.Shape()...)
						Conv2dBackward(GradOut{}, Overwrite(dw), GradOut{}, q.dy, q.x, q.w, q.p)
						w := check(t, name+" overwrite", dw.Data(), q.ref, q.absRef)
						if algo == ConvWinograd {
							worst = max(worst, w)
						}
						dw = q.old.Clone()
						Conv2dBackward(GradOut{}, Accumulate(dw), GradOut{}, q.dy, q.x, q.w, q.p)
						check(t, name+" accumulate", dw.Data(), q.refAcc, q.absAcc)
					}
					winoBudget, winoMinTiles = oldB, oldM
					restore()
				}
			}
			restoreAlgo()
		}
	})
	t.Logf("worst |winograd dw − exact| / M = %.3g", worst)
}
