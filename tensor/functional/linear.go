package functional

import (
	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/tensor"
)

// Linear sets y = x·Wᵀ + b for x [N, in], w [out, in] (PyTorch's order), b [out] or nil
// and y [N, out] (overwritten): one GEMM (gemm.Sgemm, or gemm.BF16 in BF16 precision).
func Linear(y, x, w, b *tensor.Tensor) {
	const op = "Linear"
	mustDims(op, "x", x, 2)
	mustDims(op, "w", w, 2)
	n, in, out := x.Dim(0), x.Dim(1), w.Dim(0)
	mustShape(op, "w", w, out, in)
	mustShape(op, "y", y, n, out)
	yd := y.Data()
	matmul(false, true, n, out, in, 1, x.Data(), max(in, 1), w.Data(), max(in, 1), 0, yd, max(out, 1))
	if b != nil {
		mustShape(op, "b", b, out)
		for i := 0; i < n; i++ {
			vec.Add(yd[i*out:(i+1)*out], yd[i*out:(i+1)*out], b.Data())
		}
	}
}

// LinearBackward computes, from dy [N, out], dx = dy·W [N, in], dw = dyᵀ·x [out, in]
// and db = Σ_n dy [out], each only when wanted and overwritten or accumulated as its
// GradOut says. x is read only for dw and w only for dx, but both give the shapes.
func LinearBackward(dx, dw, db GradOut, dy, x, w *tensor.Tensor) {
	const op = "LinearBackward"
	mustDims(op, "x", x, 2)
	mustDims(op, "w", w, 2)
	n, in, out := x.Dim(0), x.Dim(1), w.Dim(0)
	mustShape(op, "w", w, out, in)
	mustShape(op, "dy", dy, n, out)
	ldi, ldo := max(in, 1), max(out, 1)
	if dx.wanted() {
		mustShape(op, "dx", dx.T, n, in)
		matmul(false, false, n, in, out, 1, dy.Data(), ldo, w.Data(), ldi, dx.beta(), dx.T.Data(), ldi)
	}
	if dw.wanted() {
		mustShape(op, "dw", dw.T, out, in)
		matmul(true, false, out, in, n, 1, dy.Data(), ldo, x.Data(), ldi, dw.beta(), dw.T.Data(), ldi)
	}
	if db.wanted() {
		mustShape(op, "db", db.T, out)
		s := make([]float64, out)
		dyd := dy.Data()
		for i := 0; i < n; i++ {
			for j, v := range dyd[i*out : (i+1)*out] {
				s[j] += float64(v)
			}
		}
		for j, v := range s {
			setGrad(db, j, v)
		}
	}
}
