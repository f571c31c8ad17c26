package adam

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// TestAdamStep checks Step on every path against the generic twin, bit for bit
// (no path may fuse or reorder), on every length in vecLens at shifting alignments,
// with guard bands around p, m and v, gradients that include zeros, infinities and
// huge values, and the coefficients of a first and a late step with and without decay.
func TestAdamStep(t *testing.T) {
	coeffs := []Coeffs{
		{Decay: 1 - 1e-3*0.01, Mom: 0.9, Damp1: 0.1, SqrMom: 0.99, Damp2: 0.01, Debias2: 0.01, Eps: 1e-5, Step: -1e-3 / 0.1},
		{Decay: 1, Mom: 0.85, Damp1: 0.15, SqrMom: 0.99, Damp2: 0.01, Debias2: 0.63, Eps: 1e-5, Step: -5e-2 / 0.99},
	}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(7, uint64(isa)))
		for ci, c := range coeffs {
			for _, n := range kerneltest.VecLens() {
				off := rng.IntN(16)
				pBuf, p := kerneltest.Guarded(rng, n, off, false)
				_, g := kerneltest.Guarded(rng, n, 0, true)
				mBuf, m := kerneltest.Guarded(rng, n, off, false)
				vBuf, v := kerneltest.Guarded(rng, n, off, false)
				for i := range v {
					v[i] = float32(math.Abs(float64(v[i]))) // a running mean of squares
					if i%11 == 5 {
						g[i] = 3e19 // its square overflows to +Inf
					}
				}
				wp, wm, wv := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
				adamStepGeneric(wp, g, wm, wv, &c)
				Step(p, g, m, v, &c)
				for i := range p {
					if !kerneltest.SameFloat(p[i], wp[i]) || !kerneltest.SameFloat(m[i], wm[i]) || !kerneltest.SameFloat(v[i], wv[i]) {
						t.Fatalf("coeffs %d, n=%d, i=%d: got p,m,v = %g,%g,%g, want %g,%g,%g (g=%g)",
							ci, n, i, p[i], m[i], v[i], wp[i], wm[i], wv[i], g[i])
					}
				}
				for name, b := range map[string][]float32{"p": pBuf, "m": mBuf, "v": vBuf} {
					if err := kerneltest.CheckFrame(b, off, n); err != nil {
						t.Fatalf("coeffs %d, n=%d, %s: %v", ci, n, name, err)
					}
				}
			}
		}
	})
}

// TestAdamStepShortOperand checks that a gradient shorter than the parameters panics
// with the kernel's name.
func TestAdamStepShortOperand(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("no panic for a short gradient")
		}
	}()
	Step(make([]float32, 4), make([]float32, 3), make([]float32, 4), make([]float32, 4), &Coeffs{})
}
