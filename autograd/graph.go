// Package autograd is fastgo's reverse-mode automatic differentiation over tensor: a Var
// holds a value and, once a backward pass reaches it, a gradient; every operation on Vars
// records how to propagate gradients to its inputs, and Graph.Backward walks those
// records in reverse order.
//
// A Graph is one forward pass: it records the operations (unless made with NoGrad) and
// owns the buffers of every intermediate value and gradient, which come from a Pool and
// return to it on Release, so that a training loop touches no fresh memory after its
// first step. Leaves — parameters and inputs — are Vars without a graph; their values
// belong to the caller, and a parameter's gradient is allocated once and kept (zeroed, not
// dropped, by ZeroGrad, as PyTorch's zero_grad(set_to_none=False) does).
//
// Rules every operation follows (one file per family, forward and backward side by
// side): gradients accumulate into inputs (+=); an input that does not require a gradient
// gets none computed; nothing is recorded under NoGrad or when no input requires a
// gradient. Values of intermediate Vars are valid until the graph is released; read or
// copy what you need (logits for metrics, the loss) before Release.
package autograd

import (
	"fmt"
	"time"

	"github.com/fastgo/fastgo/tensor"
)

// Var is a value in a computation, with its gradient once a backward pass has reached it.
type Var struct {
	// Value is the forward value.
	Value *tensor.Tensor
	// Grad is the gradient of the last Backward's root with respect to Value; nil until a
	// backward pass reaches this Var.
	Grad *tensor.Tensor

	requiresGrad bool
	g            *Graph // nil for leaves
	node         *node  // the operation that made this Var; nil for leaves
	ownedGrad    bool   // Grad's buffer belongs to the graph's pool
	// kept is the bfloat16 copy of a value Free released in a recording graph, dropped
	// the shape of one it forgot (Value is nil then; see keep.go).
	kept    *storage
	dropped []int
}

// node is one recorded operation.
type node struct {
	op       string
	out      *Var
	inputs   []*Var
	backward func() // reads out.Grad, accumulates into the inputs' gradients
	// keeps are the Vars (inputs or out) whose values backward reads through
	// Graph.value, drops those whose values it does not read (see keep.go).
	keeps, drops []*Var
	// centred, when set, is kept as bf16 minus centre's value for its channel
	// (functional.StoreCentredBF16): a batch norm's input, centred by its mean.
	centred *Var
	centre  []float32
}

// NewParam returns a leaf Var that requires a gradient (a trainable parameter).
func NewParam(t *tensor.Tensor) *Var { return &Var{Value: t, requiresGrad: true} }

// NewConst returns a leaf Var that requires no gradient (an input or a buffer).
func NewConst(t *tensor.Tensor) *Var { return &Var{Value: t} }

// RequiresGrad reports whether gradients are computed for v.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad turns gradient computation on or off for a leaf; it panics on an
// intermediate Var.
func (v *Var) SetRequiresGrad(on bool) {
	if v.node != nil {
		panic("autograd: SetRequiresGrad on a non-leaf Var")
	}
	v.requiresGrad = on
}

// ZeroGrad zeroes a gradient that exists and leaves a nil one nil.
func (v *Var) ZeroGrad() {
	if v.Grad != nil {
		v.Grad.Zero()
	}
}

// Shape returns the shape of v's value.
func (v *Var) Shape() []int {
	switch {
	case v.kept != nil:
		return v.kept.shape
	case v.Value == nil && v.dropped != nil:
		return v.dropped
	}
	return v.Value.Shape()
}

// Mode selects whether a Graph records operations for a backward pass.
type Mode int

const (
	// Record records every operation whose inputs require gradients.
	Record Mode = iota
	// NoGrad records nothing (evaluation); operations save no tensors for a backward.
	NoGrad
)

// Graph is one forward (and backward) pass: the tape of recorded operations and the
// buffers its intermediate values and gradients use.
type Graph struct {
	mode  Mode
	pool  *Pool
	tape  []*node
	owned [][]float32
	ints  [][]int32
	// Profile, when set, accumulates time per operation type.
	Profile *Profile
	tick    time.Time
	// Training tells layers with train/eval behaviour (BatchNorm, Dropout) which to use.
	Training bool
	// KeepFloat32 makes Free in a recording graph keep every value as it is, in float32
	// (see keep.go); for tests and A/B measurements.
	KeepFloat32 bool
}

// NewGraph returns an empty graph drawing buffers from pool (a new pool if nil).
func NewGraph(pool *Pool, mode Mode) *Graph {
	if pool == nil {
		pool = NewPool()
	}
	return &Graph{mode: mode, pool: pool}
}

// Pool returns the graph's buffer pool.
func (g *Graph) Pool() *Pool { return g.pool }

// Recording reports whether the graph records operations.
func (g *Graph) Recording() bool { return g.mode == Record }

