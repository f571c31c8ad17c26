package bn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// bf16Of returns the bf16 bits of v, rounded to nearest even (NaNs kept NaN), as the
// stored operands are made (asm/gemm's BF16Bits; this package sits below gemm).
func bf16Of(v float32) uint16 {
	b := math.Float32bits(v)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x0040
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// storedOperands returns n stored x and y (bf16 bits) and their float32 widenings
// (x centred back by centre): x spread around 0 with ±0, ±Inf and NaN now and then, y
// with NaN, ±0, negatives and positives (the ReLU mask's cases), and denormals.
func storedOperands(rng *rand.Rand, n int, centre float32) (xs, ys []uint16, x, y []float32) {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 1e-39, -1e-39}
	xs, ys = make([]uint16, n), make([]uint16, n)
	x, y = make([]float32, n), make([]float32, n)
	for i := range xs {
		xv, yv := float32(rng.NormFloat64()*2), float32(rng.NormFloat64())
		if rng.IntN(12) == 0 {
			xv = special[rng.IntN(len(special))]
		}
		if rng.IntN(6) == 0 {
			yv = special[rng.IntN(len(special))]
		}
		xs[i], ys[i] = bf16Of(xv), bf16Of(yv)
		x[i] = math.Float32frombits(uint32(xs[i])<<16) + centre
		y[i] = math.Float32frombits(uint32(ys[i]) << 16)
	}
	return xs, ys, x, y
}

// sameBits is bitwise equality (zeros by their sign), except that any two NaNs match.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// TestBNStoredBF16 checks GradSumsBF16, GradSumsReLUBF16, GradBF16 and GradReLUBF16
// (with and without dres, and in place on dy) on every path against the float32
// kernels of the same path on the widened operands, bit for bit: every length in
// VecLens (all lane tails, one to many 64-element blocks) at shifting alignments, with
// guard bands around the outputs.
func TestBNStoredBF16(t *testing.T) {
	const a, b, c, centre, mean = 1.3, -0.4, 0.25, 5.25, 5.5
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(31, uint64(isa)))
		for _, n := range kerneltest.VecLens() {
			xs, ys, x, y := storedOperands(rng, n, centre)
			_, dy := kerneltest.Guarded(rng, n, (n+3)%16, true)
			s1, s2 := GradSumsBF16(dy, xs, centre, mean)
			w1, w2 := GradSums(dy, x, mean)
			if !sameBits(s1, w1) || !sameBits(s2, w2) {
				t.Fatalf("%v n=%d: GradSumsBF16 = (%g, %g), GradSums on the widened x (%g, %g)", isa, n, s1, s2, w1, w2)
			}
			s1, s2 = GradSumsReLUBF16(dy, ys, xs, centre, mean)
			w1, w2 = GradSumsReLU(dy, y, x, mean)
			if !sameBits(s1, w1) || !sameBits(s2, w2) {
				t.Fatalf("%v n=%d: GradSumsReLUBF16 = (%g, %g), GradSumsReLU on the widened operands (%g, %g)", isa, n, s1, s2, w1, w2)
			}
			off := n % 16
			check := func(name string, buf, want []float32) {
				t.Helper()
				if err := kerneltest.CheckFrame(buf, off, n); err != nil {
					t.Fatalf("%v n=%d: %s: %v", isa, n, name, err)
				}
				for i, v := range want {
					if got := buf[off+i]; !sameBits(got, v) {
						t.Fatalf("%v n=%d: %s[%d] = %g, the float32 kernel gives %g", isa, n, name, i, got, v)
					}
				}
			}
			gbuf, gx := kerneltest.Guarded(rng, n, off, false)
			want := make([]float32, n)
			GradBF16(gx, dy, xs, centre, a, b, c)
			Grad(want, dy, x, a, b, c)
			check("GradBF16 dx", gbuf, want)

			GradReLUBF16(gx, nil, dy, ys, xs, centre, a, b, c)
			GradReLU(want, nil, dy, y, x, a, b, c)
			check("GradReLUBF16 dx", gbuf, want)

			rbuf, rx := kerneltest.Guarded(rng, n, off, false)
			wantR := make([]float32, n)
			GradReLUBF16(gx, rx, dy, ys, xs, centre, a, b, c)
			GradReLU(want, wantR, dy, y, x, a, b, c)
			check("GradReLUBF16 dx (with dres)", gbuf, want)
			check("GradReLUBF16 dres", rbuf, wantR)

			// In place: dx = dy, then dres = dy.
			d1, d2 := append([]float32(nil), dy...), append([]float32(nil), dy...)
			GradBF16(d1, d1, xs, centre, a, b, c)
			Grad(d2, d2, x, a, b, c)
			for i := range d1 {
				if !sameBits(d1[i], d2[i]) {
					t.Fatalf("%v n=%d: GradBF16 in place: dx[%d] = %g, want %g", isa, n, i, d1[i], d2[i])
				}
			}
			copy(d1, dy)
			copy(d2, dy)
			GradReLUBF16(gx, d1, d1, ys, xs, centre, a, b, c)
			GradReLU(want, d2, d2, y, x, a, b, c)
			check("GradReLUBF16 dx (dres = dy)", gbuf, want)
			for i := range d1 {
				if !sameBits(d1[i], d2[i]) {
					t.Fatalf("%v n=%d: GradReLUBF16 dres = dy: dres[%d] = %g, want %g", isa, n, i, d1[i], d2[i])
				}
			}
		}
	})
}

// TestBNStoredBF16Panics checks that short slices are reported with their lengths.
func TestBNStoredBF16Panics(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); r != "bn.GradReLUBF16: slice of length 2, need 3" {
			t.Fatalf("panic %q", r)
		}
	}()
	s := make([]float32, 3)
	GradReLUBF16(s, nil, s, make([]uint16, 3), make([]uint16, 2), 0, 1, 0, 0)
}
