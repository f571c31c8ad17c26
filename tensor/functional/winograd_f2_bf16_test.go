package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/tensor"
)

// f2BF16Bound bounds the error of an output of bf16 Winograd F(2×2, 3×3) whose
// "window magnitude" is win = Σ_ci (Σ_taps |w|)·(Σ_{3×3 input window} |x|): each of
// the 16 products U[ξ]·V[ξ] has both operands rounded to bf16 (≤ 2⁻⁷ + 2⁻¹⁶ relative),
// and the sum over ξ of |Aᵀ⊗Aᵀ|·|U[ξ]|·|V[ξ]| is a sum over taps and window inputs of
// |w||x| with coefficients at most 2 per dimension (|Aᵀ||G| times |Bᵀ| has entries
// 0, 1, 2; see winograd_f2_bf16.go), so at most 4·win; the float32 transforms and the
// summation over ξ and Cin add k·2⁻²⁴ relative. other is Σ|·| of what the output
// adds exactly once more (bias, residual, the old value).
func f2BF16Bound(win float64, k int, other float64) float64 {
	return (1.0/128+1.0/65536+float64(k+40)/(1<<24))*4*win*1.001 + other*(1<<4)/(1<<24) + 1e-6
}

// windowMag returns win (see f2BF16Bound) for every output of the 3×3 stride-1
// convolution of x (CNHW, shape xs) with w [cout, cin, 3, 3] and padding pad: the
// same convolution of |x| with every tap of w[co][ci] replaced by Σ_taps |w[co][ci]|.
func windowMag(x []float32, xs []int, w []float32, cout, pad int) []float64 {
	cin := xs[0]
	ws := make([]float64, cout*cin*9)
	for i := 0; i < cout*cin; i++ {
		var s float64
		for _, v := range w[i*9 : i*9+9] {
			s += math.Abs(float64(v))
		}
		for t := 0; t < 9; t++ {
			ws[i*9+t] = s
		}
	}
	return convRef(abs64(to64(x)), xs, ws, []int{cout, cin, 3, 3}, nil, ConvOpts(1, pad))
}

// transposedW returns w [cout, cin, 3, 3] as [cin, cout, 3, 3] (the taps' order does
// not matter to windowMag).
func transposedW(w []float32, cout, cin int) []float32 {
	t := make([]float32, len(w))
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			copy(t[(ci*cout+co)*9:(ci*cout+co+1)*9], w[(co*cin+ci)*9:(co*cin+ci+1)*9])
		}
	}
	return t
}

// checkF2BF16 compares got with ref output by output against f2BF16Bound and returns
// the largest |got − ref| / win.
func checkF2BF16(t *testing.T, name string, got []float32, ref, win, other []float64, k int) float64 {
	t.Helper()
	worst := 0.0
	for i, r := range ref {
		d := math.Abs(float64(got[i]) - r)
		var o float64
		if other != nil {
			o = other[i]
		}
		if b := f2BF16Bound(win[i], k, o); !(d <= b) {
			t.Fatalf("%s: output %d = %v, want %v (|diff| %.3g > bound %.3g, window magnitude %.3g)", name, i, got[i], r, d, b, win[i])
		}
		if win[i] > 0 {
			worst = max(worst, d/win[i])
		}
	}
	return worst
}

