package autograd

import (
	"unsafe"

	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// What a recording graph keeps of a consumed intermediate (Graph.Free in Record mode).
//
// A training step keeps every intermediate value until the backward is done, but its
// backwards read most of them only as a GEMM operand, a ReLU mask or a batch norm's
// x − mean, and some not at all. Each operation lists, per Var it touches, how its
// backward reads the value:
//
//   - keeps: through Graph.value or the stored bf16 copy (a convolution's input, for
//     the weight gradient; a fused batch norm + ReLU's output, its mask; a batch norm's
//     input, centred by the channel's mean: node.centred);
//   - drops: not at all (a convolution's output, max pooling's input and output — it
//     keeps its winners' indices — a residual, which passes its gradient through, a
//     batch norm's output without ReLU).
//
// When every operation that touches a consumed value lists it, Free releases its float32
// buffer: a value no backward reads is forgotten, and in BF16 precision a kept value is
// stored as bfloat16 (functional.StoreBF16, or functional.StoreCentredBF16; half the
// memory; both gemm.ToBF16's rounding on every thread, since nothing else runs between
// operations) and widened back when a backward asks for it (functional.WidenBF16,
// gemm.FromBF16 on every thread; the batch norms widen
// channel by channel, functional.BNStored). The bf16 weight-gradient GEMMs round their
// operands to the same bfloat16 values while packing (rounding is idempotent), so the
// im2col weight gradients are bit-identical to those computed from the float32 value;
// Winograd F(2×2)'s weight gradient transforms the widened value and rounds again,
// and the batch norms see x − mean to bf16's relative precision (2⁻⁹), both within
// the tested bounds (nn's TestBF16KeepsActivationsAsBF16). ReLU masks are unchanged
// except for positive float32 denormals (below 1.2e-38), which bf16 flushes to zero
// as the GEMMs do. The forward is unchanged: values are stored only once consumed.

// storage is the bfloat16 copy of a Var whose float32 value was released.
type storage struct {
	bits   []uint16  // the values, functional.StoreBF16, minus centre's per channel when set
	centre []float32 // per channel of dimension 0, or nil
	buf    []float32 // the pool buffer bits lives in
	shape  []int
}

// reads reports whether n lists v in its keeps or drops, and whether in its keeps.
func (n *node) reads(v *Var) (listed, needsValue bool) {
	for _, k := range n.keeps {
		if k == v {
			return true, true
		}
	}
	for _, d := range n.drops {
		if d == v {
			return true, false
		}
	}
	return false, false
}

// keeping records on out's node (when one was recorded) the Vars its backward reads
// through Graph.value (keeps) and those it does not read (drops), nil ones skipped.
func (out *Var) keeping(keeps, drops []*Var) *Var {
	if n := out.node; n != nil {
		for _, v := range keeps {
			if v != nil {
				n.keeps = append(n.keeps, v)
			}
		}
		for _, v := range drops {
			if v != nil {
				n.drops = append(n.drops, v)
			}
		}
	}
	return out
}

// keepingSelf records on out's node (when one was recorded) that its backward reads
// out's own value through Graph.value (keep) or not at all.
func (out *Var) keepingSelf(keep bool) *Var {
	if keep {
		return out.keeping([]*Var{out}, nil)
	}
	return out.keeping(nil, []*Var{out})
}

// centring records on out's node (when one was recorded) that its backward reads x
// centred by centre per channel (see node.centred).
func (out *Var) centring(x *Var, centre []float32) *Var {
	if n := out.node; n != nil {
		n.centred, n.centre = x, centre
	}
	return out
}

// release is Free in a recording graph: v's float32 buffer goes back to the pool when
// every recorded operation touching v lists how it reads v, and v is then stored as
// bfloat16 (BF16 precision, some backward reads it) or forgotten (none does).
func (g *Graph) release(v *Var) {
	if g.KeepFloat32 {
		return
	}
	needed, keepers := false, 0
	var centre []float32
	for _, n := range g.tape {
		touches := n.out == v
		for _, in := range n.inputs {
			touches = touches || in == v
		}
		if !touches {
			continue
		}
		listed, need := n.reads(v)
		if !listed {
			return
		}
		needed = needed || need
		if need {
			keepers++
		}
		if n.centred == v && centre == nil {
			centre = n.centre
		}
	}
	if needed && functional.CurrentPrecision() != functional.BF16 {
		return
	}
	if centre != nil && keepers > 1 {
		return // a batch norm's centred copy would not serve its other readers
	}
	i := g.ownedIndex(v.Value.Data())
	if i < 0 {
		return
	}
	b := g.owned[i]
	if needed {
		n := v.Value.Len()
		buf := g.pool.get((n + 1) / 2)
		bits := unsafe.Slice((*uint16)(unsafe.Pointer(&buf[0])), n)
		if centre != nil {
			functional.StoreCentredBF16(bits, v.Value.Data(), centre)
		} else {
			functional.StoreBF16(bits, v.Value.Data())
		}
		v.kept = &storage{bits: bits, centre: centre, buf: buf, shape: v.Value.Shape()}
		g.owned[i] = buf
	} else {
		v.dropped = v.Value.Shape()
		g.owned[i] = g.owned[len(g.owned)-1]
		g.owned = g.owned[:len(g.owned)-1]
	}
	g.pool.put(b)
	v.Value = nil
}

// ownedIndex returns the index in g.owned of the buffer whose first element is b's, or -1.
func (g *Graph) ownedIndex(b []float32) int {
	for i := len(g.owned) - 1; i >= 0; i-- {
		if len(g.owned[i]) > 0 && &g.owned[i][0] == &b[0] {
			return i
		}
	}
	return -1
}

// value returns v's value for a backward that listed v in its node's keeps: v.Value,
// or its bfloat16 copy widened into a pool buffer that done gives back. When need is
// false (the caller reads only the shape) the buffer's contents are unspecified. A
// centred copy is for its batch norm's backward only (functional.BNStored).
func (g *Graph) value(v *Var, need bool) (t *tensor.Tensor, done func()) {
	if v.kept != nil && v.kept.centre != nil {
		panic("autograd: a centred bf16 value read as a plain one")
	}
	if v.kept == nil {
		return v.Value, func() {}
	}
	n := len(v.kept.bits)
	b := g.pool.get(n)[:n]
	if need {
		functional.WidenBF16(b, v.kept.bits)
	}
	return tensor.FromData(b, v.kept.shape...), func() { g.pool.put(b) }
}
