//go:build amd64 && !purego

package pool

import "github.com/fastgo/fastgo/asm/cpu"

var (
	_ = register(cpu.AVX512, maxPool3s2AVX512)
	_ = register(cpu.AVX2, maxPool3s2AVX2)
)

// maxPool3s2AVX512 is MaxPool3s2 for w >= 2 (pool_avx512_amd64.s), 16 output columns
// at a time, walking each block of columns down the plane:
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
//
//go:noescape
func maxPool3s2AVX512(y []float32, idx []int32, x []float32, h, w int)

// maxPool3s2AVX2 is maxPool3s2AVX512 on AVX2 (pool_avx2_amd64.s), 8 output columns at
// a time.
//
//go:noescape
func maxPool3s2AVX2(y []float32, idx []int32, x []float32, h, w int)