// bf16 Winograd F(2×2) against the float64 direct convolution on every path (the Go
// twins of the transforms and the bf16 GEMM on generic and avx2): odd and prime sizes
// (partial tiles on the right and bottom), 1×1 images, padding 0, 1 and 2, bias, the
// fused epilogues, accumulation, the input gradient (the flipped convolution), one
// and two threads, chunks from one tile row up.
func TestWinogradF2BF16MatchesDirect(t *testing.T) {
	defer withPrecision(BF16)()
	cases := []struct{ cin, cout, n, h, w, pad int }{
		{1, 1, 1, 1, 1, 1},
		{3, 5, 2, 7, 7, 1},
		{8, 16, 3, 14, 14, 1},
		{5, 7, 2, 13, 17, 1},
		{4, 3, 1, 9, 6, 0},
		{6, 2, 2, 5, 11, 2},
		{17, 19, 2, 23, 29, 1},
		{32, 24, 1, 20, 20, 1},
	}
	rng := rand.New(rand.NewPCG(17, 2))
	type prepared struct {
		p                     Conv2dParams
		x, w, b, res, dy      *tensor.Tensor
		ref, win, absB        []float64
		refRes, absRes        []float64
		refAcc                []float64
		dxRef, dxWin, dxOther []float64
		dx0                   *tensor.Tensor
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
		q.dy = randT(rng, shape...)
		q.ref = convRef(to64(q.x.Data()), q.x.Shape(), to64(q.w.Data()), q.w.Shape(), to64(q.b.Data()), q.p)
		q.win = windowMag(q.x.Data(), q.x.Shape(), q.w.Data(), c.cout, c.pad)
		per := len(q.ref) / c.cout
		for i, r := range q.ref {
			rv, bv := float64(q.res.Data()[i]), float64(q.b.Data()[i/per])
			q.absB = append(q.absB, math.Abs(bv))
			q.refRes = append(q.refRes, max(r+rv, 0))
			q.absRes = append(q.absRes, math.Abs(bv)+math.Abs(rv))
			q.refAcc = append(q.refAcc, r-bv+rv)
		}
		q.dx0 = randT(rng, q.x.Shape()...)
		q.dxRef, _ = inputGradRef(q.dy.Data(), shape, q.w.Data(), c.cin, c.h, c.w, c.pad)
		q.dxWin = windowMag(q.dy.Data(), shape, transposedW(q.w.Data(), c.cout, c.cin), c.cin, 2-c.pad)
		for i, v := range q.dx0.Data() {
			q.dxRef[i] += float64(v)
			q.dxOther = append(q.dxOther, math.Abs(float64(v)))
		}
		preps = append(preps, q)
	}
	defer withConvAlgo(ConvWinograd)()
	worst := 0.0
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			for _, budget := range []int{1, 512 << 10} {
				restore := withThreads(threads)
				oldB, oldM := wino2Budget, wino2MinTiles
				wino2Budget, wino2MinTiles = budget, 1
				for _, q := range preps {
					g := mustConvGeom("test", q.x.Shape(), q.w.Shape(), q.p)
					if !g.useWinogradF2BF16() {
						t.Fatalf("%v: not routed to bf16 Winograd F(2×2)", q.x.Shape())
					}
					k := 16 * q.x.Shape()[0]
					y := tensor.Full(float32(math.NaN()), q.res.Shape()...)
					Conv2dForward(y, q.x, q.w, q.b, q.p)
					worst = max(worst, checkF2BF16(t, "forward", y.Data(), q.ref, q.win, q.absB, k))
					Conv2dForwardFused(y, q.x, q.w, q.b, q.res, true, q.p)
					checkF2BF16(t, "fused", y.Data(), q.refRes, q.win, q.absRes, k)
					y = q.res.Clone()
					convForward(&g, y.Data(), q.x.Data(), q.w.Data(), convEpi{}, 1)
					checkF2BF16(t, "accumulate", y.Data(), q.refAcc, q.win, q.absRes, k)
					// The input gradient, accumulated into dx0: the flipped convolution
					// runs as F(2×2) too (convInputGradViaConv's route, forced by
					// withThreads's knobs for every size).
					dx := q.dx0.Clone()
					Conv2dBackward(Accumulate(dx), GradOut{}, GradOut{}, q.dy, q.x, q.w, q.p)
					worst = max(worst, checkF2BF16(t, "input gradient", dx.Data(), q.dxRef, q.dxWin, q.dxOther, 16*q.w.Shape()[0]))
				}
				wino2Budget, wino2MinTiles = oldB, oldM
				restore()
			}
		}
	})
	t.Logf("worst |F(2×2) bf16 − exact| / window magnitude = %.3g (bound 4·2⁻⁷ ≈ 0.031)", worst)
}

