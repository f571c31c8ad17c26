package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// Conv2dParams are a 2-D convolution's hyper-parameters, each as (height, width).
// A zero Stride or Dilation component means 1; Pad is the zero padding on each side.
// Groups are always 1.
type Conv2dParams struct {
	Stride   [2]int
	Pad      [2]int
	Dilation [2]int
}

// ConvOpts returns square Conv2dParams with the given stride and padding and dilation 1,
// the form every ResNet convolution has.
func ConvOpts(stride, pad int) Conv2dParams {
	return Conv2dParams{Stride: [2]int{stride, stride}, Pad: [2]int{pad, pad}, Dilation: [2]int{1, 1}}
}

// convGeom is a convolution's complete geometry: input x [cin, n, h, w] (CNHW), weight
// [cout, cin, kh, kw], output [cout, n, ho, wo]. The GEMM view is
// Y[cout × p] = W[cout × k] · Col[k × p] with k = cin·kh·kw and p = n·ho·wo.
type convGeom struct {
	cin, n, h, w   int
	cout, kh, kw   int
	sh, sw, ph, pw int
	dh, dw         int
	ho, wo         int
	k, p           int
}

// direct reports whether X itself is the column matrix (1×1, stride 1, no padding).
func (g *convGeom) direct() bool {
	return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0
}

// flops is the multiply-add count ×2 of one GEMM of the convolution.
func (g *convGeom) flops() float64 { return 2 * float64(g.cout) * float64(g.k) * float64(g.p) }

// Conv2dOutputShape returns the output shape [Cout, N, Ho, Wo] of a convolution of an
// input of shape x ([Cin, N, H, W], CNHW) with weights of shape w ([Cout, Cin, KH, KW],
// PyTorch's order), or an error naming the mismatch. Ho = (H + 2·padH − dilH·(KH−1) − 1)
// / strideH + 1, rounded down, as in PyTorch; likewise Wo.
func Conv2dOutputShape(x, w []int, p Conv2dParams) ([]int, error) {
	g, err := newConvGeom(x, w, p)
	if err != nil {
		return nil, err
	}
	return []int{g.cout, g.n, g.ho, g.wo}, nil
}

func newConvGeom(x, w []int, p Conv2dParams) (convGeom, error) {
	var g convGeom
	if len(x) != 4 {
		return g, fmt.Errorf("conv2d: input shape %v is not 4-D [C, N, H, W]", x)
	}
	if len(w) != 4 {
		return g, fmt.Errorf("conv2d: weight shape %v is not 4-D [Cout, Cin, KH, KW]", w)
	}
	g.cin, g.n, g.h, g.w = x[0], x[1], x[2], x[3]
	g.cout, g.kh, g.kw = w[0], w[2], w[3]
	if w[1] != g.cin {
		return g, fmt.Errorf("conv2d: weight %v expects %d input channels, input %v has %d", w, w[1], x, g.cin)
	}
	one := func(v int) int {
		if v == 0 {
			return 1
		}
		return v
	}
	g.sh, g.sw = one(p.Stride[0]), one(p.Stride[1])
	g.dh, g.dw = one(p.Dilation[0]), one(p.Dilation[1])
	g.ph, g.pw = p.Pad[0], p.Pad[1]
	if g.sh < 0 || g.sw < 0 || g.dh < 0 || g.dw < 0 || g.ph < 0 || g.pw < 0 {
		return g, fmt.Errorf("conv2d: negative stride, padding or dilation in %+v", p)
	}
	if g.cout < 1 || g.cin < 1 || g.kh < 1 || g.kw < 1 {
		return g, fmt.Errorf("conv2d: empty weight shape %v", w)
	}
	eh := g.dh*(g.kh-1) + 1
	ew := g.dw*(g.kw-1) + 1
	if g.h+2*g.ph < eh || g.w+2*g.pw < ew {
		return g, fmt.Errorf("conv2d: padded input %d×%d is smaller than the dilated kernel %d×%d (input %v, weight %v, %+v)",
			g.h+2*g.ph, g.w+2*g.pw, eh, ew, x, w, p)
	}
	g.ho = (g.h+2*g.ph-eh)/g.sh + 1
	g.wo = (g.w+2*g.pw-ew)/g.sw + 1
	g.k = g.cin * g.kh * g.kw
	g.p = g.n * g.ho * g.wo
	return g, nil
}

