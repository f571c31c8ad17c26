package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// WinogradFilters are a convolution's weights transformed for Winograd F(4×4, 3×3)
// (U = G g Gᵀ) and packed for the GEMM micro-kernels once, for repeated inference
// forward passes with the same weights (nn.ConvBN keeps them per layer between
// evaluation passes). A forward pass otherwise transforms its filters every call and,
// with fewer than winoPrepackChunks chunks per goroutine, packs all of them in every
// goroutine's chunks: at 2 threads, layer4's filters (36 × 512 × 512) were transformed,
// written and packed twice per pass. They take 4× the weights' memory.
type WinogradFilters struct {
	cout, cin int
	p         Conv2dParams
	wf        *winoFilters
}

// NewWinogradFilters transforms and packs the weights w [Cout, Cin, 3, 3] of a
// convolution with parameters p, or returns nil when a forward pass over an input of
// shape xShape would not run F(4×4) Winograd (another kernel shape, stride or
// padding, BF16 precision, -conv im2col, or where auto keeps im2col: the path, or
// images too small for Winograd to pay, see winogradForward).
func NewWinogradFilters(w *tensor.Tensor, xShape []int, p Conv2dParams) *WinogradFilters {
	g, err := newConvGeom(xShape, w.Shape(), p)
	if err != nil || g.p == 0 || !g.winogradForward() {
		return nil
	}
	wf := transformWinoFilters(&g, w.Data(), false, true, true)
	return &WinogradFilters{cout: g.cout, cin: g.cin, p: p, wf: wf}
}

// Usable reports whether Conv2dForwardWinograd can run these filters on an input of
// shape xShape now: the channels match and the pass would run F(4×4) Winograd (see
// NewWinogradFilters; the precision, -conv or SIMD path may have changed since).
func (f *WinogradFilters) Usable(xShape []int) bool {
	if f == nil || !f.wf.packs[0].Active() {
		return false
	}
	g, err := newConvGeom(xShape, []int{f.cout, f.cin, 3, 3}, f.p)
	return err == nil && g.p > 0 && g.winogradForward()
}

// Conv2dForwardWinograd is Conv2dForwardFused with the weights given as filters made
// by NewWinogradFilters: y = relu(conv2d(x, w) + b + res), b and res optional, relu
// false skips the ReLU. The filters must be Usable for x's shape.
func Conv2dForwardWinograd(y, x *tensor.Tensor, f *WinogradFilters, b, res *tensor.Tensor, relu bool) {
	if !f.Usable(x.Shape()) {
		panic(fmt.Sprintf("functional.Conv2dForwardWinograd: filters for %d → %d channels (%+v) do not run on input %v now",
			f.cout, f.cin, f.p, x.Shape()))
	}
	mustDims("Conv2dForwardWinograd", "x", x, 4)
	g := mustConvGeom("Conv2dForwardWinograd", x.Shape(), []int{f.cout, f.cin, 3, 3}, f.p)
	mustShape("Conv2dForwardWinograd", "y", y, g.cout, g.n, g.ho, g.wo)
	epi := convEpi{relu: relu}
	if b != nil {
		mustShape("Conv2dForwardWinograd", "b", b, g.cout)
		epi.bias = b.Data()
	}
	if res != nil {
		mustShape("Conv2dForwardWinograd", "res", res, g.cout, g.n, g.ho, g.wo)
		epi.res = res.Data()
	}
	convForwardWinogradWith(&g, y.Data(), x.Data(), nil, false, f.wf, epi, 0)
}

// Shape returns the weight shape [Cout, Cin, 3, 3] the filters were made from.
func (f *WinogradFilters) Shape() []int { return []int{f.cout, f.cin, 3, 3} }

// Params returns the convolution parameters the filters were made for.
func (f *WinogradFilters) Params() Conv2dParams { return f.p }
