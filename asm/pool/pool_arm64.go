//go:build arm64 && !purego

package pool

import "github.com/fastgo/fastgo/asm/cpu"

var _ = register(cpu.NEON, maxPool3s2Row4)

// maxPool3s2NEON is MaxPool3s2 (pool_neon_arm64.s) for the output columns below
// n4 = (w/2) &^ 3, 4 at a time, row by row as maxPool3s2AVX512 does (its comment
// explains the method); maxPool3s2Row4 adds the last few columns in Go:
//
//	n4, ho, wo := (w/2)&^3, (h-1)/2+1, (w-1)/2+1
//	for oh := 0; oh < ho; oh++ {
//		rows := [3]int{max(2*oh-1, 0), 2 * oh, min(2*oh+1, h-1)}
//		for ow := 0; ow < n4; ow++ {
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
//
//go:noescape
func maxPool3s2NEON(y []float32, idx []int32, x []float32, h, w int)

// maxPool3s2Row4 is MaxPool3s2 on NEON: the kernel for whole groups of 4 output
// columns, the generic twin for the rest.
func maxPool3s2Row4(y []float32, idx []int32, x []float32, h, w int) {
	n4 := (w / 2) &^ 3
	if n4 > 0 {
		maxPool3s2NEON(y, idx, x, h, w)
	}
	maxPool3s2Cols(y, idx, x, h, w, n4, w/2)
}
