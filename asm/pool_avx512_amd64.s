//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 max-pool kernel (pool_amd64.go has its Go
// loop): 16 outputs of a 3×3, stride-2 row at a time. For each input row, two loads
// of 16 and two permutes split the 32 columns 2k .. 2k+31 into the even ones (column
// 2k+2m, the window's middle) and the odd ones (2k+2m+1, its right), and the left
// column 2k+2m−1 is the odd one shifted up by a lane, with column 2k−1 (or column 0
// for k = 0, repeated, which changes nothing) in lane 0. PyTorch's scan rule
// g(a, b) = b if b > a or b is NaN, else a, is associative, so each row is reduced
// left to right and the three row results top to bottom: three independent chains of
// two steps, then two. Indices ride along in integer vectors through the same masks.

#include "textflag.h"

// POOLROW(R, ZR, c0, c1, c2, i0, i1, i2) loads the window columns of the input row at
// element offset R (ZR = R in every lane) for the block at column 2k (DX = k,
// AX = the carry column max(2k−1, 0), Z9-Z11 = the column numbers of c0, c1, c2):
// c0, c1, c2 = x[R + column] of the left, middle and right column of the 16 windows,
// i0, i1, i2 = their offsets R + column.
#define POOLROW(R, ZR, c0, c1, c2, i0, i1, i2) \
	LEAQ      (R)(DX*2), BX         /* BX = R + 2k                                 */ \
	VMOVUPS   (SI)(BX*4), c1        /* c1 = x[R+2k : R+2k+16]                      */ \
	VMOVAPS   c1, c2                /* c2 = the same                               */ \
	VPERMT2PS 64(SI)(BX*4), Z31, c1 /* c1[m] = x[R+2k+2m] (with x[R+2k+16 : +32])  */ \
	VPERMT2PS 64(SI)(BX*4), Z30, c2 /* c2[m] = x[R+2k+2m+1]                        */ \
	LEAQ      (R)(AX*1), BX         /* BX = R + carry column                       */ \
	VPBROADCASTD (SI)(BX*4), Z8     /* Z8 = x[R + carry column] in every lane      */ \
	VALIGND   $15, Z8, c2, c0       /* c0 = x[R+carry], c2[0], ..., c2[14]         */ \
	VPADDD    Z9, ZR, i0            /* i0 = R + columns of c0                      */ \
	VPADDD    Z10, ZR, i1           /* i1 = R + columns of c1                      */ \
	VPADDD    Z11, ZR, i2           /* i2 = R + columns of c2                      */

// STEP(a, ai, b, bi, k1, k2) is one step of the scan: where b > a or b is NaN,
// (a, ai) = (b, bi); k1 and k2 are scratch mask registers.
#define STEP(a, ai, b, bi, k1, k2) \
	VCMPPS    $0x1E, a, b, k1       /* k1 = b > a (false for NaN)  */ \
	VCMPPS    $3, b, b, k2          /* k2 = b is NaN               */ \
	KORW      k2, k1, k1            /* k1 = b > a || b is NaN      */ \
	VMOVAPS   b, k1, a              /* a = k1 ? b : a              */ \
	VMOVDQA32 bi, k1, ai            /* ai = k1 ? bi : ai           */

// func maxPool3s2RowAVX512(y []float32, idx []int32, x []float32, r0, r1, r2 int)
TEXT ·maxPool3s2RowAVX512(SB), NOSPLIT, $0-96
	MOVQ y_base+0(FP), DI         // DI = &y[0]
	MOVQ idx_base+24(FP), R9      // R9 = &idx[0]
	MOVQ x_base+48(FP), SI        // SI = &x[0]
	MOVQ y_len+8(FP), CX          // CX = n (at least 16)
	MOVQ r0+72(FP), R10           // R10 = r0
	MOVQ r1+80(FP), R11           // R11 = r1
	MOVQ r2+88(FP), R12           // R12 = r2
	VPBROADCASTD R10, Z28         // Z28 = r0 in every lane
	VPBROADCASTD R11, Z27         // Z27 = r1 in every lane
	VPBROADCASTD R12, Z26         // Z26 = r2 in every lane
	MOVL $1, AX                   // AX = 1
	VPBROADCASTD AX, Z25          // Z25 = 1 in every lane
	MOVQ $·poolEven32<>(SB), BX   // BX = &poolEven32
	VMOVDQU32 (BX), Z31           // Z31 = 0, 2, ..., 30: the even lanes of 32
	VPADDD    Z25, Z31, Z30       // Z30 = 1, 3, ..., 31: the odd lanes
	XORQ DX, DX                   // DX = k = 0: the block's first output
