package pth

import (
	"fmt"
	"math/big"
	"strconv"
)

// The Go values the pickle VM builds. Python ints become int64 (or pyBigInt past 64
// bits), floats float64, str string, bytes pyBytes, None pyNone{}, True/False bool.
type (
	pyTuple  []any
	pyBytes  []byte
	pyNone   struct{}
	pyBigInt struct{ v *big.Int }
	// pyList is a Python list; a pointer so that APPEND after BINGET sees one list.
	pyList struct{ items []any }
	// pyGlobal is a class or function named by GLOBAL; only allow-listed names exist.
	pyGlobal struct{ module, name string }
)

// pyDict is a Python dict or OrderedDict with string or int keys kept in insertion
// order, plus the attributes a BUILD gave it (torch's _metadata).
type pyDict struct {
	keys  []string
	vals  []any
	index map[string]int
	attrs *pyDict
}

func newDict() *pyDict { return &pyDict{index: map[string]int{}} }

// set stores key → v, keeping the first insertion's position like Python.
func (d *pyDict) set(key, v any) error {
	var k string
	switch kk := key.(type) {
	case string:
		k = kk
	case int64:
		k = strconv.FormatInt(kk, 10)
	default:
		return fmt.Errorf("dict key of type %s is not supported (only str and int)", typeName(key))
	}
	if i, ok := d.index[k]; ok {
		d.vals[i] = v
		return nil
	}
	d.index[k] = len(d.keys)
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// get returns the value under key k.
func (d *pyDict) get(k string) (any, bool) {
	i, ok := d.index[k]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// pyStorage is a torch storage named by a persistent id: its dtype, the record key of
// its bytes, its length in elements, and (legacy view storages) the element offset of
// the view inside the root storage key.
type pyStorage struct {
	dtype  DType
	key    string
	numel  int64
	offset int64
}

// pyTensor is what _rebuild_tensor_v2 describes: a strided view of a storage.
type pyTensor struct {
	storage *pyStorage
	offset  int64
	size    []int64
	stride  []int64
}

// typeName names the Python type of a VM value for error messages.
func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case pyTuple:
		return "tuple"
	case *pyList:
		return "list"
	case *pyDict:
		return "dict"
	case pyBytes:
		return "bytes"
	case pyNone:
		return "None"
	case pyBigInt:
		return "int (more than 64 bits)"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case bool:
		return "bool"
	case pyGlobal:
		return v.module + "." + v.name
	case *pyStorage:
		return "storage"
	case *pyTensor:
		return "tensor"
	}
	return fmt.Sprintf("%T", v)
}

// allowedGlobals are the only names GLOBAL may load. Storage classes are data (they
// appear inside persistent ids); the functions are called by REDUCE.
var allowedGlobals = func() map[string]bool {
	m := map[string]bool{
		"collections.OrderedDict":                    true,
		"torch._utils._rebuild_tensor":               true,
		"torch._utils._rebuild_tensor_v2":            true,
		"torch._utils._rebuild_parameter":            true,
		"torch._utils._rebuild_parameter_with_state": true,
	}
	for d := Float32; d <= Bool; d++ {
		m["torch."+d.storageName()] = true
	}
	return m
}()
