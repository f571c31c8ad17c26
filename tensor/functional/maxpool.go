package functional

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/asm/pool"
	"github.com/fastgo/fastgo/tensor"
)

// Pool2dParams are a 2-D pooling window's size, stride and zero-cost padding (padded
// positions never win a max), each as (height, width). A zero Stride component means
// the kernel size, PyTorch's default. Output sizes round down (ceil_mode=False).
type Pool2dParams struct {
	Kernel [2]int
	Stride [2]int
	Pad    [2]int
}

// PoolOpts returns square Pool2dParams; ResNet's max pool is PoolOpts(3, 2, 1).
func PoolOpts(kernel, stride, pad int) Pool2dParams {
	return Pool2dParams{Kernel: [2]int{kernel, kernel}, Stride: [2]int{stride, stride}, Pad: [2]int{pad, pad}}
}

// poolGeom is a pooling's geometry on a CNHW input [c, n, h, w]: planes = c·n.
type poolGeom struct {
	planes, h, w   int
	kh, kw, sh, sw int
	ph, pw         int
	ho, wo         int
}

// MaxPool2dOutputShape returns the output shape [C, N, Ho, Wo] of max pooling a CNHW
// input of shape x, Ho = (H + 2·padH − KH)/strideH + 1 rounded down, or an error.
func MaxPool2dOutputShape(x []int, p Pool2dParams) ([]int, error) {
	g, err := newPoolGeom(x, p)
	if err != nil {
		return nil, err
	}
	return []int{x[0], x[1], g.ho, g.wo}, nil
}

func newPoolGeom(x []int, p Pool2dParams) (poolGeom, error) {
	var g poolGeom
	if len(x) != 4 {
		return g, fmt.Errorf("maxpool2d: input shape %v is not 4-D [C, N, H, W]", x)
	}
	g.planes, g.h, g.w = x[0]*x[1], x[2], x[3]
	g.kh, g.kw = p.Kernel[0], p.Kernel[1]
	g.sh, g.sw = p.Stride[0], p.Stride[1]
	if g.sh == 0 {
		g.sh = g.kh
	}
	if g.sw == 0 {
		g.sw = g.kw
	}
	g.ph, g.pw = p.Pad[0], p.Pad[1]
	if g.kh < 1 || g.kw < 1 || g.sh < 1 || g.sw < 1 || g.ph < 0 || g.pw < 0 {
		return g, fmt.Errorf("maxpool2d: bad kernel, stride or padding %+v", p)
	}
	if 2*g.ph > g.kh || 2*g.pw > g.kw {
		return g, fmt.Errorf("maxpool2d: padding %v is more than half the kernel %v", p.Pad, p.Kernel)
	}
	if g.h+2*g.ph < g.kh || g.w+2*g.pw < g.kw {
		return g, fmt.Errorf("maxpool2d: padded input %d×%d is smaller than the kernel %v", g.h+2*g.ph, g.w+2*g.pw, p.Kernel)
	}
	g.ho = (g.h+2*g.ph-g.kh)/g.sh + 1
	g.wo = (g.w+2*g.pw-g.kw)/g.sw + 1
	return g, nil
}

func mustPoolGeom(op string, x []int, p Pool2dParams) poolGeom {
	g, err := newPoolGeom(x, p)
	if err != nil {
		panic("functional." + op + ": " + err.Error())
	}
	return g
}

// windowMax returns the largest value of the window rows [hs, he) × columns [ws, we) of
// the plane x (row length w) and its flat index i·w + j, with PyTorch's rule: scan in
// row-major order, take a value when it is greater than the current maximum or NaN (so
// the first maximum wins, and the last NaN). The window must not be empty.
//
// Comparisons on random data mispredict half the time, which costs ~10× more than the
// comparison on the target machine, so the scan is branch-free: each value becomes a
// 64-bit key (poolKey), so the largest key is the first maximum. NaNs, which have no
// order, are detected on the way and the window is then rescanned with windowMaxNaN.
func windowMax(x []float32, w, hs, he, ws, we int) (float32, int32) {
	best := int64(math.MinInt64)
	var nan uint32
	for i := hs; i < he; i++ {
		base := i*w + ws
		row := x[base : i*w+we]
		for j, v := range row {
			c, n := poolKey(v, base+j)
			nan |= n
			best = max(best, c)
		}
	}
	if nan != 0 {
		return windowMaxNaN(x, w, hs, he, ws, we)
	}
	at := keyIndex(best)
	return x[at], at
}

