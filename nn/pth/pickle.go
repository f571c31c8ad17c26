package pth

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
)

// source is the byte stream a pickle is read from: a buffered reader that knows how
// many bytes are left, so a length field can never make the VM allocate more than the
// input holds. Reading stops exactly at STOP, so the legacy format can go on reading
// raw storages from the same source.
type source struct {
	r    *bufio.Reader
	pos  int64 // bytes consumed so far
	left int64 // bytes remaining
}

func newSource(r io.Reader, size int64) *source {
	return &source{r: bufio.NewReaderSize(r, 64<<10), left: size}
}

var errTruncated = errors.New("unexpected end of data")

func (s *source) byte() (byte, error) {
	if s.left <= 0 {
		return 0, errTruncated
	}
	b, err := s.r.ReadByte()
	if err != nil {
		return 0, errTruncated
	}
	s.pos++
	s.left--
	return b, nil
}

// bytes reads exactly n bytes.
func (s *source) bytes(n int64) ([]byte, error) {
	if n < 0 || n > s.left {
		return nil, errTruncated
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(s.r, b); err != nil {
		return nil, errTruncated
	}
	s.pos += n
	s.left -= n
	return b, nil
}

// uint reads an n-byte little-endian unsigned integer (n ≤ 8).
func (s *source) uint(n int) (uint64, error) {
	b, err := s.bytes(int64(n))
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

// line reads up to and excluding the next '\n' (for GLOBAL's text arguments).
func (s *source) line() (string, error) {
	var out []byte
	for {
		b, err := s.byte()
		if err != nil {
			return "", err
		}
		if b == '\n' {
			return string(out), nil
		}
		if len(out) >= 256 {
			return "", errors.New("GLOBAL name longer than 256 bytes")
		}
		out = append(out, b)
	}
}

// unpickler is the VM. persistent resolves BINPERSID ids (torch storages).
type unpickler struct {
	src        *source
	stack      []any
	marks      []int
	memo       map[uint64]any
	persistent func(pid any) (any, error)
}

// opNames names the opcodes of pickle protocols 0–5 for error messages.
var opNames = map[byte]string{
	'(': "MARK", '.': "STOP", '0': "POP", '1': "POP_MARK", '2': "DUP", 'F': "FLOAT",
	'I': "INT", 'J': "BININT", 'K': "BININT1", 'L': "LONG", 'M': "BININT2", 'N': "NONE",
	'P': "PERSID", 'Q': "BINPERSID", 'R': "REDUCE", 'S': "STRING", 'T': "BINSTRING",
	'U': "SHORT_BINSTRING", 'V': "UNICODE", 'X': "BINUNICODE", 'a': "APPEND", 'b': "BUILD",
	'c': "GLOBAL", 'd': "DICT", '}': "EMPTY_DICT", 'e': "APPENDS", 'g': "GET", 'h': "BINGET",
	'i': "INST", 'j': "LONG_BINGET", 'l': "LIST", ']': "EMPTY_LIST", 'o': "OBJ", 'p': "PUT",
	'q': "BINPUT", 'r': "LONG_BINPUT", 's': "SETITEM", 't': "TUPLE", ')': "EMPTY_TUPLE",
	'u': "SETITEMS", 'G': "BINFLOAT", 0x80: "PROTO", 0x81: "NEWOBJ", 0x82: "EXT1",
	0x83: "EXT2", 0x84: "EXT4", 0x85: "TUPLE1", 0x86: "TUPLE2", 0x87: "TUPLE3",
	0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x8a: "LONG1", 0x8b: "LONG4", 'B': "BINBYTES",
	'C': "SHORT_BINBYTES", 0x8c: "SHORT_BINUNICODE", 0x8d: "BINUNICODE8", 0x8e: "BINBYTES8",
	0x8f: "EMPTY_SET", 0x90: "ADDITEMS", 0x91: "FROZENSET", 0x92: "NEWOBJ_EX",
	0x93: "STACK_GLOBAL", 0x94: "MEMOIZE", 0x95: "FRAME", 0x96: "BYTEARRAY8",
	0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
}

func opName(op byte) string {
	if n, ok := opNames[op]; ok {
		return fmt.Sprintf("%s (0x%02x)", n, op)
	}
	return fmt.Sprintf("unknown opcode 0x%02x", op)
}

// unpickle runs one pickle from src to its STOP and returns the object it built. Errors
// name the byte offset of the failing opcode within the pickle.
func unpickle(src *source, persistent func(pid any) (any, error)) (any, error) {
	u := &unpickler{src: src, memo: map[uint64]any{}, persistent: persistent}
	start := src.pos
	for {
		at := src.pos - start
		op, err := src.byte()
		if err != nil {
			return nil, fmt.Errorf("byte %d: %w (no STOP opcode)", at, err)
		}
		done, err := u.step(op)
		if err != nil {
			return nil, fmt.Errorf("byte %d, opcode %s: %w", at, opName(op), err)
		}
		if done {
			if len(u.stack) != 1 || len(u.marks) != 0 {
				return nil, fmt.Errorf("byte %d: STOP with %d values and %d marks on the stack (want 1 and 0)", at, len(u.stack), len(u.marks))
			}
			return u.stack[0], nil
		}
	}
}

func (u *unpickler) push(v any) { u.stack = append(u.stack, v) }

func (u *unpickler) pop() (any, error) {
	if len(u.stack) == 0 || (len(u.marks) > 0 && len(u.stack) <= u.marks[len(u.marks)-1]) {
		return nil, errors.New("stack underflow")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) == 0 || (len(u.marks) > 0 && len(u.stack) <= u.marks[len(u.marks)-1]) {
		return nil, errors.New("stack underflow")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark removes and returns the values pushed since the last MARK.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, errors.New("no MARK on the stack")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

// popN removes and returns the top n values.
func (u *unpickler) popN(n int) ([]any, error) {
	floor := 0
	if len(u.marks) > 0 {
		floor = u.marks[len(u.marks)-1]
	}
	if len(u.stack)-n < floor {
		return nil, errors.New("stack underflow")
	}
	items := append([]any(nil), u.stack[len(u.stack)-n:]...)
	u.stack = u.stack[:len(u.stack)-n]
	return items, nil
}

// step executes one opcode; done reports STOP.
func (u *unpickler) step(op byte) (done bool, err error) {
	s := u.src
	switch op {
	case 0x80: // PROTO
		v, err := s.byte()
		if err != nil {
			return false, err
		}
		if v > 5 {
			return false, fmt.Errorf("pickle protocol %d is not supported (max 5)", v)
		}
	case 0x95: // FRAME: an 8-byte length hint, nothing to do
		if _, err := s.uint(8); err != nil {
			return false, err
		}
	case '.':
		return true, nil
	case '(':
		u.marks = append(u.marks, len(u.stack))
	case '0':
		_, err = u.pop()
	case '1':
		_, err = u.popMark()
	case '2':
		var v any
		if v, err = u.top(); err == nil {
			u.push(v)
		}
	case ')':
		u.push(pyTuple{})
	case 't':
		var items []any
		if items, err = u.popMark(); err == nil {
			u.push(pyTuple(items))
		}
	case 0x85, 0x86, 0x87: // TUPLE1..3
		var items []any
		if items, err = u.popN(int(op-0x85) + 1); err == nil {
			u.push(pyTuple(items))
		}
	case ']':
		u.push(&pyList{})
	case 'l':
		var items []any
		if items, err = u.popMark(); err == nil {
			u.push(&pyList{items: items})
		}
	case 'a', 'e': // APPEND, APPENDS
		var items []any
		if op == 'a' {
			items, err = u.popN(1)
		} else {
			items, err = u.popMark()
		}
		if err != nil {
			return false, err
		}
		t, err := u.top()
		if err != nil {
			return false, err
		}
		l, ok := t.(*pyList)
		if !ok {
			return false, fmt.Errorf("append to a %s", typeName(t))
		}
		l.items = append(l.items, items...)
	case '}':
		u.push(newDict())
	case 'd', 's', 'u': // DICT, SETITEM, SETITEMS
		var items []any
		if op == 's' {
			items, err = u.popN(2)
		} else {
			items, err = u.popMark()
		}
		if err != nil {
			return false, err
		}
		if len(items)%2 != 0 {
			return false, fmt.Errorf("odd number of items (%d) for a dict", len(items))
		}
		var d *pyDict
		if op == 'd' {
			d = newDict()
			u.push(d)
		} else {
			t, err := u.top()
			if err != nil {
				return false, err
			}
			var ok bool
			if d, ok = t.(*pyDict); !ok {
				return false, fmt.Errorf("set item of a %s", typeName(t))
			}
		}
		for i := 0; i < len(items); i += 2 {
			if err := d.set(items[i], items[i+1]); err != nil {
				return false, err
			}
		}
	case 'J':
		var v uint64
		if v, err = s.uint(4); err == nil {
			u.push(int64(int32(uint32(v))))
		}
	case 'K':
		var v uint64
		if v, err = s.uint(1); err == nil {
			u.push(int64(v))
		}
	case 'M':
		var v uint64
		if v, err = s.uint(2); err == nil {
			u.push(int64(v))
		}
	case 0x8a, 0x8b: // LONG1, LONG4
		var n uint64
		if op == 0x8a {
			n, err = s.uint(1)
		} else {
			n, err = s.uint(4)
		}
		if err != nil {
			return false, err
		}
		b, err := s.bytes(int64(n))
		if err != nil {
			return false, err
		}
		u.push(decodeLong(b))
	case 'G': // BINFLOAT, big-endian float64
		b, err := s.bytes(8)
		if err != nil {
			return false, err
		}
		u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case 'N':
		u.push(pyNone{})
	case 0x88:
		u.push(true)
	case 0x89:
		u.push(false)
	case 'X', 0x8c, 0x8d, 'T', 'U': // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINSTRING, SHORT_BINSTRING
		b, err := u.counted(op)
		if err != nil {
			return false, err
		}
		u.push(string(b))
	case 'B', 'C', 0x8e: // BINBYTES, SHORT_BINBYTES, BINBYTES8
		b, err := u.counted(op)
		if err != nil {
			return false, err
		}
		u.push(pyBytes(b))
	case 'q', 'r': // BINPUT, LONG_BINPUT
		n := 1
		if op == 'r' {
			n = 4
		}
		i, err := s.uint(n)
		if err != nil {
			return false, err
		}
		v, err := u.top()
		if err != nil {
			return false, err
		}
		u.memo[i] = v
	case 0x94: // MEMOIZE
		v, err := u.top()
		if err != nil {
			return false, err
		}
		u.memo[uint64(len(u.memo))] = v
	case 'h', 'j': // BINGET, LONG_BINGET
		n := 1
		if op == 'j' {
			n = 4
		}
		i, err := s.uint(n)
		if err != nil {
			return false, err
		}
		v, ok := u.memo[i]
		if !ok {
			return false, fmt.Errorf("memo key %d was never stored", i)
		}
		u.push(v)
	case 'c': // GLOBAL "module\nname\n"
		mod, err := s.line()
		if err != nil {
			return false, err
		}
		name, err := s.line()
		if err != nil {
			return false, err
		}
		g, err := global(mod, name)
		if err != nil {
			return false, err
		}
		u.push(g)
	case 0x93: // STACK_GLOBAL
		items, err := u.popN(2)
		if err != nil {
			return false, err
		}
		mod, ok1 := items[0].(string)
		name, ok2 := items[1].(string)
		if !ok1 || !ok2 {
			return false, fmt.Errorf("module and name are %s and %s, not str", typeName(items[0]), typeName(items[1]))
		}
		g, err := global(mod, name)
		if err != nil {
			return false, err
		}
		u.push(g)
	case 'R': // REDUCE
		items, err := u.popN(2)
		if err != nil {
			return false, err
		}
		args, ok := items[1].(pyTuple)
		if !ok {
			return false, fmt.Errorf("arguments are a %s, not a tuple", typeName(items[1]))
		}
		v, err := call(items[0], args)
		if err != nil {
			return false, err
		}
		u.push(v)
	case 'b': // BUILD
		state, err := u.pop()
		if err != nil {
			return false, err
		}
		inst, err := u.top()
		if err != nil {
			return false, err
		}
		d, ok1 := inst.(*pyDict)
		attrs, ok2 := state.(*pyDict)
		if !ok1 || !ok2 {
			return false, fmt.Errorf("BUILD of a %s with a %s state: only a dict's attributes can be set", typeName(inst), typeName(state))
		}
		if d.attrs == nil {
			d.attrs = newDict()
		}
		for i, k := range attrs.keys {
			d.attrs.set(k, attrs.vals[i])
		}
	case 'Q': // BINPERSID
		pid, err := u.pop()
		if err != nil {
			return false, err
		}
		if u.persistent == nil {
			return false, errors.New("persistent ids are not allowed in this pickle")
		}
		v, err := u.persistent(pid)
		if err != nil {
			return false, err
		}
		u.push(v)
	default:
		return false, errors.New("not allowed in a state dict pickle")
	}
	return false, err
}

// counted reads the length-prefixed payload of a string or bytes opcode.
func (u *unpickler) counted(op byte) ([]byte, error) {
	n := 4
	switch op {
	case 0x8c, 'U', 'C':
		n = 1
	case 0x8d, 0x8e:
		n = 8
	}
	l, err := u.src.uint(n)
	if err != nil {
		return nil, err
	}
	if l > math.MaxInt64 {
		return nil, errTruncated
	}
	return u.src.bytes(int64(l))
}

// decodeLong decodes a little-endian two's-complement integer (LONG1/LONG4 payload).
func decodeLong(b []byte) any {
	if len(b) <= 8 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		if len(b) > 0 && len(b) < 8 && b[len(b)-1]&0x80 != 0 {
			v |= ^uint64(0) << (8 * len(b)) // sign-extend
		}
		return int64(v)
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	v := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	return pyBigInt{v}
}

// global resolves GLOBAL module.name against the allow-list.
func global(mod, name string) (pyGlobal, error) {
	full := mod + "." + name
	if !allowedGlobals[full] {
		return pyGlobal{}, fmt.Errorf("global %s is not allowed: a state dict may only use collections.OrderedDict, torch.*Storage and torch._utils tensor-rebuild functions (refusing to run arbitrary pickle code)", full)
	}
	return pyGlobal{mod, name}, nil
}

// call runs REDUCE of an allow-listed callable.
func call(fn any, args pyTuple) (any, error) {
	g, ok := fn.(pyGlobal)
	if !ok {
		return nil, fmt.Errorf("cannot call a %s", typeName(fn))
	}
	switch g.module + "." + g.name {
	case "collections.OrderedDict":
		if len(args) != 0 {
			return nil, fmt.Errorf("OrderedDict called with %d arguments (want 0)", len(args))
		}
		return newDict(), nil
	case "torch._utils._rebuild_tensor_v2":
		// (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
		if len(args) != 6 && len(args) != 7 {
			return nil, fmt.Errorf("_rebuild_tensor_v2 called with %d arguments (want 6 or 7)", len(args))
		}
		return rebuildTensor(args[:4])
	case "torch._utils._rebuild_tensor":
		// (storage, storage_offset, size, stride): torch < 1.0
		if len(args) != 4 {
			return nil, fmt.Errorf("_rebuild_tensor called with %d arguments (want 4)", len(args))
		}
		return rebuildTensor(args)
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		// (data, requires_grad, backward_hooks[, state]): a Parameter is its data here.
		if len(args) < 3 {
			return nil, fmt.Errorf("%s called with %d arguments (want 3 or 4)", g.name, len(args))
		}
		if _, ok := args[0].(*pyTensor); !ok {
			return nil, fmt.Errorf("%s of a %s, not a tensor", g.name, typeName(args[0]))
		}
		return args[0], nil
	}
	return nil, fmt.Errorf("global %s.%s cannot be called", g.module, g.name)
}

// rebuildTensor checks the (storage, offset, size, stride) arguments of a tensor.
func rebuildTensor(args pyTuple) (*pyTensor, error) {
	st, ok := args[0].(*pyStorage)
	if !ok {
		return nil, fmt.Errorf("tensor storage is a %s, not a storage persistent id", typeName(args[0]))
	}
	off, ok := args[1].(int64)
	if !ok {
		return nil, fmt.Errorf("tensor storage offset is a %s, not an int", typeName(args[1]))
	}
	size, err := intTuple("size", args[2])
	if err != nil {
		return nil, err
	}
	stride, err := intTuple("stride", args[3])
	if err != nil {
		return nil, err
	}
	return &pyTensor{storage: st, offset: off, size: size, stride: stride}, nil
}

// intTuple converts a tuple of ints.
func intTuple(what string, v any) ([]int64, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("tensor %s is a %s, not a tuple", what, typeName(v))
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok {
			return nil, fmt.Errorf("tensor %s item %d is a %s, not an int", what, i, typeName(x))
		}
		out[i] = n
	}
	return out, nil
}
