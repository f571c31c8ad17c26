//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 Winograd F(2×2, 3×3) transforms (f2.go has
// the matrices, f2_generic.go the Go twins): 16 tiles of a tile row per iteration,
// one tile per lane, the last partial block under lane masks (masked loads read zeros
// and never fault; masked stores write nothing outside the mask). Tile t starts at
// column 2t of the input rows, so 16 tiles read 34 columns: the even and odd columns
// are split out of two pairs of loads with VPERMI2PS.

#include "textflag.h"

// Column indices for VPERMI2PS: the even and odd lanes of a 32-lane pair, and the
// interleave of two vectors (lo: lanes 0–7 of each, hi: lanes 8–15).
DATA f2even<>+0(SB)/8, $0x0000000200000000
DATA f2even<>+8(SB)/8, $0x0000000600000004
DATA f2even<>+16(SB)/8, $0x0000000a00000008
DATA f2even<>+24(SB)/8, $0x0000000e0000000c
DATA f2even<>+32(SB)/8, $0x0000001200000010
DATA f2even<>+40(SB)/8, $0x0000001600000014
DATA f2even<>+48(SB)/8, $0x0000001a00000018
DATA f2even<>+56(SB)/8, $0x0000001e0000001c
GLOBL f2even<>(SB), RODATA|NOPTR, $64

DATA f2odd<>+0(SB)/8, $0x0000000300000001
DATA f2odd<>+8(SB)/8, $0x0000000700000005
DATA f2odd<>+16(SB)/8, $0x0000000b00000009
DATA f2odd<>+24(SB)/8, $0x0000000f0000000d
DATA f2odd<>+32(SB)/8, $0x0000001300000011
DATA f2odd<>+40(SB)/8, $0x0000001700000015
DATA f2odd<>+48(SB)/8, $0x0000001b00000019
DATA f2odd<>+56(SB)/8, $0x0000001f0000001d
GLOBL f2odd<>(SB), RODATA|NOPTR, $64

DATA f2lo<>+0(SB)/8, $0x0000001000000000
DATA f2lo<>+8(SB)/8, $0x0000001100000001
DATA f2lo<>+16(SB)/8, $0x0000001200000002
DATA f2lo<>+24(SB)/8, $0x0000001300000003
DATA f2lo<>+32(SB)/8, $0x0000001400000004
DATA f2lo<>+40(SB)/8, $0x0000001500000005
DATA f2lo<>+48(SB)/8, $0x0000001600000006
DATA f2lo<>+56(SB)/8, $0x0000001700000007
GLOBL f2lo<>(SB), RODATA|NOPTR, $64

DATA f2hi<>+0(SB)/8, $0x0000001800000008
DATA f2hi<>+8(SB)/8, $0x0000001900000009
DATA f2hi<>+16(SB)/8, $0x0000001a0000000a
DATA f2hi<>+24(SB)/8, $0x0000001b0000000b
DATA f2hi<>+32(SB)/8, $0x0000001c0000000c
DATA f2hi<>+40(SB)/8, $0x0000001d0000000d
DATA f2hi<>+48(SB)/8, $0x0000001e0000000e
DATA f2hi<>+56(SB)/8, $0x0000001f0000000f
GLOBL f2hi<>(SB), RODATA|NOPTR, $64

#include "f2_avx512_amd64.h"

// INCOL(t0b, t1b, t2b, t3b): column pass for column b (R14 = b·dstStride in bytes): v[a][b] = (Bᵀ t[·][b])[a],
// stored to dst[(4a+b)·dstStride] under K1 (DX = &dst[0] of this block, R8 =
// dstStride and R13 = 4·dstStride in bytes).
#define INCOL(t0b, t1b, t2b, t3b) \
	IN4(t0b, t1b, t2b, t3b, Z24, Z25, Z26, Z27) \
	VMOVUPS Z24, K1, (DX)(R14*1)    /* v[0][b] */ \
	LEAQ    (DX)(R13*1), CX         /* CX = &v[1][0] */ \
	VMOVUPS Z25, K1, (CX)(R14*1)    /* v[1][b] */ \
	ADDQ    R13, CX                 /* CX = &v[2][0] */ \
	VMOVUPS Z26, K1, (CX)(R14*1)    /* v[2][b] */ \
	ADDQ    R13, CX                 /* CX = &v[3][0] */ \
	VMOVUPS Z27, K1, (CX)(R14*1)    /* v[3][b] */ \
	ADDQ    R8, R14                 /* next column b */