// poolKey returns the 64-bit key of the value v at flat index at, and 1 if v is NaN (0
// otherwise). The key's high half orders like the floats, with −0 and +0 equal (PyTorch
// compares them as numbers, so the first of the two wins): negative floats have their
// magnitude bits flipped, then are moved up by one, which makes −0 zero. Its low half is
// 2³¹−1 minus the index, so of equal values the first has the largest key. It is
// asm's poolRowScan key; keyIndex recovers the index.
func poolKey(v float32, at int) (key int64, nan uint32) {
	b := math.Float32bits(v)
	nan = uint32((int64(0x7f800000) - int64(b&0x7fffffff)) >> 63)
	o := int32(b)
	o ^= o >> 31 & 0x7fffffff   // the float order: negatives' magnitude bits flipped
	o += int32(uint32(o) >> 31) // −0 (−1 so far) ties with +0, smaller negatives stay below
	return int64(o)<<32 | int64(uint32(0x7fffffff-at)), nan
}

// keyIndex returns the flat index a poolKey key holds.
func keyIndex(k int64) int32 { return int32(0x7fffffff - uint32(k)) }

// windowMaxNaN is windowMax as the plain row-major scan, the definition it follows.
func windowMaxNaN(x []float32, w, hs, he, ws, we int) (float32, int32) {
	best := float32(math.Inf(-1))
	at := hs*w + ws
	for i := hs; i < he; i++ {
		row := x[i*w+ws : i*w+we]
		for j, v := range row {
			if v > best || v != v {
				best, at = v, i*w+ws+j
			}
		}
	}
	return best, int32(at)
}

// MaxPool2d sets y [C, N, Ho, Wo] to the windowed maximum of the CNHW tensor x. When idx
// is not nil (length y.Len()) it receives, for each output, the index ih·W + iw of the
// winning input within its H×W plane (PyTorch's return_indices), for MaxPool2dBackward.
func MaxPool2d(y *tensor.Tensor, idx []int32, x *tensor.Tensor, p Pool2dParams) {
	const op = "MaxPool2d"
	mustDims(op, "x", x, 4)
	g := mustPoolGeom(op, x.Shape(), p)
	mustShape(op, "y", y, x.Dim(0), x.Dim(1), g.ho, g.wo)
	if idx != nil && len(idx) != y.Len() {
		panic(fmt.Sprintf("functional.%s: idx has length %d, want %d", op, len(idx), y.Len()))
	}
	xd, yd := x.Data(), y.Data()
	plane, oplane := g.h*g.w, g.ho*g.wo
	if idx == nil {
		maxPoolValues(yd, func(q int) int { return q * oplane }, xd, &g)
		return
	}
	nt := threadsFor(4*float64(x.Len()), g.planes)
	parallel(nt, func(t int) {
		q0, q1 := split(g.planes, nt, t, 1)
		if g.is3s2p1() {
			for q := q0; q < q1; q++ {
				maxPool3s2Plane(yd[q*oplane:(q+1)*oplane], idx[q*oplane:(q+1)*oplane], xd[q*plane:(q+1)*plane], &g)
			}
			return
		}
		keys, best := scratch64.get(g.h*g.keyRow()), scratch64.get(g.wo)
		defer scratch64.put(keys)
		defer scratch64.put(best)
		for q := q0; q < q1; q++ {
			maxPoolPlane(yd[q*oplane:(q+1)*oplane], idx[q*oplane:(q+1)*oplane], xd[q*plane:(q+1)*plane], &g, keys, best)
		}
	})
}

// is3s2p1 reports whether the pooling is ResNet's 3×3 window, stride 2, padding 1,
// which has a SIMD kernel (pool.MaxPool3s2).
func (g *poolGeom) is3s2p1() bool {
	return g.kh == 3 && g.kw == 3 && g.sh == 2 && g.sw == 2 && g.ph == 1 && g.pw == 1
}

// maxPool3s2Plane pools one H×W plane with the 3×3, stride-2, padding-1 window into yp
// and its argmax into ip (length Ho·Wo): pool.MaxPool3s2, and for an odd width the last
// column, whose windows lack column W, by windowMaxNaN.
func maxPool3s2Plane(yp []float32, ip []int32, xp []float32, g *poolGeom) {
	pool.MaxPool3s2(yp, ip, xp, g.h, g.w)
	if n := g.w / 2; g.wo > n {
		for oh := 0; oh < g.ho; oh++ {
			o := oh*g.wo + n
			yp[o], ip[o] = windowMaxNaN(xp, g.w, max(2*oh-1, 0), min(2*oh+2, g.h), max(2*n-1, 0), g.w)
		}
	}
}