// mustConvGeom is newConvGeom for the compute functions, where a mismatch is a
// programming error.
func mustConvGeom(op string, x, w []int, p Conv2dParams) convGeom {
	g, err := newConvGeom(x, w, p)
	if err != nil {
		panic("functional." + op + ": " + err.Error())
	}
	return g
}

// Tunables of the convolution drivers (set by measurement, see the package doc).
var (
	// convColBudget is the size in float32s of one goroutine's column buffer: a chunk of
	// P columns of the K×P im2col matrix, sized to stay in the L2 cache.
	convColBudget = 256 << 10
	// convMinChunk is the fewest columns in a chunk, so that the GEMM's packing of W is
	// spread over enough output columns even when K is large.
	convMinChunk = 1024
	// convInputGradViaConv selects, for stride-1 convolutions, computing the input
	// gradient as a forward convolution of dY with the flipped, transposed weights
	// (no col2im) instead of W^T·dY followed by col2im.
	convInputGradViaConv = true
	// convWeightGradSplitP selects splitting the weight gradient's reduction over P
	// between goroutines (each with a private dW, summed at the end) when P is at least
	// this large; below it the goroutines split K (disjoint columns of dW, no sum).
	convWeightGradSplitP = 4096
	// convInputGradViaConvMinP is the fewest output columns P for which the flipped-
	// convolution route is taken: below it transposing the weights costs more than
	// col2im.
	convInputGradViaConvMinP = 2048
	// convDeinterleave enables deinterleaving the image for strided convolutions
	// wider than one column (see deinterleave).
	convDeinterleave = true
)

// convSource returns the image im2col should read: x itself, or x deinterleaved into a
// scratch buffer (deint true: phase planes or column phases, see deintWorth) that the
// caller returns with putScratch.
func convSource(g *convGeom, x []float32) (src []float32, deint bool) {
	if !deintWorth(g) {
		return x, false
	}
	d := getScratch(deintSize(g))
	planes, hw := g.cin*g.n, g.h*g.w
	nt := threadsFor(8*float64(len(x)), planes)
	parallel(nt, func(t int) {
		q0, q1 := split(planes, nt, t, 1)
		for q := q0; q < q1; q++ {
			deintPlane(d, g, q/g.n, q%g.n, x[q*hw:(q+1)*hw])
		}
	})
	return d, true
}

// winogradForward reports whether the forward convolution of g (or an input gradient
// computed as one) runs as fp32 Winograd F(4×4, 3×3): where useWinograd says so, and
// under auto only where each image has enough tiles for Winograd's fewer
// multiplications to repay its fixed cost (winogradPays). FASTGO_CONV=winograd (or
// -conv winograd) takes it for every eligible shape.
func (g *convGeom) winogradForward() bool {
	return g.useWinograd() && (convAlgo != ConvAuto || g.winogradPays())
}

