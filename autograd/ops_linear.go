package autograd

import (
	"fmt"
	"math/rand/v2"

	"github.com/fastgo/fastgo/tensor/functional"
)

// Linear returns x·wᵀ + b for x [N, in], w [out, in] (PyTorch's order) and an optional
// bias b [out] (nil for none).
func Linear(x, w, b *Var) *Var {
	g := graphOf("Linear", x, w, b)
	xs, ws := x.Value.Shape(), w.Value.Shape()
	if len(xs) != 2 || len(ws) != 2 || xs[1] != ws[1] {
		panic(fmt.Sprintf("autograd.Linear: input %v and weight %v do not match", xs, ws))
	}
	y := g.Alloc(xs[0], ws[0])
	if g.Profile != nil {
		g.Profile.FLOPs += 2 * int64(y.Len()) * int64(xs[1])
	}
	functional.Linear(y, x.Value, w.Value, valueOrNil(b))
	return g.newVar("Linear", y, []*Var{x, w, b}, func(out *Var) {
		functional.LinearBackward(gradOut(g, x), gradOut(g, w), gradOut(g, b), out.Grad, x.Value, w.Value)
	})
}

// Dropout zeroes each element with probability p and scales the rest by 1/(1−p) when
// the graph is Training; otherwise it returns x itself.
func Dropout(x *Var, p float64, rng *rand.Rand) *Var {
	g := graphOf("Dropout", x)
	if !g.Training || p == 0 {
		return x
	}
	y := g.Alloc(x.Value.Shape()...)
	mask := g.Alloc(x.Value.Shape()...)
	functional.Dropout(y, mask, x.Value, p, rng)
	return g.newVar("Dropout", y, []*Var{x}, func(out *Var) {
		functional.DropoutBackward(gradOut(g, x), out.Grad, mask)
	})
}
