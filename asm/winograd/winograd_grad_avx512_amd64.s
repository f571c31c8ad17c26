//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 output-gradient transform A·dy·Aᵀ of
// F(4×4, 3×3) (winograd_grad.go has the matrix and the Go twin,
// winoOutputGradF4Generic, which rounds the same sums in the same order): 16 tiles of
// a tile row per iteration, one tile per lane. Each of the (up to) four rows of a
// block is 64 consecutive columns, loaded under column masks (masked loads read zeros
// and never fault) and split into its four phases (column 4t + j of tile t → phase j,
// lane t) with two rounds of VPERMT2PS; the 1-D transform along the columns gives six
// vectors per row, parked on the stack; the second pass along the rows gives the 36
// transformed elements, stored under the tile mask.

#include "textflag.h"

// Lane indices for VPERMT2PS: the even and the odd elements of two concatenated vectors.
DATA winoGradEven<>+0(SB)/4, $0
DATA winoGradEven<>+4(SB)/4, $2
DATA winoGradEven<>+8(SB)/4, $4
DATA winoGradEven<>+12(SB)/4, $6
DATA winoGradEven<>+16(SB)/4, $8
DATA winoGradEven<>+20(SB)/4, $10
DATA winoGradEven<>+24(SB)/4, $12
DATA winoGradEven<>+28(SB)/4, $14
DATA winoGradEven<>+32(SB)/4, $16
DATA winoGradEven<>+36(SB)/4, $18
DATA winoGradEven<>+40(SB)/4, $20
DATA winoGradEven<>+44(SB)/4, $22
DATA winoGradEven<>+48(SB)/4, $24
DATA winoGradEven<>+52(SB)/4, $26
DATA winoGradEven<>+56(SB)/4, $28
DATA winoGradEven<>+60(SB)/4, $30
GLOBL winoGradEven<>(SB), RODATA|NOPTR, $64

DATA winoGradOdd<>+0(SB)/4, $1
DATA winoGradOdd<>+4(SB)/4, $3
DATA winoGradOdd<>+8(SB)/4, $5
DATA winoGradOdd<>+12(SB)/4, $7
DATA winoGradOdd<>+16(SB)/4, $9
DATA winoGradOdd<>+20(SB)/4, $11
DATA winoGradOdd<>+24(SB)/4, $13
DATA winoGradOdd<>+28(SB)/4, $15
DATA winoGradOdd<>+32(SB)/4, $17
DATA winoGradOdd<>+36(SB)/4, $19
DATA winoGradOdd<>+40(SB)/4, $21
DATA winoGradOdd<>+44(SB)/4, $23
DATA winoGradOdd<>+48(SB)/4, $25
DATA winoGradOdd<>+52(SB)/4, $27
DATA winoGradOdd<>+56(SB)/4, $29
DATA winoGradOdd<>+60(SB)/4, $31
GLOBL winoGradOdd<>(SB), RODATA|NOPTR, $64

// G6(m0, m1, m2, m3, z1, z2, z3, z4): the 1-D transform A·m of winoGrad6 (z0 = m0 and
// z5 = m3 need no instruction), with Z29 = 4 and Z24–Z27 as scratch. Every product is
// by a power of two, so the sums round as the Go twin's.
#define G6(m0, m1, m2, m3, z1, z2, z3, z4) \
	VADDPS      m2, m0, Z24      /* e = m0 + m2          */ \
	VADDPS      m3, m1, Z25      /* o = m1 + m3          */ \
	VMOVAPS     m0, Z26          /* e2 = m0              */ \
	VFMADD231PS Z29, m2, Z26     /* e2 = m0 + 4·m2       */ \
	VMOVAPS     m1, Z27          /* o2 = m1              */ \
	VFMADD231PS Z29, m3, Z27     /* o2 = m1 + 4·m3       */ \
	VADDPS      Z27, Z27, Z27    /* o2 = 2·m1 + 8·m3     */ \
	VADDPS      Z25, Z24, z1     /* z1 = e + o           */ \
	VSUBPS      Z25, Z24, z2     /* z2 = e − o           */ \
	VADDPS      Z27, Z26, z3     /* z3 = e2 + o2         */ \
	VSUBPS      Z27, Z26, z4     /* z4 = e2 − o2         */

// COLMASK(off, k): k = lanes [0, clamp(R11 − off, 0, 16)), the columns of one 16-column
// load that lie before cols (R11 = columns left from this block; CX, DX, BX scratch).
#define COLMASK(off, k) \
	MOVQ    R11, CX          /* CX = columns left     */ \
	SUBQ    $off, CX         /* CX = left past off    */ \
	XORL    DX, DX           /* DX = 0                */ \
	CMPQ    CX, $0           /* none left?            */ \
	CMOVQLT DX, CX           /* then CX = 0           */ \
	MOVL    $16, DX          /* DX = 16               */ \
	CMPQ    CX, $16          /* more than a vector?   */ \
	CMOVQGT DX, CX           /* then CX = 16          */ \
	MOVL    $1, BX           /* BX = 1                */ \
	SHLL    CX, BX           /* BX = 1 << CX          */ \
	DECL    BX               /* BX = (1 << CX) − 1    */ \
	KMOVW   BX, k            /* k = BX                */

