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

// TestConv2dBF16Rows checks the bf16 path that makes im2col rows inside the GEMM
// (convForwardBF16, convWeightGradBF16) against the bf16 path on a float32 im2col
// chunk, on 3×3 layers of stride 1 and 2 (a deinterleaved image) with several depth
// blocks (K > 512) and many column chunks, on one goroutine and on two and three (the
// weight gradient split over P, each a partial sum), on every path (row blocks and
// edge tiles: asm/gemm's tests). Both round every operand the same way and a product
// of two bf16 values is exact in float32, so they differ only in the float32
// summation order: the forward (same depth blocks) must agree bit for bit, and the
// gradients within twice the float32 summation bound 2·k·2⁻²⁴·Σ|a||b| (Σ|a||b| from
// the same convolution of |x|, |w| and |dy| in FP32).
func TestConv2dBF16Rows(t *testing.T) {
	defer withPrecision(BF16)()
	for _, c := range []struct {
		xs, ws []int
		p      Conv2dParams
	}{
		{[]int{59, 2, 23, 29}, []int{11, 59, 3, 3}, ConvOpts(1, 1)},
		{[]int{61, 2, 27, 31}, []int{13, 61, 3, 3}, ConvOpts(2, 1)}, // deinterleaved rows
	} {
		testConv2dBF16Rows(t, c.xs, c.ws, c.p)
	}
}

// testConv2dBF16Rows is TestConv2dBF16Rows for one geometry.
func testConv2dBF16Rows(t *testing.T, xs, ws []int, p Conv2dParams) {
	rng := rand.New(rand.NewPCG(17, 3))
	x, w := randT(rng, xs...), randT(rng, ws...)
	shape, _ := Conv2dOutputShape(xs, ws, p)
	dy := randT(rng, shape...)
	abs := func(a *tensor.Tensor) *tensor.Tensor {
		b := a.Clone()
		for i, v := range b.Data() {
			b.Data()[i] = float32(math.Abs(float64(v)))
		}
		return b
	}
	// Σ|a||b| of every output, input-gradient and weight-gradient element.
	prev := SetPrecision(FP32)
	dxMag, dwMag := tensor.New(xs...), tensor.New(ws...)
	Conv2dBackward(Overwrite(dxMag), Overwrite(dwMag), GradOut{}, abs(dy), abs(x), abs(w), p)
	SetPrecision(prev)
	run := func(rows bool, threads int) (y, dx, dw *tensor.Tensor) {
		defer withThreads(threads)()
		oldSplit := convWeightGradSplitP
		convWeightGradSplitP = 1 << 30
		if threads > 1 {
			convWeightGradSplitP = 1 // the split over P, each goroutine a partial sum
		}
		defer func() { convWeightGradSplitP = oldSplit }()
		old, oldChunk := convBF16Direct, convBF16Chunk
		convBF16Direct, convBF16Chunk = rows, 96
		defer func() { convBF16Direct, convBF16Chunk = old, oldChunk }()
		y, dx, dw = tensor.New(shape...), tensor.New(xs...), tensor.New(ws...)
		Conv2dForward(y, x, w, nil, p)
		Conv2dBackward(Overwrite(dx), Overwrite(dw), GradOut{}, dy, x, w, p)
		return y, dx, dw
	}
	within := func(t *testing.T, name string, got, want, mag []float32, k int) {
		t.Helper()
		for i, v := range got {
			tol := 2 * float64(k) / (1 << 24) * float64(mag[i]) * 1.01
			if d := math.Abs(float64(v) - float64(want[i])); !(d <= tol) {
				t.Fatalf("%s[%d] = %g, chunked path %g: |diff| %.3g above %.3g", name, i, v, want[i], d, tol)
			}
		}
	}
	forEachISA(t, func(t *testing.T) {
		y0, dx0, dw0 := run(false, 1)
		for _, threads := range []int{1, 2, 3} {
			y, dx, dw := run(true, threads)
			for i, v := range y.Data() {
				if math.Float32bits(v) != math.Float32bits(y0.Data()[i]) {
					t.Fatalf("threads %d: y[%d] = %g, chunked path %g", threads, i, v, y0.Data()[i])
				}
			}
			within(t, "dx", dx.Data(), dx0.Data(), dxMag.Data(), ws[0]*9)
			within(t, "dw", dw.Data(), dw0.Data(), dwMag.Data(), len(dy.Data())/ws[0])
		}
	})
}
