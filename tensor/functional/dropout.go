package functional

import (
	"fmt"
	"math/rand/v2"

	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/tensor"
)

// Dropout applies training-mode dropout: each element of x is zeroed with probability p
// and the survivors are scaled by 1/(1−p) (inverted dropout), y = x·mask. mask (same
// shape; kept for DropoutBackward) receives 0 or 1/(1−p) per element, drawn from rng so
// that a seeded source gives reproducible masks. p = 1 zeroes everything, p = 0 copies.
// y may be x. In eval mode dropout is the identity: do not call it.
func Dropout(y, mask, x *tensor.Tensor, p float64, rng *rand.Rand) {
	tensor.MustSameShape("functional.Dropout", y, mask, x)
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("functional.Dropout: probability %v is outside [0, 1]", p))
	}
	md := mask.Data()
	switch p {
	case 0:
		mask.Fill(1)
	case 1:
		clear(md)
	default:
		keep := float32(1 / (1 - p))
		for i := range md {
			if rng.Float64() < p {
				md[i] = 0
			} else {
				md[i] = keep
			}
		}
	}
	vec.Mul(y.Data(), x.Data(), md)
}

// DropoutBackward computes dx = dy·mask with the forward's mask, overwriting or
// accumulating as dx says.
func DropoutBackward(dx GradOut, dy, mask *tensor.Tensor) {
	if !dx.wanted() {
		return
	}
	tensor.MustSameShape("functional.DropoutBackward", dx.T, dy, mask)
	if !dx.Accumulate {
		vec.Mul(dx.T.Data(), dy.Data(), mask.Data())
		return
	}
	d, g, m := dx.T.Data(), dy.Data(), mask.Data()
	for i := range d {
		d[i] += g[i] * m[i]
	}
}