// winogradPays reports whether F(4×4, 3×3) is worth its fixed cost on g's image size:
// at least 4 tiles per image, and at least twice fewer multiplications than the direct
// convolution (r = 9·Ho·Wo / (36·th·tw) ≥ 2: 4 for 4×4-divisible outputs, 3.06 for 7×7,
// 2.25 for 3×3 and 6×6, 1.56 for 5×5, 1 for 2×2). Each call transforms and packs 36
// Cout×Cin filter matrices, four times the 3×3 weights, which images of one tile (or
// with no saving) do not repay. The rule looks at one image, never at the batch size,
// so that an image's result does not depend on the batch it is in (the server batches
// whatever requests arrive together). Measured as the process CPU time of each
// algorithm per layer (ResNet34's shapes, 2 threads, median of 9–20 calls, AVX-512, on
// a shared machine so ±15%; forward ms, Winograd → im2col):
//
//	layer4 2×2 outputs, batch 16 (1 tile an image, r 1)     17.6 → 3.6
//	layer4 2×2 outputs, batch 64                            20.9 → 10.1
//	layer4 3×3 outputs, batch 16 (1 tile, r 2.25)           14.6 → 5.2
//	layer4 3×3 outputs, batch 64                            23.3 → 21.7
//	layer3 4×4 outputs, batch 16 (1 tile, r 4)               4.0 → 2.2
//	layer3 4×4 outputs, batch 64                             8.2 → 8.6
//	layer3 6×6 outputs, batch 16 (4 tiles, r 2.25)           4.2 → 4.3
//	layer2 8×8 outputs, batch 16 (4 tiles, r 4)              2.2 → 2.3
//	layer2 8×8 outputs, batch 64                             5.7 → 9.6
//	layer1 16×16 outputs, batch 16 (16 tiles, r 4)           1.9 → 2.9
//
// and ResNet34's layers at 224 px, batch 16, all faster as Winograd (winogradWins). A
// single 224 px image's layer4 (7×7, 4 tiles) measured 14.1 → 2.5 and its layer3 2.6
// → 1.8: the fixed cost is the batch's to share, which a per-image rule cannot weigh.
func (g *convGeom) winogradPays() bool {
	th, tw := (g.ho+3)/4, (g.wo+3)/4
	return th*tw >= 4 && 9*g.ho*g.wo >= 2*36*th*tw
}

// chunkCols returns the number of output columns per im2col chunk for a K-row matrix.
func chunkCols(k, p int) int {
	c := max(convColBudget/max(k, 1), convMinChunk)
	c = (c + 15) &^ 15
	return max(min(c, p), 1)
}

// Conv2dForward computes y = conv2d(x, w) + b. x is [Cin, N, H, W] (CNHW), w is
// [Cout, Cin, KH, KW], b is [Cout] or nil, and y must have the shape Conv2dOutputShape
// gives; y is overwritten. Shapes that do not fit panic with the shapes named.
//
// It is one GEMM per chunk of output columns, Y[Cout × chunk] = W · Col[K × chunk],
// where Col is the im2col matrix of the chunk (X itself for 1×1 stride-1 convolutions);
// the goroutines (cpu.Threads()) take disjoint ranges of columns, each with its own
// column buffer.
func Conv2dForward(y, x, w, b *tensor.Tensor, p Conv2dParams) {
	mustDims("Conv2dForward", "x", x, 4)
	mustDims("Conv2dForward", "w", w, 4)
	g := mustConvGeom("Conv2dForward", x.Shape(), w.Shape(), p)
	mustShape("Conv2dForward", "y", y, g.cout, g.n, g.ho, g.wo)
	var bias []float32
	if b != nil {
		mustShape("Conv2dForward", "b", b, g.cout)
		bias = b.Data()
	}
	convForward(&g, y.Data(), x.Data(), w.Data(), convEpi{bias: bias}, 0)
}

// convForward runs the forward GEMMs: y = W·Col(x) when beta is 0, y += W·Col(x) when
// beta is 1, then the epilogue (bias, residual, ReLU) on each block of columns.
func convForward(g *convGeom, y, x, w []float32, epi convEpi, beta float32) {
	if g.p == 0 {
		return
	}
	if g.winogradForward() {
		convForwardWinograd(g, y, x, w, false, epi, beta)
		return
	}
	if g.useWinogradF2BF16() {
		convForwardWinogradF2BF16(g, y, x, w, epi, beta)
		return
	}
	if g.bf16Rows() {
		convForwardBF16(g, y, x, w, epi, beta)
		return
	}
	x, deint := convSource(g, x)
	if deint {
		defer putScratch(x)
	}
	convForwardIm2col(g, y, x, deint, w, epi, beta)
}