// func winoInputF2AVX512(dst []float32, dstStride int, src []float32, rowStride, tiles, tileRows int)
//
// One tile row after the other (R11 = tile rows left), each in blocks of 16 tiles;
// the row's starts are kept in the frame.
TEXT ·winoInputF2AVX512(SB), NOSPLIT, $16-80
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	LEAQ (R8*4), R13                 // R13 = 4·dstStride
	MOVQ src_base+32(FP), SI         // SI = &src[0]
	MOVQ rowStride+56(FP), R9
	SHLQ $2, R9                      // R9 = rowStride in bytes
	MOVQ tileRows+72(FP), R11        // R11 = tile rows left
	VMOVUPS f2even<>(SB), Z30
	VMOVUPS f2odd<>(SB), Z31
in_row:
	TESTQ R11, R11                   // tile rows left?
	JLE   in_done
	MOVQ  SI, srow-8(SP)             // this tile row's input
	MOVQ  DI, drow-16(SP)            // and transformed tiles
	MOVQ  tiles+64(FP), R12          // R12 = tiles left
in_block:
	TESTQ R12, R12                   // tiles left?
	JLE   in_rowdone
	LANEMASK(R12, K1)                // K1 = this block's tiles
	LEAQ  (R12)(R12*1), R10          // R10 = 2·tiles left: the columns needed
	LANEMASK(R10, K2)                // K2 = columns 0–15
	SUBQ  $16, R10
	LANEMASK(R10, K3)                // K3 = columns 16–31
	MOVQ  SI, AX                     // AX = row 0 of this block
	INROW(Z8, Z9, Z10, Z11)          // t[i][b] in Z(8 + 4i + b)
	INROW(Z12, Z13, Z14, Z15)
	INROW(Z16, Z17, Z18, Z19)
	INROW(Z20, Z21, Z22, Z23)
	MOVQ  DI, DX                     // DX = &dst[0] of this block
	XORQ  R14, R14                   // R14 = b·dstStride
	INCOL(Z8, Z12, Z16, Z20)
	INCOL(Z9, Z13, Z17, Z21)
	INCOL(Z10, Z14, Z18, Z22)
	INCOL(Z11, Z15, Z19, Z23)
	ADDQ  $128, SI                   // src += 32 columns
	ADDQ  $64, DI                    // dst += 16 tiles
	SUBQ  $16, R12                   // tiles −= 16
	JMP   in_block
in_rowdone:
	MOVQ  srow-8(SP), SI
	LEAQ  (SI)(R9*2), SI             // two input rows down
	MOVQ  tiles+64(FP), AX
	MOVQ  drow-16(SP), DI
	LEAQ  (DI)(AX*4), DI             // the next tile row's tiles
	DECQ  R11
	JMP   in_row
in_done:
	VZEROUPPER
	RET

// OUTROW(a, s0, s1): row pass for row a of m (AX = &m[4a][0] of this block, R11 =
// srcStride, R13 = 3·srcStride in bytes): s0 = (m0 + m1) + m2, s1 = (m1 − m2) − m3
// (Z0–Z3 scratch); AX moves to row a+1.
#define OUTROW(s0, s1) \
	VMOVUPS.Z (AX), K1, Z0          /* m[a][0] */ \
	VMOVUPS.Z (AX)(R11*1), K1, Z1   /* m[a][1] */ \
	VMOVUPS.Z (AX)(R11*2), K1, Z2   /* m[a][2] */ \
	VMOVUPS.Z (AX)(R13*1), K1, Z3   /* m[a][3] */ \
	VADDPS    Z1, Z0, s0 \
	VADDPS    Z2, s0, s0            /* s0 = (m0 + m1) + m2 */ \
	VSUBPS    Z2, Z1, s1 \
	VSUBPS    Z3, s1, s1            /* s1 = (m1 − m2) − m3 */ \
	LEAQ      (AX)(R11*4), AX

