package pth

import "fmt"

// DType is the element type of a tensor as PyTorch stores it.
type DType uint8

// The dtypes a state dict can hold. The zero value is invalid so that a Tensor
// literal without a DType is caught by Validate.
const (
	Float32  DType = iota + 1 // torch.float32, FloatStorage; values in Tensor.F32
	Float64                   // torch.float64, DoubleStorage; values in Tensor.F64
	Float16                   // torch.float16, HalfStorage; values widened exactly into Tensor.F32
	BFloat16                  // torch.bfloat16, BFloat16Storage; values widened exactly into Tensor.F32
	Int64                     // torch.int64, LongStorage; values in Tensor.I64
	Int32                     // torch.int32, IntStorage; values in Tensor.I64
	Int16                     // torch.int16, ShortStorage; values in Tensor.I64
	Int8                      // torch.int8, CharStorage; values in Tensor.I64
	Uint8                     // torch.uint8, ByteStorage; values in Tensor.I64
	Bool                      // torch.bool, BoolStorage; values 0 or 1 in Tensor.I64
)

// dtypeInfo describes one DType: its torch name, its legacy storage class and the
// bytes one element takes in a storage.
type dtypeInfo struct {
	name    string // "float32", as torch prints it without the "torch." prefix
	storage string // storage class name in the torch module, e.g. "FloatStorage"
	size    int    // bytes per element
}

var dtypeInfos = [...]dtypeInfo{
	Float32:  {"float32", "FloatStorage", 4},
	Float64:  {"float64", "DoubleStorage", 8},
	Float16:  {"float16", "HalfStorage", 2},
	BFloat16: {"bfloat16", "BFloat16Storage", 2},
	Int64:    {"int64", "LongStorage", 8},
	Int32:    {"int32", "IntStorage", 4},
	Int16:    {"int16", "ShortStorage", 2},
	Int8:     {"int8", "CharStorage", 1},
	Uint8:    {"uint8", "ByteStorage", 1},
	Bool:     {"bool", "BoolStorage", 1},
}

func (d DType) valid() bool { return d >= Float32 && d <= Bool }

// String returns torch's name of the dtype ("float32", "int64", ...).
func (d DType) String() string {
	if !d.valid() {
		return fmt.Sprintf("DType(%d)", uint8(d))
	}
	return dtypeInfos[d].name
}

// Size returns the bytes one element takes in a storage (0 for an invalid DType).
func (d DType) Size() int {
	if !d.valid() {
		return 0
	}
	return dtypeInfos[d].size
}

// IsFloat reports whether d is a floating-point dtype (values in F32 or F64).
func (d DType) IsFloat() bool { return d == Float32 || d == Float64 || d == Float16 || d == BFloat16 }

// storageName returns the torch storage class that holds d ("FloatStorage", ...).
func (d DType) storageName() string { return dtypeInfos[d].storage }

// dtypeOfStorage maps a storage class name of the torch module to its DType.
func dtypeOfStorage(name string) (DType, bool) {
	for d := Float32; d <= Bool; d++ {
		if dtypeInfos[d].storage == name {
			return d, true
		}
	}
	return 0, false
}
