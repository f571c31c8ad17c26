//go:build amd64 && !purego

package asm

// interleave8AVX is interleave8Generic for kc rounded down to a multiple of 8, with an
// 8×8 AVX transpose per step (gemm_pack_amd64.s):
//
//	for q := 0; q < 8; q++ {
//		for p := 0; p < kc&^7; p++ {
//			dst[p*r+q] = alpha * src[q*ld+p]
//		}
//	}
//
//go:noescape
func interleave8AVX(dst, src []float32, ld, kc, r int, alpha float32)

// interleave8Fast runs interleave8AVX on whole blocks of 8 depths and Go on the rest;
// the slices are checked first, since the assembly does not.
func interleave8Fast(dst, src []float32, ld, kc, r int, alpha float32) {
	_ = src[7*ld+kc-1]
	_ = dst[(kc-1)*r+7]
	k8 := kc &^ 7
	interleave8AVX(dst, src, ld, k8, r, alpha)
	for q := 0; q < 8; q++ {
		s := src[q*ld+k8 : q*ld+kc]
		for p, v := range s {
			dst[(k8+p)*r+q] = alpha * v
		}
	}
}
