package pool

import "math"

// poolStrip is the number of output columns the generic max pool handles at a time, so
// that its key rows fit in fixed buffers on the stack.
const poolStrip = 256

// maxPool3s2Generic is MaxPool3s2 in Go without data-dependent branches (on random
// data a comparison that mispredicts half the time costs ~10× the work here): every
// input becomes a 64-bit key, its value's order in the high half (the float bits with
// negative magnitudes flipped, -0 counted as +0) and 2³¹−1 minus its offset in the low half, so the largest key is the
// first maximum in row-major order, PyTorch's winner; Go's max of int64s is a
// conditional move. As in the SIMD kernels each input row's window scan T is computed
// once and carried to the next output row (by swapping buffers, not copying). A plane holding a NaN, which has no order,
// is pooled by the plain scan, maxPool3s2Cols.
func maxPool3s2Generic(y []float32, idx []int32, x []float32, h, w int) {
	n, ho, wo := w/2, (h-1)/2+1, (w-1)/2+1
	var nan uint32
	var keys [2*poolStrip + 1]int64
	// Three distinct buffers: tb and tc take the scans of output row oh's input rows
	// 2oh and 2oh+1, carry holds the scan of row 2oh−1 (the previous tc).
	var bufs [3][poolStrip]int64
	tb, tc, carry := bufs[0][:], bufs[1][:], bufs[2][:]
	for c0 := 0; c0 < n; c0 += poolStrip {
		c1 := min(c0+poolStrip, n)
		m := c1 - c0
		for oh := 0; oh < ho; oh++ {
			t0, t1, t2 := tb[:m], tc[:m], carry[:m]
			nan |= poolRowScan(t0, x, w, 2*oh, c0, keys[:])
			if 2*oh+1 < h {
				nan |= poolRowScan(t1, x, w, 2*oh+1, c0, keys[:])
			} else {
				t1 = t0 // the last output row, when h is odd: no row below
			}
			if oh == 0 {
				t2 = t0 // no row above
			}
			yr, ir := y[oh*wo+c0:oh*wo+c1], idx[oh*wo+c0:oh*wo+c1]
			ir = ir[:len(yr)]
			t0, t1, t2 = t0[:len(yr)], t1[:len(yr)], t2[:len(yr)]
			for j := range yr {
				at := 0x7fffffff - int32(uint32(max(t2[j], t0[j], t1[j])))
				yr[j], ir[j] = x[at], at
			}
			// Row 2oh+1 is the next output row's top row; carry's old buffer is free to
			// take the next scan. (After a strip's last row carry may be stale; the
			// next strip starts at oh = 0, which does not read it.)
			carry, tc = tc, carry
		}
	}
	if nan != 0 {
		maxPool3s2Cols(y, idx, x, h, w, 0, n)
	}
}

// poolRowScan sets t[j] to the largest key among columns 2(c0+j)−1 .. 2(c0+j)+1 of row
// r (column −1 left out) and returns non-zero if one of them is NaN. keys is scratch
// for the row's keys.
func poolRowScan(t []int64, x []float32, w, r, c0 int, keys []int64) uint32 {
	lo := max(2*c0-1, 0)
	hi := 2 * (c0 + len(t)) // the last column read is hi-1
	base := r * w
	row := x[base+lo : base+hi]
	k := keys[:len(row)]
	var nan uint32
	for i, v := range row {
		b := math.Float32bits(v)
		nan |= uint32((int64(0x7f800000) - int64(b&0x7fffffff)) >> 63)
		o := int32(b)
		o ^= o >> 31 & 0x7fffffff   // the float order: negatives' magnitude bits flipped
		o += int32(uint32(o) >> 31) // -0 (-1 so far) ties with +0, smaller negatives stay below
		k[i] = int64(o)<<32 | int64(uint32(0x7fffffff-(base+lo+i)))
	}
	// Output c0+j's columns 2(c0+j)-1 .. 2(c0+j)+1 are k[2j-1+c] from lo on when c0 = 0
	// (output 0 without its left column), k[2j+c] otherwise.
	if c0 == 0 {
		t[0] = max(k[0], k[1])
		for j := 1; j < len(t); j++ {
			s := k[2*j-1 : 2*j+2]
			t[j] = max(s[0], s[1], s[2])
		}
		return nan
	}
	for j := range t {
		s := k[2*j : 2*j+3]
		t[j] = max(s[0], s[1], s[2])
	}
	return nan
}
