package asm

import (
	"fmt"
	"math"
)

// MaxPool3s2Row computes one output row of a 3×3, stride-2 max pool with padding 1
// (ResNet's max pool) and its argmax, with PyTorch's rule: each window is scanned in
// row-major order and a value is taken when it is greater than the maximum so far or
// NaN, so the first maximum wins ties and the last NaN wins. x is the input plane (row
// length W), r0, r1 and r2 the offsets in x of the window's three input rows (at the
// plane's top and bottom edge a row is repeated, which changes nothing), and output k
// of the row covers the columns 2k−1, 2k and 2k+1 (column −1 is the padding, left out).
// It sets y[k] to the maximum and idx[k] to its offset in x for k < len(y), which needs
// 2·len(y) <= W: the caller pools an odd width's last column, which has no column 2k+1.
//
//	for k := range y {
//		lo := max(2*k-1, 0)
//		at := r0 + lo
//		best := x[at]
//		for _, r := range [3]int{r0, r1, r2} {
//			for c := lo; c <= 2*k+1; c++ {
//				if v := x[r+c]; v > best || v != v {
//					best, at = v, r+c
//				}
//			}
//		}
//		y[k], idx[k] = best, int32(at)
//	}
func MaxPool3s2Row(y []float32, idx []int32, x []float32, r0, r1, r2 int) {
	n := len(y)
	if len(idx) < n {
		panic(fmt.Sprintf("asm.MaxPool3s2Row: idx of length %d, need %d", len(idx), n))
	}
	if len(x) > math.MaxInt32 {
		panic(fmt.Sprintf("asm.MaxPool3s2Row: x of length %d overflows the int32 indices", len(x)))
	}
	if n == 0 {
		return
	}
	for _, r := range [3]int{r0, r1, r2} {
		if r < 0 || r+2*n > len(x) {
			panic(fmt.Sprintf("asm.MaxPool3s2Row: row offset %d with %d outputs reaches x[%d], x has length %d",
				r, n, r+2*n-1, len(x)))
		}
	}
	cur.layer.maxPool3s2Row(y, idx[:n], x, r0, r1, r2)
}

func maxPool3s2RowGeneric(y []float32, idx []int32, x []float32, r0, r1, r2 int) {
	idx = idx[:len(y)]
	for k := range y {
		lo := max(2*k-1, 0)
		at := r0 + lo
		best := x[at]
		for _, r := range [3]int{r0, r1, r2} {
			for c := lo; c <= 2*k+1; c++ {
				if v := x[r+c]; v > best || v != v {
					best, at = v, r+c
				}
			}
		}
		y[k], idx[k] = best, int32(at)
	}
}