// Input wraps t (not copied) as a Var of this graph that requires no gradient.
func (g *Graph) Input(t *tensor.Tensor) *Var {
	if g.Profile != nil {
		g.tick = time.Now()
	}
	return &Var{Value: t, g: g}
}

// Leaf wraps t (not copied) as a leaf Var of this graph that requires a gradient; its
// gradient is allocated once and kept, like a parameter's.
func (g *Graph) Leaf(t *tensor.Tensor) *Var { return &Var{Value: t, g: g, requiresGrad: true} }

// Alloc returns a tensor of the given shape whose buffer belongs to the graph (returned
// to the pool on Release). Its contents are unspecified.
func (g *Graph) Alloc(shape ...int) *tensor.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	b := g.getFloats(n)
	g.owned = append(g.owned, b)
	return tensor.FromData(b[:n], shape...)
}

// AllocZero is Alloc with the contents zeroed.
func (g *Graph) AllocZero(shape ...int) *tensor.Tensor {
	t := g.Alloc(shape...)
	t.Zero()
	return t
}

// AllocInts returns an int32 buffer of length n owned by the graph (returned to the pool
// on Release), for indices an operation keeps for its backward.
func (g *Graph) AllocInts(n int) []int32 {
	b := g.pool.getInts(n)[:n]
	g.ints = append(g.ints, b)
	return b
}

// Scratch returns a pool buffer of n floats that the caller must give back with
// PutScratch; for temporaries inside one operation.
func (g *Graph) Scratch(n int) []float32 { return g.getFloats(n)[:n] }

// getFloats returns a pool buffer of at least n floats: of exactly n in a recording
// graph, possibly longer in one that records nothing (Pool.getFit).
func (g *Graph) getFloats(n int) []float32 {
	if g.mode == NoGrad {
		return g.pool.getFit(n)
	}
	return g.pool.get(n)
}

// PutScratch returns a buffer obtained from Scratch.
func (g *Graph) PutScratch(b []float32) { g.pool.put(b) }

// Free tells the graph that v, an intermediate of this graph, will not be used again by
// the caller's forward. When the graph records nothing (NoGrad) its buffer goes back to
// the pool now. When it records, the buffer goes back when every recorded operation
// touching v declared how its backward reads v, and v is kept for those backwards as
// bfloat16 in BF16 precision, or not at all when none reads it (see keep.go); v.Value
// is nil afterwards. Otherwise it does nothing. Modules call it on the intermediates
// they made once these are consumed, so that an evaluation pass holds a few
// activations at a time rather than all of them, and a training pass holds less.
func (g *Graph) Free(v *Var) {
	if v == nil || v.g != g || v.Value == nil || v.Value.Len() == 0 {
		return
	}
	if g.mode != NoGrad {
		g.release(v)
		return
	}
	b := v.Value.Data()
	for i := len(g.owned) - 1; i >= 0; i-- {
		if len(g.owned[i]) > 0 && &g.owned[i][0] == &b[0] {
			g.pool.put(g.owned[i])
			g.owned[i] = g.owned[len(g.owned)-1]
			g.owned = g.owned[:len(g.owned)-1]
			v.Value = nil
			return
		}
	}
}

// SameStorage reports whether two Vars' values share their first element (one is a
// view of the other, or they are the same Var).
func SameStorage(a, b *Var) bool {
	if a == nil || b == nil || a.Value == nil || b.Value == nil || a.Value.Len() == 0 || b.Value.Len() == 0 {
		return false
	}
	return &a.Value.Data()[0] == &b.Value.Data()[0]
}

// Release returns every buffer the graph owns to the pool and forgets the tape. Values
// and gradients of the graph's intermediate Vars must not be used afterwards; leaves'
// gradients are unaffected. The graph can then be used for the next step.
func (g *Graph) Release() {
	for _, b := range g.owned {
		g.pool.put(b)
	}
	clear(g.owned)
	g.owned = g.owned[:0]
	for _, b := range g.ints {
		g.pool.putInts(b)
	}
	clear(g.ints)
	g.ints = g.ints[:0]
	clear(g.tape)
	g.tape = g.tape[:0]
}

// graphOf returns the graph of the first input that has one.
func graphOf(op string, inputs ...*Var) *Graph {
	for _, v := range inputs {
		if v != nil && v.g != nil {
			return v.g
		}
	}
	panic(fmt.Sprintf("autograd.%s: no input belongs to a graph (wrap inputs with Graph.Input)", op))
}

