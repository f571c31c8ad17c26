package pool

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
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
// infinities and, when nan is set, NaNs among them.
func poolValue(rng *rand.Rand, nan bool) float32 {
	switch r := rng.IntN(40); {
	case r == 0 && nan:
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

// TestMaxPool3s2 checks MaxPool3s2 on every path against the definition, value bits
// and index exactly, on planes of many sizes (every width 1..70, so all SIMD tails,
// heights 1..5 and larger, ResNet's 112×112, odd sizes, widths past the generic
// kernel's strip) at shifting alignments, with guard bands around the outputs and the
// odd width's last column left alone. Values tie often and include ±0 and ±Inf, and in
// every other plane NaNs, so the first maximum and the last NaN must win as in PyTorch.
func TestMaxPool3s2(t *testing.T) {
	type size struct{ h, w int }
	var sizes []size
	for w := 1; w <= 70; w++ {
		sizes = append(sizes, size{1 + w%5, w})
	}
	sizes = append(sizes, size{1, 40}, size{112, 112}, size{9, 113}, size{6, 255}, size{33, 34}, size{5, 1100}, size{4, 1101}, size{5, 1101}, size{7, 1100})
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(21, uint64(isa)))
		for si, sz := range sizes {
			off := si % 16
			xbuf := make([]float32, off+sz.h*sz.w)
			x := xbuf[off:]
			for i := range x {
				x[i] = poolValue(rng, si%2 == 1) // planes with NaNs and without
			}
			ho, wo := (sz.h-1)/2+1, (sz.w-1)/2+1
			yoff := (si * 3) % 16
			ybuf, y := kerneltest.Guarded(rng, ho*wo, yoff, false)
			for i := range y {
				y[i] = kerneltest.Sentinel
			}
			ibuf := make([]int32, ho*wo+2*kerneltest.Guard)
			for i := range ibuf {
				ibuf[i] = -7
			}
			idx := ibuf[kerneltest.Guard : kerneltest.Guard+ho*wo]
			MaxPool3s2(y, idx, x, sz.h, sz.w)
			for oh := 0; oh < ho; oh++ {
				for ow := 0; ow < wo; ow++ {
					o := oh*wo + ow
					if ow >= sz.w/2 { // an odd width's last column: not written
						if math.Float32bits(y[o]) != math.Float32bits(kerneltest.Sentinel) || idx[o] != -7 {
							t.Fatalf("%d×%d plane: the last column (%d, %d) was written", sz.h, sz.w, oh, ow)
						}
						continue
					}
					wv, wi := poolWindowRef(x, sz.h, sz.w, oh, ow)
					if idx[o] != wi || math.Float32bits(y[o]) != math.Float32bits(x[wi]) || !kerneltest.SameFloat(y[o], wv) {
						t.Fatalf("%d×%d plane, output (%d, %d): %g at %d, want %g at %d", sz.h, sz.w, oh, ow, y[o], idx[o], wv, wi)
					}
				}
			}
			if err := kerneltest.CheckFrame(ybuf, yoff, ho*wo); err != nil {
				t.Fatalf("%d×%d plane: y %v", sz.h, sz.w, err)
			}
			for i, v := range ibuf {
				if (i < kerneltest.Guard || i >= kerneltest.Guard+ho*wo) && v != -7 {
					t.Fatalf("%d×%d plane: idx written outside the slice at %d", sz.h, sz.w, i-kerneltest.Guard)
				}
			}
		}
	})
}

// TestMaxPool3s2Panics checks that bad sizes are reported.
func TestMaxPool3s2Panics(t *testing.T) {
	for _, c := range []struct {
		h, w, nx, ny int
		want         string
	}{
		{4, 6, 23, 6, "pool.MaxPool3s2: slice of length 23, need 24"},
		{4, 6, 24, 5, "pool.MaxPool3s2: slice of length 5, need 6"},
		{0, 6, 24, 6, "pool.MaxPool3s2: plane 0×6 is empty"},
	} {
		t.Run(c.want, func(t *testing.T) {
			defer func() {
				if r, _ := recover().(string); r != c.want {
					t.Fatalf("panic %q, want %q", r, c.want)
				}
			}()
			MaxPool3s2(make([]float32, c.ny), make([]int32, c.ny), make([]float32, c.nx), c.h, c.w)
		})
	}
}
