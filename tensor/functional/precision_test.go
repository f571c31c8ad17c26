package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// withPrecision sets the precision for a test and returns the restore function.
func withPrecision(p Precision) (restore func()) {
	prev := SetPrecision(p)
	return func() { SetPrecision(prev) }
}

// abs64 returns |x| element-wise (nil for nil).
func abs64(x []float64) []float64 {
	if x == nil {
		return nil
	}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = math.Abs(v)
	}
	return y
}

// bf16Bound is the bound on a bf16 result's error against the exact (float64) one, for
// an element whose products sum to mag in absolute value: both operands of every
// product are rounded to bf16 (relative error ≤ 2⁻⁸ each, so ≤ 2⁻⁷ + 2⁻¹⁶ per
// product), the float32 summation of at most k terms adds ≤ k·2⁻²⁴ relative, and the
// float64 reference of a gradient is a central difference (error far below 1e-6).
func bf16Bound(mag float64, k int) float64 {
	return (1.0/128+1.0/65536+float64(k)/(1<<24))*mag*1.001 + 1e-6
}

// checkBF16 reports the first element of got off want by more than bf16Bound(mag, k).
func checkBF16(t *testing.T, name string, got []float32, want, mag []float64, k int) {
	t.Helper()
	for i, w := range want {
		if d := math.Abs(float64(got[i]) - w); !(d <= bf16Bound(mag[i], k)) {
			t.Fatalf("%s[%d] = %g, want %g: |diff| %.3g above the bf16 bound %.3g (Σ|a||b| = %.3g)",
				name, i, got[i], w, d, bf16Bound(mag[i], k), mag[i])
		}
	}
}

// TestConv2dBF16 runs the convolution's forward and both gradients in BF16 precision
// on every path (the Go twin where the path has no bf16 kernels) and driver
// configuration, against the float64 reference within bf16Bound: for each element
// the bound scales with the same convolution of |x|, |w| and |dy|. That the results
// are really rounded is checked too: BF16 must differ from FP32 somewhere.
func TestConv2dBF16(t *testing.T) {
	defer withPrecision(BF16)()
	rng := rand.New(rand.NewPCG(13, 1))
	cases := append(convGradCases,
		convGradCase{"3x3s1p1_wide", []int{9, 2, 5, 5}, []int{11, 9, 3, 3}, ConvOpts(1, 1), true},
		convGradCase{"1x1s1_wide", []int{33, 2, 3, 3}, []int{20, 33, 1, 1}, ConvOpts(1, 0), false})
	for _, c := range cases {
		x, w := randT(rng, c.xs...), randT(rng, c.ws...)
		var b *tensor.Tensor
		var b64 []float64
		if c.bias {
			b = randT(rng, c.ws[0])
			b64 = to64(b.Data())
		}
		x64, w64 := to64(x.Data()), to64(w.Data())
		ax, aw := abs64(x64), abs64(w64)
		yref := convRef(x64, c.xs, w64, c.ws, b64, c.p)
		ymag := convRef(ax, c.xs, aw, c.ws, abs64(b64), c.p)
		r := make([]float64, len(yref))
		for i := range r {
			r[i] = rng.NormFloat64()
		}
		ar := abs64(r)
		gx := numGrad(func() float64 { return dot64(r, convRef(x64, c.xs, w64, c.ws, nil, c.p)) }, x64, 1e-6)
		gw := numGrad(func() float64 { return dot64(r, convRef(x64, c.xs, w64, c.ws, nil, c.p)) }, w64, 1e-6)
		gxmag := numGrad(func() float64 { return dot64(ar, convRef(ax, c.xs, aw, c.ws, nil, c.p)) }, ax, 1e-6)
		gwmag := numGrad(func() float64 { return dot64(ar, convRef(ax, c.xs, aw, c.ws, nil, c.p)) }, aw, 1e-6)
		shape, err := Conv2dOutputShape(c.xs, c.ws, c.p)
		if err != nil {
			t.Fatal(c.name, err)
		}
		dy := tensor.FromData(to32(r), shape...)
		k := c.ws[1] * c.ws[2] * c.ws[3]
		forEachISA(t, func(t *testing.T) {
			for _, kn := range knobSets {
				restore := withKnobs(kn)
				t.Run(c.name+"/"+kn.String(), func(t *testing.T) {
					y := tensor.New(shape...)
					Conv2dForward(y, x, w, b, c.p)
					checkBF16(t, "y", y.Data(), yref, ymag, k)
					dx, dw := tensor.New(c.xs...), tensor.New(c.ws...)
					Conv2dBackward(Overwrite(dx), Overwrite(dw), GradOut{}, dy, x, w, c.p)
					checkBF16(t, "dx", dx.Data(), gx, gxmag, c.ws[0]*c.ws[2]*c.ws[3])
					checkBF16(t, "dw", dw.Data(), gw, gwmag, len(r)/c.ws[0])

					prev := SetPrecision(FP32)
					y32 := tensor.New(shape...)
					Conv2dForward(y32, x, w, b, c.p)
					SetPrecision(prev)
					same := true
					for i, v := range y32.Data() {
						same = same && v == y.Data()[i]
					}
					if same {
						t.Fatal("BF16 forward equals FP32: the operands were not rounded")
					}
				})
				restore()
			}
		})
	}
}

