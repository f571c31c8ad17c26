package bn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// withNaN puts a NaN into about one element in 16 of x.
func withNaN(rng *rand.Rand, x []float32) {
	for i := range x {
		if rng.IntN(16) == 0 {
			x[i] = float32(math.NaN())
		}
	}
}

// closeTo reports whether got matches want, computed with different fusing, to within
// a few roundings of mag, the sum of the magnitudes of the terms (NaNs match NaNs).
func closeTo(got, want float32, mag float64) bool {
	if kerneltest.SameFloat(got, want) {
		return true
	}
	if math.IsInf(float64(want), 0) || want != want {
		return false
	}
	return math.Abs(float64(got)-float64(want)) <= 4.0/(1<<24)*mag
}

// TestBNElementwise checks Apply, ApplyReLU, ApplyAddReLU, Grad and GradReLU
// (with and without dres) on every path against the generic twins: every length in
// vecLens at shifting alignments, inputs with zeros, infinities and NaNs, guard bands
// around the outputs, and the in-place forms the layers use (dst = x, dst = res,
// dx = dy, dres = dy). The fused multiply-adds may round differently, within a few
// roundings of the terms; the ReLU masks and dres must match exactly.
func TestBNElementwise(t *testing.T) {
	const a, b, c = 1.3, -0.4, 0.25
	type op struct {
		name string
		// run calls the API on the installed path (or the twin when twin is set) with
		// outputs o1 (and o2) and inputs i1, i2, i3; mag returns the terms' magnitude
		// of output element j.
		run func(twin bool, o1, o2, i1, i2, i3 []float32)
		mag func(j int, i1, i2, i3 []float32) float64
		two bool // writes o2 too
	}
	abs := func(v float32) float64 { // a term's magnitude; a non-finite one decides alone
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return 0
		}
		return math.Abs(float64(v))
	}
	ops := []op{
		{"Apply", func(tw bool, o, _, x, _, _ []float32) {
			if tw {
				bnApplyGeneric(o, x, a, b)
			} else {
				Apply(o, x, a, b)
			}
		}, func(j int, x, _, _ []float32) float64 { return abs(a*x[j]) + abs(b) }, false},
		{"ApplyReLU", func(tw bool, o, _, x, _, _ []float32) {
			if tw {
				bnApplyReLUGeneric(o, x, a, b)
			} else {
				ApplyReLU(o, x, a, b)
			}
		}, func(j int, x, _, _ []float32) float64 { return abs(a*x[j]) + abs(b) }, false},
		{"ApplyAddReLU", func(tw bool, o, _, x, r, _ []float32) {
			if tw {
				bnApplyAddReLUGeneric(o, x, r, a, b)
			} else {
				ApplyAddReLU(o, x, r, a, b)
			}
		}, func(j int, x, r, _ []float32) float64 { return abs(a*x[j]) + abs(b) + abs(r[j]) }, false},
		{"Grad", func(tw bool, o, _, dy, x, _ []float32) {
			if tw {
				bnGradGeneric(o, dy, x, a, b, c)
			} else {
				Grad(o, dy, x, a, b, c)
			}
		}, func(j int, dy, x, _ []float32) float64 { return abs(a*dy[j]) + abs(b*x[j]) + abs(c) }, false},
		{"GradReLU", func(tw bool, o, _, dy, y, x []float32) {
			if tw {
				bnGradReLUGeneric(o, nil, dy, y, x, a, b, c)
			} else {
				GradReLU(o, nil, dy, y, x, a, b, c)
			}
		}, func(j int, dy, _, x []float32) float64 { return abs(a*dy[j]) + abs(b*x[j]) + abs(c) }, false},
		{"GradReLU+dres", func(tw bool, o, o2, dy, y, x []float32) {
			if tw {
				bnGradReLUGeneric(o, o2, dy, y, x, a, b, c)
			} else {
				GradReLU(o, o2, dy, y, x, a, b, c)
			}
		}, func(j int, dy, _, x []float32) float64 { return abs(a*dy[j]) + abs(b*x[j]) + abs(c) }, true},
	}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(11, uint64(isa)))
		for _, o := range ops {
			for _, n := range kerneltest.VecLens() {
				for _, inPlace := range []bool{false, true} {
					off := (n*5 + 3) % 16
					_, i1 := kerneltest.Guarded(rng, n, (off+1)%16, true)
					_, i2 := kerneltest.Guarded(rng, n, (off+6)%16, true)
					_, i3 := kerneltest.Guarded(rng, n, (off+11)%16, true)
					withNaN(rng, i1)
					withNaN(rng, i2)
					withNaN(rng, i3)
					buf1, o1 := kerneltest.Guarded(rng, n, off, false)
					buf2, o2 := kerneltest.Guarded(rng, n, (off+9)%16, false)
					for j := range o1 {
						o1[j], o2[j] = float32(math.NaN()), float32(math.NaN()) // never read
					}
					want1, want2 := make([]float32, n), make([]float32, n)
					o.run(true, want1, want2, i1, i2, i3)
					mags := make([]float64, n)
					for j := range mags {
						mags[j] = o.mag(j, i1, i2, i3)
					}
					var out2 []float32
					if o.two {
						out2 = o2
					}
					switch {
					case !inPlace:
						o.run(false, o1, out2, i1, i2, i3)
					case o.name == "ApplyAddReLU":
						// dst = res: the residual's storage receives the output.
						copy(o1, i2)
						o.run(false, o1, out2, i1, o1, i3)
					case o.two:
						// dres = dy, as when a block's output gradient is reused.
						copy(o2, i1)
						o.run(false, o1, o2, o2, i2, i3)
					default:
						// dst = x or dx = dy: the first input's storage receives the output.
						copy(o1, i1)
						o.run(false, o1, out2, o1, i2, i3)
					}
					for j := range o1 {
						if !closeTo(o1[j], want1[j], mags[j]) {
							t.Fatalf("%s n=%d in place %v: element %d = %g, want %g", o.name, n, inPlace, j, o1[j], want1[j])
						}
						if o.two && !kerneltest.SameFloat(o2[j], want2[j]) {
							t.Fatalf("%s n=%d in place %v: dres[%d] = %g, want %g", o.name, n, inPlace, j, o2[j], want2[j])
						}
					}
					if err := kerneltest.CheckFrame(buf1, off, n); err != nil {
						t.Fatalf("%s n=%d: %v", o.name, n, err)
					}
					if err := kerneltest.CheckFrame(buf2, (off+9)%16, n); err != nil {
						t.Fatalf("%s n=%d: dres %v", o.name, n, err)
					}
				}
			}
		}
	})
}