// PARK(i, b, z): t[i][b] = z at (384·i + 64·b)(SP).
// COL(b): the second pass for column b (DX = &dst[b·dstStride] of this block, R13 =
// 6·dstStride bytes): z[a] = A·t[·][b], stored to dst[(6a+b)·dstStride] under K1.
#define COL(b) \
	VMOVUPS (64*b+0)(SP), Z0              /* t[0][b] */ \
	VMOVUPS (64*b+384)(SP), Z1            /* t[1][b] */ \
	VMOVUPS (64*b+768)(SP), Z2            /* t[2][b] */ \
	VMOVUPS (64*b+1152)(SP), Z3           /* t[3][b] */ \
	G6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7) \
	LEAQ    (DX)(R13*1), BX               /* BX = &z[1][b] */ \
	VMOVUPS Z0, K1, (DX)                  /* z[0][b] = t[0][b] */ \
	VMOVUPS Z4, K1, (BX)                  /* z[1][b] */ \
	VMOVUPS Z5, K1, (BX)(R13*1)           /* z[2][b] */ \
	LEAQ    (BX)(R13*2), BX               /* BX = &z[3][b] */ \
	VMOVUPS Z6, K1, (BX)                  /* z[3][b] */ \
	VMOVUPS Z7, K1, (BX)(R13*1)           /* z[4][b] */ \
	VMOVUPS Z3, K1, (BX)(R13*2)           /* z[5][b] = t[3][b] */ \
	ADDQ    R8, DX                        /* next column b */

// func winoOutputGradF4AVX512(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles int)
TEXT ·winoOutputGradF4AVX512(SB), 0, $1536-88
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	LEAQ (R8)(R8*2), R13
	ADDQ R13, R13                    // R13 = 6·dstStride
	MOVQ src_base+32(FP), SI         // SI = &src[0]
	MOVQ ldy+56(FP), R9
	SHLQ $2, R9                      // R9 = ldy in bytes
	MOVQ rows+64(FP), R10            // R10 = rows
	MOVQ cols+72(FP), R11            // R11 = columns left
	MOVQ tiles+80(FP), R12           // R12 = tiles left
	VMOVUPS winoGradEven<>(SB), Z30  // Z30 = even lanes
	VMOVUPS winoGradOdd<>(SB), Z31   // Z31 = odd lanes
	MOVL $0x40800000, AX
	VPBROADCASTD AX, Z29             // Z29 = 4

og_block:
	TESTQ R12, R12                   // tiles left?
	JLE   og_done                    // no: done
	// K1 = this block's tiles (lanes [0, min(R12, 16))).
	MOVL  $0xFFFF, BX
	CMPQ  R12, $16
	JGE   og_full
	MOVQ  R12, CX
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX
og_full:
	KMOVW BX, K1
	COLMASK(0, K2)                   // columns 0–15 of the block
	COLMASK(16, K3)                  // 16–31
	COLMASK(32, K4)                  // 32–47
	COLMASK(48, K5)                  // 48–63
	MOVQ  SI, AX                     // AX = row 0 of this block
	XORQ  CX, CX                     // CX = row i
	MOVQ  SP, DX                     // DX = &t[i][0]

og_row:
	CMPQ CX, R10                     // a row of the gradient?
	JGE  og_zero                     // no: zeros
	VMOVUPS.Z (AX), K2, Z0           // columns 0–15
	VMOVUPS.Z 64(AX), K3, Z1         // 16–31
	VMOVUPS.Z 128(AX), K4, Z2        // 32–47
	VMOVUPS.Z 192(AX), K5, Z3        // 48–63
	VMOVAPS   Z0, Z4
	VPERMT2PS Z1, Z30, Z4            // Z4 = columns 0, 2, …, 30
	VMOVAPS   Z0, Z5
	VPERMT2PS Z1, Z31, Z5            // Z5 = columns 1, 3, …, 31
	VMOVAPS   Z2, Z6
	VPERMT2PS Z3, Z30, Z6            // Z6 = columns 32, 34, …, 62
	VMOVAPS   Z2, Z7
	VPERMT2PS Z3, Z31, Z7            // Z7 = columns 33, 35, …, 63
	VMOVAPS   Z4, Z8
	VPERMT2PS Z6, Z30, Z8            // m0 = columns 0, 4, …, 60
	VMOVAPS   Z5, Z9
	VPERMT2PS Z7, Z30, Z9            // m1 = columns 1, 5, …, 61
	VMOVAPS   Z4, Z10
	VPERMT2PS Z6, Z31, Z10           // m2 = columns 2, 6, …, 62
	VMOVAPS   Z5, Z11
	VPERMT2PS Z7, Z31, Z11           // m3 = columns 3, 7, …, 63
	JMP       og_transform

og_zero:
	VPXORD Z8, Z8, Z8                // m0 = 0
	VPXORD Z9, Z9, Z9                // m1 = 0
	VPXORD Z10, Z10, Z10             // m2 = 0
	VPXORD Z11, Z11, Z11             // m3 = 0

og_transform:
	G6(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	VMOVUPS Z8, 0(DX)                // t[i][0] = m0
	VMOVUPS Z12, 64(DX)              // t[i][1]
	VMOVUPS Z13, 128(DX)             // t[i][2]
	VMOVUPS Z14, 192(DX)             // t[i][3]
	VMOVUPS Z15, 256(DX)             // t[i][4]
	VMOVUPS Z11, 320(DX)             // t[i][5] = m3
	ADDQ    R9, AX                   // next source row
	ADDQ    $384, DX                 // next t[i]
	INCQ    CX
	CMPQ    CX, $4
	JLT     og_row

	MOVQ DI, DX                      // DX = &dst[0·dstStride] of this block
	COL(0)
	COL(1)
	COL(2)
	COL(3)
	COL(4)
	COL(5)
	ADDQ $256, SI                    // next 64 columns
	ADDQ $64, DI                     // next 16 tiles
	SUBQ $64, R11
	SUBQ $16, R12
	JMP  og_block

og_done:
	VZEROUPPER
	RET
