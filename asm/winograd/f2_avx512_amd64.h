// The macros the F(2×2) AVX-512 kernels share (f2_avx512_amd64.s, f2pairs_avx512_amd64.s):
// lane masks for a block's columns and the input transform's row pass.

// LANEMASK(n, k): k = lanes [0, clamp(n, 0, 16)) (BX, CX scratch).
#define LANEMASK(n, k) \
	XORL  BX, BX           /* no lanes                */ \
	CMPQ  n, $0            /* any?                    */ \
	JLE   8(PC)            /* no: k = 0               */ \
	MOVL  $0xFFFF, BX      /* all 16 lanes            */ \
	CMPQ  n, $16           /* a full vector?          */ \
	JGE   5(PC)            /* yes: keep BX            */ \
	MOVQ  n, CX            /* CX = lanes              */ \
	MOVL  $1, BX \
	SHLL  CX, BX           /* BX = 1 << lanes         */ \
	DECL  BX               /* BX = (1 << lanes) − 1   */ \
	KMOVW BX, k

// IN4(d0, d1, d2, d3, t0, t1, t2, t3): t = Bᵀd (winoIn4).
#define IN4(d0, d1, d2, d3, t0, t1, t2, t3) \
	VSUBPS d2, d0, t0      /* t0 = d0 − d2 */ \
	VADDPS d2, d1, t1      /* t1 = d1 + d2 */ \
	VSUBPS d1, d2, t2      /* t2 = d2 − d1 */ \
	VSUBPS d3, d1, t3      /* t3 = d1 − d3 */

// INROWM(ka, kb, kc, kd, t0, t1, t2, t3): row pass for one input row at AX, the loads
// of columns 0–15, 16–31, 2–17 and 18–33 under the masks ka, kb, kc, kd: split
// columns 2t+j into d_j (Z0–Z7 scratch), t = Bᵀd into t0..t3; AX moves to the next row
// (R9 = rowStride in bytes).
#define INROWM(ka, kb, kc, kd, t0, t1, t2, t3) \
	VMOVUPS.Z (AX), ka, Z0          /* columns 0–15  */ \
	VMOVUPS.Z 64(AX), kb, Z1        /* columns 16–31 */ \
	VMOVUPS.Z 8(AX), kc, Z2         /* columns 2–17  */ \
	VMOVUPS.Z 72(AX), kd, Z3        /* columns 18–33 */ \
	VMOVAPS   Z30, Z4 \
	VPERMI2PS Z1, Z0, Z4            /* d0 = column 2t     */ \
	VMOVAPS   Z31, Z5 \
	VPERMI2PS Z1, Z0, Z5            /* d1 = column 2t + 1 */ \
	VMOVAPS   Z30, Z6 \
	VPERMI2PS Z3, Z2, Z6            /* d2 = column 2t + 2 */ \
	VMOVAPS   Z31, Z7 \
	VPERMI2PS Z3, Z2, Z7            /* d3 = column 2t + 3 */ \
	IN4(Z4, Z5, Z6, Z7, t0, t1, t2, t3) \
	ADDQ      R9, AX

// INROW(t0, t1, t2, t3): INROWM with K2, K3 (the lanes of columns 0–15 and 16–31 of
// the block) for both pairs of loads.
#define INROW(t0, t1, t2, t3) INROWM(K2, K3, K2, K3, t0, t1, t2, t3)
