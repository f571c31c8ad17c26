package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// Adaptive pooling divides each H×W plane into oh×ow bins with PyTorch's rule: bin i of
// a dimension of size n split into o bins covers [floor(i·n/o), ceil((i+1)·n/o)), so
// neighbouring bins may overlap when o does not divide n. The output size is taken from
// y's shape [C, N, oh, ow].

// binStart and binEnd are PyTorch's adaptive pooling bin bounds.
func binStart(i, n, o int) int { return i * n / o }
func binEnd(i, n, o int) int   { return ((i+1)*n + o - 1) / o }

// adaptiveShapes checks x [C, N, H, W] against an output y [C·mult, N, oh, ow] and
// returns the sizes.
func adaptiveShapes(op string, y, x *tensor.Tensor, mult int) (planes, h, w, oh, ow int) {
	mustDims(op, "x", x, 4)
	mustDims(op, "y", y, 4)
	xs, ys := x.Shape(), y.Shape()
	if ys[0] != mult*xs[0] || ys[1] != xs[1] || ys[2] < 1 || ys[3] < 1 {
		panic(fmt.Sprintf("functional.%s: output shape %v does not fit input %v", op, ys, xs))
	}
	if xs[2] < 1 || xs[3] < 1 {
		panic(fmt.Sprintf("functional.%s: empty input plane %v", op, xs))
	}
	return xs[0] * xs[1], xs[2], xs[3], ys[2], ys[3]
}

// AdaptiveAvgPool2d sets y [C, N, oh, ow] to the mean of each bin of the CNHW tensor x
// [C, N, H, W].
func AdaptiveAvgPool2d(y, x *tensor.Tensor) {
	planes, h, w, oh, ow := adaptiveShapes("AdaptiveAvgPool2d", y, x, 1)
	adaptiveAvg(y.Data(), x.Data(), planes, h, w, oh, ow)
}

func adaptiveAvg(yd, xd []float32, planes, h, w, oh, ow int) {
	for q := 0; q < planes; q++ {
		xp := xd[q*h*w : (q+1)*h*w]
		for i := 0; i < oh; i++ {
			hs, he := binStart(i, h, oh), binEnd(i, h, oh)
			for j := 0; j < ow; j++ {
				ws, we := binStart(j, w, ow), binEnd(j, w, ow)
				var s float64
				for r := hs; r < he; r++ {
					for _, v := range xp[r*w+ws : r*w+we] {
						s += float64(v)
					}
				}
				yd[(q*oh+i)*ow+j] = float32(s / float64((he-hs)*(we-ws)))
			}
		}
	}
}

// AdaptiveAvgPool2dBackward spreads each dy [C, N, oh, ow] evenly over its bin of dx
// [C, N, H, W], overwriting or accumulating as dx says.
func AdaptiveAvgPool2dBackward(dx GradOut, dy *tensor.Tensor) {
	if !dx.wanted() {
		return
	}
	planes, h, w, oh, ow := adaptiveShapes("AdaptiveAvgPool2dBackward", dy, dx.T, 1)
	adaptiveAvgBackward(dx.T.Data(), dy.Data(), planes, h, w, oh, ow, dx.Accumulate)
}

func adaptiveAvgBackward(dxd, dyd []float32, planes, h, w, oh, ow int, acc bool) {
	if !acc {
		clear(dxd[:planes*h*w])
	}
	for q := 0; q < planes; q++ {
		xp := dxd[q*h*w : (q+1)*h*w]
		for i := 0; i < oh; i++ {
			hs, he := binStart(i, h, oh), binEnd(i, h, oh)
			for j := 0; j < ow; j++ {
				ws, we := binStart(j, w, ow), binEnd(j, w, ow)
				g := dyd[(q*oh+i)*ow+j] / float32(he-hs) / float32(we-ws)
				for r := hs; r < he; r++ {
					row := xp[r*w+ws : r*w+we]
					for k := range row {
						row[k] += g
					}
				}
			}
		}
	}
}

