package asm

// microKernel computes one full MR×NR tile of C from packed panels:
//
//	for i := 0; i < MR; i++ {
//		for j := 0; j < NR; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[p*MR+i] * b[p*NR+j]
//			}
//			if beta == 0 {
//				c[i*ldc+j] = s // C is not read: NaNs in it do not propagate
//			} else {
//				c[i*ldc+j] = s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// a holds k·MR and b k·NR packed values; c holds the tile's MR rows at stride ldc. The
// driver checks the lengths before the call; k ≥ 1. The assembly kernels sum in their
// own order (one FMA chain per element), so results differ from the loop above by
// rounding only.
type microKernel func(k int, a, b, c []float32, ldc int, beta float32)

// gemmKernel is one path's register micro-kernel together with the cache blocking the
// driver uses around it. The loop nest (see gemmBlocked) is
//
//	ic (MC rows of C)  → pc (KC deep) → pack Ã (MC×KC)
//	  → jc (NC columns) → pack B̃ (KC×NC)
//	    → ir (MR) → jr (NR) → micro-kernel,
//
// so one MR-tall micro-panel of Ã (KC·MR floats) stays in L1 while the KC×NC block B̃
// streams from L2 under it, and Ã (MC×KC) lives in L2/L3.
type gemmKernel struct {
	name   string
	mr, nr int // MR×NR: the register tile
	// kc (BLIS KC): depth of one packed block; the Ã micro-panel kc·mr·4 bytes sits in L1.
	kc int
	// mc (BLIS MC): rows of C per Ã block; mc·kc·4 bytes in L2/L3.
	mc int
	// nc (BLIS NC): columns of C per B̃ block; kc·nc·4 bytes sits in L2.
	nc    int
	micro microKernel
}