// TestBNReductions checks Stats, GradSums and GradSumsReLU on every path against
// the generic twins, within the rounding of an n-term sum (the argument of
// TestVecReductions), and that a NaN y passes dy through the ReLU mask as PyTorch's
// threshold_backward does while y <= 0 (also -0) blocks it.
func TestBNReductions(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(12, uint64(isa)))
		for _, n := range kerneltest.VecLens() {
			_, x := kerneltest.Guarded(rng, n, n%16, false)
			_, dy := kerneltest.Guarded(rng, n, (n+5)%16, false)
			_, y := kerneltest.Guarded(rng, n, (n+10)%16, true)
			withNaN(rng, y)
			for i := range x {
				x[i] = 3*x[i] + 5 // a mean away from 0
			}
			const shift, mean = 4.5, 5.25
			var m1, m2, g1, g2, r1, r2 float64
			for i := range x {
				d := math.Abs(float64(x[i] - shift))
				m1 += d
				m2 += d * d
				g1 += math.Abs(float64(dy[i]))
				g2 += math.Abs(float64(dy[i]) * float64(x[i]-mean))
				if !(y[i] <= 0) {
					r1 += math.Abs(float64(dy[i]))
					r2 += math.Abs(float64(dy[i]) * float64(x[i]-mean))
				}
			}
			check := func(name string, got1, got2, want1, want2 float32, mag1, mag2 float64) {
				t.Helper()
				if math.Abs(float64(got1-want1)) > kerneltest.Tolerance(n, mag1) || math.Abs(float64(got2-want2)) > kerneltest.Tolerance(n, mag2) {
					t.Fatalf("%s n=%d: (%g, %g), want (%g, %g)", name, n, got1, got2, want1, want2)
				}
			}
			s1, s2 := Stats(x, shift)
			w1, w2 := bnStatsGeneric(x, shift)
			check("Stats", s1, s2, w1, w2, m1, m2)
			s1, s2 = GradSums(dy, x, mean)
			w1, w2 = bnGradSumsGeneric(dy, x, mean)
			check("GradSums", s1, s2, w1, w2, g1, g2)
			s1, s2 = GradSumsReLU(dy, y, x, mean)
			w1, w2 = bnGradSumsReLUGeneric(dy, y, x, mean)
			check("GradSumsReLU", s1, s2, w1, w2, r1, r2)
		}
		// The mask: y = NaN passes, y = -0, 0 and negative block, positive passes.
		nan := float32(math.NaN())
		y := []float32{nan, float32(math.Copysign(0, -1)), 0, -1, 2, nan, -3, 4}
		y = append(append(y, y...), y...) // 24 values: the SIMD loops and the tail
		dy := make([]float32, len(y))
		x := make([]float32, len(y))
		var want float32
		for i := range dy {
			dy[i] = float32(i + 1)
			x[i] = 1
			if y[i] != y[i] || y[i] > 0 {
				want += dy[i]
			}
		}
		if sdy, sdyx := GradSumsReLU(dy, y, x, 0); sdy != want || sdyx != want {
			t.Fatalf("GradSumsReLU mask: (%g, %g), want %g for both", sdy, sdyx, want)
		}
	})
}

// TestBNPanics checks that short slices are reported with their lengths.
func TestBNPanics(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); r != "bn.GradReLU: slice of length 2, need 3" {
			t.Fatalf("panic %q", r)
		}
	}()
	s := make([]float32, 3)
	GradReLU(s, make([]float32, 2), s, s, s, 1, 0, 0)
}
