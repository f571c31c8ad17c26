package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// SwapNC copies src [A, B, H, W] into dst [B, A, H, W], exchanging the first two
// dimensions: it turns a PyTorch NCHW batch into fastgo's CNHW layout and back (the
// operation is its own inverse). dst must not share storage with src.
func SwapNC(dst, src *tensor.Tensor) {
	mustDims("SwapNC", "src", src, 4)
	s := src.Shape()
	mustShape("SwapNC", "dst", dst, s[1], s[0], s[2], s[3])
	a, b, hw := s[0], s[1], s[2]*s[3]
	sd, dd := src.Data(), dst.Data()
	for i := 0; i < a; i++ {
		for j := 0; j < b; j++ {
			copy(dd[(j*a+i)*hw:(j*a+i+1)*hw], sd[(i*b+j)*hw:(i*b+j+1)*hw])
		}
	}
}

// ToCNHW returns a new CNHW tensor [C, N, H, W] holding the NCHW tensor x [N, C, H, W].
func ToCNHW(x *tensor.Tensor) *tensor.Tensor {
	mustDims("ToCNHW", "x", x, 4)
	s := x.Shape()
	y := tensor.New(s[1], s[0], s[2], s[3])
	SwapNC(y, x)
	return y
}

// ToNCHW returns a new NCHW tensor [N, C, H, W] holding the CNHW tensor x [C, N, H, W].
func ToNCHW(x *tensor.Tensor) *tensor.Tensor { return ToCNHW(x) }

// FlattenShape returns the [N, C·H·W] shape Flatten gives for a CNHW shape [C, N, H, W],
// or an error.
func FlattenShape(x []int) ([]int, error) {
	if len(x) != 4 {
		return nil, fmt.Errorf("flatten: input shape %v is not 4-D [C, N, H, W]", x)
	}
	return []int{x[1], x[0] * x[2] * x[3]}, nil
}

// Flatten copies the CNHW tensor x [C, N, H, W] into y [N, C·H·W] in PyTorch's
// flatten order of the NCHW tensor: y[n, (c·H + h)·W + w] = x[c, n, h, w].
func Flatten(y, x *tensor.Tensor) {
	mustDims("Flatten", "x", x, 4)
	s := x.Shape()
	c, n, hw := s[0], s[1], s[2]*s[3]
	mustShape("Flatten", "y", y, n, c*hw)
	xd, yd := x.Data(), y.Data()
	for ci := 0; ci < c; ci++ {
		for ni := 0; ni < n; ni++ {
			copy(yd[(ni*c+ci)*hw:(ni*c+ci+1)*hw], xd[(ci*n+ni)*hw:(ci*n+ni+1)*hw])
		}
	}
}

// FlattenBackward maps dy [N, C·H·W] back to the CNHW gradient dx [C, N, H, W]
// (Flatten's inverse permutation), overwriting or accumulating as dx says.
func FlattenBackward(dx GradOut, dy *tensor.Tensor) {
	if !dx.wanted() {
		return
	}
	mustDims("FlattenBackward", "dx", dx.T, 4)
	s := dx.T.Shape()
	c, n, hw := s[0], s[1], s[2]*s[3]
	mustShape("FlattenBackward", "dy", dy, n, c*hw)
	xd, yd := dx.T.Data(), dy.Data()
	for ci := 0; ci < c; ci++ {
		for ni := 0; ni < n; ni++ {
			dst := xd[(ci*n+ni)*hw : (ci*n+ni+1)*hw]
			src := yd[(ni*c+ci)*hw : (ni*c+ci+1)*hw]
			if dx.Accumulate {
				addTo(dst, src)
			} else {
				copy(dst, src)
			}
		}
	}
}
