//go:build amd64 && !purego

package gemm

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

// panelsAVX is panelsGeneric for r a multiple of 8, with 256-bit moves
// (gemm_pack_amd64.s):
//
//	for p := 0; p < kc; p++ {
//		for jp := 0; jp < np; jp++ {
//			for q := 0; q < r; q++ {
//				dst[jp*kc*r+p*r+q] = alpha * src[p*ld+jp*r+q]
//			}
//		}
//	}
//
//go:noescape
func panelsAVX(dst, src []float32, ld, kc, np, r int, alpha float32)

// panelsFast checks the slices, since the assembly does not, and runs panelsAVX when
// r is a multiple of 8 (the Go twin otherwise).
func panelsFast(dst, src []float32, ld, kc, np, r int, alpha float32) {
	if kc == 0 || np == 0 {
		return
	}
	_ = src[(kc-1)*ld+np*r-1]
	_ = dst[np*kc*r-1]
	if r%8 != 0 {
		panelsGeneric(dst, src, ld, kc, np, r, alpha)
		return
	}
	panelsAVX(dst, src, ld, kc, np, r, alpha)
}
