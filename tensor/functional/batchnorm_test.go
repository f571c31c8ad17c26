package functional

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/tensor"
)

var bnCases = []struct {
	name           string
	twoD, train    bool
	relu, residual bool
}{
	{"bn2d_train", true, true, false, false},
	{"bn2d_eval", true, false, false, false},
	{"bn2d_relu_train", true, true, true, false},
	{"bn2d_add_relu_train", true, true, true, true},
	{"bn2d_relu_eval", true, false, true, false},
	{"bn1d_train", false, true, false, false},
	{"bn1d_eval", false, false, false, false},
}

func TestBatchNormFixtures(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 3} {
			restore := withThreads(threads)
			for _, c := range bnCases {
				t.Run(c.name, func(t *testing.T) { testBNFixture(t, c.name, c.twoD, c.train, c.relu, c.residual) })
			}
			restore()
		}
	})
}

func testBNFixture(t *testing.T, cfg string, twoD, train, relu, residual bool) {
	load := fixture
	if twoD {
		load = fixtureCNHW
	}
	x, want, dy, gx := load(t, cfg, "x"), load(t, cfg, "y"), load(t, cfg, "gy"), load(t, cfg, "gx")
	p := &BatchNormParams{
		Gamma: fixture(t, cfg, "gamma"), Beta: fixture(t, cfg, "beta"),
		RunningMean: fixture(t, cfg, "rm0"), RunningVar: fixture(t, cfg, "rv0"),
		Momentum: BNMomentum, Eps: BNEps, Training: train,
	}
	c := p.Gamma.Len()
	m := x.Len() / c
	var res *tensor.Tensor
	if residual {
		res = load(t, cfg, "res")
	}
	var s BNSaved
	y := filled(x, float32(math.NaN()))
	switch {
	case relu:
		BatchNorm2dReLU(y, x, res, p, &s)
	case twoD:
		BatchNorm2d(y, x, p, &s)
	default:
		BatchNorm1d(y, x, p, &s)
	}
	checkClose(t, "y", y, want, m)
	checkClose(t, "running mean", p.RunningMean, fixture(t, cfg, "rm"), m)
	checkClose(t, "running var", p.RunningVar, fixture(t, cfg, "rv"), m)

	for _, acc := range []bool{false, true} {
		init := float32(math.NaN())
		if acc {
			init = 1
		}
		dx, dg, db := filled(x, init), filled(p.Gamma, init), filled(p.Beta, init)
		out := func(t *tensor.Tensor) GradOut { return GradOut{T: t, Accumulate: acc} }
		var dres *tensor.Tensor
		switch {
		case relu:
			if residual {
				dres = filled(x, init)
			}
			BatchNorm2dReLUBackward(out(dx), out(dres), out(dg), out(db), dy, x, y, p, &s)
		case twoD:
			BatchNorm2dBackward(out(dx), out(dg), out(db), dy, x, p, &s)
		default:
			BatchNorm1dBackward(out(dx), out(dg), out(db), dy, x, p, &s)
		}
		wantX, wantG, wantB := gx, fixture(t, cfg, "ggamma"), fixture(t, cfg, "gbeta")
		var wantR *tensor.Tensor
		if residual {
			wantR = load(t, cfg, "gres")
		}
		if acc {
			wantX, wantG, wantB = plusOne(wantX), plusOne(wantG), plusOne(wantB)
			if residual {
				wantR = plusOne(wantR)
			}
		}
		checkClose(t, "dx", dx, wantX, m)
		checkClose(t, "dgamma", dg, wantG, m)
		checkClose(t, "dbeta", db, wantB, m)
		if residual {
			checkClose(t, "dres", dres, wantR, 1)
		}
	}
}