// AdaptiveMaxPool2d sets y [C, N, oh, ow] to the maximum of each bin of the CNHW tensor
// x, with MaxPool2d's tie and NaN rule, and records the winners' in-plane indices in
// idx (length y.Len()) unless idx is nil.
func AdaptiveMaxPool2d(y *tensor.Tensor, idx []int32, x *tensor.Tensor) {
	planes, h, w, oh, ow := adaptiveShapes("AdaptiveMaxPool2d", y, x, 1)
	if idx != nil && len(idx) != y.Len() {
		panic(fmt.Sprintf("functional.AdaptiveMaxPool2d: idx has length %d, want %d", len(idx), y.Len()))
	}
	adaptiveMax(y.Data(), idx, x.Data(), planes, h, w, oh, ow)
}

func adaptiveMax(yd []float32, idx []int32, xd []float32, planes, h, w, oh, ow int) {
	for q := 0; q < planes; q++ {
		xp := xd[q*h*w : (q+1)*h*w]
		for i := 0; i < oh; i++ {
			hs, he := binStart(i, h, oh), binEnd(i, h, oh)
			for j := 0; j < ow; j++ {
				ws, we := binStart(j, w, ow), binEnd(j, w, ow)
				v, at := windowMax(xp, w, hs, he, ws, we)
				o := (q*oh+i)*ow + j
				yd[o] = v
				if idx != nil {
					idx[o] = at
				}
			}
		}
	}
}

// AdaptiveMaxPool2dBackward routes dy to the recorded winners: dx[plane][idx] += dy,
// overwriting (zeroing dx first) or accumulating as dx says.
func AdaptiveMaxPool2dBackward(dx GradOut, dy *tensor.Tensor, idx []int32) {
	if !dx.wanted() {
		return
	}
	adaptiveShapes("AdaptiveMaxPool2dBackward", dy, dx.T, 1)
	if len(idx) != dy.Len() {
		panic(fmt.Sprintf("functional.AdaptiveMaxPool2dBackward: idx has length %d, want %d", len(idx), dy.Len()))
	}
	scatterPlanes(dx, dy, idx)
}

// AdaptiveConcatPool2d is fastai's AdaptiveConcatPool2d: y [2C, N, oh, ow] holds the
// adaptive max pool of x [C, N, H, W] in channels [0, C) and the adaptive average pool
// in channels [C, 2C) (max first, as fastai concatenates). In CNHW both halves are
// contiguous. idx (length C·N·oh·ow, or nil) receives the max half's winners.
func AdaptiveConcatPool2d(y *tensor.Tensor, idx []int32, x *tensor.Tensor) {
	planes, h, w, oh, ow := adaptiveShapes("AdaptiveConcatPool2d", y, x, 2)
	half := planes * oh * ow
	if idx != nil && len(idx) != half {
		panic(fmt.Sprintf("functional.AdaptiveConcatPool2d: idx has length %d, want %d", len(idx), half))
	}
	yd := y.Data()
	adaptiveMax(yd[:half], idx, x.Data(), planes, h, w, oh, ow)
	adaptiveAvg(yd[half:], x.Data(), planes, h, w, oh, ow)
}

// AdaptiveConcatPool2dBackward is AdaptiveConcatPool2d's backward: the first half of dy
// goes to the max winners, the second is spread over the bins; dx is overwritten or
// accumulated as it says.
func AdaptiveConcatPool2dBackward(dx GradOut, dy *tensor.Tensor, idx []int32) {
	if !dx.wanted() {
		return
	}
	planes, h, w, oh, ow := adaptiveShapes("AdaptiveConcatPool2dBackward", dy, dx.T, 2)
	half := planes * oh * ow
	if len(idx) != half {
		panic(fmt.Sprintf("functional.AdaptiveConcatPool2dBackward: idx has length %d, want %d", len(idx), half))
	}
	s := dx.T.Shape()
	dyd := dy.Data()
	scatterPlanes(dx, tensor.FromData(dyd[:half], s[0], s[1], oh, ow), idx)
	adaptiveAvgBackward(dx.T.Data(), dyd[half:], planes, h, w, oh, ow, true)
}
