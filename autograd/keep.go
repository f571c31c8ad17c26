package autograd

import (
	"unsafe"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// What a recording graph keeps of a consumed intermediate (Graph.Free in Record mode).
//
// A training step keeps every intermediate value until the backward is done, but many
// are kept only for a GEMM operand or a ReLU mask, or not read by any backward at all.
// Each operation lists, per Var it touches, how its backward reads the value:
//
//   - keeps: through Graph.value (the weight gradient's im2col input of a convolution,
//     the output of a fused batch norm + ReLU, read as its mask);
//   - drops: not at all (max pooling keeps its winners' indices, a residual passes its
//     gradient through, a batch norm without ReLU reads its input, not its output).
//
// When every operation that touches a consumed value lists it, Free releases its float32
// buffer: a value no backward reads is forgotten, and in BF16 precision a value read
// only through Graph.value is stored as bfloat16 (gemm.ToBF16, half the memory) and
// widened back (gemm.FromBF16) when a backward asks for it. The bf16 weight-gradient
// GEMMs round their operands to the same bfloat16 values while packing (rounding is
// idempotent), so the im2col weight gradients are bit-identical to those computed from
// the float32 value; Winograd F(2×2)'s weight gradient transforms the widened value and
// rounds again, within its tested bound. ReLU masks are unchanged except for positive
// float32 denormals (below 1.2e-38), which bf16 flushes to zero as the GEMMs do.

// storage is the bfloat16 copy of a Var whose float32 value was released.
type storage struct {
	bits  []uint16  // the values, gemm.ToBF16
	buf   []float32 // the pool buffer bits lives in
	shape []int
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

// release is Free in a recording graph: v's float32 buffer goes back to the pool when
// every recorded operation touching v lists how it reads v, and v is then stored as
// bfloat16 (BF16 precision, some backward reads it) or forgotten (none does).
func (g *Graph) release(v *Var) {
	if g.KeepFloat32 {
		return
	}
	needed := false
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
	}
	if needed && functional.CurrentPrecision() != functional.BF16 {
		return
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
		gemm.ToBF16(bits, v.Value.Data())
		v.kept = &storage{bits: bits, buf: buf, shape: v.Value.Shape()}
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
// false (the caller reads only the shape) the buffer's contents are unspecified.
func (g *Graph) value(v *Var, need bool) (t *tensor.Tensor, done func()) {
	if v.kept == nil {
		return v.Value, func() {}
	}
	n := len(v.kept.bits)
	b := g.pool.get(n)[:n]
	if need {
		gemm.FromBF16(b, v.kept.bits)
	}
	return tensor.FromData(b, v.kept.shape...), func() { g.pool.put(b) }
}
