package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// The stem's fused convolution and max pool, computed a few images at a time, gives
// Conv2dForwardFused followed by MaxPool2d bit for bit: on every dispatch path, one and
// two threads, in fp32 and (where the CPU has it) bf16, with chunks of one image, of two with a shorter last chunk (5 images),
// and of the whole batch; for ResNet's 7×7 stride-2 stem with its 3×3 stride-2 pool
// (the SIMD pooling kernel, an odd output width), a 3×3 stride-2 convolution with a
// 2×2 pool (the generic pooling), with and without bias and ReLU.
func TestConv2dForwardFusedMaxPoolMatchesUnfused(t *testing.T) {
	cases := []struct {
		name             string
		cin, cout, n, hw int
		k                int
		p                Conv2dParams
		pp               Pool2dParams
		bias, relu       bool
	}{
		{"stem", 3, 8, 5, 29, 7, ConvOpts(2, 3), PoolOpts(3, 2, 1), true, true},
		{"3x3s2_pool2", 4, 6, 5, 17, 3, ConvOpts(2, 1), PoolOpts(2, 2, 0), false, false},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	prev, prevBands := convPoolChunkBytes, convPoolBands
	defer func() { convPoolChunkBytes, convPoolBands = prev, prevBands }()
	forEachISA(t, func(t *testing.T) {
		for _, threads := range []int{1, 2} {
			restore := withThreads(threads)
			for _, c := range cases {
				for _, prec := range []Precision{FP32, BF16} {
					if CheckPrecision(prec) != nil {
						continue
					}
					prevPrec := SetPrecision(prec)
					x := randT(rng, c.cin, c.n, c.hw, c.hw)
					w := randT(rng, c.cout, c.cin, c.k, c.k)
					var b *tensor.Tensor
					if c.bias {
						b = randT(rng, c.cout)
					}
					cs, err := Conv2dOutputShape(x.Shape(), w.Shape(), c.p)
					if err != nil {
						t.Fatal(err)
					}
					ps, err := MaxPool2dOutputShape(cs, c.pp)
					if err != nil {
						t.Fatal(err)
					}
					conv := tensor.New(cs...)
					Conv2dForwardFused(conv, x, w, b, nil, c.relu, c.p)
					want := tensor.New(ps...)
					MaxPool2d(want, nil, conv, c.pp)
					image := 4 * cs[0] * cs[2] * cs[3]
					convPoolBands = false // the chunked form (the banded one: TestConvPoolBands)
					for _, chunk := range []int{1, 2, c.n} {
						convPoolChunkBytes = chunk * image
						y := tensor.Full(float32(math.NaN()), ps...)
						Conv2dForwardFusedMaxPool(y, x, w, b, c.relu, c.p, c.pp)
						for i, v := range y.Data() {
							if math.Float32bits(v) != math.Float32bits(want.Data()[i]) {
								t.Fatalf("%s, %v, %d threads, chunks of %d images: y[%d] = %v, want %v", c.name, prec, threads, chunk, i, v, want.Data()[i])
							}
						}
					}
					convPoolBands = true
					SetPrecision(prevPrec)
				}
			}
			restore()
		}
	})
}

// The banded stem (convPoolBandsRun) gives Conv2dForwardFused followed by MaxPool2d
// bit for bit: on every dispatch path, one and two threads, fp32 and (where the CPU
// has it) bf16, batches of 1 and 3 (one image split into segments between the
// goroutines, and more images than goroutines), bands of 1, 2, 3, 4 and 7 pooled rows
// (the last band short or not, a band past the plane), square and non-square images
// whose convolution output is odd or even in each direction (the pool's last column
// pooled outside the SIMD kernel), for ResNet's 7×7 stride-2 stem, a 3×3 stride-2 and
// a 1×1 stride-2 convolution, with and without bias and ReLU, the batches of 3 with a
// few NaNs in the input.
func TestConvPoolBands(t *testing.T) {
	cases := []struct {
		name       string
		cin, cout  int
		h, w, k    int
		p          Conv2dParams
		bias, relu bool
	}{
		{"stem_29x29", 3, 8, 29, 29, 7, ConvOpts(2, 3), true, true},
		{"stem_36x50", 3, 5, 36, 50, 7, ConvOpts(2, 3), true, true},
		{"stem_23x30", 2, 16, 23, 30, 7, ConvOpts(2, 3), false, false},
		{"3x3s2_21x18", 4, 6, 21, 18, 3, ConvOpts(2, 1), true, false},
		{"1x1s2_20x15", 5, 7, 20, 15, 1, ConvOpts(2, 0), false, true},
	}
	rng := rand.New(rand.NewPCG(9, 10))
	pp := PoolOpts(3, 2, 1)
	prevBands, prevRows := convPoolBands, convPoolBandRows
	defer func() { convPoolBands, convPoolBandRows = prevBands, prevRows }()
	convPoolBands = true
	forEachISA(t, func(t *testing.T) {
		for _, prec := range []Precision{FP32, BF16} {
			if CheckPrecision(prec) != nil {
				continue
			}
			prevPrec := SetPrecision(prec)
			for _, c := range cases {
				for _, n := range []int{1, 3} {
					x := randT(rng, c.cin, n, c.h, c.w)
					if n == 3 {
						// A few NaNs: the pool kernel's exact path, the same winners.
						for i := 0; i < 3; i++ {
							x.Data()[rng.IntN(x.Len())] = float32(math.NaN())
						}
					}
					w := randT(rng, c.cout, c.cin, c.k, c.k)
					var b *tensor.Tensor
					if c.bias {
						b = randT(rng, c.cout)
					}
					cs, err := Conv2dOutputShape(x.Shape(), w.Shape(), c.p)
					if err != nil {
						t.Fatal(err)
					}
					ps, err := MaxPool2dOutputShape(cs, pp)
					if err != nil {
						t.Fatal(err)
					}
					g := mustConvGeom("test", x.Shape(), w.Shape(), c.p)
					pg := mustPoolGeom("test", cs, pp)
					if !convPoolBanded(&g, &pg) {
						if prec == BF16 && !g.bf16Rows() {
							continue // bf16 1×1 strided: a float32 im2col chunk, not bands
						}
						t.Fatalf("%s, %v: the banded form does not take it", c.name, prec)
					}
					conv := tensor.New(cs...)
					Conv2dForwardFused(conv, x, w, b, nil, c.relu, c.p)
					want := tensor.New(ps...)
					MaxPool2d(want, nil, conv, pp)
					for _, threads := range []int{1, 2} {
						restore := withThreads(threads)
						for _, rows := range []int{1, 2, 3, 4, 7} {
							convPoolBandRows = rows
							y := tensor.Full(float32(math.NaN()), ps...)
							Conv2dForwardFusedMaxPool(y, x, w, b, c.relu, c.p, pp)
							for i, v := range y.Data() {
								if math.Float32bits(v) != math.Float32bits(want.Data()[i]) {
									t.Fatalf("%s, %v, batch %d, %d threads, bands of %d rows: y[%d] = %v, want %v",
										c.name, prec, n, threads, rows, i, v, want.Data()[i])
								}
							}
						}
						restore()
					}
				}
			}
			SetPrecision(prevPrec)
		}
	})
}
