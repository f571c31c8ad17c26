package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor"
)

// winogradPays on the shapes it was measured on (see its doc): ResNet34's 3×3 layers at
// 64 px, 96 px and 224 px, whatever the batch size.
func TestWinogradPays(t *testing.T) {
	for _, c := range []struct {
		ch, hw int
		want   bool
	}{
		{512, 2, false}, // layer4 at 64 px: 2×2 outputs, no saving at all
		{512, 3, false}, // layer4 at 96 px: one tile
		{256, 4, false}, // layer3 at 64 px: one tile
		{512, 5, false}, // 4 tiles for 25 outputs: r 1.56
		{256, 6, true},  // layer3 at 96 px: 4 tiles, r 2.25
		{128, 8, true},  // layer2 at 64 px
		{512, 7, true},  // layer4 at 224 px
		{256, 14, true}, // layer3 at 224 px
		{64, 16, true},  // layer1 at 64 px
		{64, 56, true},  // layer1 at 224 px
	} {
		for _, n := range []int{1, 16, 64} {
			g := mustConvGeom("test", []int{c.ch, n, c.hw, c.hw}, []int{c.ch, c.ch, 3, 3}, ConvOpts(1, 1))
			if got := g.winogradPays(); got != c.want {
				t.Errorf("C=%d, batch %d, %d×%d: winogradPays %v, want %v", c.ch, n, c.hw, c.hw, got, c.want)
			}
		}
	}
	// one tile row of a wide image: 13 tiles, r 2.9
	g := mustConvGeom("test", []int{8, 1, 3, 50}, []int{8, 8, 3, 3}, ConvOpts(1, 1))
	if !g.winogradPays() {
		t.Errorf("3×50 image: winogradPays false, want true")
	}
}

// The forward routing: auto takes Winograd only where useWinograd and winogradPays both
// say so; FASTGO_CONV=winograd takes it for every eligible shape, im2col for none.
func TestWinogradForwardRouting(t *testing.T) {
	big := mustConvGeom("test", []int{64, 16, 16, 16}, []int{64, 64, 3, 3}, ConvOpts(1, 1))
	tiny := mustConvGeom("test", []int{512, 16, 2, 2}, []int{512, 512, 3, 3}, ConvOpts(1, 1))
	forEachISA(t, func(t *testing.T) {
		simd := cpu.Active() == cpu.AVX512 || cpu.Active() == cpu.AVX2
		for _, c := range []struct {
			algo ConvAlgo
			g    *convGeom
			want bool
		}{
			{ConvAuto, &big, simd},
			{ConvAuto, &tiny, false},
			{ConvWinograd, &big, true},
			{ConvWinograd, &tiny, true},
			{ConvIm2col, &big, false},
			{ConvIm2col, &tiny, false},
		} {
			restore := withConvAlgo(c.algo)
			if got := c.g.winogradForward(); got != c.want {
				t.Errorf("%v, %d×%d, batch %d: Winograd %v, want %v", c.algo, c.g.h, c.g.w, c.g.n, got, c.want)
			}
			restore()
		}
	})
}

// inputGradGeom is the flipped convolution's geometry: dY in, dX's shape out, padding
// K−1−pad.
func TestInputGradGeom(t *testing.T) {
	g := mustConvGeom("test", []int{5, 3, 9, 7}, []int{4, 5, 3, 3}, ConvOpts(1, 1))
	g2 := inputGradGeom(&g)
	want := mustConvGeom("test", []int{4, 3, 9, 7}, []int{5, 4, 3, 3}, ConvOpts(1, 1))
	if g2 != want {
		t.Errorf("inputGradGeom = %+v, want %+v", g2, want)
	}
}

