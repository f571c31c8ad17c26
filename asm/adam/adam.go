// Package adam is the Adam optimiser step kernel: Step updates parameters and their
// running averages in place, as AVX-512 and AVX2 assembly on amd64 beside a pure-Go twin
// (the reference and the fallback, and the path arm64 runs). Every path rounds in the
// same order with no fused multiply-add, so all return the same bits. The path follows
// asm/cpu's active instruction set, re-chosen whenever cpu.Use switches it.
package adam

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/asm/cpu"
)

// stepFunc is one path's Adam kernel.
type stepFunc func(p, g, m, v []float32, c *Coeffs)

var (
	// kernels holds each path's kernel; arch files add theirs from package-level var
	// initialisers, so it is complete before init runs. A path without one runs the
	// generic twin.
	kernels = map[cpu.ISA]stepFunc{cpu.Generic: adamStepGeneric}
	cur     stepFunc
)

func init() { cpu.OnInstall(install) }

// install makes the path's kernel the one Step calls.
func install(isa cpu.ISA) {
	k, ok := kernels[isa]
	if !ok {
		k = adamStepGeneric
	}
	cur = k
}

// register adds a path's kernel.
func register(isa cpu.ISA, k stepFunc) bool {
	kernels[isa] = k
	return true
}

// Coeffs are the scalars of one Adam step (Step) for one parameter tensor.
type Coeffs struct {
	// Decay multiplies the parameter first: 1 − lr·wd for decoupled weight decay, or 1.
	Decay float32
	// Mom and Damp1 update the gradient average: m = Mom·m + Damp1·g.
	Mom, Damp1 float32
	// SqrMom and Damp2 update the squared-gradient average: v = SqrMom·v + Damp2·g·g.
	SqrMom, Damp2 float32
	// Debias2 divides v before its square root (the second moment's debiasing).
	Debias2 float32
	// Eps is added to the square root.
	Eps float32
	// Step scales the update: p += Step·m / (sqrt(v/Debias2) + Eps), Step = −lr/debias1.
	Step float32
}

// Step applies one Adam step to the parameters p with gradients g, updating the
// running averages m and v in place, for i < len(p) (g, m and v must be at least as
// long).
// Every operation rounds to float32 in the order the Coeffs fields give, with no
// fused multiply-add, so every path returns the same bits as the generic twin.
func Step(p, g, m, v []float32, c *Coeffs) {
	n := len(p)
	for _, l := range []int{len(g), len(m), len(v)} {
		if l < n {
			panic(fmt.Sprintf("adam.Step: slice of length %d, need %d", l, n))
		}
	}
	cur(p, g[:n], m[:n], v[:n], c)
}

// adamStepGeneric is Step in Go: the reference and fallback.
func adamStepGeneric(p, g, m, v []float32, c *Coeffs) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, gi := range g {
		pi := float32(p[i] * c.Decay)
		mi := float32(m[i]*c.Mom) + float32(c.Damp1*gi)
		vi := float32(v[i]*c.SqrMom) + float32(float32(c.Damp2*gi)*gi)
		m[i], v[i] = mi, vi
		// The square root of a float32 taken in float64 and rounded back is the
		// correctly rounded float32 square root, as VSQRTPS computes it.
		denom := float32(math.Sqrt(float64(vi/c.Debias2))) + c.Eps
		p[i] = pi + float32(c.Step*mi)/denom
	}
}