// TestBatchNormGradCheck differentiates the float64 reference numerically: BN2d (plain,
// +ReLU, +residual+ReLU, train and eval) and BN1d (train and eval).
func TestBatchNormGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	type variant struct {
		twoD, train, relu, res bool
	}
	for _, v := range []variant{
		{true, true, false, false}, {true, false, false, false}, {true, true, true, false},
		{true, true, true, true}, {true, false, true, true}, {false, true, false, false}, {false, false, false, false},
	} {
		shape := []int{3, 2, 3, 4} // CNHW
		if !v.twoD {
			shape = []int{5, 3} // [N, C]
		}
		x := randT(rng, shape...)
		for i := range x.Data() {
			x.Data()[i] = 1.5*x.Data()[i] + 0.7
		}
		c := shape[0]
		if !v.twoD {
			c = shape[1]
		}
		gamma, beta := randT(rng, c), randT(rng, c)
		rm := randT(rng, c)
		rv := tensor.RandU(rng, 0.5, 1.5, c)
		var res *tensor.Tensor
		if v.res {
			res = randT(rng, shape...)
		}
		// The reference works channel-major: transpose BN1d's [N, C].
		cm := func(a []float64) []float64 {
			if v.twoD {
				return a
			}
			n := shape[0]
			out := make([]float64, len(a))
			for i := 0; i < n; i++ {
				for j := 0; j < c; j++ {
					out[j*n+i] = a[i*c+j]
				}
			}
			return out
		}
		x64, g64, b64 := to64(x.Data()), to64(gamma.Data()), to64(beta.Data())
		var r64 []float64
		if v.res {
			r64 = to64(res.Data())
		}
		ref := func() []float64 {
			var rr []float64
			if v.res {
				rr = cm(r64)
			}
			return bnRef(cm(x64), c, g64, b64, to64(rm.Data()), to64(rv.Data()), v.train, rr, v.relu)
		}
		up := make([]float64, x.Len())
		for i := range up {
			up[i] = rng.NormFloat64()
		}
		upCM := cm(up)
		loss := func() float64 { return dot64(upCM, ref()) }
		yref := ref()
		gx, gg, gb := numGrad(loss, x64, 1e-6), numGrad(loss, g64, 1e-6), numGrad(loss, b64, 1e-6)
		var gr []float64
		if v.res {
			gr = numGrad(loss, r64, 1e-6)
		}
		forEachISA(t, func(t *testing.T) {
			p := &BatchNormParams{Gamma: gamma, Beta: beta, RunningMean: rm.Clone(), RunningVar: rv.Clone(),
				Momentum: BNMomentum, Eps: BNEps, Training: v.train}
			var s BNSaved
			y := tensor.New(shape...)
			dy := tensor.FromData(to32(up), shape...)
			dx, dg, db := tensor.New(shape...), tensor.New(c), tensor.New(c)
			var dres *tensor.Tensor
			switch {
			case v.relu:
				BatchNorm2dReLU(y, x, res, p, &s)
				if v.res {
					dres = tensor.New(shape...)
				}
				BatchNorm2dReLUBackward(Overwrite(dx), Overwrite(dres), Overwrite(dg), Overwrite(db), dy, x, y, p, &s)
			case v.twoD:
				BatchNorm2d(y, x, p, &s)
				BatchNorm2dBackward(Overwrite(dx), Overwrite(dg), Overwrite(db), dy, x, p, &s)
			default:
				BatchNorm1d(y, x, p, &s)
				BatchNorm1dBackward(Overwrite(dx), Overwrite(dg), Overwrite(db), dy, x, p, &s)
			}
			checkGrad(t, "y", to32(cm(to64(y.Data()))), yref)
			checkGrad(t, "dx", dx.Data(), gx)
			checkGrad(t, "dgamma", dg.Data(), gg)
			checkGrad(t, "dbeta", db.Data(), gb)
			if v.res {
				checkGrad(t, "dres", dres.Data(), gr)
			}
		})
	}
}

// TestBatchNormLongChannel checks the statistics of a channel as long as ResNet34's
// first layer at batch 16 (200 704 values) with a large mean against float64.
func TestBatchNormLongChannel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := randT(rng, 1, 16, 112, 112)
	var mean, sq float64
	for i, v := range x.Data() {
		x.Data()[i] = 100 + 0.01*v
		mean += float64(x.Data()[i])
	}
	mean /= float64(x.Len())
	for _, v := range x.Data() {
		sq += (float64(v) - mean) * (float64(v) - mean)
	}
	variance := sq / float64(x.Len())
	p := &BatchNormParams{RunningMean: tensor.New(1), RunningVar: tensor.Full(1, 1), Momentum: BNMomentum, Eps: BNEps, Training: true}
	var s BNSaved
	BatchNorm2d(tensor.New(x.Shape()...), x, p, &s)
	if d := math.Abs(float64(s.Mean[0]) - mean); d > 1e-5 {
		t.Errorf("mean %v, want %v", s.Mean[0], mean)
	}
	wantInv := 1 / math.Sqrt(variance+BNEps)
	if d := math.Abs(float64(s.InvStd[0])-wantInv) / wantInv; d > 1e-4 {
		t.Errorf("invstd %v, want %v (relative error %.2g)", s.InvStd[0], wantInv, d)
	}
}