// The error of bf16 Winograd F(2×2) on ResNet34's four 3×3 shapes (channels 64–512,
// post-ReLU inputs, Kaiming-normal weights; images of 4–10 pixels, smaller than the
// network's, which does not change the per-output sums but keeps the float64
// reference fast under qemu), against the float64 convolution, beside bf16
// im2col's and float32's (auto: F(4×4) Winograd where the path takes it): RMS error
// over the output's RMS, and the worst error over Σ|w||x|. F(2×2)'s RMS error must
// stay within 2× bf16 im2col's (measured 1.5–1.6×: its 16 products per 4 outputs
// each round two transformed operands, which are sums of up to 4 inputs and 9
// weights) — the bound that makes it an acceptable bf16 convolution.
func TestWinogradF2BF16Error(t *testing.T) {
	rng := rand.New(rand.NewPCG(34, 1))
	for _, c := range []struct{ ch, hw int }{{64, 10}, {128, 8}, {256, 6}, {512, 4}} {
		x := randT(rng, c.ch, 1, c.hw, c.hw)
		for i, v := range x.Data() {
			x.Data()[i] = max(v, 0)
		}
		w := tensor.RandN(rng, float32(math.Sqrt(2/float64(9*c.ch))), c.ch, c.ch, 3, 3)
		p := ConvOpts(1, 1)
		ref := convRef(to64(x.Data()), x.Shape(), to64(w.Data()), w.Shape(), nil, p)
		mag := convRef(abs64(to64(x.Data())), x.Shape(), abs64(to64(w.Data())), w.Shape(), nil, p)
		var refSq float64
		for _, r := range ref {
			refSq += r * r
		}
		measure := func(prec Precision, algo ConvAlgo) (rel, worst float64) {
			defer withPrecision(prec)()
			defer withConvAlgo(algo)()
			y := tensor.New(c.ch, 1, c.hw, c.hw)
			Conv2dForward(y, x, w, nil, p)
			var sq float64
			for i, r := range ref {
				d := float64(y.Data()[i]) - r
				sq += d * d
				worst = max(worst, math.Abs(d)/mag[i])
			}
			return math.Sqrt(sq / refSq), worst
		}
		f2, f2w := measure(BF16, ConvWinograd)
		im, imw := measure(BF16, ConvIm2col)
		f32, f32w := measure(FP32, ConvAuto)
		t.Logf("C=%d: RMS error / RMS: F(2×2) bf16 %.4f%%, im2col bf16 %.4f%%, fp32 %.1e; worst / Σ|w||x|: %.4f%%, %.4f%%, %.1e",
			c.ch, 100*f2, 100*im, f32, 100*f2w, 100*imw, f32w)
		if f2 > 2*im {
			t.Errorf("C=%d: F(2×2) bf16 RMS error %.4f%% above twice bf16 im2col's %.4f%%", c.ch, 100*f2, 100*im)
		}
	}
}

// The routing: F(2×2) only in BF16 precision, never with FASTGO_CONV=im2col (which
// keeps bf16 im2col exactly), always with winograd, and under auto only for the
// shapes wino2Wins names on a path with the SIMD transforms.
func TestWinogradF2BF16Routing(t *testing.T) {
	g := mustConvGeom("test", []int{64, 2, 56, 56}, []int{64, 64, 3, 3}, ConvOpts(1, 1))
	small := mustConvGeom("test", []int{512, 2, 7, 7}, []int{512, 512, 3, 3}, ConvOpts(1, 1))
	strided := mustConvGeom("test", []int{64, 2, 56, 56}, []int{64, 64, 3, 3}, ConvOpts(2, 1))
	for _, c := range []struct {
		prec Precision
		algo ConvAlgo
		g    *convGeom
		want bool
	}{
		{FP32, ConvWinograd, &g, false},
		{BF16, ConvIm2col, &g, false},
		{BF16, ConvWinograd, &g, true},
		{BF16, ConvWinograd, &small, true},
		{BF16, ConvWinograd, &strided, false},
		{BF16, ConvAuto, &g, wino2Wins(&g)},
		{BF16, ConvAuto, &small, false},
	} {
		restoreP, restoreA := withPrecision(c.prec), withConvAlgo(c.algo)
		if got := c.g.useWinogradF2BF16(); got != c.want {
			t.Errorf("%v %v %dx%d stride %d: F(2×2) %v, want %v", c.prec, c.algo, c.g.h, c.g.w, c.g.sh, got, c.want)
		}
		restoreA()
		restoreP()
	}
}