pool_loop:
	LEAQ    -1(DX)(DX*1), AX      // AX = 2k - 1
	XORQ    BX, BX                // BX = 0
	TESTQ   AX, AX                // 2k - 1 < 0?
	CMOVQLT BX, AX                // then AX = 0: AX = max(2k-1, 0), the carry column
	LEAQ    (DX)(DX*1), BX        // BX = 2k
	VPBROADCASTD BX, Z10          // Z10 = 2k in every lane
	VPADDD  Z31, Z10, Z10         // Z10[m] = 2k + 2m: the columns of c1
	VPADDD  Z25, Z10, Z11         // Z11[m] = 2k + 2m + 1: the columns of c2
	VPBROADCASTD AX, Z12          // Z12 = the carry column in every lane
	VALIGND $15, Z12, Z11, Z9     // Z9 = carry, Z11[0], ..., Z11[14]: the columns of c0
	POOLROW(R10, Z28, Z0, Z1, Z2, Z3, Z4, Z5)     // row r0: values Z0-Z2, offsets Z3-Z5
	POOLROW(R11, Z27, Z6, Z7, Z13, Z14, Z15, Z16) // row r1: values Z6, Z7, Z13, offsets Z14-Z16
	POOLROW(R12, Z26, Z17, Z18, Z19, Z20, Z21, Z22) // row r2: values Z17-Z19, offsets Z20-Z22
	STEP(Z0, Z3, Z1, Z4, K1, K2)     // row r0: (Z0, Z3) = g(left, middle)
	STEP(Z6, Z14, Z7, Z15, K3, K4)   // row r1: (Z6, Z14) = g(left, middle)
	STEP(Z17, Z20, Z18, Z21, K5, K6) // row r2: (Z17, Z20) = g(left, middle)
	STEP(Z0, Z3, Z2, Z5, K1, K2)     // row r0: (Z0, Z3) = g(Z0, right)
	STEP(Z6, Z14, Z13, Z16, K3, K4)  // row r1: (Z6, Z14) = g(Z6, right)
	STEP(Z17, Z20, Z19, Z22, K5, K6) // row r2: (Z17, Z20) = g(Z17, right)
	STEP(Z0, Z3, Z6, Z14, K1, K2)    // (Z0, Z3) = g(row r0, row r1)
	STEP(Z0, Z3, Z17, Z20, K1, K2)   // (Z0, Z3) = g(Z0, row r2)
	VMOVUPS   Z0, (DI)(DX*4)      // y[k : k+16] = Z0
	VMOVDQU32 Z3, (R9)(DX*4)      // idx[k : k+16] = Z3
	ADDQ    $16, DX               // k += 16
	CMPQ    DX, CX                // k >= n?
	JGE     pool_end              // then done
	LEAQ    -16(CX), AX           // AX = n - 16
	CMPQ    DX, AX                // k > n - 16?
	CMOVQGT AX, DX                // then k = n - 16: the last block overlaps the one before
	JMP     pool_loop             // loop
pool_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// poolEven32 is the permutation that picks the even lanes of two concatenated vectors.
DATA ·poolEven32<>+0(SB)/4, $0
DATA ·poolEven32<>+4(SB)/4, $2
DATA ·poolEven32<>+8(SB)/4, $4
DATA ·poolEven32<>+12(SB)/4, $6
DATA ·poolEven32<>+16(SB)/4, $8
DATA ·poolEven32<>+20(SB)/4, $10
DATA ·poolEven32<>+24(SB)/4, $12
DATA ·poolEven32<>+28(SB)/4, $14
DATA ·poolEven32<>+32(SB)/4, $16
DATA ·poolEven32<>+36(SB)/4, $18
DATA ·poolEven32<>+40(SB)/4, $20
DATA ·poolEven32<>+44(SB)/4, $22
DATA ·poolEven32<>+48(SB)/4, $24
DATA ·poolEven32<>+52(SB)/4, $26
DATA ·poolEven32<>+56(SB)/4, $28
DATA ·poolEven32<>+60(SB)/4, $30
GLOBL ·poolEven32<>(SB), RODATA|NOPTR, $64