func TestBatchNormErrors(t *testing.T) {
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if s, _ := r.(string); !strings.Contains(s, want) {
				t.Errorf("%s: panic %v, want one containing %q", name, r, want)
			}
		}()
		f()
	}
	p := &BatchNormParams{RunningMean: tensor.New(4), RunningVar: tensor.Full(1, 4), Momentum: BNMomentum, Eps: BNEps, Training: true}
	var s BNSaved
	mustPanic("one value", "more than 1 value per channel", func() {
		BatchNorm1d(tensor.New(1, 4), tensor.New(1, 4), p, &s)
	})
	mustPanic("gamma shape", "Gamma has shape [3]", func() {
		q := *p
		q.Gamma = tensor.New(3)
		BatchNorm2d(tensor.New(4, 2, 2, 2), tensor.New(4, 2, 2, 2), &q, &s)
	})
}

// TestBatchNormInPlace checks that y may be x, and in the fused form y may be res, with
// the results of separate buffers, across channel lengths that end in partial blocks.
func TestBatchNormInPlace(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	shape := []int{3, 2, 33, 31} // 2046 values per channel: two blocks, the second partial
	x, res := randT(rng, shape...), randT(rng, shape...)
	params := func() *BatchNormParams {
		return &BatchNormParams{Gamma: tensor.Full(1.5, 3), Beta: tensor.Full(0.25, 3), RunningMean: tensor.New(3),
			RunningVar: tensor.Full(1, 3), Momentum: BNMomentum, Eps: BNEps, Training: true}
	}
	forEachISA(t, func(t *testing.T) {
		var s BNSaved
		want := tensor.New(shape...)
		BatchNorm2dReLU(want, x, res, params(), &s)
		inX := x.Clone()
		BatchNorm2dReLU(inX, inX, res, params(), &s)
		checkClose(t, "y = x", inX, want, 1)
		inR := res.Clone()
		BatchNorm2dReLU(inR, x, inR, params(), &s)
		checkClose(t, "y = res", inR, want, 1)
		plain := tensor.New(shape...)
		BatchNorm2d(plain, x, params(), &s)
		inP := x.Clone()
		BatchNorm2d(inP, inP, params(), &s)
		checkClose(t, "plain y = x", inP, plain, 1)
	})
}

