package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// convPoolChunkBytes is the most bytes of convolution output the chunked form of
// Conv2dForwardFusedMaxPool (the geometries its banded form, conv_pool_band.go, does
// not take) holds at a time: a few of ResNet's 112×112 stem images (3.2 MB each), which stay in
// the last-level cache (32 MiB here) between the GEMM's epilogue that writes them and
// the max pool that reads them. The chunks are for memory, not speed: measured
// (BenchmarkTuneStemPool, batch 64, 2 threads, process CPU time, medians of 9, loaded
// shared machine) the whole stem then the pool 95.6 GFLOP/s, chunks of 1, 2 and 4
// images 96.7, 94.2 and 98.0: the same within the noise.
var convPoolChunkBytes = 8 << 20

// Conv2dForwardFusedMaxPool sets y to maxpool(relu(conv2d(x, w) + b)) — the inference
// form of ResNet's stem, conv → folded batch norm (FoldBatchNorm) → ReLU → max pool —
// without the whole convolution output (205 MB for ResNet34's stem at 224 px, batch
// 64, four times y) ever existing. A strided convolution read from phase planes
// followed by the 3×3 stride-2 pool (ResNet's stem) runs in bands of pooled rows, each
// goroutine computing and pooling its own bands in its L2 cache (convPoolBandsRun);
// other geometries run a few images at a time: each chunk's convolution output
// (Conv2dForwardFused, into a scratch buffer of at most convPoolChunkBytes) is pooled
// into its images of y right away. The results are those of Conv2dForwardFused
// followed by MaxPool2d, bit for bit. b may be
// nil; relu false skips the ReLU. x is [Cin, N, H, W], w [Cout, Cin, KH, KW], y [Cout,
// N, Ho', Wo'] with Ho', Wo' the pooled size of the convolution's output.
func Conv2dForwardFusedMaxPool(y, x, w, b *tensor.Tensor, relu bool, p Conv2dParams, pp Pool2dParams) {
	const op = "Conv2dForwardFusedMaxPool"
	mustDims(op, "x", x, 4)
	mustDims(op, "w", w, 4)
	g := mustConvGeom(op, x.Shape(), w.Shape(), p)
	pg := mustPoolGeom(op, []int{g.cout, g.n, g.ho, g.wo}, pp)
	mustShape(op, "y", y, g.cout, g.n, pg.ho, pg.wo)
	epi := convEpi{relu: relu}
	if b != nil {
		mustShape(op, "b", b, g.cout)
		epi.bias = b.Data()
	}
	if g.p == 0 {
		return
	}
	if convPoolBanded(&g, &pg) {
		convPoolBandsRun(&g, &pg, y.Data(), x.Data(), w.Data(), epi)
		return
	}
	plane, oplane := g.ho*g.wo, pg.ho*pg.wo
	nb := min(max(convPoolChunkBytes/(4*g.cout*plane), 1), g.n)
	hw := g.h * g.w
	// The stem's im2col reads a deinterleaved image (see deinterleave): the chunk's
	// images are deinterleaved straight from x, by both goroutines, where gathering
	// them first would add a serial copy; other routes get them gathered (CNHW: images
	// [n0, n0+k) of every input channel side by side).
	deint := g.convRunsIm2col() && deintWorth(&g)
	var xc []float32
	if nb < g.n || deint {
		gc := g
		gc.n, gc.p = nb, nb*g.ho*g.wo
		xc = getScratch(max(g.cin*nb*hw, deintSize(&gc)))
		defer putScratch(xc)
	}
	yc := getScratch(g.cout * nb * plane)
	defer putScratch(yc)
	xd, yd := x.Data(), y.Data()
	for n0 := 0; n0 < g.n; n0 += nb {
		k := min(nb, g.n-n0)
		gc, err := newConvGeom([]int{g.cin, k, g.h, g.w}, w.Shape(), p)
		if err != nil {
			panic(fmt.Sprintf("functional.%s: %v", op, err))
		}
		out := yc[:g.cout*k*plane]
		switch {
		case deint:
			planes := g.cin * k
			nt := threadsFor(8*float64(planes*hw), planes)
			parallel(nt, func(t int) {
				q0, q1 := split(planes, nt, t, 1)
				for q := q0; q < q1; q++ {
					// Plane q of the chunk is image n0+j of channel ci.
					ci, j := q/k, q%k
					src := xd[(ci*g.n+n0+j)*hw : (ci*g.n+n0+j+1)*hw]
					deintPlane(xc, &gc, ci, j, src)
				}
			})
			convForwardIm2col(&gc, out, xc, true, w.Data(), epi, 0)
		case nb < g.n:
			src := xc[:g.cin*k*hw]
			for ci := 0; ci < g.cin; ci++ {
				copy(src[ci*k*hw:(ci+1)*k*hw], xd[(ci*g.n+n0)*hw:(ci*g.n+n0+k)*hw])
			}
			convForward(&gc, out, src, w.Data(), epi, 0)
		default:
			convForward(&gc, out, xd, w.Data(), epi, 0)
		}
		// Plane (co, j) of the chunk is plane (co, n0+j) of y.
		cg := pg
		cg.planes = g.cout * k
		maxPoolValues(yd, func(q int) int { return ((q/k)*g.n + n0 + q%k) * oplane }, out, &cg)
	}
}

// maxPoolValues max-pools the planes of x (geometry g) without indices, plane q into
// y[at(q) : at(q)+Ho·Wo], split between goroutines by planes.
func maxPoolValues(y []float32, at func(q int) int, x []float32, g *poolGeom) {
	plane, oplane := g.h*g.w, g.ho*g.wo
	nt := threadsFor(4*float64(g.planes*plane), g.planes)
	parallel(nt, func(t int) {
		q0, q1 := split(g.planes, nt, t, 1)
		if g.is3s2p1() {
			for q := q0; q < q1; q++ {
				maxPool3s2PlaneValues(y[at(q):at(q)+oplane], x[q*plane:(q+1)*plane], g)
			}
			return
		}
		rowMax := getScratch(g.w)
		defer putScratch(rowMax)
		for q := q0; q < q1; q++ {
			maxPoolPlaneValues(y[at(q):at(q)+oplane], x[q*plane:(q+1)*plane], g, rowMax)
		}
	})
}