// keyRow is the length of a padded row of keys: the row with pw sentinels each side.
func (g *poolGeom) keyRow() int { return g.w + 2*g.pw }

// maxPoolPlaneValues pools one H×W plane into yp without indices: the running maximum
// of the window's rows (rowMax, length W), then of each window's columns, with Go's
// max, which is branch-free and returns NaN when any value is NaN, as PyTorch's scan
// does. (Of a window holding both −0 and +0 it returns +0 where PyTorch returns the
// first: the same number.)
func maxPoolPlaneValues(yp, xp []float32, g *poolGeom, rowMax []float32) {
	rowMax = rowMax[:g.w]
	for oh := 0; oh < g.ho; oh++ {
		hs := oh*g.sh - g.ph
		he := min(hs+g.kh, g.h)
		hs = max(hs, 0)
		copy(rowMax, xp[hs*g.w:(hs+1)*g.w])
		for ih := hs + 1; ih < he; ih++ {
			row := xp[ih*g.w : (ih+1)*g.w]
			for k, v := range row {
				rowMax[k] = max(rowMax[k], v)
			}
		}
		out := yp[oh*g.wo : (oh+1)*g.wo]
		for ow := range out {
			ws := ow*g.sw - g.pw
			we := min(ws+g.kw, g.w)
			ws = max(ws, 0)
			m := rowMax[ws]
			for _, v := range rowMax[ws+1 : we] {
				m = max(m, v)
			}
			out[ow] = m
		}
	}
}

// maxPoolPlane pools one H×W plane into yp and its argmax into ip, with windowMax's
// rule, branch-free: every input becomes a 64-bit key once (poolKey: the largest key
// is the first maximum), stored in rows padded with pw sentinel keys on each side that
// never win, and each output row takes for each kernel row the max of its window's
// keys, a loop without a dependency chain between outputs; the value is read back at
// the winner's index (the key does not tell −0 from +0). keys (H·keyRow) and best
// (Wo) are scratch. A plane with a NaN is pooled by windowMax's NaN-aware scan instead.
func maxPoolPlane(yp []float32, ip []int32, xp []float32, g *poolGeom, keys, best []int64) {
	kr := g.keyRow()
	var nan uint32
	for ih := 0; ih < g.h; ih++ {
		krow := keys[ih*kr : (ih+1)*kr]
		for j := 0; j < g.pw; j++ {
			krow[j], krow[kr-1-j] = math.MinInt64, math.MinInt64
		}
		dst := krow[g.pw : g.pw+g.w]
		base := ih * g.w
		for iw, v := range xp[base : base+g.w] {
			k, n := poolKey(v, base+iw)
			nan |= n
			dst[iw] = k
		}
	}
	if nan != 0 {
		maxPoolPlaneNaN(yp, ip, xp, g)
		return
	}
	best = best[:g.wo]
	for oh := 0; oh < g.ho; oh++ {
		hs := oh*g.sh - g.ph
		he := min(hs+g.kh, g.h)
		hs = max(hs, 0)
		for i := range best {
			best[i] = math.MinInt64
		}
		for ih := hs; ih < he; ih++ {
			krow := keys[ih*kr : (ih+1)*kr]
			if g.kw == 3 {
				for ow := range best {
					t := krow[ow*g.sw : ow*g.sw+3]
					best[ow] = max(best[ow], t[0], t[1], t[2])
				}
				continue
			}
			for ow := range best {
				c := best[ow]
				for _, k := range krow[ow*g.sw : ow*g.sw+g.kw] {
					c = max(c, k)
				}
				best[ow] = c
			}
		}
		out := yp[oh*g.wo : (oh+1)*g.wo]
		at := ip[oh*g.wo : (oh+1)*g.wo]
		for ow, c := range best {
			i := keyIndex(c)
			out[ow], at[ow] = xp[i], i
		}
	}
}

// maxPoolPlaneNaN is maxPoolPlane by windowMax's scan, window by window.
func maxPoolPlaneNaN(yp []float32, ip []int32, xp []float32, g *poolGeom) {
	for oh := 0; oh < g.ho; oh++ {
		hs := oh*g.sh - g.ph
		he := min(hs+g.kh, g.h)
		hs = max(hs, 0)
		for ow := 0; ow < g.wo; ow++ {
			ws := ow*g.sw - g.pw
			we := min(ws+g.kw, g.w)
			ws = max(ws, 0)
			v, at := windowMaxNaN(xp, g.w, hs, he, ws, we)
			yp[oh*g.wo+ow] = v
			if ip != nil {
				ip[oh*g.wo+ow] = at
			}
		}
	}
}