// OUTCOL(s0, s1, s2, s3, o0, o1): column pass: o0 = (s0 + s1) + s2 + bias,
// o1 = (s1 − s2) − s3 + bias (Z29 = bias).
#define OUTCOL(s0, s1, s2, s3, o0, o1) \
	VADDPS s1, s0, o0 \
	VADDPS s2, o0, o0 \
	VADDPS Z29, o0, o0 \
	VSUBPS s2, s1, o1 \
	VSUBPS s3, o1, o1 \
	VADDPS Z29, o1, o1

// STOREROW(o0, o1): interleave columns 0 and 1 of the block's tiles into the row's 32
// consecutive values, prefetch the two lines at AX one plane on (BX = next in bytes,
// unless 0), and store (or add, when DX ≠ 0) them at AX under K2, K3.
#define STOREROW(o0, o1) \
	VMOVAPS    Z30, Z4 \
	VPERMI2PS  o1, o0, Z4             /* columns 0–15  */ \
	VMOVAPS    Z31, Z5 \
	VPERMI2PS  o1, o0, Z5             /* columns 16–31 */ \
	MOVQ       nxt-24(SP), BX         /* next in bytes */ \
	TESTQ      BX, BX \
	JEQ        3(PC) \
	PREFETCHT0 (AX)(BX*1)             /* the next plane's outputs */ \
	PREFETCHT0 64(AX)(BX*1) \
	TESTQ      DX, DX                 /* accumulate? */ \
	JZ         3(PC) \
	VADDPS.Z   (AX), Z4, K2, Z4 \
	VADDPS.Z   64(AX), Z5, K3, Z5 \
	VMOVUPS    Z4, K2, (AX) \
	VMOVUPS    Z5, K3, 64(AX)

// func winoOutputF2AVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool, next int)
//
// One tile row after the other (R9 = output rows left: row 1 of a tile row is
// written when R9 ≥ 2), each in blocks of 16 tiles; the row's starts are kept in the
// frame.
TEXT ·winoOutputF2AVX512(SB), NOSPLIT, $24-104
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ ldy+24(FP), R8
	SHLQ $2, R8                      // R8 = ldy in bytes
	MOVQ rows+32(FP), R9             // R9 = rows left
	MOVQ src_base+48(FP), SI         // SI = &src[0]
	MOVQ srcStride+72(FP), R11
	SHLQ $2, R11                     // R11 = srcStride in bytes
	LEAQ (R11)(R11*2), R13           // R13 = 3·srcStride
	VBROADCASTSS bias+88(FP), Z29    // Z29 = bias
	MOVBLZX acc+92(FP), DX           // DX = acc
	MOVQ next+96(FP), AX
	SHLQ $2, AX
	MOVQ AX, nxt-24(SP)              // next in bytes
	VMOVUPS f2lo<>(SB), Z30
	VMOVUPS f2hi<>(SB), Z31
// OUTLOOP(store, row, block, next, rowdone, done): the output transforms' loop with the
// store macro store(o0, o1) and the given label names: one tile row after the other (R9
// = output rows left: row 1 of a tile row is written when R9 ≥ 2), each in blocks of 16
// tiles; the row's starts are kept in the frame. Defined inside winoOutputF2AVX512 for go
// vet (see STORERELU); winoOutputF2ReLUAVX512 has the same arguments up to tiles.
#define OUTLOOP(store, row, block, next, rowdone, done) \
row: \
	TESTQ R9, R9 /* rows left? */ \
	JLE   done \
	MOVQ  SI, srow-8(SP) /* this tile row's m */ \
	MOVQ  DI, drow-16(SP) /* and output rows */ \
	MOVQ  cols+40(FP), R14 /* R14 = columns left from this block on */ \
	MOVQ  tiles+80(FP), R12 /* R12 = tiles left */ \
