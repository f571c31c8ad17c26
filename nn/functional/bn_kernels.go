package functional

import "math"

// The element loops of batch norm, in plain Go: each is a candidate for an asm kernel.
// Reductions keep eight float32 partial sums over blocks of sumBlock elements and add
// the blocks in float64, so the rounding error does not grow with the 200 704 values
// per channel of ResNet34's first layer.

// sumSqDev returns Σ (x[i] − m)².
func sumSqDev(x []float32, m float32) float64 {
	var total float64
	for len(x) > 0 {
		n := min(len(x), sumBlock)
		b := x[:n]
		var s [8]float32
		i := 0
		for ; i+8 <= n; i += 8 {
			v := b[i : i+8 : i+8]
			d0, d1, d2, d3 := v[0]-m, v[1]-m, v[2]-m, v[3]-m
			d4, d5, d6, d7 := v[4]-m, v[5]-m, v[6]-m, v[7]-m
			s[0] += d0 * d0
			s[1] += d1 * d1
			s[2] += d2 * d2
			s[3] += d3 * d3
			s[4] += d4 * d4
			s[5] += d5 * d5
			s[6] += d6 * d6
			s[7] += d7 * d7
		}
		for ; i < n; i++ {
			d := b[i] - m
			s[0] += d * d
		}
		total += float64((s[0] + s[1]) + (s[2] + s[3]) + ((s[4] + s[5]) + (s[6] + s[7])))
		x = x[n:]
	}
	return total
}

// sumDotDev returns Σ dy[i] and Σ dy[i]·(x[i] − m).
func sumDotDev(dy, x []float32, m float32) (sdy, sdyx float64) {
	x = x[:len(dy)]
	for len(dy) > 0 {
		n := min(len(dy), sumBlock)
		a, b := dy[:n], x[:n]
		var s, t [4]float32
		i := 0
		for ; i+4 <= n; i += 4 {
			g := a[i : i+4 : i+4]
			v := b[i : i+4 : i+4]
			s[0] += g[0]
			s[1] += g[1]
			s[2] += g[2]
			s[3] += g[3]
			t[0] += g[0] * (v[0] - m)
			t[1] += g[1] * (v[1] - m)
			t[2] += g[2] * (v[2] - m)
			t[3] += g[3] * (v[3] - m)
		}
		for ; i < n; i++ {
			s[0] += a[i]
			t[0] += a[i] * (b[i] - m)
		}
		sdy += float64((s[0] + s[1]) + (s[2] + s[3]))
		sdyx += float64((t[0] + t[1]) + (t[2] + t[3]))
		dy, x = dy[n:], x[n:]
	}
	return sdy, sdyx
}

// positiveMask returns all ones when the float with bits b is greater than zero
// (including +Inf and positive NaNs) and 0 otherwise, without a branch: on the target
// machine a mispredicted branch costs ~10× the work of an element, and ReLU masks are
// unpredictable.
func positiveMask(b uint32) uint32 { return uint32((0 - int64(int32(b))) >> 63) }

// masked returns g where the mask is all ones and +0 where it is 0.
func masked(g float32, m uint32) float32 { return math.Float32frombits(math.Float32bits(g) & m) }

// sumDotDevMasked is sumDotDev of dt[i] = dy[i] if y[i] > 0, else 0.
func sumDotDevMasked(dy, y, x []float32, m float32) (sdy, sdyx float64) {
	x, y = x[:len(dy)], y[:len(dy)]
	for len(dy) > 0 {
		n := min(len(dy), sumBlock)
		a, b, c := dy[:n], x[:n], y[:n]
		var s, t [4]float32
		i := 0
		for ; i+4 <= n; i += 4 {
			g := a[i : i+4 : i+4]
			v := b[i : i+4 : i+4]
			u := c[i : i+4 : i+4]
			g0 := masked(g[0], positiveMask(math.Float32bits(u[0])))
			g1 := masked(g[1], positiveMask(math.Float32bits(u[1])))
			g2 := masked(g[2], positiveMask(math.Float32bits(u[2])))
			g3 := masked(g[3], positiveMask(math.Float32bits(u[3])))
			s[0] += g0
			s[1] += g1
			s[2] += g2
			s[3] += g3
			t[0] += g0 * (v[0] - m)
			t[1] += g1 * (v[1] - m)
			t[2] += g2 * (v[2] - m)
			t[3] += g3 * (v[3] - m)
		}
		for ; i < n; i++ {
			g := masked(a[i], positiveMask(math.Float32bits(c[i])))
			s[0] += g
			t[0] += g * (b[i] - m)
		}
		sdy += float64((s[0] + s[1]) + (s[2] + s[3]))
		sdyx += float64((t[0] + t[1]) + (t[2] + t[3]))
		dy, x, y = dy[n:], x[n:], y[n:]
	}
	return sdy, sdyx
}

// affine sets dst[i] = a·x[i] + b.
func affine(dst, x []float32, a, b float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = a*v + b
	}
}

// affineRelu sets dst[i] = max(a·x[i] + b, 0).
func affineRelu(dst, x []float32, a, b float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = max(a*v+b, 0)
	}
}

// affineAddRelu sets dst[i] = max(a·x[i] + b + r[i], 0).
func affineAddRelu(dst, x, r []float32, a, b float32) {
	x, r = x[:len(dst)], r[:len(dst)]
	for i, v := range x {
		dst[i] = max(a*v+b+r[i], 0)
	}
}

// bnBackwardApply writes batch norm's input gradient dx = a·dt + b·x + c, where dt = dy,
// or dy·[y > 0] when y is given, and dres = dt. A nil dx or dres is skipped; accX and
// accR select adding over overwriting.
func bnBackwardApply(dx, dres, dy, y, x []float32, a, b, c float32, accX, accR bool) {
	x = x[:len(dy)]
	if dx != nil {
		dx = dx[:len(dy)]
		switch {
		case y == nil && !accX:
			for i, g := range dy {
				dx[i] = a*g + (b*x[i] + c)
			}
		case y == nil:
			for i, g := range dy {
				dx[i] += a*g + (b*x[i] + c)
			}
		case !accX:
			y = y[:len(dy)]
			for i, g := range dy {
				g = masked(g, positiveMask(math.Float32bits(y[i])))
				dx[i] = a*g + (b*x[i] + c)
			}
		default:
			y = y[:len(dy)]
			for i, g := range dy {
				g = masked(g, positiveMask(math.Float32bits(y[i])))
				dx[i] += a*g + (b*x[i] + c)
			}
		}
	}
	if dres != nil {
		dres = dres[:len(dy)]
		if y == nil {
			for i, g := range dy {
				if accR {
					g += dres[i]
				}
				dres[i] = g
			}
			return
		}
		y = y[:len(dy)]
		for i, g := range dy {
			g = masked(g, positiveMask(math.Float32bits(y[i])))
			if accR {
				g += dres[i]
			}
			dres[i] = g
		}
	}
}
