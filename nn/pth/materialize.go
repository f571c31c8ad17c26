package pth

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// maxExpanded bounds the elements of a tensor whose view repeats storage elements
// (a stride-0 "expanded" tensor), so a hostile file cannot ask for a huge allocation
// backed by a few bytes.
const maxExpanded = 1 << 24

// storageBytes returns the raw little-endian bytes of a storage record (numel·size
// bytes of the root storage named by key).
type storageBytes func(st *pyStorage) ([]byte, error)

// materialize copies the elements of the strided view pt into a dense row-major Tensor.
func materialize(name string, pt *pyTensor, load storageBytes) (Tensor, error) {
	st := pt.storage
	t := Tensor{Name: name, DType: st.dtype}
	if len(pt.size) != len(pt.stride) {
		return t, fmt.Errorf("tensor %q: size %v and stride %v have different lengths", name, pt.size, pt.stride)
	}
	if pt.offset < 0 {
		return t, fmt.Errorf("tensor %q: negative storage offset %d", name, pt.offset)
	}
	// Element count and the last storage element the view touches, without overflow.
	const lim = min(1<<50, math.MaxInt) // sizes and strides beyond this are refused
	numel, last := int64(1), pt.offset
	t.Shape = make([]int, len(pt.size))
	for i, d := range pt.size {
		if d < 0 || d > lim || pt.stride[i] < 0 || pt.stride[i] > lim {
			return t, fmt.Errorf("tensor %q: bad size %v or stride %v", name, pt.size, pt.stride)
		}
		t.Shape[i] = int(d)
		if d == 0 {
			numel = 0
		} else if numel != 0 {
			if numel > lim/d {
				return t, fmt.Errorf("tensor %q: size %v has too many elements", name, pt.size)
			}
			numel *= d
		}
	}
	if numel > 0 {
		for i, d := range pt.size {
			if (d-1) > 0 && pt.stride[i] > (lim-last)/(d-1) {
				return t, fmt.Errorf("tensor %q: size %v with stride %v is out of range", name, pt.size, pt.stride)
			}
			last += (d - 1) * pt.stride[i]
		}
		if last >= st.numel {
			return t, fmt.Errorf("tensor %q: view (offset %d, size %v, stride %v) reaches element %d of a %d-element storage %q",
				name, pt.offset, pt.size, pt.stride, last, st.numel, st.key)
		}
		if numel > st.numel && numel > maxExpanded {
			return t, fmt.Errorf("tensor %q: %d elements expanded from a %d-element storage (limit %d)", name, numel, st.numel, maxExpanded)
		}
	}
	// Load (and so size-check) the storage before allocating anything for the view.
	var raw []byte
	if numel > 0 {
		var err error
		if raw, err = load(st); err != nil {
			return t, fmt.Errorf("tensor %q: %w", name, err)
		}
	}
	switch st.dtype {
	case Float32, Float16, BFloat16:
		t.F32 = make([]float32, numel)
	case Float64:
		t.F64 = make([]float64, numel)
	default:
		t.I64 = make([]int64, numel)
	}
	if numel == 0 {
		return t, nil
	}
	es := int64(st.dtype.Size())
	raw = raw[st.offset*es : (st.offset+st.numel)*es]
	if contiguous(pt.size, pt.stride) {
		decodeRange(&t, raw[pt.offset*es:(pt.offset+numel)*es])
		return t, nil
	}
	put := elementDecoder(&t, raw)
	// Walk the view in row-major order with an odometer over the dimensions.
	nd := len(pt.size)
	idx := make([]int64, nd)
	off := pt.offset
	for k := int64(0); k < numel; k++ {
		put(k, off)
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			off += pt.stride[d]
			if idx[d] < pt.size[d] {
				break
			}
			off -= idx[d] * pt.stride[d]
			idx[d] = 0
		}
	}
	return t, nil
}

// contiguous reports whether stride is the row-major stride of size (dimensions of
// size 1 may have any stride, as in torch).
func contiguous(size, stride []int64) bool {
	want := int64(1)
	for i := len(size) - 1; i >= 0; i-- {
		if size[i] != 1 && stride[i] != want {
			return false
		}
		want *= size[i]
	}
	return true
}

