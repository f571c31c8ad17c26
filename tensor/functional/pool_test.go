package functional

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

var maxPoolCases = []struct {
	name string
	p    Pool2dParams
}{
	{"maxpool_k3s2p1", PoolOpts(3, 2, 1)},
	{"maxpool_k2s2p0", PoolOpts(2, 2, 0)},
	{"maxpool_k3s1p1", PoolOpts(3, 1, 1)},
}

func TestMaxPool2dFixtures(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 3} {
			restore := withThreads(threads)
			for _, c := range maxPoolCases {
				t.Run(c.name, func(t *testing.T) {
					x, want := fixtureCNHW(t, c.name, "x"), fixtureCNHW(t, c.name, "y")
					dy, gx, wantIdx := fixtureCNHW(t, c.name, "gy"), fixtureCNHW(t, c.name, "gx"), fixtureCNHW(t, c.name, "idx")
					shape, err := MaxPool2dOutputShape(x.Shape(), c.p)
					if err != nil {
						t.Fatal(err)
					}
					y := tensor.New(shape...)
					idx := make([]int32, y.Len())
					MaxPool2d(y, idx, x, c.p)
					checkClose(t, "y", y, want, 1)
					yv := filled(y, float32(math.NaN()))
					MaxPool2d(yv, nil, x, c.p) // the values-only path
					checkClose(t, "y without indices", yv, want, 1)
					for i, v := range idx {
						if float32(v) != wantIdx.Data()[i] {
							t.Fatalf("idx[%d] = %d, want %v", i, v, wantIdx.Data()[i])
						}
					}
					dx := filled(x, float32(math.NaN()))
					MaxPool2dBackward(Overwrite(dx), dy, idx)
					checkClose(t, "dx", dx, gx, 9)
					dx = filled(x, 1)
					MaxPool2dBackward(Accumulate(dx), dy, idx)
					checkClose(t, "dx+1", dx, plusOne(gx), 9)
					dx = filled(x, float32(math.NaN()))
					MaxPool2dBackwardRecompute(Overwrite(dx), dy, x, c.p)
					checkClose(t, "dx recomputed", dx, gx, 9)
				})
			}
			restore()
		}
	})
}

var adaptiveCases = []struct {
	name   string
	kind   string // avg, max or concat
	oh, ow int
}{
	{"avgpool_1", "avg", 1, 1},
	{"avgpool_2x3", "avg", 2, 3},
	{"maxpool_ad_1", "max", 1, 1},
	{"maxpool_ad_2x3", "max", 2, 3},
	{"concatpool_1", "concat", 1, 1},
	{"concatpool_3x2", "concat", 3, 2},
}

func TestAdaptivePoolFixtures(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		for _, c := range adaptiveCases {
			t.Run(c.name, func(t *testing.T) {
				x, want := fixtureCNHW(t, c.name, "x"), fixtureCNHW(t, c.name, "y")
				dy, gx := fixtureCNHW(t, c.name, "gy"), fixtureCNHW(t, c.name, "gx")
				s := x.Shape()
				y := filled(want, float32(math.NaN()))
				half := s[0] * s[1] * c.oh * c.ow
				idx := make([]int32, half)
				for _, acc := range []bool{false, true} {
					dx := filled(x, float32(math.NaN()))
					wantX := gx
					if acc {
						dx, wantX = filled(x, 1), plusOne(gx)
					}
					out := GradOut{T: dx, Accumulate: acc}
					switch c.kind {
					case "avg":
						AdaptiveAvgPool2d(y, x)
						AdaptiveAvgPool2dBackward(out, dy)
					case "max":
						AdaptiveMaxPool2d(y, idx, x)
						AdaptiveMaxPool2dBackward(out, dy, idx)
					default:
						AdaptiveConcatPool2d(y, idx, x)
						AdaptiveConcatPool2dBackward(out, dy, idx)
					}
					checkClose(t, "y", y, want, s[2]*s[3])
					checkClose(t, "dx", dx, wantX, 4)
				}
			})
		}
	})
}

