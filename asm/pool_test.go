package asm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// poolWindowRef is PyTorch's scan of the 3×3, stride-2, padding-1 window of output
// (oh, ow) over the h×w plane x: row-major, taking a value greater than the maximum so
// far or NaN, starting from -Inf at the window's first element.
func poolWindowRef(x []float32, h, w, oh, ow int) (float32, int32) {
	best, at := float32(math.Inf(-1)), -1
	for i := max(2*oh-1, 0); i <= min(2*oh+1, h-1); i++ {
		for j := max(2*ow-1, 0); j <= min(2*ow+1, w-1); j++ {
			if at < 0 {
				at = i*w + j
			}
			if v := x[i*w+j]; v > best || v != v {
				best, at = v, i*w+j
			}
		}
	}
	return best, int32(at)
}

// poolValue draws from a small set, so windows tie often, with signed zeros,
// infinities and NaNs among them.
func poolValue(rng *rand.Rand) float32 {
	switch r := rng.IntN(40); {
	case r == 0:
		return float32(math.NaN())
	case r == 1:
		return float32(math.Inf(-1))
	case r == 2:
		return float32(math.Inf(1))
	case r == 3:
		return float32(math.Copysign(0, -1))
	case r < 20:
		return float32(rng.IntN(3) - 1)
	default:
		return 4*rng.Float32() - 2
	}
}

// TestMaxPool3s2Row checks MaxPool3s2Row on every path against the definition, value
// bits and index exactly, over every output row of planes of many sizes (every width
// 2..70, so all SIMD tails, and ResNet's 112), at shifting alignments, with guard bands
// around the outputs. Values tie often and include ±0, ±Inf and NaNs, so the first
// maximum and the last NaN must win as in PyTorch.
func TestMaxPool3s2Row(t *testing.T) {
	type size struct{ h, w int }
	var sizes []size
	for w := 2; w <= 70; w++ {
		sizes = append(sizes, size{1 + w%5, w})
	}
	sizes = append(sizes, size{7, 112}, size{5, 113}, size{3, 255})
	forEachISA(t, func(t *testing.T, isa ISA) {
		rng := rand.New(rand.NewPCG(21, uint64(isa)))
		for si, sz := range sizes {
			off := si % 16
			xbuf := make([]float32, off+sz.h*sz.w)
			x := xbuf[off:]
			for i := range x {
				x[i] = poolValue(rng)
			}
			n := sz.w / 2
			ybuf, y := guarded(rng, n, (si*3)%16, false)
			ibuf := make([]int32, n+2*guard)
			for i := range ibuf {
				ibuf[i] = -7
			}
			idx := ibuf[guard : guard+n]
			for oh := 0; oh <= (sz.h-1)/2; oh++ {
				r0, r1, r2 := max(2*oh-1, 0)*sz.w, 2*oh*sz.w, min(2*oh+1, sz.h-1)*sz.w
				MaxPool3s2Row(y, idx, x, r0, r1, r2)
				for ow := 0; ow < n; ow++ {
					wv, wi := poolWindowRef(x, sz.h, sz.w, oh, ow)
					if idx[ow] != wi || math.Float32bits(y[ow]) != math.Float32bits(x[wi]) || !sameFloat(y[ow], wv) {
						t.Fatalf("%d×%d plane, output (%d, %d): %g at %d, want %g at %d", sz.h, sz.w, oh, ow, y[ow], idx[ow], wv, wi)
					}
				}
				if err := checkFrame(ybuf, (si*3)%16, n); err != nil {
					t.Fatalf("%d×%d plane, row %d: y %v", sz.h, sz.w, oh, err)
				}
				for i, v := range ibuf {
					if (i < guard || i >= guard+n) && v != -7 {
						t.Fatalf("%d×%d plane, row %d: idx written outside the slice at %d", sz.h, sz.w, oh, i-guard)
					}
				}
			}
		}
	})
}

// TestMaxPool3s2RowPanics checks that bad offsets are reported.
func TestMaxPool3s2RowPanics(t *testing.T) {
	for _, c := range []struct {
		r    [3]int
		want string
	}{
		{[3]int{0, 8, 17}, "asm.MaxPool3s2Row: row offset 17 with 4 outputs reaches x[24], x has length 24"},
		{[3]int{-1, 0, 0}, "asm.MaxPool3s2Row: row offset -1 with 4 outputs reaches x[6], x has length 24"},
	} {
		t.Run(fmt.Sprint(c.r), func(t *testing.T) {
			defer func() {
				if r, _ := recover().(string); r != c.want {
					t.Fatalf("panic %q, want %q", r, c.want)
				}
			}()
			MaxPool3s2Row(make([]float32, 4), make([]int32, 4), make([]float32, 24), c.r[0], c.r[1], c.r[2])
		})
	}
}