// decodeRange decodes the storage bytes raw, which hold exactly t's elements in order,
// into t's value slice.
func decodeRange(t *Tensor, raw []byte) {
	le := binary.LittleEndian
	switch t.DType {
	case Float32:
		for i := range t.F32 {
			t.F32[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
	case Float64:
		for i := range t.F64 {
			t.F64[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
	case Int64:
		for i := range t.I64 {
			t.I64[i] = int64(le.Uint64(raw[8*i:]))
		}
	default:
		put := elementDecoder(t, raw)
		for i := range int64(t.Numel()) {
			put(i, i)
		}
	}
}

// elementDecoder returns a function storing storage element off of raw as element k of
// t's value slice.
func elementDecoder(t *Tensor, raw []byte) func(k, off int64) {
	le := binary.LittleEndian
	switch t.DType {
	case Float32:
		return func(k, off int64) { t.F32[k] = math.Float32frombits(le.Uint32(raw[off*4:])) }
	case Float16:
		return func(k, off int64) { t.F32[k] = halfToFloat32(le.Uint16(raw[off*2:])) }
	case BFloat16:
		return func(k, off int64) { t.F32[k] = bfloat16ToFloat32(le.Uint16(raw[off*2:])) }
	case Float64:
		return func(k, off int64) { t.F64[k] = math.Float64frombits(le.Uint64(raw[off*8:])) }
	case Int64:
		return func(k, off int64) { t.I64[k] = int64(le.Uint64(raw[off*8:])) }
	case Int32:
		return func(k, off int64) { t.I64[k] = int64(int32(le.Uint32(raw[off*4:]))) }
	case Int16:
		return func(k, off int64) { t.I64[k] = int64(int16(le.Uint16(raw[off*2:]))) }
	case Int8:
		return func(k, off int64) { t.I64[k] = int64(int8(raw[off])) }
	case Uint8:
		return func(k, off int64) { t.I64[k] = int64(raw[off]) }
	default: // Bool
		return func(k, off int64) {
			if raw[off] != 0 {
				t.I64[k] = 1
			} else {
				t.I64[k] = 0
			}
		}
	}
}

// maxDepth bounds the nesting of dicts and lists walked by flatten (a pickle can even
// make a list contain itself).
const maxDepth = 64

// maxVisits bounds the values flatten walks (tuples shared through the memo could
// otherwise make the walk exponential).
const maxVisits = 1 << 22

// flatten turns the unpickled top-level dict into entries (tensors, with dotted names
// for nested containers) and Other (non-tensor leaves).
func flatten(top any, load storageBytes) ([]Tensor, map[string]any, error) {
	d, ok := top.(*pyDict)
	if !ok {
		return nil, nil, fmt.Errorf("the pickled object is a %s, not a state dict", typeName(top))
	}
	var out []Tensor
	other := map[string]any{}
	// A container reached twice (a list holding itself, or one dict shared by many
	// parents) is refused: a state dict never does that, and walking it could loop or
	// take exponential time.
	seen := map[any]bool{}
	visits := 0
	var walk func(name string, v any, depth int) error
	walk = func(name string, v any, depth int) error {
		if visits++; visits > maxVisits {
			return fmt.Errorf("the pickle holds more than %d values", maxVisits)
		}
		if depth > maxDepth {
			return fmt.Errorf("%q: containers nested deeper than %d", name, maxDepth)
		}
		switch v.(type) {
		case *pyDict, *pyList:
			if seen[v] {
				return fmt.Errorf("%q: the same container appears twice in the pickle", name)
			}
			seen[v] = true
		}
		join := func(k string) string {
			if name == "" {
				return k
			}
			return name + "." + k
		}
		switch v := v.(type) {
		case *pyTensor:
			t, err := materialize(name, v, load)
			if err != nil {
				return err
			}
			out = append(out, t)
		case *pyDict:
			for i, k := range v.keys {
				if err := walk(join(k), v.vals[i], depth+1); err != nil {
					return err
				}
			}
		case *pyList:
			for i, x := range v.items {
				if err := walk(join(strconv.Itoa(i)), x, depth+1); err != nil {
					return err
				}
			}
		case pyTuple:
			for i, x := range v {
				if err := walk(join(strconv.Itoa(i)), x, depth+1); err != nil {
					return err
				}
			}
		case int64, float64, string, bool:
			other[name] = v
		case pyNone:
			other[name] = nil
		default:
			return fmt.Errorf("%q: a %s is not supported in a state dict", name, typeName(v))
		}
		return nil
	}
	if err := walk("", d, 0); err != nil {
		return nil, nil, err
	}
	if len(other) == 0 {
		other = nil
	}
	return out, other, nil
}

// moduleVersions reads the _metadata attribute a BUILD gave the state dict.
func moduleVersions(top any) ([]ModuleVersion, error) {
	d, _ := top.(*pyDict)
	if d == nil || d.attrs == nil {
		return nil, nil
	}
	mv, ok := d.attrs.get("_metadata")
	if !ok {
		return nil, nil
	}
	md, ok := mv.(*pyDict)
	if !ok {
		return nil, fmt.Errorf("_metadata is a %s, not a dict", typeName(mv))
	}
	out := []ModuleVersion{}
	for i, prefix := range md.keys {
		m, ok := md.vals[i].(*pyDict)
		if !ok {
			return nil, fmt.Errorf("_metadata[%q] is a %s, not a dict", prefix, typeName(md.vals[i]))
		}
		if v, ok := m.get("version"); ok {
			n, ok := v.(int64)
			if !ok {
				return nil, fmt.Errorf("_metadata[%q]['version'] is a %s, not an int", prefix, typeName(v))
			}
			out = append(out, ModuleVersion{Prefix: prefix, Version: n})
		}
	}
	return out, nil
}
