package pool

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// TestMaxPool3s2Values checks MaxPool3s2Values on every path against the definition,
// value bits exactly (the first maximum, the last NaN), on the planes TestMaxPool3s2
// uses (every width 1..70 for all SIMD tails, heights 1..5 and larger, odd sizes, wide
// rows) at shifting alignments, with guard bands around the output and the odd width's
// last column left alone; ties, ±0, ±Inf and (every other plane) NaNs are common.
func TestMaxPool3s2Values(t *testing.T) {
	type size struct{ h, w int }
	var sizes []size
	for w := 1; w <= 70; w++ {
		sizes = append(sizes, size{1 + w%5, w})
	}
	sizes = append(sizes, size{1, 40}, size{112, 112}, size{10, 112}, size{9, 113}, size{6, 255}, size{33, 34}, size{5, 1100}, size{4, 1101})
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(23, uint64(isa)))
		for si, sz := range sizes {
			off := si % 16
			xbuf := make([]float32, off+sz.h*sz.w)
			x := xbuf[off:]
			for i := range x {
				x[i] = poolValue(rng, si%2 == 1)
			}
			ho, wo := (sz.h-1)/2+1, (sz.w-1)/2+1
			yoff := (si * 5) % 16
			ybuf, y := kerneltest.Guarded(rng, ho*wo, yoff, false)
			for i := range y {
				y[i] = kerneltest.Sentinel
			}
			MaxPool3s2Values(y, x, sz.h, sz.w)
			for oh := 0; oh < ho; oh++ {
				for ow := 0; ow < wo; ow++ {
					o := oh*wo + ow
					if ow >= sz.w/2 {
						if math.Float32bits(y[o]) != math.Float32bits(kerneltest.Sentinel) {
							t.Fatalf("%d×%d plane: the last column (%d, %d) was written", sz.h, sz.w, oh, ow)
						}
						continue
					}
					_, wi := poolWindowRef(x, sz.h, sz.w, oh, ow)
					if math.Float32bits(y[o]) != math.Float32bits(x[wi]) {
						t.Fatalf("%d×%d plane, output (%d, %d): %g, want %g (at %d)", sz.h, sz.w, oh, ow, y[o], x[wi], wi)
					}
				}
			}
			if err := kerneltest.CheckFrame(ybuf, yoff, ho*wo); err != nil {
				t.Fatalf("%d×%d plane: y %v", sz.h, sz.w, err)
			}
		}
	})
}

// TestMaxPool3s2ValuesPanics checks that bad sizes are reported.
func TestMaxPool3s2ValuesPanics(t *testing.T) {
	for _, c := range []struct {
		h, w, nx, ny int
		want         string
	}{
		{4, 6, 23, 6, "pool.MaxPool3s2Values: slice of length 23, need 24"},
		{4, 6, 24, 5, "pool.MaxPool3s2Values: slice of length 5, need 6"},
		{0, 6, 24, 6, "pool.MaxPool3s2Values: plane 0×6 is empty"},
	} {
		t.Run(c.want, func(t *testing.T) {
			defer func() {
				if r, _ := recover().(string); r != c.want {
					t.Fatalf("panic %q, want %q", r, c.want)
				}
			}()
			MaxPool3s2Values(make([]float32, c.ny), make([]float32, c.nx), c.h, c.w)
		})
	}
}