// convRunsIm2col reports whether convForward runs g through convForwardIm2col: not
// Winograd, not bf16.
func (g *convGeom) convRunsIm2col() bool {
	return !g.winogradForward() && !g.useWinogradF2BF16() && !g.bf16Rows()
}

// convForwardIm2col is convForward's fp32 im2col route (and the 1×1 stride-1 GEMM), on
// x as convSource returned it (deint: deinterleaved).
func convForwardIm2col(g *convGeom, y, x []float32, deint bool, w []float32, epi convEpi, beta float32) {
	nt := threadsFor(g.flops(), (g.p+15)/16)
	if g.direct() || deint && g.phasedDirect() {
		parallel(nt, func(t int) {
			lo, hi := split(g.p, nt, t, 16)
			if lo < hi {
				matmulSerial(false, false, g.cout, hi-lo, g.k, 1, w, g.k, x[lo:], g.p, beta, y[lo:], g.p)
				epi.apply(y[:g.cout*g.p], g.p, lo, hi)
			}
		})
		return
	}
	if g.cout > g.p && g.k*g.p <= convRowSplitCol {
		if ntr := threadsFor(g.flops(), (g.cout+7)/8); ntr > 1 {
			convForwardRows(g, y, x, w, epi, beta, ntr, deint)
			return
		}
	}
	chunks := newChunker(g.p, chunkCols(g.k, (g.p+nt-1)/nt), 16, nt)
	parallel(nt, func(t int) {
		col := getScratch(g.k * chunks.size)
		defer putScratch(col)
		for {
			p0, p1, ok := chunks.take()
			if !ok {
				return
			}
			nc := p1 - p0
			im2col(col, nc, x, g, 0, g.k, p0, p1, deint)
			matmulSerial(false, false, g.cout, nc, g.k, 1, w, g.k, col, nc, beta, y[p0:], g.p)
			epi.apply(y[:g.cout*g.p], g.p, p0, p1)
		}
	})
}

// convRowSplitCol is the largest column matrix (K·P float32s) that convForwardRows
// builds whole.
const convRowSplitCol = 1 << 20

// convForwardRows is convForward's im2col route for layers with fewer output columns
// than channels (ResNet's layer3 and layer4 on small images or batches: 64 columns
// against 512 channels at 64 px, batch 16), where goroutines taking column ranges
// would each pack all of W, the larger operand: here the goroutines first build the
// column matrix together (rows of it each), then each computes its own output channels,
// packing only its rows of W. x is as convSource returned it (deint: deinterleaved).
func convForwardRows(g *convGeom, y, x, w []float32, epi convEpi, beta float32, nt int, deint bool) {
	col := getScratch(g.k * g.p)
	defer putScratch(col)
	parallel(nt, func(t int) {
		k0, k1 := split(g.k, nt, t, 1)
		if k0 < k1 {
			im2col(col[k0*g.p:], g.p, x, g, k0, k1, 0, g.p, deint)
		}
	})
	parallel(nt, func(t int) {
		c0, c1 := split(g.cout, nt, t, 8)
		if c0 >= c1 {
			return
		}
		matmulSerial(false, false, c1-c0, g.p, g.k, 1, w[c0*g.k:], g.k, col, g.p, beta, y[c0*g.p:], g.p)
		rows := epi
		if rows.bias != nil {
			rows.bias = rows.bias[c0:c1]
		}
		if rows.res != nil {
			rows.res = rows.res[c0*g.p : c1*g.p]
		}
		rows.apply(y[c0*g.p:c1*g.p], g.p, 0, g.p)
	})
}

// addBiasRows adds bias[r] to columns [lo, hi) of every row r of the row-major matrix y
// with leading dimension ld; a nil bias adds nothing.
func addBiasRows(y []float32, ld int, bias []float32, lo, hi int) {
	for r, v := range bias {
		row := y[r*ld+lo : r*ld+hi]
		for i := range row {
			row[i] += v
		}
	}
}
