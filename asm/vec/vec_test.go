package vec

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// TestVecElementwise checks Axpy, Scale, Add, Mul, Relu and ReluBackward on every path
// against the generic twins, on every length in vecLens at shifting alignments, with
// guard bands around the output. All but Axpy must match bit for bit; Axpy may fuse the
// multiply-add, so it is allowed one rounding of |alpha·x| + |y|.
func TestVecElementwise(t *testing.T) {
	type op struct {
		name  string
		run   func(dst, a, b []float32) // on the installed path
		twin  func(dst, a, b []float32) // the generic twin
		inDst bool                      // dst holds an input (y of axpy, x of scale)
		fused bool
	}
	const alpha = 1.7
	ops := []op{
		{"Axpy", func(d, a, _ []float32) { Axpy(alpha, a, d) }, func(d, a, _ []float32) { axpyGeneric(alpha, a, d) }, true, true},
		{"Scale", func(d, _, _ []float32) { Scale(alpha, d) }, func(d, _, _ []float32) { scaleGeneric(alpha, d) }, true, false},
		{"Add", Add, addGeneric, false, false},
		{"Mul", Mul, mulGeneric, false, false},
		{"Relu", func(d, a, _ []float32) { Relu(d, a) }, func(d, a, _ []float32) { reluGeneric(d, a) }, false, false},
		{"ReluBackward", ReluBackward, reluBackwardGeneric, false, false},
	}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(7, uint64(isa)))
		for _, o := range ops {
			for _, n := range kerneltest.VecLens() {
				off := (n * 7) % 16
				_, a := kerneltest.Guarded(rng, n, (off+3)%16, true)
				_, b := kerneltest.Guarded(rng, n, (off+5)%16, true)
				buf, dst := kerneltest.Guarded(rng, n, off, false)
				want := append([]float32(nil), dst...)
				if !o.inDst {
					for i := range dst {
						dst[i] = float32(math.NaN()) // must be overwritten, never read
					}
				}
				o.twin(want, a, b)
				orig := append([]float32(nil), dst...)
				o.run(dst, a, b)
				for i := range dst {
					ok := kerneltest.SameFloat(dst[i], want[i])
					if o.fused && !ok {
						tol := 1.0 / (1 << 23) * (math.Abs(alpha*float64(a[i])) + math.Abs(float64(orig[i])))
						ok = math.Abs(float64(dst[i])-float64(want[i])) <= tol
					}
					if !ok {
						t.Fatalf("%s n=%d: element %d = %g, want %g", o.name, n, i, dst[i], want[i])
					}
				}
				if err := kerneltest.CheckFrame(buf, off, n); err != nil {
					t.Fatalf("%s n=%d: %v", o.name, n, err)
				}
			}
		}
	})
}

// TestVecReductions checks Sum, Dot and Max on every path against the generic twins.
// Sum and Dot add in a different order, so they may differ by the rounding of an
// n-term sum: 2·√n·(2u)·Σ|terms| (the argument of tolerance in the GEMM tests). Max
// is exact, returns -Inf for an empty slice and NaN when a NaN is present.
func TestVecReductions(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(8, uint64(isa)))
		for _, n := range kerneltest.VecLens() {
			_, x := kerneltest.Guarded(rng, n, n%16, false)
			_, y := kerneltest.Guarded(rng, n, (n+9)%16, false)
			var sa, da float64
			for i := range x {
				sa += math.Abs(float64(x[i]))
				da += math.Abs(float64(x[i]) * float64(y[i]))
			}
			if got, want := Sum(x), sumGeneric(x); math.Abs(float64(got-want)) > kerneltest.Tolerance(n, sa) {
				t.Fatalf("Sum n=%d: %g, want %g", n, got, want)
			}
			if got, want := Dot(x, y), dotGeneric(x, y); math.Abs(float64(got-want)) > kerneltest.Tolerance(n, da) {
				t.Fatalf("Dot n=%d: %g, want %g", n, got, want)
			}
			if got, want := Max(x), maxGeneric(x); !kerneltest.SameFloat(got, want) {
				t.Fatalf("Max n=%d: %g, want %g", n, got, want)
			}
			if n > 0 {
				// the maximum at every position, then a NaN at every position
				for _, pos := range []int{0, n / 2, n - 1} {
					x2 := append([]float32(nil), x...)
					x2[pos] = 1e30
					if got := Max(x2); got != 1e30 {
						t.Fatalf("Max n=%d with 1e30 at %d: %g", n, pos, got)
					}
					x2[pos] = float32(math.NaN())
					if got := Max(x2); got == got {
						t.Fatalf("Max n=%d with NaN at %d: %g, want NaN", n, pos, got)
					}
				}
			}
		}
		if got := Max(nil); !math.IsInf(float64(got), -1) {
			t.Fatalf("Max(nil) = %g, want -Inf", got)
		}
	})
}