block: \
	TESTQ R12, R12 /* tiles left? */ \
	JLE   rowdone \
	LANEMASK(R12, K1) /* K1 = this block's tiles */ \
	MOVQ  R14, R10 \
	LANEMASK(R10, K2) /* K2 = columns 0–15 of the block */ \
	SUBQ  $16, R10 \
	LANEMASK(R10, K3) /* K3 = columns 16–31 */ \
	MOVQ  SI, AX /* AX = &m[0][0] of this block */ \
	OUTROW(Z16, Z17) /* s[a][j] in Z(16 + 2a + j) */ \
	OUTROW(Z18, Z19) \
	OUTROW(Z20, Z21) \
	OUTROW(Z22, Z23) \
	OUTCOL(Z16, Z18, Z20, Z22, Z24, Z26) /* o[i][0] = Z(24 + 2i) */ \
	OUTCOL(Z17, Z19, Z21, Z23, Z25, Z27) /* o[i][1] = Z(25 + 2i) */ \
	MOVQ  DI, AX /* AX = output row 0 at this block */ \
	store(Z24, Z25) \
	CMPQ  R9, $1 \
	JLE   next \
	ADDQ  R8, AX /* row 1 */ \
	store(Z26, Z27) \
next: \
	ADDQ  $64, SI /* src += 16 tiles */ \
	ADDQ  $128, DI /* dst += 32 columns */ \
	SUBQ  $32, R14 /* columns left −= 32 */ \
	SUBQ  $16, R12 /* tiles −= 16 */ \
	JMP   block \
rowdone: \
	MOVQ  tiles+80(FP), AX \
	MOVQ  srow-8(SP), SI \
	LEAQ  (SI)(AX*4), SI /* the next tile row's m */ \
	MOVQ  drow-16(SP), DI \
	LEAQ  (DI)(R8*2), DI /* two output rows down */ \
	SUBQ  $2, R9 \
	JMP   row \
done: \
	VZEROUPPER \
	RET

	OUTLOOP(STOREROW, out_row, out_block, out_next, out_rowdone, out_done)

// func winoOutputF2ReLUAVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32, next int)
//
// winoOutputF2AVX512 without accumulation, with STORERELU's epilogue: DX = &res[0] −
// &dst[0] in bytes, so that AX + DX is the residual of the output at AX; the frame
// keeps next in bytes.
TEXT ·winoOutputF2ReLUAVX512(SB), NOSPLIT, $24-128