// TestPoolGradCheck differentiates the float64 references numerically.
func TestPoolGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	xs := []int{2, 2, 7, 6}
	x := randT(rng, xs...)
	x64 := to64(x.Data())
	planes := xs[0] * xs[1]
	type op struct {
		name string
		ref  func() []float64
		run  func(dy *tensor.Tensor) (y, dx *tensor.Tensor)
	}
	pool := PoolOpts(3, 2, 1)
	ops := []op{
		{"maxpool3s2p1", func() []float64 { return maxPoolRef(x64, xs, pool) }, func(dy *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
			y, dx := tensor.New(dy.Shape()...), tensor.New(xs...)
			idx := make([]int32, y.Len())
			MaxPool2d(y, idx, x, pool)
			MaxPool2dBackward(Overwrite(dx), dy, idx)
			return y, dx
		}},
		{"adaptiveavg3x2", func() []float64 { return adaptiveRef(x64, planes, 7, 6, 3, 2, true) }, func(dy *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
			y, dx := tensor.New(dy.Shape()...), tensor.New(xs...)
			AdaptiveAvgPool2d(y, x)
			AdaptiveAvgPool2dBackward(Overwrite(dx), dy)
			return y, dx
		}},
		{"adaptivemax3x4", func() []float64 { return adaptiveRef(x64, planes, 7, 6, 3, 4, false) }, func(dy *tensor.Tensor) (*tensor.Tensor, *tensor.Tensor) {
			y, dx := tensor.New(dy.Shape()...), tensor.New(xs...)
			idx := make([]int32, y.Len())
			AdaptiveMaxPool2d(y, idx, x)
			AdaptiveMaxPool2dBackward(Overwrite(dx), dy, idx)
			return y, dx
		}},
	}
	outShapes := [][]int{{2, 2, 4, 3}, {2, 2, 3, 2}, {2, 2, 3, 4}}
	for i, o := range ops {
		yref := o.ref()
		up := make([]float64, len(yref))
		for j := range up {
			up[j] = rng.NormFloat64()
		}
		gx := numGrad(func() float64 { return dot64(up, o.ref()) }, x64, 1e-6)
		forEachISA(t, func(t *testing.T) {
			y, dx := o.run(tensor.FromData(to32(up), outShapes[i]...))
			checkGrad(t, o.name+" y", y.Data(), yref)
			checkGrad(t, o.name+" dx", dx.Data(), gx)
		})
	}
}

// TestMaxPoolTiesAndNaN checks PyTorch's rule: the first maximum in row-major order
// wins, a NaN wins over numbers, and the last NaN wins.
func TestMaxPoolTiesAndNaN(t *testing.T) {
	nan := float32(math.NaN())
	x := tensor.FromData([]float32{
		1, 5, 5,
		5, 2, nan,
		0, nan, 3,
	}, 1, 1, 3, 3)
	y := tensor.New(1, 1, 1, 1)
	idx := make([]int32, 1)
	MaxPool2d(y, idx, x, PoolOpts(3, 3, 0))
	if idx[0] != 7 || !math.IsNaN(float64(y.Data()[0])) {
		t.Errorf("window with NaNs: y %v idx %d, want NaN at 7", y.Data()[0], idx[0])
	}
	MaxPool2d(y, idx, x, Pool2dParams{Kernel: [2]int{2, 3}, Stride: [2]int{2, 3}})
	if idx[0] != 5 {
		t.Errorf("2×3 window: idx %d, want 5 (the NaN)", idx[0])
	}
	// Without indices the value is the same NaN.
	MaxPool2d(y, nil, x, PoolOpts(3, 3, 0))
	if !math.IsNaN(float64(y.Data()[0])) {
		t.Errorf("window with NaNs, no indices: y %v, want NaN", y.Data()[0])
	}
	x2 := tensor.FromData([]float32{1, 5, 5, 5}, 1, 1, 2, 2)
	MaxPool2d(y, idx, x2, PoolOpts(2, 2, 0))
	if idx[0] != 1 || y.Data()[0] != 5 {
		t.Errorf("ties: y %v idx %d, want 5 at 1", y.Data()[0], idx[0])
	}
}

// TestMaxPoolSignedZeroTie checks that −0 and +0 tie, as numbers do in PyTorch's scan,
// so the first of the two wins (value bits and index), on a window other than the 3×3,
// stride-2 one, in the recomputing backward and in adaptive max pooling.
func TestMaxPoolSignedZeroTie(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	for _, c := range []struct {
		name  string
		data  []float32
		first int32
	}{
		{"-0 then +0", []float32{negZero, 0, -1, -2}, 0},
		{"+0 then -0", []float32{-3, 0, negZero, -1}, 1},
		{"-1, -0, +0", []float32{-1, negZero, 0, -2}, 1},
	} {
		x := tensor.FromData(c.data, 1, 1, 2, 2)
		want := math.Float32bits(c.data[c.first])
		forEachISA(t, func(t *testing.T) {
			for _, p := range []Pool2dParams{PoolOpts(2, 2, 0), PoolOpts(2, 1, 0), PoolOpts(3, 1, 1)} {
				shape, err := MaxPool2dOutputShape(x.Shape(), p)
				if err != nil {
					t.Fatal(err)
				}
				y := tensor.New(shape...)
				idx := make([]int32, y.Len())
				MaxPool2d(y, idx, x, p)
				if idx[0] != c.first || math.Float32bits(y.Data()[0]) != want {
					t.Errorf("%s, %+v: y %g at %d, want %g at %d", c.name, p, y.Data()[0], idx[0], c.data[c.first], c.first)
				}
				dx := tensor.New(x.Shape()...)
				MaxPool2dBackwardRecompute(Overwrite(dx), tensor.Full(1, shape...), x, p)
				if dx.Data()[c.first] < 1 {
					t.Errorf("%s, %+v: recomputed dx %v, want the gradient at %d", c.name, p, dx.Data(), c.first)
				}
			}
			y := tensor.New(1, 1, 1, 1)
			idx := make([]int32, 1)
			AdaptiveMaxPool2d(y, idx, x)
			if idx[0] != c.first || math.Float32bits(y.Data()[0]) != want {
				t.Errorf("%s, adaptive: y %g at %d, want %g at %d", c.name, y.Data()[0], idx[0], c.data[c.first], c.first)
			}
		})
	}
}

