package autograd

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/vec"
	"github.com/fastgo/fastgo/tensor"
)

// Element-wise and shape operations.

// Add returns a + b (equal shapes). ∂/∂a = ∂/∂b = the output gradient.
func Add(a, b *Var) *Var {
	g := graphOf("Add", a, b)
	tensor.MustSameShape("autograd.Add", a.Value, b.Value)
	y := g.Alloc(a.Value.Shape()...)
	tensor.Add(y, a.Value, b.Value)
	return g.newVar("Add", y, []*Var{a, b}, func(out *Var) {
		if b.requiresGrad {
			g.accumulateGrad(b, out.Grad)
		}
		if a.requiresGrad {
			g.moveGrad(out, a)
		}
	})
}

// Mul returns a ⊙ b (equal shapes). ∂/∂a = dy ⊙ b, ∂/∂b = dy ⊙ a.
func Mul(a, b *Var) *Var {
	g := graphOf("Mul", a, b)
	tensor.MustSameShape("autograd.Mul", a.Value, b.Value)
	y := g.Alloc(a.Value.Shape()...)
	tensor.Mul(y, a.Value, b.Value)
	return g.newVar("Mul", y, []*Var{a, b}, func(out *Var) {
		mulGrad(g, a, out.Grad, b.Value)
		mulGrad(g, b, out.Grad, a.Value)
	})
}

// mulGrad accumulates dy ⊙ other into v's gradient.
func mulGrad(g *Graph, v *Var, dy, other *tensor.Tensor) {
	if !v.requiresGrad {
		return
	}
	grad, acc := g.gradFor(v)
	if !acc {
		tensor.Mul(grad, dy, other)
		return
	}
	gd, dd, od := grad.Data(), dy.Data(), other.Data()
	for i := range gd {
		gd[i] += dd[i] * od[i]
	}
}

// Scale returns s·a. ∂/∂a = s·dy.
func Scale(a *Var, s float32) *Var {
	g := graphOf("Scale", a)
	y := g.Alloc(a.Value.Shape()...)
	copy(y.Data(), a.Value.Data())
	y.Scale(s)
	return g.newVar("Scale", y, []*Var{a}, func(out *Var) {
		grad, acc := g.gradFor(a)
		if !acc {
			grad.Zero()
		}
		vec.Axpy(s, out.Grad.Data(), grad.Data())
	})
}

// ReLU returns max(a, 0). ∂/∂a = dy where the output is positive, else 0.
func ReLU(a *Var) *Var {
	g := graphOf("ReLU", a)
	y := g.Alloc(a.Value.Shape()...)
	vec.Relu(y.Data(), a.Value.Data())
	return g.newVar("ReLU", y, []*Var{a}, func(out *Var) {
		grad, acc := g.gradFor(a)
		if !acc {
			vec.ReluBackward(grad.Data(), out.Grad.Data(), y.Data())
			return
		}
		gd, dd, yd := grad.Data(), out.Grad.Data(), y.Data()
		for i := range gd {
			if yd[i] > 0 {
				gd[i] += dd[i]
			}
		}
	})
}

// Reshape returns a with a new shape of the same size; the value is shared, not copied.
func Reshape(a *Var, shape ...int) *Var {
	g := graphOf("Reshape", a)
	y := a.Value.Reshape(shape...)
	return g.newVar("Reshape", y, []*Var{a}, func(out *Var) {
		g.moveGrad(out, a)
	})
}

// Sum returns the sum of all elements as a 1-element Var. ∂/∂a = dy everywhere.
func Sum(a *Var) *Var {
	return sumScaled("Sum", a, 1)
}

// Mean returns the mean of all elements as a 1-element Var.
func Mean(a *Var) *Var {
	return sumScaled("Mean", a, 1/float32(a.Value.Len()))
}

func sumScaled(op string, a *Var, s float32) *Var {
	g := graphOf(op, a)
	y := g.Alloc(1)
	var acc float64
	for _, v := range a.Value.Data() {
		acc += float64(v)
	}
	y.Data()[0] = float32(acc) * s
	return g.newVar(op, y, []*Var{a}, func(out *Var) {
		d := out.Grad.Data()[0] * s
		grad, acc := g.gradFor(a)
		gd := grad.Data()
		if !acc {
			grad.Fill(d)
			return
		}
		for i := range gd {
			gd[i] += d
		}
	})
}

// MatMul returns a·b for a [m,k] and b [k,n]. ∂/∂a = dy·bᵀ, ∂/∂b = aᵀ·dy.
func MatMul(a, b *Var) *Var {
	g := graphOf("MatMul", a, b)
	as, bs := a.Value.Shape(), b.Value.Shape()
	if len(as) != 2 || len(bs) != 2 || as[1] != bs[0] {
		panic(fmt.Sprintf("autograd.MatMul: shapes %v and %v do not multiply", as, bs))
	}
	m, k, n := as[0], as[1], bs[1]
	y := g.Alloc(m, n)
	gemm.Sgemm(false, false, m, n, k, 1, a.Value.Data(), k, b.Value.Data(), n, 0, y.Data(), n)
	return g.newVar("MatMul", y, []*Var{a, b}, func(out *Var) {
		dy := out.Grad.Data()
		if a.requiresGrad {
			grad, acc := g.gradFor(a)
			gemm.Sgemm(false, true, m, k, n, 1, dy, n, b.Value.Data(), n, beta(acc), grad.Data(), k)
		}
		if b.requiresGrad {
			grad, acc := g.gradFor(b)
			gemm.Sgemm(true, false, k, n, m, 1, a.Value.Data(), k, dy, n, beta(acc), grad.Data(), n)
		}
	})
}

// beta is the GEMM beta that accumulates (1) or overwrites (0).
func beta(accumulate bool) float32 {
	if accumulate {
		return 1
	}
	return 0
}