// STORERELU(o0, o1): STOREROW for OutputF2ReLU: interleave, add the residual at
// AX + DX (unless res is nil) as asm/bn's ApplyAddReLU adds it (sum + res), take the
// ReLU as its VMAXPS does (Z28 = 0; a NaN stays NaN), prefetch the two lines at AX
// and AX + DX one plane on (unless next is 0), store at AX under K2, K3. The residual
// is loaded under a mask only where the mask is partial: masked loads that miss the
// cache measured slower (BenchmarkOutputF2Epilogue, memory).
// Defined inside the function because it reads res from the frame, and go vet checks
// a macro's frame references against the function its definition is in.
#define STORERELU(o0, o1) \
	VMOVAPS    Z30, Z4 \
	VPERMI2PS  o1, o0, Z4             /* columns 0–15  */ \
	VMOVAPS    Z31, Z5 \
	VPERMI2PS  o1, o0, Z5             /* columns 16–31 */ \
	CMPQ       res_base+96(FP), $0    /* a residual? */ \
	JEQ        11(PC) \
	KORTESTW   K2, K2                 /* all 16 lanes? (CF) */ \
	JCC        3(PC) \
	VADDPS     (AX)(DX*1), Z4, Z4 \
	JMP        2(PC) \
	VADDPS.Z   (AX)(DX*1), Z4, K2, Z4 \
	KORTESTW   K3, K3 \
	JCC        3(PC) \
	VADDPS     64(AX)(DX*1), Z5, Z5 \
	JMP        2(PC) \
	VADDPS.Z   64(AX)(DX*1), Z5, K3, Z5 \
	VMAXPS     Z4, Z28, Z4            /* relu */ \
	VMAXPS     Z5, Z28, Z5 \
	MOVQ       nxt-24(SP), BX         /* next in bytes */ \
	TESTQ      BX, BX \
	JEQ        8(PC) \
	PREFETCHT0 (AX)(BX*1)             /* the next plane's outputs */ \
	PREFETCHT0 64(AX)(BX*1) \
	CMPQ       res_base+96(FP), $0 \
	JEQ        4(PC) \
	LEAQ       (AX)(DX*1), CX \
	PREFETCHT0 (CX)(BX*1)             /* and residual */ \
	PREFETCHT0 64(CX)(BX*1) \
	VMOVUPS    Z4, K2, (AX) \
	VMOVUPS    Z5, K3, 64(AX)

	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ ldy+24(FP), R8
	SHLQ $2, R8                      // R8 = ldy in bytes
	MOVQ rows+32(FP), R9             // R9 = rows left
	MOVQ src_base+48(FP), SI         // SI = &src[0]
	MOVQ srcStride+72(FP), R11
	SHLQ $2, R11                     // R11 = srcStride in bytes
	LEAQ (R11)(R11*2), R13           // R13 = 3·srcStride
	VBROADCASTSS bias+88(FP), Z29    // Z29 = bias
	MOVQ res_base+96(FP), DX
	SUBQ DI, DX                      // DX = &res[0] − &dst[0] (unused when res is nil)
	VXORPS Z28, Z28, Z28             // Z28 = 0
	MOVQ next+120(FP), AX
	SHLQ $2, AX
	MOVQ AX, nxt-24(SP)              // next in bytes
	VMOVUPS f2lo<>(SB), Z30
	VMOVUPS f2hi<>(SB), Z31
	OUTLOOP(STORERELU, relu_row, relu_block, relu_next, relu_rowdone, relu_done)

DATA f2sign<>+0(SB)/4, $0x80000000
GLOBL f2sign<>(SB), RODATA|NOPTR, $4

// GRAD4(m0, m1, z0, z1, z2, z3): z = A·m (winoGrad4): m0, m0 + m1, m0 − m1, −m1
// (Z29 = the sign bit).
#define GRAD4(m0, m1, z0, z1, z2, z3) \
	VMOVAPS m0, z0 \
	VADDPS  m1, m0, z1 \
	VSUBPS  m1, m0, z2 \
	VXORPS  Z29, m1, z3

// GRADROW(e, o): load row i at AX (K2, K3 = the lanes of columns 0–15 and 16–31 of
// the block) and split its columns 2t and 2t+1 into e and o.
#define GRADROW(e, o) \
	VMOVUPS.Z (AX), K2, Z0 \
	VMOVUPS.Z 64(AX), K3, Z1 \
	VMOVAPS   Z30, e \
	VPERMI2PS Z1, Z0, e \
	VMOVAPS   Z31, o \
	VPERMI2PS Z1, Z0, o

// GRADCOL(r0b, r1b): column pass for column b: z[a][b] = (A·(r0b, r1b))[a], stored
// to dst[(4a+b)·dstStride] under K1 (DX = &dst[0] of this block, R14 = b·dstStride,
// R13 = 4·dstStride in bytes), then R14 moves to column b+1.
#define GRADCOL(r0b, r1b) \
	GRAD4(r0b, r1b, Z24, Z25, Z26, Z27) \
	VMOVUPS Z24, K1, (DX)(R14*1) \
	LEAQ    (DX)(R13*1), CX \
	VMOVUPS Z25, K1, (CX)(R14*1) \
	ADDQ    R13, CX \
	VMOVUPS Z26, K1, (CX)(R14*1) \
	ADDQ    R13, CX \
	VMOVUPS Z27, K1, (CX)(R14*1) \
	ADDQ    R8, R14