// Under auto, an input gradient with fewer columns than convInputGradViaConvMinP goes
// through Winograd where the flipped convolution takes it (layer2's images at 64 px,
// batch 8: 512 columns); it matches the float64 transposed convolution on every path.
func TestConvInputGradAutoSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const ch, n, hw = 16, 8, 8
	p := ConvOpts(1, 1)
	x := randT(rng, ch, n, hw, hw)
	w := randT(rng, ch, ch, 3, 3)
	g := mustConvGeom("test", x.Shape(), w.Shape(), p)
	if g.p >= convInputGradViaConvMinP || !g.winogradPays() {
		t.Fatalf("P = %d, winogradPays %v: the case no longer tests the small-P Winograd route", g.p, g.winogradPays())
	}
	dy := randT(rng, ch, n, hw, hw)
	ref, mag := inputGradRef(dy.Data(), dy.Shape(), w.Data(), ch, hw, hw, 1)
	restore := withConvAlgo(ConvAuto)
	defer restore()
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			restore := withThreads(threads)
			dx := tensor.Full(float32(math.NaN()), x.Shape()...)
			Conv2dBackward(Overwrite(dx), GradOut{}, GradOut{}, dy, x, w, p)
			checkWino(t, "auto", dx.Data(), ref, mag)
			restore()
		}
	})
}

// Layers with fewer output columns than channels split the output channels between
// goroutines (convForwardRows): forward with bias, and fused with residual and ReLU,
// against the float64 reference, for same-size, strided (deinterleaved or not) and
// 1×1 stride-2 convolutions, one to three goroutines.
func TestConvForwardRows(t *testing.T) {
	cases := []struct {
		xs, ws []int
		p      Conv2dParams
	}{
		{[]int{5, 2, 3, 3}, []int{40, 5, 3, 3}, ConvOpts(1, 1)},
		{[]int{6, 1, 6, 5}, []int{33, 6, 3, 3}, ConvOpts(2, 1)},
		{[]int{7, 3, 4, 4}, []int{50, 7, 1, 1}, ConvOpts(2, 0)},
		{[]int{3, 2, 8, 8}, []int{64, 3, 7, 7}, ConvOpts(2, 3)},
	}
	rng := rand.New(rand.NewPCG(31, 32))
	defer withConvAlgo(ConvIm2col)()
	forEachISA(t, func(t *testing.T) {
		for _, deint := range []bool{false, true} {
			for _, threads := range []int{1, 2, 3} {
				restore := withKnobs(knobs{threads: threads, colBudget: convColBudget, minChunk: convMinChunk,
					splitP: convWeightGradSplitP, viaConv: convInputGradViaConv, deint: deint})
				for _, c := range cases {
					g := mustConvGeom("test", c.xs, c.ws, c.p)
					if g.cout <= g.p || g.k*g.p > convRowSplitCol {
						t.Fatalf("%v * %v: %d channels, %d columns: not a row-split case", c.xs, c.ws, g.cout, g.p)
					}
					x, w, b := randT(rng, c.xs...), randT(rng, c.ws...), randT(rng, c.ws[0])
					shape, _ := Conv2dOutputShape(x.Shape(), w.Shape(), c.p)
					res := randT(rng, shape...)
					ref := convRef(to64(x.Data()), c.xs, to64(w.Data()), c.ws, to64(b.Data()), c.p)
					want := tensor.FromData(to32(ref), shape...)
					fused := make([]float64, len(ref))
					for i, r := range ref {
						fused[i] = max(r+float64(res.Data()[i]), 0)
					}
					reduce := g.k
					y := tensor.Full(float32(math.NaN()), shape...)
					Conv2dForward(y, x, w, b, c.p)
					checkClose(t, "forward", y, want, reduce)
					Conv2dForwardFused(y, x, w, b, res, true, c.p)
					checkClose(t, "fused", y, tensor.FromData(to32(fused), shape...), reduce)
				}
				restore()
			}
		}
	})
}