// TestVecPanics checks that short slices are reported with their lengths.
func TestVecPanics(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); r != "vec.Add: slice of length 2, need 3" {
			t.Fatalf("panic %q", r)
		}
	}()
	Add(make([]float32, 3), make([]float32, 3), make([]float32, 2))
}

// TestForcedPath checks that FASTGO_SIMD, when it names a path this CPU runs, installs
// that path's own vector kernels (CI runs ./asm/... under each path and relies on it).
func TestForcedPath(t *testing.T) {
	env := os.Getenv("FASTGO_SIMD")
	if env == "" || cpu.ForcedErr() != nil {
		t.Skipf("FASTGO_SIMD=%q not in force (%v)", env, cpu.ForcedErr())
	}
	isa, _ := cpu.ParseISA(env)
	if cpu.Active() != isa || kernels[isa] == nil || cur != kernels[isa] {
		t.Errorf("FASTGO_SIMD=%s but the vector kernels installed are not that path's (active %v)", env, cpu.Active())
	}
}

// TestDeinterleave2 checks Deinterleave2 on every path against its generic twin and
// the definition, bit for bit (it only moves values: NaN payloads, ±0 and ±Inf
// included), on every length in vecLens at shifting alignments, with guard bands after
// both outputs that must stay untouched.
func TestDeinterleave2(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(11, uint64(isa)))
		for _, n := range kerneltest.VecLens() {
			if n > 5000 {
				continue
			}
			off := (n * 5) % 16
			_, src := kerneltest.Guarded(rng, 2*n+1, (off+7)%16, true) // one spare value
			if n > 0 {
				src[0] = float32(math.NaN())
			}
			ebuf, even := kerneltest.Guarded(rng, n, off, false)
			obuf, odd := kerneltest.Guarded(rng, n, (off+9)%16, false)
			Deinterleave2(even, odd, src)
			we, wo := make([]float32, n), make([]float32, n)
			deinterleave2Generic(we, wo, src[:2*n])
			for i := 0; i < n; i++ {
				if !kerneltest.SameFloat(even[i], src[2*i]) || !kerneltest.SameFloat(odd[i], src[2*i+1]) ||
					!kerneltest.SameFloat(even[i], we[i]) || !kerneltest.SameFloat(odd[i], wo[i]) {
					t.Fatalf("n=%d: pair %d = (%g, %g), want (%g, %g)", n, i, even[i], odd[i], src[2*i], src[2*i+1])
				}
			}
			for name, b := range map[string][]float32{"even": ebuf, "odd": obuf} {
				start := off
				if name == "odd" {
					start = (off + 9) % 16
				}
				for i := start + n; i < len(b); i++ {
					if !kerneltest.SameFloat(b[i], kerneltest.Sentinel) {
						t.Fatalf("n=%d: %s guard %d overwritten", n, name, i-start-n)
					}
				}
			}
		}
	})
}
