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
	prev := convPoolChunkBytes
	defer func() { convPoolChunkBytes = prev }()
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
					SetPrecision(prevPrec)
				}
			}
			restore()
		}
	})
}
