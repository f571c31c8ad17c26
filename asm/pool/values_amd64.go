//go:build amd64 && !purego

package pool

import "github.com/fastgo/fastgo/asm/cpu"

var _ = registerValues(cpu.AVX512, maxPool3s2ValuesFast)

// maxPool3s2ValuesFast is MaxPool3s2Values on AVX-512: maxPool3s2ValuesAVX512, and
// for a plane with a NaN, where its shortcut does not hold, the exact kernel again.
func maxPool3s2ValuesFast(y, x []float32, h, w int) {
	if maxPool3s2ValuesAVX512(y, x, h, w) {
		maxPool3s2ValuesGeneric(y, x, h, w)
	}
}

// maxPool3s2ValuesAVX512 is MaxPool3s2Values for w >= 2 (pool_avx512_amd64.s) on
// planes without NaNs: maxPool3s2AVX512 without the index vectors, 16 output columns
// at a time, the scan of input row 2oh+1 parked in y's next row as there, and each
// step of the scan one VMAXPS (b > a ? b : a: the first maximum wins ties, ±0
// included, as in PyTorch's scan, which differs only where b is NaN). It reports
// whether x held a NaN (then y is to be recomputed):
//
//	n, ho, wo := w/2, (h-1)/2+1, (w-1)/2+1
//	for oh := 0; oh < ho; oh++ {
//		rows := [3]int{max(2*oh-1, 0), 2 * oh, min(2*oh+1, h-1)}
//		for ow := 0; ow < n; ow++ {
//			lo := max(2*ow-1, 0)
//			best := x[rows[0]*w+lo]
//			for _, r := range rows {
//				for c := lo; c <= 2*ow+1; c++ {
//					if v := x[r*w+c]; v > best || v != v {
//						best = v
//					}
//				}
//			}
//			y[oh*wo+ow] = best
//		}
//	}
//
//go:noescape
func maxPool3s2ValuesAVX512(y, x []float32, h, w int) (nan bool)
