package functional

import "github.com/fastgo/fastgo/asm/gemm"

// The bf16 forward convolution and weight gradient (BF16 precision, the geometries
// bf16Rows selects that bf16 Winograd F(2×2, 3×3) does not take, see
// winograd_f2_bf16.go). The forward computes the same GEMMs as convForward,
// Y[Cout × chunk] = W · Col[K × chunk], with the same rounding (gemm.BF16's), but
//
//   - the weights are rounded to bf16 and packed once per call (gemm.BF16PackedA),
//     shared by the goroutines, instead of once per chunk, goroutine and row block;
//   - the im2col matrix is never written in float32: the GEMM asks for a few of its
//     rows at a time (im2col of rows [k0, k1) of the chunk's columns) into a buffer that
//     stays in the L1 cache and rounds and packs them from there, where the float32
//     path writes the whole K × chunk matrix (megabytes) and packs it back.

var (
	// convBF16Direct enables convForwardBF16 (tests and A/B measurements turn it off
	// to run the bf16 GEMM on a float32 im2col chunk instead).
	convBF16Direct = true
	// convBF16Chunk is the number of output columns per chunk (the unit the goroutines
	// take and the epilogue covers); a multiple of 48, the AVX-512 tile's width.
	convBF16Chunk = 768
)

// convForwardBF16 is convForward's im2col branch in BF16 precision: y = W·Col(x) when
// beta is 0, y += W·Col(x) when beta is 1, then the epilogue on each chunk.
func convForwardBF16(g *convGeom, y, x, w []float32, epi convEpi, beta float32) {
	pa := getPacked(g.cout, g.k)
	defer putPacked(pa)
	pa.Pack(false, g.cout, g.k, 1, w, g.k)
	x, deint := convSource(g, x)
	if deint {
		defer putScratch(x)
	}
	nt := threadsFor(g.flops(), (g.p+15)/16)
	chunks := newChunker(g.p, convBF16Chunk, 16, nt)
	parallel(nt, func(int) {
		for {
			p0, p1, ok := chunks.take()
			if !ok {
				return
			}
			rows := func(dst []float32, ld, k0, k1, j0, j1 int) {
				im2col(dst, ld, x, g, k0, k1, p0+j0, p0+j1, deint)
			}
			gemm.BF16PackedSerial(pa, p1-p0, rows, beta, y[p0:], g.p)
			epi.apply(y[:g.cout*g.p], g.p, p0, p1)
		}
	})
}

// bf16Rows reports whether the convolution's GEMMs in BF16 precision take the column
// matrix a few rows at a time (convForwardBF16, convWeightGradBF16): same-shape
// convolutions (3×3 stride 1, 92% of ResNet34's multiply-adds), whose im2col rows are
// shifted copies of one channel, and strided ones read from a deinterleaved image
// (wider than one column: ResNet34's stem and 3×3 stride-2 layers), whose rows are
// contiguous runs too. 1×1 strided ones keep a float32 im2col chunk: their rows are
// strided gathers, which measured slower in small pieces (forward 0.7× the chunked
// path; batch 16, one thread); 1×1 stride-1 ones keep packing X itself (copying its
// rows through the buffer measured 0.86–0.98× on ResNet50's shapes). Measured against the chunked path (same batch, thread
// CPU time, best of 15–25 alternating rounds on a shared machine): forward 3×3 stride
// 1 +10–20%, stem +17%, 3×3 stride 2 +1–5%; weight gradient 3×3 stride 1 +5–12%,
// strided ±2%.
func (g *convGeom) bf16Rows() bool {
	return convBF16Direct && CurrentPrecision() == BF16 && !g.direct() &&
		(sameShape(g) || convDeinterleave && deinterleaveWorth(g))
}

// convWeightGradBF16 sets dw[:, k0:k1] (ld g.k) = beta·dw + dY[:, lo:hi]·Col(x)[k0:k1,
// lo:hi]ᵀ in BF16 precision, the im2col rows made a few at a time inside the GEMM
// (gemm.BF16RowsTSerial) instead of in a float32 chunk.
func convWeightGradBF16(g *convGeom, dw, dy, x []float32, k0, k1, lo, hi int, beta float32, deint bool) {
	gemm.BF16RowsTSerial(g.cout, k1-k0, hi-lo, 1, dy[lo:], g.p, func(dst []float32, ld, j0, j1, p0, p1 int) {
		im2col(dst, ld, x, g, k0+j0, k0+j1, lo+p0, lo+p1, deint)
	}, beta, dw, g.k)
}
