// Package pool is the 3×3 stride-2 max-pooling kernel (MaxPool3s2) with its argmax
// indices, as AVX-512, AVX2 and NEON assembly beside a pure-Go twin (the reference and
// the fallback), and its values-only form for inference (MaxPool3s2Values, AVX-512
// assembly, elsewhere MaxPool3s2 with scratch indices). The path follows asm/cpu's active instruction set, re-chosen whenever
// cpu.Use switches it.
package pool

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/asm/cpu"
)

// poolFunc is one path's max-pool kernel (see maxPool3s2Generic).
type poolFunc func(y []float32, idx []int32, x []float32, h, w int)

var (
	// kernels holds each path's kernel; arch files add theirs from package-level var
	// initialisers, so it is complete before init runs. A path without one runs the
	// generic twin.
	kernels = map[cpu.ISA]poolFunc{cpu.Generic: maxPool3s2Generic}
	cur     poolFunc
)

func init() { cpu.OnInstall(install) }

// install makes the path's kernel the one MaxPool3s2 calls.
func install(isa cpu.ISA) {
	k, ok := kernels[isa]
	if !ok {
		k = maxPool3s2Generic
	}
	cur = k
}

// register adds a path's kernel.
func register(isa cpu.ISA, k poolFunc) bool {
	kernels[isa] = k
	return true
}

// checkLen panics with the kernel's name when a slice is shorter than want.
func checkLen(want int, lens ...int) {
	for _, l := range lens {
		if l < want {
			panic(fmt.Sprintf("pool.MaxPool3s2: slice of length %d, need %d", l, want))
		}
	}
}

// MaxPool3s2 max-pools the h×w plane x with ResNet's window: 3×3, stride 2, padding 1
// (padding never wins). It writes the ho×wo output plane y, ho = (h−1)/2 + 1 and
// wo = (w−1)/2 + 1, and in idx the offset in x of each output's winner, with PyTorch's
// rule: the window is scanned in row-major order and a value is taken when it is
// greater than the maximum so far or NaN, so the first maximum wins ties and the last
// NaN wins. Output (oh, ow) covers rows 2oh−1 .. 2oh+1 and columns 2ow−1 .. 2ow+1. Only
// the columns ow < w/2, whose windows do not reach past the plane's right edge, are
// written: for an odd w the caller pools the last column itself. At the plane's top and
// bottom edges a row is repeated, which changes no maximum and no index:
//
//	n, ho, wo := w/2, (h-1)/2+1, (w-1)/2+1
//	for oh := 0; oh < ho; oh++ {
//		rows := [3]int{max(2*oh-1, 0), 2 * oh, min(2*oh+1, h-1)}
//		for ow := 0; ow < n; ow++ {
//			lo := max(2*ow-1, 0)
//			at := rows[0]*w + lo
//			best := x[at]
//			for _, r := range rows {
//				for c := lo; c <= 2*ow+1; c++ {
//					if v := x[r*w+c]; v > best || v != v {
//						best, at = v, r*w+c
//					}
//				}
//			}
//			y[oh*wo+ow], idx[oh*wo+ow] = best, int32(at)
//		}
//	}
func MaxPool3s2(y []float32, idx []int32, x []float32, h, w int) {
	if h < 1 || w < 1 {
		panic(fmt.Sprintf("pool.MaxPool3s2: plane %d×%d is empty", h, w))
	}
	if h*w > math.MaxInt32 {
		panic(fmt.Sprintf("pool.MaxPool3s2: plane %d×%d overflows the int32 indices", h, w))
	}
	ho, wo := (h-1)/2+1, (w-1)/2+1
	checkLen(h*w, len(x))
	checkLen(ho*wo, len(y), len(idx))
	if w < 2 {
		return // no column with a full window
	}
	cur(y[:ho*wo], idx[:ho*wo], x[:h*w], h, w)
}

// maxPool3s2Cols is MaxPool3s2's loop for the output columns [c0, c1) only,
// c1 <= w/2: PyTorch's scan itself, for planes with NaNs and the columns the NEON
// kernel leaves.
func maxPool3s2Cols(y []float32, idx []int32, x []float32, h, w, c0, c1 int) {
	ho, wo := (h-1)/2+1, (w-1)/2+1
	for oh := 0; oh < ho; oh++ {
		rows := [3]int{max(2*oh-1, 0), 2 * oh, min(2*oh+1, h-1)}
		for ow := c0; ow < c1; ow++ {
			lo := max(2*ow-1, 0)
			at := rows[0]*w + lo
			best := x[at]
			for _, r := range rows {
				for c := lo; c <= 2*ow+1; c++ {
					if v := x[r*w+c]; v > best || v != v {
						best, at = v, r*w+c
					}
				}
			}
			y[oh*wo+ow], idx[oh*wo+ow] = best, int32(at)
		}
	}
}