// newVar makes the output Var of an operation and records the node when the graph is
// recording and some input requires a gradient. backward may be nil for operations that
// record nothing. It returns the Var and whether the node was recorded.
func (g *Graph) newVar(op string, value *tensor.Tensor, inputs []*Var, backward func(out *Var)) *Var {
	out := &Var{Value: value, g: g}
	if g.Profile != nil {
		now := time.Now()
		g.Profile.Forward[op] += now.Sub(g.tick)
		g.Profile.Calls[op]++
		g.tick = now
	}
	if g.mode != Record || backward == nil {
		return out
	}
	needs := false
	for _, v := range inputs {
		if v != nil && v.requiresGrad {
			needs = true
			break
		}
	}
	if !needs {
		return out
	}
	out.requiresGrad = true
	n := &node{op: op, out: out, inputs: inputs}
	n.backward = func() { backward(out) }
	out.node = n
	g.tape = append(g.tape, n)
	return out
}

// gradFor returns the tensor an operation's backward should write v's gradient into,
// and whether it must accumulate (+=) rather than overwrite. A first gradient for an
// intermediate Var gets a pool buffer to be overwritten; a leaf's first gradient is
// allocated once and kept.
func (g *Graph) gradFor(v *Var) (grad *tensor.Tensor, accumulate bool) {
	if v.Grad != nil {
		return v.Grad, true
	}
	if v.node == nil { // a leaf: its gradient is allocated once and kept
		v.Grad = tensor.New(v.Shape()...)
		return v.Grad, true
	}
	v.Grad = g.Alloc(v.Shape()...)
	v.ownedGrad = true
	return v.Grad, false
}

// accumulateGrad adds d into v's gradient (d is not retained).
func (g *Graph) accumulateGrad(v *Var, d *tensor.Tensor) {
	grad, acc := g.gradFor(v)
	if !tensor.SameShape(grad, d) {
		d = d.Reshape(grad.Shape()...)
	}
	if acc {
		tensor.AddScaled(grad, 1, d)
	} else {
		grad.CopyFrom(d)
	}
}

// moveGrad hands out's gradient to v: v takes over the buffer when it has no gradient
// yet and is an intermediate of the graph (no copy), otherwise the gradient is added
// into v's. Used by operations whose input gradient equals their output gradient.
func (g *Graph) moveGrad(out, v *Var) {
	if v.Grad == nil && v.node != nil && out.ownedGrad {
		v.Grad = out.Grad.Reshape(v.Shape()...)
		v.ownedGrad = true
		out.Grad, out.ownedGrad = nil, false
		return
	}
	g.accumulateGrad(v, out.Grad)
}

// Backward computes the gradients of the scalar root with respect to every Var of the
// graph that requires one, seeding root's gradient with 1. Intermediate gradients are
// returned to the pool as soon as they have been propagated.
func (g *Graph) Backward(root *Var) {
	if root.Value.Len() != 1 {
		panic(fmt.Sprintf("autograd.Backward: root has shape %v, want a scalar", root.Value.Shape()))
	}
	g.BackwardWith(root, tensor.Full(1, root.Value.Shape()...))
}

// BackwardWith is Backward with an explicit gradient for root (of root's shape).
func (g *Graph) BackwardWith(root *Var, grad *tensor.Tensor) {
	if g.mode != Record {
		panic("autograd.Backward: the graph was made with NoGrad")
	}
	tensor.MustSameShape("Backward", root.Value, grad)
	if root.node == nil {
		return // nothing recorded: no input requires a gradient
	}
	// Operations were recorded in execution order, which is a topological order; walking
	// the tape backwards visits each node after every node that consumed its output.
	// Nodes not reachable from root have no output gradient and are skipped.
	seed, _ := g.gradFor(root)
	seed.CopyFrom(grad)
	rootIdx := -1
	for i := len(g.tape) - 1; i >= 0; i-- {
		if g.tape[i] == root.node {
			rootIdx = i
			break
		}
	}
	if rootIdx < 0 {
		panic("autograd.Backward: root does not belong to this graph's tape")
	}
	for i := rootIdx; i >= 0; i-- {
		n := g.tape[i]
		if n.out.Grad == nil {
			continue
		}
		if g.Profile != nil {
			t0 := time.Now()
			n.backward()
			g.Profile.Backward[n.op] += time.Since(t0)
		} else {
			n.backward()
		}
		if n.out.ownedGrad {
			// The gradient has been propagated; its buffer can serve the next ones.
			g.releaseGrad(n.out)
		}
	}
}

// releaseGrad returns an intermediate gradient's buffer to the pool now rather than at
// Release.
func (g *Graph) releaseGrad(v *Var) {
	b := v.Grad.Data()
	v.Grad = nil
	v.ownedGrad = false
	for i := len(g.owned) - 1; i >= 0; i-- {
		if len(g.owned[i]) > 0 && &g.owned[i][0] == &b[0] {
			g.owned[i] = g.owned[len(g.owned)-1]
			g.owned = g.owned[:len(g.owned)-1]
			g.pool.put(b)
			return
		}
	}
}