// weightGradRef returns the float64 weight gradient of a 3×3 stride-1 convolution
// with padding pad, dw[co][ci][i][j] = Σ dy[co][n][oh][ow]·x[ci][n][oh+i−pad][ow+j−pad],
// and the F(2×2) bound's magnitude per (co, ci): 4·Σ_tiles (Σ of the tile's 2×2 |dy|)·
// (Σ of its 4×4 input window's |x|), the sum over the tile pairs that the transformed
// products combine with coefficients of at most 2 per dimension (see f2BF16Bound).
func weightGradRef(x []float32, xs []int, dy []float32, ys []int, pad int) (ref, mag []float64) {
	cin, n, h, w := xs[0], xs[1], xs[2], xs[3]
	cout, ho, wo := ys[0], ys[2], ys[3]
	ref = make([]float64, cout*cin*9)
	mag = make([]float64, cout*cin)
	xat := func(ci, b, r, c int) float64 {
		if r < 0 || r >= h || c < 0 || c >= w {
			return 0
		}
		return float64(x[((ci*n+b)*h+r)*w+c])
	}
	dyat := func(co, b, r, c int) float64 {
		if r >= ho || c >= wo {
			return 0
		}
		return float64(dy[((co*n+b)*ho+r)*wo+c])
	}
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			for b := 0; b < n; b++ {
				for oh := 0; oh < ho; oh++ {
					for ow := 0; ow < wo; ow++ {
						d := dyat(co, b, oh, ow)
						for i := 0; i < 3; i++ {
							for j := 0; j < 3; j++ {
								ref[(co*cin+ci)*9+i*3+j] += d * xat(ci, b, oh+i-pad, ow+j-pad)
							}
						}
					}
				}
				for ty := 0; 2*ty < ho; ty++ {
					for tx := 0; 2*tx < wo; tx++ {
						var sd, sx float64
						for i := 0; i < 2; i++ {
							for j := 0; j < 2; j++ {
								sd += math.Abs(dyat(co, b, 2*ty+i, 2*tx+j))
							}
						}
						for i := 0; i < 4; i++ {
							for j := 0; j < 4; j++ {
								sx += math.Abs(xat(ci, b, 2*ty+i-pad, 2*tx+j-pad))
							}
						}
						mag[co*cin+ci] += 4 * sd * sx
					}
				}
			}
		}
	}
	return ref, mag
}