// An image's convolution is bitwise the same alone and in a batch, whichever route
// (Winograd, output channels split, output columns split) each batch size takes: the
// server batches whatever requests arrive together.
func TestConvBatchInvariant(t *testing.T) {
	cases := []struct {
		xs, ws []int
		p      Conv2dParams
	}{
		{[]int{64, 40, 2, 2}, []int{128, 64, 3, 3}, ConvOpts(1, 1)}, // alone: channels split; batch: columns
		{[]int{32, 24, 4, 4}, []int{64, 32, 3, 3}, ConvOpts(2, 1)},
		{[]int{16, 24, 8, 8}, []int{16, 16, 3, 3}, ConvOpts(1, 1)}, // Winograd
	}
	rng := rand.New(rand.NewPCG(41, 42))
	defer withConvAlgo(ConvAuto)()
	forEachISA(t, func(t *testing.T) {
		defer withThreads(2)()
		for _, c := range cases {
			n := c.xs[1]
			x, w, b := randT(rng, c.xs...), randT(rng, c.ws...), randT(rng, c.ws[0])
			shape, _ := Conv2dOutputShape(x.Shape(), w.Shape(), c.p)
			y := tensor.New(shape...)
			Conv2dForwardFused(y, x, w, b, nil, true, c.p)
			plane, oplane := c.xs[2]*c.xs[3], shape[2]*shape[3]
			for i := 0; i < n; i += 7 {
				xi := tensor.New(c.xs[0], 1, c.xs[2], c.xs[3])
				for ch := 0; ch < c.xs[0]; ch++ {
					copy(xi.Data()[ch*plane:(ch+1)*plane], x.Data()[(ch*n+i)*plane:])
				}
				yi := tensor.New(shape[0], 1, shape[2], shape[3])
				Conv2dForwardFused(yi, xi, w, b, nil, true, c.p)
				for co := 0; co < shape[0]; co++ {
					got, want := yi.Data()[co*oplane:(co+1)*oplane], y.Data()[(co*n+i)*oplane:(co*n+i+1)*oplane]
					for k := range got {
						if got[k] != want[k] {
							t.Fatalf("%v * %v, image %d, channel %d: alone %v, in the batch %v", c.xs, c.ws, i, co, got, want)
						}
					}
				}
			}
		}
	})
}

// col2imSame (one vector addition per column-matrix row, padding entries zeroed first)
// adds exactly what the generic row-segment loop adds, on blocks of rows and columns
// that start and end inside image rows, for 3×3 pad 1, 5×5 pad 2 and 1×3 pad (0, 1)
// geometries down to 1×1 and 2×2 images.
func TestCol2imSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, c := range []struct {
		xs, ws []int
		p      Conv2dParams
	}{
		{[]int{3, 2, 2, 2}, []int{4, 3, 3, 3}, ConvOpts(1, 1)},
		{[]int{2, 3, 4, 4}, []int{2, 2, 3, 3}, ConvOpts(1, 1)},
		{[]int{2, 2, 1, 1}, []int{3, 2, 3, 3}, ConvOpts(1, 1)},
		{[]int{2, 2, 5, 7}, []int{2, 2, 5, 5}, ConvOpts(1, 2)},
		{[]int{3, 2, 3, 6}, []int{2, 3, 1, 3}, Conv2dParams{Pad: [2]int{0, 1}}},
	} {
		g := mustConvGeom("test", c.xs, c.ws, c.p)
		if !sameShape(&g) {
			t.Fatalf("%v * %v: not a sameShape geometry", c.xs, c.ws)
		}
		for _, blk := range [][4]int{{0, g.k, 0, g.p}, {1, g.k - 1, 1, g.p - 1}, {g.k / 2, g.k, g.p / 3, g.p}} {
			k0, k1, p0, p1 := blk[0], blk[1], blk[2], blk[3]
			if k0 >= k1 || p0 >= p1 {
				continue
			}
			col := randT(rng, k1-k0, p1-p0).Data()
			base := randT(rng, c.xs...).Data()
			want := append([]float32(nil), base...)
			col2imGeneral(want, append([]float32(nil), col...), p1-p0, &g, k0, k1, p0, p1)
			got := append([]float32(nil), base...)
			col2imSame(got, col, p1-p0, &g, k0, k1, p0, p1)
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%v * %v, block %v: dx[%d] = %v, want %v", c.xs, c.ws, blk, i, got[i], want[i])
				}
			}
		}
	}
}