// MaxPool2dBackward routes dy [C, N, Ho, Wo] back to the inputs that won each window,
// using the indices MaxPool2d recorded: dx[plane][idx] += dy. dx ([C, N, H, W]) is
// overwritten (zeroed first) or accumulated as it says.
func MaxPool2dBackward(dx GradOut, dy *tensor.Tensor, idx []int32) {
	const op = "MaxPool2dBackward"
	if !dx.wanted() {
		return
	}
	mustDims(op, "dx", dx.T, 4)
	mustDims(op, "dy", dy, 4)
	if dy.Dim(0) != dx.T.Dim(0) || dy.Dim(1) != dx.T.Dim(1) {
		panic(fmt.Sprintf("functional.%s: dy %v and dx %v differ in C or N", op, dy.Shape(), dx.T.Shape()))
	}
	if len(idx) != dy.Len() {
		panic(fmt.Sprintf("functional.%s: idx has length %d, want %d", op, len(idx), dy.Len()))
	}
	scatterPlanes(dx, dy, idx)
}

// scatterPlanes adds each plane of dy into the matching plane of dx at the positions
// idx gives, zeroing dx first unless accumulating. Indices outside the plane panic.
func scatterPlanes(dx GradOut, dy *tensor.Tensor, idx []int32) {
	s := dx.T.Shape()
	planes, plane := s[0]*s[1], s[2]*s[3]
	oplane := dy.Len() / max(planes, 1)
	xd, yd := dx.T.Data(), dy.Data()
	nt := threadsFor(4*float64(dx.T.Len()), planes)
	parallel(nt, func(t int) {
		q0, q1 := split(planes, nt, t, 1)
		for q := q0; q < q1; q++ {
			xp := xd[q*plane : (q+1)*plane]
			if !dx.Accumulate {
				clear(xp)
			}
			scatterAddAt(xp, yd[q*oplane:(q+1)*oplane], idx[q*oplane:(q+1)*oplane])
		}
	})
}

// scatterAddAt sets xp[ip[o]] += g[o] for every o, in order (repeated indices add up),
// four at a time so that the loads of the next values overlap the adds.
func scatterAddAt(xp, g []float32, ip []int32) {
	ip = ip[:len(g)]
	o := 0
	for ; o+4 <= len(g); o += 4 {
		g4, i4 := (*[4]float32)(g[o:o+4]), (*[4]int32)(ip[o:o+4])
		xp[i4[0]] += g4[0]
		xp[i4[1]] += g4[1]
		xp[i4[2]] += g4[2]
		xp[i4[3]] += g4[3]
	}
	for ; o < len(g); o++ {
		xp[ip[o]] += g[o]
	}
}

// MaxPool2dBackwardRecompute is MaxPool2dBackward without stored indices: it finds each
// window's winner again in the forward's input x, trading a second read of x for the
// index array's memory.
func MaxPool2dBackwardRecompute(dx GradOut, dy, x *tensor.Tensor, p Pool2dParams) {
	const op = "MaxPool2dBackwardRecompute"
	if !dx.wanted() {
		return
	}
	mustDims(op, "x", x, 4)
	g := mustPoolGeom(op, x.Shape(), p)
	mustShape(op, "dy", dy, x.Dim(0), x.Dim(1), g.ho, g.wo)
	tensor.MustSameShape("functional."+op, dx.T, x)
	xd, yd, dd := x.Data(), dy.Data(), dx.T.Data()
	plane, oplane := g.h*g.w, g.ho*g.wo
	nt := threadsFor(4*float64(x.Len()), g.planes)
	parallel(nt, func(t int) {
		q0, q1 := split(g.planes, nt, t, 1)
		var keys, best []int64
		if !g.is3s2p1() {
			keys, best = scratch64.get(g.h*g.keyRow()), scratch64.get(g.wo)
			defer scratch64.put(keys)
			defer scratch64.put(best)
		}
		vals := getScratch(oplane)
		defer putScratch(vals)
		at := scratch32.get(oplane)
		defer scratch32.put(at)
		for q := q0; q < q1; q++ {
			if g.is3s2p1() {
				maxPool3s2Plane(vals, at, xd[q*plane:(q+1)*plane], &g)
			} else {
				maxPoolPlane(vals, at, xd[q*plane:(q+1)*plane], &g, keys, best)
			}
			dp := dd[q*plane : (q+1)*plane]
			if !dx.Accumulate {
				clear(dp)
			}
			scatterAddAt(dp, yd[q*oplane:(q+1)*oplane], at)
		}
	})
}