// TestLinearBF16 checks Linear and LinearBackward in BF16 precision against float64
// within bf16Bound, on every path.
func TestLinearBF16(t *testing.T) {
	defer withPrecision(BF16)()
	rng := rand.New(rand.NewPCG(13, 2))
	const n, in, out = 7, 300, 21
	x, w, b, dy := randT(rng, n, in), randT(rng, out, in), randT(rng, out), randT(rng, n, out)
	xd, wd, dyd := x.Data(), w.Data(), dy.Data()
	forEachISA(t, func(t *testing.T) {
		y := tensor.New(n, out)
		Linear(y, x, w, b)
		dx, dw := tensor.New(n, in), tensor.New(out, in)
		LinearBackward(Overwrite(dx), Overwrite(dw), GradOut{}, dy, x, w)
		for i := 0; i < n; i++ {
			for o := 0; o < out; o++ {
				s, m := float64(b.Data()[o]), math.Abs(float64(b.Data()[o]))
				for j := 0; j < in; j++ {
					s += float64(xd[i*in+j]) * float64(wd[o*in+j])
					m += math.Abs(float64(xd[i*in+j]) * float64(wd[o*in+j]))
				}
				if d := math.Abs(float64(y.Data()[i*out+o]) - s); !(d <= bf16Bound(m, in)) {
					t.Fatalf("y[%d][%d]: |diff| %.3g above %.3g", i, o, d, bf16Bound(m, in))
				}
			}
			for j := 0; j < in; j++ {
				var s, m float64
				for o := 0; o < out; o++ {
					s += float64(dyd[i*out+o]) * float64(wd[o*in+j])
					m += math.Abs(float64(dyd[i*out+o]) * float64(wd[o*in+j]))
				}
				if d := math.Abs(float64(dx.Data()[i*in+j]) - s); !(d <= bf16Bound(m, out)) {
					t.Fatalf("dx[%d][%d]: |diff| %.3g above %.3g", i, j, d, bf16Bound(m, out))
				}
			}
		}
		for o := 0; o < out; o++ {
			for j := 0; j < in; j++ {
				var s, m float64
				for i := 0; i < n; i++ {
					s += float64(dyd[i*out+o]) * float64(xd[i*in+j])
					m += math.Abs(float64(dyd[i*out+o]) * float64(xd[i*in+j]))
				}
				if d := math.Abs(float64(dw.Data()[o*in+j]) - s); !(d <= bf16Bound(m, n)) {
					t.Fatalf("dw[%d][%d]: |diff| %.3g above %.3g", o, j, d, bf16Bound(m, n))
				}
			}
		}
	})
}

// TestParsePrecision checks the names and the error.
func TestParsePrecision(t *testing.T) {
	for s, want := range map[string]Precision{"fp32": FP32, "bf16": BF16, "BF16": BF16, "": FP32} {
		if p, err := ParsePrecision(s); err != nil || p != want {
			t.Errorf("ParsePrecision(%q) = %v, %v", s, p, err)
		}
	}
	if _, err := ParsePrecision("fp16"); err == nil {
		t.Error("ParsePrecision(fp16) gave no error")
	}
	if err := CheckPrecision(FP32); err != nil {
		t.Error(err)
	}
}
