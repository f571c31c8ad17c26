// Package pth reads and writes PyTorch ".pth" state dicts, the files that
// torch.save(model.state_dict(), path) writes, without Python and without executing
// any pickle code.
//
// Reading accepts the zip format of torch ≥ 1.6 (a stored zip with one top folder
// holding data.pkl, data/<key> storages and version) and the legacy pre-zip format of
// older files such as torchvision's resnet34-333f7ec4.pth. The pickle in them is run by
// a small virtual machine of this package that knows only the opcodes a state dict
// needs and only an allow-list of globals (collections.OrderedDict, the torch storage
// classes and torch._utils' tensor-rebuild functions); anything else is refused with an
// error naming the opcode or the global, its byte position and the file. Tensor views
// are honoured: storage offset, size and stride (non-contiguous views are gathered),
// and tensors that share one storage each get their own copy of their elements.
//
// Writing produces a zip that torch.load(path, weights_only=True) accepts (checked with
// torch 1.13): an OrderedDict of tensors in the order given, one contiguous storage per
// tensor, records aligned to 64 bytes like torch's own writer. Save writes atomically (a
// temporary file in the same folder, then a rename), so a crash never leaves half a
// checkpoint behind.
//
// Besides the tensors, a file can carry data that torch ignores: Meta (strings, stored
// as <archive>/fastgo/meta.json) and Extra (named groups of tensors, e.g. optimizer
// state, each stored as its own pickle <archive>/fastgo/<group>.pkl beside data.pkl), so
// a fastgo checkpoint stays a plain state dict for PyTorch users.
package pth

import (
	"fmt"
	"math"
)

// Tensor is one named entry of a state dict: a dense, row-major copy of the tensor's
// elements. Exactly one of F32, F64, I64 holds the values, chosen by DType:
// Float32/Float16/BFloat16 → F32 (16-bit values are widened exactly and rounded back to
// nearest-even on write), Float64 → F64, integer and Bool dtypes → I64.
type Tensor struct {
	Name  string
	Shape []int // empty for a 0-dim scalar such as num_batches_tracked
	DType DType
	F32   []float32
	F64   []float64
	I64   []int64
}

// ModuleVersion is one item of a state dict's _metadata attribute: the module prefix
// ("" for the root, "0.1" for a child) and its _version, which torch's
// load_state_dict passes to the module (BatchNorm uses it for num_batches_tracked).
type ModuleVersion struct {
	Prefix  string
	Version int64
}

// StateDict is an ordered PyTorch state dict plus the fastgo extras that ride in the
// same file.
type StateDict struct {
	// Entries are the tensors of the pickled dict, in file order. A nested dict or
	// list (as in fastai's {'model': ..., 'opt': ...} files) is flattened with dotted
	// names: "model.0.0.weight".
	Entries []Tensor
	// Versions is the _metadata attribute of the dict (nil when the file has none).
	Versions []ModuleVersion
	// Meta holds string metadata (hyper-parameters, epoch, RNG state, ...) stored as
	// <archive>/fastgo/meta.json; torch.load ignores it.
	Meta map[string]string
	// Extra holds named groups of tensors stored as separate pickles
	// <archive>/fastgo/<group>.pkl; torch.load ignores them. Group names are made of
	// letters, digits, '_', '-' and '.'.
	Extra map[string][]Tensor
	// Other holds the non-tensor values found in the pickled dict (int64, float64,
	// string, bool or nil), keyed by dotted name. It is informational: Write does not
	// store it (torch 1.13's weights_only loader refuses pickled floats); use Meta.
	Other map[string]any
}

// NewF32 returns a Float32 tensor entry holding data (not copied).
func NewF32(name string, shape []int, data []float32) Tensor {
	return Tensor{Name: name, Shape: append([]int{}, shape...), DType: Float32, F32: data}
}

// NewI64 returns an Int64 tensor entry holding data (not copied); shape nil with one
// value makes a 0-dim scalar such as num_batches_tracked.
func NewI64(name string, shape []int, data []int64) Tensor {
	return Tensor{Name: name, Shape: append([]int{}, shape...), DType: Int64, I64: data}
}

// Numel returns the number of elements of t's shape (1 for a 0-dim scalar), or -1 if a
// dimension is negative or the product overflows.
func (t *Tensor) Numel() int {
	n := 1
	for _, d := range t.Shape {
		if d < 0 || (d > 0 && n > math.MaxInt/d) {
			return -1
		}
		n *= d
	}
	return n
}

// Validate checks that t's DType is known, its shape is non-negative and that the value
// slice for its DType has exactly Numel elements while the other two are empty.
func (t *Tensor) Validate() error {
	if !t.DType.valid() {
		return fmt.Errorf("tensor %q: invalid dtype %v", t.Name, t.DType)
	}
	n := t.Numel()
	if n < 0 {
		return fmt.Errorf("tensor %q: bad shape %v", t.Name, t.Shape)
	}
	var f32, f64, i64 int
	switch t.DType {
	case Float32, Float16, BFloat16:
		f32 = n
	case Float64:
		f64 = n
	default:
		i64 = n
	}
	if len(t.F32) != f32 || len(t.F64) != f64 || len(t.I64) != i64 {
		return fmt.Errorf("tensor %q: dtype %v shape %v needs %d values in %s, has F32 %d, F64 %d, I64 %d",
			t.Name, t.DType, t.Shape, n, valueField(t.DType), len(t.F32), len(t.F64), len(t.I64))
	}
	return nil
}

// valueField names the Tensor field holding values of dtype d.
func valueField(d DType) string {
	switch d {
	case Float32, Float16, BFloat16:
		return "F32"
	case Float64:
		return "F64"
	}
	return "I64"
}

// Float32s returns t's values as float32: F32 itself (not copied) for the 32- and 16-bit
// float dtypes, a converted copy otherwise (float64 rounded, integers converted).
func (t *Tensor) Float32s() []float32 {
	switch {
	case t.DType == Float32 || t.DType == Float16 || t.DType == BFloat16:
		return t.F32
	case t.DType == Float64:
		out := make([]float32, len(t.F64))
		for i, v := range t.F64 {
			out[i] = float32(v)
		}
		return out
	}
	out := make([]float32, len(t.I64))
	for i, v := range t.I64 {
		out[i] = float32(v)
	}
	return out
}

// Get returns the entry called name, or nil.
func (sd *StateDict) Get(name string) *Tensor {
	for i := range sd.Entries {
		if sd.Entries[i].Name == name {
			return &sd.Entries[i]
		}
	}
	return nil
}

// Names returns the entry names in order.
func (sd *StateDict) Names() []string {
	out := make([]string, len(sd.Entries))
	for i, e := range sd.Entries {
		out[i] = e.Name
	}
	return out
}

// Add appends entries (keeping their order).
func (sd *StateDict) Add(ts ...Tensor) { sd.Entries = append(sd.Entries, ts...) }
