package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor"
)

// Filters transformed and packed once (NewWinogradFilters) give the fused inference
// convolution bit for bit, on every dispatch path, one and two threads (one chunk per
// goroutine, and many), tile-row chunks and the mosaic of small images, paddings 1 and
// 2, with and without residual and ReLU (the ReLU epilogues inside the output
// transform, as the separate pass rounds them); they are nil where the layer would not run
// Winograd and stop being Usable when -conv im2col or another path is selected.
func TestWinogradFiltersMatchFused(t *testing.T) {
	cases := []struct {
		cin, cout, n, hw, pad int
	}{
		{5, 7, 3, 9, 1},    // one tile row chunk per goroutine
		{16, 24, 9, 14, 1}, // mosaic
		{3, 4, 2, 30, 1},   // 8 tiles a row
		{6, 5, 2, 11, 2},
		{4, 4, 1, 7, 1},
	}
	rng := rand.New(rand.NewPCG(11, 12))
	defer knob(&convAlgo, ConvWinograd)()()
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			restore := withThreads(threads)
			for _, c := range cases {
				p := ConvOpts(1, c.pad)
				x := randT(rng, c.cin, c.n, c.hw, c.hw)
				w := randT(rng, c.cout, c.cin, 3, 3)
				b := randT(rng, c.cout)
				shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), p)
				if err != nil {
					t.Fatal(err)
				}
				res := randT(rng, shape...)
				f := NewWinogradFilters(w, x.Shape(), p)
				if !f.Usable(x.Shape()) {
					t.Fatalf("%+v: filters not usable", c)
				}
				for _, mode := range []struct {
					res  *tensor.Tensor
					relu bool
				}{{nil, false}, {nil, true}, {res, true}} {
					want := tensor.Full(float32(math.NaN()), shape...)
					Conv2dForwardFused(want, x, w, b, mode.res, mode.relu, p)
					got := tensor.Full(float32(math.NaN()), shape...)
					Conv2dForwardWinograd(got, x, f, b, mode.res, mode.relu)
					for i, v := range want.Data() {
						if math.Float32bits(got.Data()[i]) != math.Float32bits(v) {
							t.Fatalf("%+v threads %d relu %v res %v: output %d = %v, want %v",
								c, threads, mode.relu, mode.res != nil, i, got.Data()[i], v)
						}
					}
					// The epilogue inside the output transform (winoFuseEpilogue) rounds
					// as the separate pass does (the sum with the bias, then the
					// residual).
					fused := tensor.Full(float32(math.NaN()), shape...)
					func() {
						defer knob(&winoFuseEpilogue, true)()()
						Conv2dForwardFused(fused, x, w, b, mode.res, mode.relu, p)
					}()
					for i, v := range fused.Data() {
						if g := want.Data()[i]; g != v && !(g != g && v != v) {
							t.Fatalf("%+v threads %d relu %v res %v: output %d = %v in a separate pass, %v fused",
								c, threads, mode.relu, mode.res != nil, i, g, v)
						}
					}
				}
				func() {
					defer knob(&convAlgo, ConvIm2col)()()
					if f.Usable(x.Shape()) || NewWinogradFilters(w, x.Shape(), p) != nil {
						t.Fatalf("%+v: Winograd filters with -conv im2col", c)
					}
				}()
			}
			restore()
		}
		if NewWinogradFilters(randT(rng, 4, 3, 3, 3), []int{3, 1, 9, 9}, ConvOpts(2, 1)) != nil {
			t.Fatal("Winograd filters for a stride-2 convolution")
		}
	})
	// Packed for one path, the filters are usable on that path only.
	x, w := randT(rng, 3, 1, 8, 8), randT(rng, 4, 3, 3, 3)
	f, made := NewWinogradFilters(w, x.Shape(), ConvOpts(1, 1)), cpu.Active()
	forEachISA(t, func(t *testing.T) {
		if f.Usable(x.Shape()) != (cpu.Active() == made) {
			t.Fatalf("filters packed on %v: usable on %v is %v", made, cpu.Active(), f.Usable(x.Shape()))
		}
	})
}
