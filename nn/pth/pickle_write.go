package pth

import (
	"bytes"
	"encoding/binary"
)

// pickler emits protocol-2 pickles using only the opcodes torch 1.13's weights_only
// unpickler accepts (no SHORT_BINUNICODE, no BINFLOAT, no MEMOIZE). Repeated globals
// and strings are memoised with BINPUT and fetched with BINGET, as Python does.
type pickler struct {
	buf  bytes.Buffer
	memo map[string]uint32
}

func newPickler() *pickler {
	p := &pickler{memo: map[string]uint32{}}
	p.buf.Write([]byte{0x80, 2}) // PROTO 2
	return p
}

func (p *pickler) op(b ...byte) { p.buf.Write(b) }

// remembered emits BINGET for a memoised key and reports whether it did.
func (p *pickler) remembered(key string) bool {
	i, ok := p.memo[key]
	if !ok {
		return false
	}
	if i < 256 {
		p.op('h', byte(i)) // BINGET
	} else {
		p.op('j') // LONG_BINGET
		p.buf.Write(binary.LittleEndian.AppendUint32(nil, i))
	}
	return true
}

// remember stores the top of the stack under key (BINPUT / LONG_BINPUT).
func (p *pickler) remember(key string) {
	i := uint32(len(p.memo))
	p.memo[key] = i
	if i < 256 {
		p.op('q', byte(i))
	} else {
		p.op('r')
		p.buf.Write(binary.LittleEndian.AppendUint32(nil, i))
	}
}

// global pushes module.name (GLOBAL, memoised).
func (p *pickler) global(module, name string) {
	key := "g:" + module + "." + name
	if p.remembered(key) {
		return
	}
	p.op('c')
	p.buf.WriteString(module + "\n" + name + "\n")
	p.remember(key)
}

// str pushes a str (BINUNICODE); memo says whether to memoise it (for strings that
// repeat, such as 'storage' and 'cpu').
func (p *pickler) str(s string, memo bool) {
	key := "s:" + s
	if memo && p.remembered(key) {
		return
	}
	p.op('X')
	p.buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(s))))
	p.buf.WriteString(s)
	if memo {
		p.remember(key)
	}
}

// int pushes an int with the shortest opcode.
func (p *pickler) int(v int64) {
	switch {
	case v >= 0 && v < 1<<8:
		p.op('K', byte(v))
	case v >= 0 && v < 1<<16:
		p.op('M', byte(v), byte(v>>8))
	case v >= -1<<31 && v < 1<<31:
		p.op('J')
		p.buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(int32(v))))
	default:
		p.op(0x8a, 8) // LONG1, 8 bytes two's complement
		p.buf.Write(binary.LittleEndian.AppendUint64(nil, uint64(v)))
	}
}

// intTuple pushes a tuple of ints.
func (p *pickler) intTuple(vs []int64) {
	if len(vs) == 0 {
		p.op(')')
		return
	}
	p.op('(')
	for _, v := range vs {
		p.int(v)
	}
	p.op('t')
}

// orderedDict pushes a new collections.OrderedDict().
func (p *pickler) orderedDict() {
	p.global("collections", "OrderedDict")
	p.op(')', 'R') // EMPTY_TUPLE, REDUCE
}

// tensor pushes _rebuild_tensor_v2 of a contiguous tensor over the whole storage key.
func (p *pickler) tensor(t *Tensor, key string) {
	p.global("torch._utils", "_rebuild_tensor_v2")
	p.op('(')
	// Persistent id ('storage', torch.XStorage, key, 'cpu', numel).
	p.op('(')
	p.str("storage", true)
	p.global("torch", t.DType.storageName())
	p.str(key, false)
	p.str("cpu", true)
	p.int(int64(t.Numel()))
	p.op('t', 'Q') // TUPLE, BINPERSID
	p.int(0)       // storage offset
	size := make([]int64, len(t.Shape))
	stride := make([]int64, len(t.Shape))
	s := int64(1)
	for i := len(t.Shape) - 1; i >= 0; i-- {
		size[i], stride[i] = int64(t.Shape[i]), s
		s *= int64(max(t.Shape[i], 1))
	}
	p.intTuple(size)
	p.intTuple(stride)
	p.op(0x89) // requires_grad False
	p.orderedDict()
	p.op('t', 'R') // args tuple, REDUCE
}

// statePickle returns the pickle of OrderedDict(name → tensor) with storage keys
// keys[i], followed by a BUILD of _metadata when versions is not nil.
func statePickle(ts []Tensor, keys []string, versions []ModuleVersion) []byte {
	p := newPickler()
	p.orderedDict()
	for lo := 0; lo < len(ts); lo += 1000 { // batches of 1000 items, like Python
		hi := min(lo+1000, len(ts))
		p.op('(')
		for i := lo; i < hi; i++ {
			p.str(ts[i].Name, false)
			p.tensor(&ts[i], keys[i])
		}
		p.op('u') // SETITEMS
	}
	if versions != nil {
		p.op('}') // the instance dict {'_metadata': OrderedDict(prefix → {'version': v})}
		p.str("_metadata", false)
		p.orderedDict()
		for _, v := range versions {
			p.str(v.Prefix, false)
			p.op('}')
			p.str("version", true)
			p.int(v.Version)
			p.op('s', 's') // SETITEM into {'version'}, SETITEM into _metadata
		}
		p.op('s', 'b') // SETITEM _metadata, BUILD
	}
	p.op('.')
	return p.buf.Bytes()
}
