package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor"
)

// winogradPays on the shapes it was measured on (see its doc): ResNet34's 3×3 layers at
// 64 px, 96 px and 224 px for several batch sizes.
func TestWinogradPays(t *testing.T) {
	for _, c := range []struct {
		ch, n, hw int
		want      bool
	}{
		{512, 16, 2, false}, // layer4 at 64 px: 2×2 outputs, no saving at all
		{512, 64, 2, false}, // even with 64 tiles
		{512, 16, 3, false}, // layer4 at 96 px: 16 tiles of 3×3
		{512, 1, 7, false},  // layer4 at 224 px, batch 1: 4 tiles
		{512, 16, 7, true},  // layer4 at 224 px, batch 16: 64 tiles
		{256, 16, 4, false}, // layer3 at 64 px: 16 tiles
		{256, 64, 4, true},  // layer3 at 64 px, batch 64
		{256, 1, 14, false}, // layer3 at 224 px, batch 1: 16 tiles
		{256, 16, 6, true},  // layer3 at 96 px: 64 tiles of 6×6 (a tie measured)
		{128, 4, 8, false},  // layer2 at 64 px, batch 4: 16 tiles
		{128, 8, 8, true},   // layer2 at 64 px, batch 8: 32 tiles
		{128, 1, 28, true},  // layer2 at 224 px, batch 1: 49 tiles
		{64, 4, 16, true},   // layer1 at 64 px, batch 4: 64 tiles
		{64, 16, 56, true},  // layer1 at 224 px
	} {
		g := mustConvGeom("test", []int{c.ch, c.n, c.hw, c.hw}, []int{c.ch, c.ch, 3, 3}, ConvOpts(1, 1))
		if got := g.winogradPays(); got != c.want {
			t.Errorf("C=%d, batch %d, %d×%d: winogradPays %v, want %v", c.ch, c.n, c.hw, c.hw, got, c.want)
		}
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
// through Winograd where the flipped convolution takes it (layer2 at 64 px, batch 8:
// 512 columns, 32 tiles); it matches the float64 transposed convolution on every path.
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