// The bf16 F(2×2) weight gradient against the float64 one on every path, one and two
// threads, chunks from one tile row up, overwriting and accumulating: every element
// within (2⁻⁷ + 2⁻¹⁶)·mag plus the float32 terms (mag from weightGradRef: a loose,
// per-element worst case), and the RMS error within 1% of the gradient's RMS (bf16
// im2col's is about 0.3%; a wrong tap or tile would be O(100%)).
func TestWinogradF2BF16WeightGrad(t *testing.T) {
	defer withPrecision(BF16)()
	defer withConvAlgo(ConvWinograd)()
	cases := []struct{ cin, cout, n, h, w, pad int }{
		{1, 1, 1, 1, 1, 1},
		{3, 5, 2, 7, 7, 1},
		{5, 7, 2, 13, 17, 1},
		{4, 3, 1, 9, 6, 0},
		{6, 2, 2, 5, 11, 2},
		{17, 19, 2, 23, 29, 1},
	}
	rng := rand.New(rand.NewPCG(19, 3))
	for _, c := range cases {
		p := ConvOpts(1, c.pad)
		x := randT(rng, c.cin, c.n, c.h, c.w)
		w := randT(rng, c.cout, c.cin, 3, 3)
		shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), p)
		if err != nil {
			t.Fatal(err)
		}
		dy := randT(rng, shape...)
		dw0 := randT(rng, w.Shape()...)
		ref, mag := weightGradRef(x.Data(), x.Shape(), dy.Data(), shape, c.pad)
		var refSq float64
		for _, r := range ref {
			refSq += r * r
		}
		k := 16 * c.n * shape[2] * shape[3]
		forEachISA(t, func(t *testing.T) {
			for _, threads := range []int{1, 2} {
				for _, budget := range []int{1, 512 << 10} {
					restore := withThreads(threads)
					oldB, oldM := wino2Budget, wino2MinTiles
					wino2Budget, wino2MinTiles = budget, 1
					g := mustConvGeom("test", x.Shape(), w.Shape(), p)
					if !g.useWinogradF2BF16WeightGrad() {
						t.Fatalf("%v: not routed to bf16 Winograd F(2×2)", x.Shape())
					}
					for _, accum := range []bool{false, true} {
						dw := dw0.Clone()
						out := Overwrite(dw)
						if accum {
							out = Accumulate(dw)
						}
						Conv2dBackward(GradOut{}, out, GradOut{}, dy, x, w, p)
						var errSq float64
						for i, r := range ref {
							want := r
							var other float64
							if accum {
								want += float64(dw0.Data()[i])
								other = math.Abs(float64(dw0.Data()[i]))
							}
							d := math.Abs(float64(dw.Data()[i]) - want)
							if b := f2BF16Bound(mag[i/9]/4, k, other); !(d <= b) {
								t.Fatalf("%v acc %v threads %d: dw[%d] = %v, want %v (|diff| %.3g > %.3g)", x.Shape(), accum, threads, i, dw.Data()[i], want, d, b)
							}
							errSq += (float64(dw.Data()[i]) - want) * (float64(dw.Data()[i]) - want)
						}
						if rel := math.Sqrt(errSq / refSq); rel > 0.01 {
							t.Fatalf("%v acc %v threads %d: RMS error %.3g%% of the gradient's RMS, above 1%%", x.Shape(), accum, threads, 100*rel)
						}
					}
					wino2Budget, wino2MinTiles = oldB, oldM
					restore()
				}
			}
		})
	}
}

// TestConv2dWeightGradStored checks the weight gradient from an input stored as bf16
// against Conv2dBackward's on the widened input, bit for bit (bf16 F(2×2): the input
// transform reads the stored rows, winograd.InputF2BF16, widening them exactly), with and without the bias gradient and
// accumulation, on every path; that Conv2dReadsStoredInput follows the routing; and
// that other geometries are refused.
func TestConv2dWeightGradStored(t *testing.T) {
	defer withPrecision(BF16)()
	defer withConvAlgo(ConvWinograd)()
	rng := rand.New(rand.NewPCG(19, 4))
	for _, c := range []struct{ cin, cout, n, h, w, pad int }{
		{3, 5, 2, 7, 7, 1}, {17, 19, 2, 23, 29, 1}, {4, 3, 1, 9, 6, 0},
	} {
		p := ConvOpts(1, c.pad)
		x := randT(rng, c.cin, c.n, c.h, c.w)
		bits := make([]uint16, x.Len())
		gemm.ToBF16(bits, x.Data())
		xw := tensor.New(x.Shape()...)
		gemm.FromBF16(xw.Data(), bits)
		w := randT(rng, c.cout, c.cin, 3, 3)
		if !Conv2dReadsStoredInput(x.Shape(), w.Shape(), p) {
			t.Fatalf("%+v: F(2×2) geometry not read stored", c)
		}
		shape, _ := Conv2dOutputShape(x.Shape(), w.Shape(), p)
		dy := randT(rng, shape...)
		forEachISA(t, func(t *testing.T) {
			for _, acc := range []bool{false, true} {
				want, got := filled(w, 0.25), filled(w, 0.25)
				wantB, gotB := tensor.Full(0.5, c.cout), tensor.Full(0.5, c.cout)
				Conv2dBackward(GradOut{}, GradOut{T: want, Accumulate: acc}, GradOut{T: wantB, Accumulate: acc}, dy, xw, w, p)
				Conv2dWeightGradStored(GradOut{T: got, Accumulate: acc}, GradOut{T: gotB, Accumulate: acc}, dy, bits, x.Shape(), w, p)
				for i, v := range want.Data() {
					if math.Float32bits(got.Data()[i]) != math.Float32bits(v) {
						t.Fatalf("%+v acc=%v: dw[%d] = %v, want %v", c, acc, i, got.Data()[i], v)
					}
				}
				for i, v := range wantB.Data() {
					if math.Float32bits(gotB.Data()[i]) != math.Float32bits(v) {
						t.Fatalf("%+v acc=%v: db[%d] = %v, want %v", c, acc, i, gotB.Data()[i], v)
					}
				}
			}
		})
	}
	x, w := []int{4, 1, 9, 9}, []int{4, 4, 3, 3}
	restore := withConvAlgo(ConvIm2col)
	if Conv2dReadsStoredInput(x, w, ConvOpts(1, 1)) {
		t.Error("im2col: the stored input would be read")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("im2col geometry: Conv2dWeightGradStored did not panic")
			}
		}()
		Conv2dWeightGradStored(Overwrite(tensor.New(w...)), GradOut{}, tensor.New(4, 1, 9, 9), make([]uint16, 4*81), x, tensor.New(w...), ConvOpts(1, 1))
	}()
	restore()
	if Conv2dReadsStoredInput(x, w, ConvOpts(2, 1)) {
		t.Error("stride 2: the stored input would be read")
	}
}

