package pool

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/cpu"
)

// The values-only form of the 3×3 stride-2 max pool (MaxPool3s2Values), for inference,
// which needs no argmax: on AVX-512 a kernel that does MaxPool3s2's scan without the
// index vectors (about half its instructions); elsewhere MaxPool3s2 itself with a
// scratch index plane.

// valuesFunc is one path's values-only kernel (see maxPool3s2ValuesGeneric).
type valuesFunc func(y, x []float32, h, w int)

var (
	// valuesKernels holds the paths with their own values-only kernel (filled by
	// package-level var initialisers, like kernels); the others run
	// maxPool3s2ValuesGeneric.
	valuesKernels            = map[cpu.ISA]valuesFunc{}
	curValues     valuesFunc = maxPool3s2ValuesGeneric
)

func init() { cpu.OnInstall(installValues) }

// installValues makes the path's values-only kernel the one MaxPool3s2Values calls.
func installValues(isa cpu.ISA) {
	k, ok := valuesKernels[isa]
	if !ok {
		k = maxPool3s2ValuesGeneric
	}
	curValues = k
}

// registerValues adds a path's values-only kernel.
func registerValues(isa cpu.ISA, k valuesFunc) bool {
	valuesKernels[isa] = k
	return true
}

// MaxPool3s2Values is MaxPool3s2 without the indices: the same output values, bit for
// bit (the first maximum in the window's row-major scan, the last NaN), written to the
// same ho×wo plane y, ho = (h−1)/2 + 1, wo = (w−1)/2 + 1, and as there only the columns
// ow < w/2 (for an odd w the caller pools the last column itself).
func MaxPool3s2Values(y, x []float32, h, w int) {
	if h < 1 || w < 1 {
		panic(fmt.Sprintf("pool.MaxPool3s2Values: plane %d×%d is empty", h, w))
	}
	ho, wo := (h-1)/2+1, (w-1)/2+1
	if len(x) < h*w {
		panic(fmt.Sprintf("pool.MaxPool3s2Values: slice of length %d, need %d", len(x), h*w))
	}
	if len(y) < ho*wo {
		panic(fmt.Sprintf("pool.MaxPool3s2Values: slice of length %d, need %d", len(y), ho*wo))
	}
	if w < 2 {
		return // no column with a full window
	}
	curValues(y[:ho*wo], x[:h*w], h, w)
}

// maxPool3s2ValuesGeneric is MaxPool3s2Values on the paths without a kernel of their
// own (and the AVX-512 kernel's twin in the tests): the path's MaxPool3s2 into a
// scratch index plane.
func maxPool3s2ValuesGeneric(y, x []float32, h, w int) {
	idx := idxBufs.get(len(y))
	cur(y, *idx, x, h, w)
	idxBufs.put(idx)
}

// idxBufs pools the scratch index planes of maxPool3s2ValuesGeneric.
var idxBufs int32Pool