// TestMaxPool3s2Exact checks ResNet's max pool (3×3, stride 2, padding 1, the SIMD
// path) against windowMaxNaN, PyTorch's scan, output by output: value bits and index,
// with and without indices, on every path, one and several goroutines, on planes with
// odd and even sizes down to 1×1 and values that tie often and include ±0, ±Inf and
// NaNs. MaxPool2dBackwardRecompute must route the gradient to the same winners.
func TestMaxPool3s2Exact(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	pool := PoolOpts(3, 2, 1)
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), 0}
	for _, xs := range [][]int{{2, 3, 7, 9}, {1, 2, 1, 1}, {1, 1, 2, 2}, {1, 1, 1, 5}, {2, 1, 33, 34}, {1, 2, 6, 35}, {1, 1, 112, 112}} {
		x := tensor.New(xs...)
		for i := range x.Data() {
			switch r := rng.IntN(30); {
			case r < len(specials):
				x.Data()[i] = specials[r]
			case r < 20:
				x.Data()[i] = float32(rng.IntN(3) - 1)
			default:
				x.Data()[i] = float32(rng.NormFloat64())
			}
		}
		ys, err := MaxPool2dOutputShape(xs, pool)
		if err != nil {
			t.Fatal(err)
		}
		g := mustPoolGeom("test", xs, pool)
		forEachISA(t, func(t *testing.T) {
			for _, threads := range []int{1, 3} {
				restore := withThreads(threads)
				y, yv := tensor.New(ys...), tensor.New(ys...)
				idx := make([]int32, y.Len())
				MaxPool2d(y, idx, x, pool)
				MaxPool2d(yv, nil, x, pool)
				dy := tensor.Full(1, ys...)
				dx, dxr := tensor.New(xs...), tensor.New(xs...)
				MaxPool2dBackward(Overwrite(dx), dy, idx)
				MaxPool2dBackwardRecompute(Overwrite(dxr), dy, x, pool)
				restore()
				plane, oplane := g.h*g.w, g.ho*g.wo
				for q := 0; q < g.planes; q++ {
					for oh := 0; oh < g.ho; oh++ {
						for ow := 0; ow < g.wo; ow++ {
							hs, ws := oh*2-1, ow*2-1
							wv, wi := windowMaxNaN(x.Data()[q*plane:(q+1)*plane], g.w, max(hs, 0), min(hs+3, g.h), max(ws, 0), min(ws+3, g.w))
							o := q*oplane + oh*g.wo + ow
							if idx[o] != wi || math.Float32bits(y.Data()[o]) != math.Float32bits(wv) ||
								math.Float32bits(yv.Data()[o]) != math.Float32bits(wv) {
								t.Fatalf("%v threads=%d plane %d output (%d, %d): %g at %d (values only %g), want %g at %d",
									xs, threads, q, oh, ow, y.Data()[o], idx[o], yv.Data()[o], wv, wi)
							}
						}
					}
				}
				for i := range dx.Data() {
					if dx.Data()[i] != dxr.Data()[i] {
						t.Fatalf("%v threads=%d: recomputed dx[%d] = %g, with indices %g", xs, threads, i, dxr.Data()[i], dx.Data()[i])
					}
				}
			}
		})
	}
}

func TestPoolShapeErrors(t *testing.T) {
	for _, c := range []struct {
		xs   []int
		p    Pool2dParams
		want string
	}{
		{[]int{1, 1, 4, 4}, PoolOpts(3, 2, 2), "more than half"},
		{[]int{1, 1, 2, 2}, PoolOpts(3, 1, 0), "smaller than the kernel"},
		{[]int{1, 4, 4}, PoolOpts(3, 2, 1), "not 4-D"},
	} {
		if _, err := MaxPool2dOutputShape(c.xs, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("MaxPool2dOutputShape(%v, %+v) = %v, want an error containing %q", c.xs, c.p, err, c.want)
		}
	}
}