// The transformed input written as bf16 pairs straight into the GEMMs' packed layout
// (wino2InputPairs, gemm.BF16PackedPanelsSerial) against the float32 V packed by the
// GEMM (wino2Pairs off), on every path: the same rounded operands in the same order,
// so the forward, the fused epilogues, accumulation and the input gradient are
// bit-identical; even channel counts (odd ones keep the float32 V: checked routed
// there too), tile rows that straddle the packed panels (10 and 7 tiles), padding 0
// and 1, one and two threads, chunks from one tile row up; with the inner tile rows
// read in place (wino2DirectRows: even widths, one tile row to a block up to three
// blocks of them) and through the planes.
func TestWinogradF2BF16Pairs(t *testing.T) {
	defer withPrecision(BF16)()
	defer withConvAlgo(ConvWinograd)()
	cases := []struct{ cin, cout, n, h, w, pad int }{
		{2, 3, 1, 5, 5, 1},
		{8, 16, 3, 14, 14, 1},
		{4, 3, 2, 9, 20, 0},
		{64, 8, 1, 10, 20, 1},
		{3, 5, 2, 7, 7, 1},
		{2, 4, 2, 6, 34, 1}, // inner tile rows read in place: the last block of one tile
		{2, 2, 3, 8, 32, 1}, // one block, both padding columns in it
		{4, 4, 3, 4, 4, 1},  // no inner tile row
	}
	rng := rand.New(rand.NewPCG(29, 3))
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			for _, budget := range []int{1, 512 << 10} {
				restore := withThreads(threads)
				oldB, oldM, oldP, oldD := wino2Budget, wino2MinTiles, wino2Pairs, wino2DirectRows
				wino2Budget, wino2MinTiles = budget, 1
				for _, c := range cases {
					p := ConvOpts(1, c.pad)
					x := randT(rng, c.cin, c.n, c.h, c.w)
					w := randT(rng, c.cout, c.cin, 3, 3)
					b := randT(rng, c.cout)
					shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), p)
					if err != nil {
						t.Fatal(err)
					}
					res, dy, dx0 := randT(rng, shape...), randT(rng, shape...), randT(rng, x.Shape()...)
					run := func(pairs, direct bool) [][]float32 {
						wino2Pairs, wino2DirectRows = pairs, direct
						y := tensor.Full(float32(math.NaN()), shape...)
						Conv2dForward(y, x, w, b, p)
						fused := tensor.Full(float32(math.NaN()), shape...)
						Conv2dForwardFused(fused, x, w, b, res, true, p)
						acc := res.Clone()
						g := mustConvGeom("test", x.Shape(), w.Shape(), p)
						convForward(&g, acc.Data(), x.Data(), w.Data(), convEpi{}, 1)
						dx := dx0.Clone()
						Conv2dBackward(Accumulate(dx), GradOut{}, GradOut{}, dy, x, w, p)
						return [][]float32{y.Data(), fused.Data(), acc.Data(), dx.Data()}
					}
					want := run(false, false)
					for _, direct := range []bool{false, true} {
						got := run(true, direct)
						for o, name := range []string{"forward", "fused", "accumulate", "input gradient"} {
							for i := range want[o] {
								if math.Float32bits(got[o][i]) != math.Float32bits(want[o][i]) {
									t.Fatalf("%+v, %d threads, budget %d, rows in place %v: %s[%d] = %v with the pairs, %v without",
										c, threads, budget, direct, name, i, got[o][i], want[o][i])
								}
							}
						}
					}
				}
				wino2Budget, wino2MinTiles, wino2Pairs, wino2DirectRows = oldB, oldM, oldP, oldD
				restore()
			}
		}
	})
}