// TestBatchNormBackwardStored checks the backward from bf16-stored values against
// BatchNorm2dBackward and BatchNorm2dReLUBackward on the tensors widened from them,
// bit for bit: x stored centred, y stored, both, with and without the ReLU, batch and
// running statistics, overwrite and accumulate, with and without the residual's
// gradient, dgamma and dbeta alone, on channels shorter and longer than a block, on
// every path (the stored kernels must give each path's float32 results). It also
// checks that the widened y keeps the mask and the widened x is x to bf16's precision
// relative to x − mean (channels here have means up to 50 times their spread).
func TestBatchNormBackwardStored(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 21))
	for _, shape := range [][]int{{3, 2, 5, 7}, {2, 3, 40, 41}} {
		c := shape[0]
		for _, train := range []bool{true, false} {
			for _, relu := range []bool{true, false} {
				x, res, dy := randT(rng, shape...), randT(rng, shape...), randT(rng, shape...)
				m := x.Len() / c
				for ci := 0; ci < c; ci++ { // offset channels: mean far from zero
					off := float32(50 * rng.NormFloat64())
					for i := range x.Data()[ci*m : (ci+1)*m] {
						x.Data()[ci*m+i] += off
					}
				}
				p := &BatchNormParams{Gamma: randT(rng, c), Beta: randT(rng, c),
					RunningMean: randT(rng, c), RunningVar: tensor.Full(2, c),
					Momentum: BNMomentum, Eps: BNEps, Training: train}
				var s BNSaved
				y := tensor.New(shape...)
				if relu {
					BatchNorm2dReLU(y, x, res, p, &s)
				} else {
					BatchNorm2d(y, x, p, &s)
				}
				st := BNStored{X: make([]uint16, x.Len()), Y: make([]uint16, y.Len()), Centre: s.Mean}
				gemm.ToBF16(st.Y, y.Data())
				yw := tensor.New(shape...)
				gemm.FromBF16(yw.Data(), st.Y)
				for i, v := range y.Data() {
					if (v > 0) != (yw.Data()[i] > 0) {
						t.Fatalf("y[%d] = %v widens to %v: the mask changed", i, v, yw.Data()[i])
					}
				}
				StoreCentredBF16(st.X, x.Data(), st.Centre)
				xw := tensor.New(shape...)
				gemm.FromBF16(xw.Data(), st.X)
				for ci := 0; ci < c; ci++ {
					for i := ci * m; i < (ci+1)*m; i++ {
						xw.Data()[i] += st.Centre[ci] // what bn.Apply(1, centre) computes
						d, dev := math.Abs(float64(xw.Data()[i]-x.Data()[i])), math.Abs(float64(x.Data()[i]-st.Centre[ci]))
						if d > dev/256+math.Abs(float64(x.Data()[i]))*0x1p-23 {
							t.Fatalf("x[%d] = %v widens to %v: error %g, x − mean %g", i, x.Data()[i], xw.Data()[i], d, dev)
						}
					}
				}
				forEachISA(t, func(t *testing.T) {
					for _, acc := range []bool{false, true} {
						run := func(form int) []*tensor.Tensor {
							init := float32(0.5)
							dx, dres := filled(x, init), filled(x, init)
							dg, db := filled(p.Gamma, init), filled(p.Beta, init)
							out := func(t *tensor.Tensor) GradOut { return GradOut{T: t, Accumulate: acc} }
							dr := GradOut{}
							if relu {
								dr = out(dres)
							}
							switch form {
							case 0: // float32 reference on the widened tensors
								if relu {
									BatchNorm2dReLUBackward(out(dx), dr, out(dg), out(db), dy, xw, yw, p, &s)
								} else {
									BatchNorm2dBackward(out(dx), out(dg), out(db), dy, xw, p, &s)
								}
							case 1: // x stored, y float32
								BatchNorm2dBackwardStored(out(dx), dr, out(dg), out(db), dy, nil, yw, BNStored{X: st.X, Centre: st.Centre}, relu, p, &s)
							case 2: // y stored, x float32
								BatchNorm2dBackwardStored(out(dx), dr, out(dg), out(db), dy, xw, nil, BNStored{Y: st.Y}, relu, p, &s)
							case 3: // both stored
								BatchNorm2dBackwardStored(out(dx), dr, out(dg), out(db), dy, nil, nil, st, relu, p, &s)
							default: // both stored, only dgamma and dbeta wanted
								BatchNorm2dBackwardStored(GradOut{}, GradOut{}, out(dg), out(db), dy, nil, nil, st, relu, p, &s)
							}
							return []*tensor.Tensor{dx, dres, dg, db}
						}
						want := run(0)
						for form := 1; form <= 4; form++ {
							if form == 2 && !relu {
								continue
							}
							got := run(form)
							for k := range want {
								if form == 4 && k < 2 {
									continue
								}
								for i, v := range want[k].Data() {
									if math.Float32bits(got[k].Data()[i]) != math.Float32bits(v) {
										t.Fatalf("%v train=%v relu=%v acc=%v form %d: gradient %d [%d] = %v, want %v",
											shape, train, relu, acc, form, k, i, got[k].Data()[i], v)
									}
								}
							}
						}
					}
				})
			}
		}
	}
	for name, f := range map[string]func(){
		"short y": func() {
			x := tensor.New(2, 1, 2, 2)
			var s BNSaved
			BatchNorm2dBackwardStored(Overwrite(x.Clone()), GradOut{}, GradOut{}, GradOut{}, x, x, nil,
				BNStored{Y: make([]uint16, 7)}, true, &BatchNormParams{Training: true}, &s)
		},
		"no x": func() {
			x := tensor.New(2, 1, 2, 2)
			var s BNSaved
			BatchNorm2dBackwardStored(Overwrite(x.Clone()), GradOut{}, GradOut{}, GradOut{}, x, nil, x,
				BNStored{}, true, &BatchNormParams{Training: true}, &s)
		},
		"centres": func() { StoreCentredBF16(make([]uint16, 6), make([]float32, 6), make([]float32, 4)) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