// func winoOutputGradF2AVX512(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles, tileRows int)
//
// One tile row after the other, each in blocks of 16 tiles; the frame keeps the
// row's starts, the source rows left (rows − 2r: row 0 of tile row r is read when it
// is ≥ 1, row 1 when ≥ 2) and the tile rows left.
TEXT ·winoOutputGradF2AVX512(SB), NOSPLIT, $32-96
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	LEAQ (R8*4), R13                 // R13 = 4·dstStride
	MOVQ src_base+32(FP), SI         // SI = &src[0]
	MOVQ ldy+56(FP), R9
	SHLQ $2, R9                      // R9 = ldy in bytes
	MOVQ rows+64(FP), AX
	MOVQ AX, rl-24(SP)               // source rows left
	MOVQ tileRows+88(FP), AX
	MOVQ AX, trl-32(SP)              // tile rows left
	VMOVUPS f2even<>(SB), Z30
	VMOVUPS f2odd<>(SB), Z31
	VBROADCASTSS f2sign<>(SB), Z29
grad_row:
	CMPQ  trl-32(SP), $0             // tile rows left?
	JLE   grad_done
	MOVQ  SI, srow-8(SP)             // this tile row's source rows
	MOVQ  DI, drow-16(SP)            // and transformed tiles
	MOVQ  cols+72(FP), R11           // R11 = columns left from this block on
	MOVQ  tiles+80(FP), R12          // R12 = tiles left
grad_block:
	TESTQ R12, R12                   // tiles left?
	JLE   grad_rowdone
	LANEMASK(R12, K1)                // K1 = this block's tiles
	MOVQ  R11, R10
	LANEMASK(R10, K2)                // K2 = columns 0–15 of the block
	SUBQ  $16, R10
	LANEMASK(R10, K3)                // K3 = columns 16–31
	VXORPS Z4, Z4, Z4                // row 0: e, o (zero without rows)
	VXORPS Z5, Z5, Z5
	VXORPS Z6, Z6, Z6                // row 1: e, o (zero unless 2 rows are left)
	VXORPS Z7, Z7, Z7
	MOVQ  SI, AX
	CMPQ  rl-24(SP), $1
	JLT   grad_rows_done
	GRADROW(Z4, Z5)
	CMPQ  rl-24(SP), $2
	JLT   grad_rows_done
	ADDQ  R9, AX
	GRADROW(Z6, Z7)
grad_rows_done:
	GRAD4(Z4, Z5, Z8, Z9, Z10, Z11)  // t[0][b] in Z(8 + b)
	GRAD4(Z6, Z7, Z12, Z13, Z14, Z15) // t[1][b] in Z(12 + b)
	MOVQ  DI, DX                     // DX = &dst[0] of this block
	XORQ  R14, R14                   // R14 = b·dstStride
	GRADCOL(Z8, Z12)
	GRADCOL(Z9, Z13)
	GRADCOL(Z10, Z14)
	GRADCOL(Z11, Z15)
	ADDQ  $128, SI                   // src += 32 columns
	ADDQ  $64, DI                    // dst += 16 tiles
	SUBQ  $32, R11                   // columns left −= 32
	SUBQ  $16, R12                   // tiles −= 16
	JMP   grad_block
grad_rowdone:
	MOVQ  srow-8(SP), SI
	LEAQ  (SI)(R9*2), SI             // two source rows down
	MOVQ  tiles+80(FP), AX
	MOVQ  drow-16(SP), DI
	LEAQ  (DI)(AX*4), DI             // the next tile row's tiles
	SUBQ  $2, rl-24(SP)
	DECQ  trl-32(SP)
	JMP   grad_row
grad_done:
	VZEROUPPER
	RET