// The forward's ReLU epilogues inside the output transform (winograd.OutputF2ReLU)
// against OutputF2 and the pass over the rows after it (wino2FuseEpilogue off), on
// every path: bit-identical, with and without a residual and a bias, and the
// residual without ReLU (which always takes the pass), on odd and even output sizes
// (the last tile row of one row, a last tile of one column), padding 0 and 1, one
// and two threads, chunks from one tile row up.
func TestWinogradF2BF16FusedEpilogue(t *testing.T) {
	defer withPrecision(BF16)()
	defer withConvAlgo(ConvWinograd)()
	cases := []struct{ cin, cout, n, h, w, pad int }{
		{2, 3, 1, 5, 5, 1},
		{8, 16, 3, 14, 14, 1},
		{4, 3, 2, 9, 20, 0},
		{3, 5, 2, 7, 37, 1},
		{16, 4, 1, 31, 33, 1},
	}
	rng := rand.New(rand.NewPCG(31, 5))
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			for _, budget := range []int{1, 512 << 10} {
				restore := withThreads(threads)
				oldB, oldM, oldF := wino2Budget, wino2MinTiles, wino2FuseEpilogue
				wino2Budget, wino2MinTiles = budget, 1
				for _, c := range cases {
					p := ConvOpts(1, c.pad)
					x := randT(rng, c.cin, c.n, c.h, c.w)
					w := randT(rng, c.cout, c.cin, 3, 3)
					b := randT(rng, c.cout)
					shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), p)
					if err != nil {
						t.Fatal(err)
					}
					res := randT(rng, shape...)
					type epi struct {
						b, res *tensor.Tensor
						relu   bool
					}
					epis := []epi{{b, res, true}, {b, nil, true}, {nil, res, true}, {nil, nil, true}, {b, res, false}}
					run := func(fuse bool) [][]float32 {
						wino2FuseEpilogue = fuse
						var outs [][]float32
						for _, e := range epis {
							y := tensor.Full(float32(math.NaN()), shape...)
							Conv2dForwardFused(y, x, w, e.b, e.res, e.relu, p)
							outs = append(outs, y.Data())
						}
						return outs
					}
					want, got := run(false), run(true)
					for k, e := range epis {
						for i := range want[k] {
							if math.Float32bits(got[k][i]) != math.Float32bits(want[k][i]) {
								t.Fatalf("%+v, %d threads, budget %d, bias %v res %v relu %v: y[%d] = %v fused, %v with the pass",
									c, threads, budget, e.b != nil, e.res != nil, e.relu, i, got[k][i], want[k][i])
							}
						}
					}
				}
				wino2Budget, wino2MinTiles, wino2FuseEpilogue = oldB, oldM, oldF
				restore()
			}
		}
	})
}
