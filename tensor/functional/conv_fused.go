package functional

import (
	"math"

	"github.com/fastgo/fastgo/asm/bn"
	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/tensor"
)

// convEpi is what a forward convolution applies to each block of output columns right
// after computing it, while the block is still in cache: the bias, then a residual,
// then a ReLU (PyTorch's: NaN stays NaN). The zero value applies nothing.
type convEpi struct {
	bias []float32 // [Cout] or nil
	res  []float32 // shaped like y, or nil
	relu bool
}

// apply runs the epilogue on columns [lo, hi) of every row of y [rows × ld].
func (e *convEpi) apply(y []float32, ld, lo, hi int) {
	if e.res == nil && !e.relu {
		addBiasRows(y, ld, e.bias, lo, hi)
		return
	}
	for r := 0; r < len(y)/ld; r++ {
		e.applyRow(y[r*ld:(r+1)*ld], r, lo, hi)
	}
}

// applyRow runs the epilogue on elements [lo, hi) of yr, row r of the output.
func (e *convEpi) applyRow(yr []float32, r, lo, hi int) {
	var b float32
	if e.bias != nil {
		b = e.bias[r]
	}
	row := yr[lo:hi]
	ld := len(yr)
	switch {
	case e.res != nil && e.relu:
		bn.ApplyAddReLU(row, row, e.res[r*ld+lo:r*ld+hi], 1, b)
	case e.relu:
		bn.ApplyReLU(row, row, 1, b)
	case e.res != nil:
		vec.Axpy(1, e.res[r*ld+lo:r*ld+hi], row)
		bn.Apply(row, row, 1, b)
	default:
		bn.Apply(row, row, 1, b)
	}
}

// Conv2dForwardFused computes y = relu(conv2d(x, w) + b + res), the inference form of a
// convolution followed by a folded batch norm (see FoldBatchNorm), a ReLU and a
// residual addition: the bias, the residual and the ReLU are applied to each block of
// output columns as soon as its GEMM has written it, so y is written once and no
// intermediate activation exists. b and res may be nil (res has y's shape); relu false
// skips the ReLU. Shapes are as for Conv2dForward.
func Conv2dForwardFused(y, x, w, b, res *tensor.Tensor, relu bool, p Conv2dParams) {
	mustDims("Conv2dForwardFused", "x", x, 4)
	mustDims("Conv2dForwardFused", "w", w, 4)
	g := mustConvGeom("Conv2dForwardFused", x.Shape(), w.Shape(), p)
	mustShape("Conv2dForwardFused", "y", y, g.cout, g.n, g.ho, g.wo)
	epi := convEpi{relu: relu}
	if b != nil {
		mustShape("Conv2dForwardFused", "b", b, g.cout)
		epi.bias = b.Data()
	}
	if res != nil {
		mustShape("Conv2dForwardFused", "res", res, g.cout, g.n, g.ho, g.wo)
		epi.res = res.Data()
	}
	convForward(&g, y.Data(), x.Data(), w.Data(), epi, 0)
}

// FoldBatchNorm writes into fw and fb the weights and bias of one convolution equal to
// convolution (w, cb) followed by an eval-mode batch norm with running statistics mean,
// variance, affine gamma and beta, and eps:
//
//	s = γ / √(var + eps);  fw[co] = s[co]·w[co];  fb[co] = β[co] + (cb[co] − mean[co])·s[co]
//
// (s computed in float64, the weights scaled by s rounded to float32). cb, gamma and
// beta may be nil (no bias, γ = 1, β = 0). fw has w's shape, fb is [Cout]; fw may be w.
func FoldBatchNorm(fw, fb, w, cb, gamma, beta, mean, variance *tensor.Tensor, eps float64) {
	mustDims("FoldBatchNorm", "w", w, 4)
	cout := w.Dim(0)
	tensor.MustSameShape("functional.FoldBatchNorm", fw, w)
	mustShape("FoldBatchNorm", "fb", fb, cout)
	mustShape("FoldBatchNorm", "mean", mean, cout)
	mustShape("FoldBatchNorm", "variance", variance, cout)
	at := func(t *tensor.Tensor, c int, def float64) float64 {
		if t == nil {
			return def
		}
		return float64(t.Data()[c])
	}
	per := w.Len() / max(cout, 1)
	wd, fwd, fbd := w.Data(), fw.Data(), fb.Data()
	scale := make([]float32, cout)
	for co := 0; co < cout; co++ {
		s := at(gamma, co, 1) / math.Sqrt(at(variance, co, 0)+eps)
		fbd[co] = float32(at(beta, co, 0) + (at(cb, co, 0)-at(mean, co, 0))*s)
		scale[co] = float32(s)
	}
	// The weights scale at memory speed (a layer4 convolution has 2.4M of them, and an
	// evaluation pass folds every layer each time it runs).
	nt := threadsFor(2*float64(w.Len()), cout)
	parallel(nt, func(t int) {
		c0, c1 := split(cout, nt, t, 1)
		for co := c0; co < c1; co++ {
			dst := fwd[co*per : (co+1)*per]
			copy(dst, wd[co*per:(co+1)*per])
			vec.Scale(scale[co], dst)
		}
	})
}
