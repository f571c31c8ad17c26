//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 max-pool kernel (pool_amd64.go has its Go
// loop): a 3×3, stride-2 plane, row by row, in blocks of 16 outputs.
//
// PyTorch's scan rule g(a, b) = b if b > a or b is NaN, else a, is associative, so an
// output is g(g(T(2oh−1), T(2oh)), T(2oh+1)), where T(r) is the left-to-right scan of
// the window's three columns in input row r. T(2oh+1) is also the next output row's
// T(2(oh+1)−1), so it is parked in that row of y and idx (overwritten by the output
// once read back) and every input row is scanned once. For a row, two loads of 16 and
// two permutes split the columns 2k .. 2k+31 into the even ones (2k+2m, the windows'
// middle columns) and the odd ones (2k+2m+1, their right columns); the left columns
// 2k+2m−1 are the odd ones moved up a lane, with column 2k−1 (or column 0 when k = 0,
// repeated, which changes nothing) in lane 0. Indices ride along in integer vectors
// through the same masks. A row's last block is masked, loads and stores: masked-off
// lanes are neither read nor written.

#include "textflag.h"

// STEP(a, ai, b, bi, k1, k2) is one step of the scan: where b > a or b is NaN,
// (a, ai) = (b, bi); k1 and k2 are scratch mask registers.
#define STEP(a, ai, b, bi, k1, k2) \
	VCMPPS    $0x1E, a, b, k1       /* k1 = b > a (false for NaN)  */ \
	VCMPPS    $3, b, b, k2          /* k2 = b is NaN               */ \
	KORW      k2, k1, k1            /* k1 = b > a || b is NaN      */ \
	VMOVAPS   b, k1, a              /* a = k1 ? b : a              */ \
	VMOVDQA32 bi, k1, ai            /* ai = k1 ? bi : ai           */

// HROW(P, RZ, v, vi, t1, t2, t3, k1, k2) sets (v, vi) = T(r), the scan of the windows'
// left, middle and right columns in the input row r, whose column 2k is at P (AX = the
// byte offset of the left column of output k from P: -4, or 0 when k = 0; K1, K2 = the
// load masks; Z9-Z11 = the three columns' numbers; RZ = r·w in every lane). t1-t3 and
// k1, k2 are scratch.
#define HROW(P, RZ, v, vi, t1, t2, t3, k1, k2) \
	VMOVUPS.Z    (P), K1, t2        /* t2 = x[r][2k : 2k+16] (lanes past the outputs 0)  */ \
	VMOVUPS.Z    64(P), K2, t3      /* t3 = x[r][2k+16 : 2k+32]                          */ \
	VMOVAPS      t2, t1             /* t1 = t2                                           */ \
	VPERMT2PS    t3, Z31, t1        /* t1[m] = x[r][2k+2m]: the middle columns           */ \
	VPERMT2PS    t3, Z30, t2        /* t2[m] = x[r][2k+2m+1]: the right columns          */ \
	VPBROADCASTD (P)(AX*1), t3      /* t3 = x[r][max(2k-1, 0)] in every lane             */ \
	VALIGND      $15, t3, t2, v     /* v = t3[0], t2[0], ..., t2[14]: the left columns   */ \
	VPADDD       Z9, RZ, vi         /* vi = r·w + the left columns: their offsets        */ \
	VPADDD       Z10, RZ, t3        /* t3 = the middle columns' offsets                  */ \
	STEP(v, vi, t1, t3, k1, k2)     /* (v, vi) = g(left, middle)                         */ \
	VPADDD       Z11, RZ, t3        /* t3 = the right columns' offsets                   */ \
	STEP(v, vi, t2, t3, k1, k2)     /* (v, vi) = g(v, right)                             */

// func maxPool3s2AVX512(y []float32, idx []int32, x []float32, h, w int)
TEXT ·maxPool3s2AVX512(SB), NOSPLIT, $8-88
	MOVQ    w+80(FP), R12         // R12 = w
	MOVQ    R12, CX               // CX = w
	SHRQ    $1, CX                // CX = n = w/2: the outputs written per row
	LEAQ    1(R12), R13           // R13 = w + 1
	SHRQ    $1, R13               // R13 = (w-1)/2 + 1 = wo
	SHLQ    $2, R13               // R13 = wo*4: the bytes of an output row
	VPBROADCASTD R12, Z24         // Z24 = w in every lane
	SHLQ    $2, R12               // R12 = w*4: the bytes of an input row
	MOVL    $1, AX                // AX = 1
	VPBROADCASTD AX, Z25          // Z25 = 1 in every lane
	MOVL    $32, AX               // AX = 32
	VPBROADCASTD AX, Z28          // Z28 = 32 in every lane
	VPXORD  Z29, Z29, Z29         // Z29 = 0
	MOVQ    $·poolEven32<>(SB), AX // AX = &poolEven32
	VMOVDQU32 (AX), Z31           // Z31 = 0, 2, ..., 30: the even lanes of 32
	VPADDD  Z25, Z31, Z30         // Z30 = 1, 3, ..., 31: the odd lanes
	MOVQ    $·poolMasks<>(SB), AX // AX = &poolMasks
	MOVQ    CX, BX                // BX = n
	ANDQ    $15, BX               // BX = rem = n mod 16: the outputs of a row's partial block
	MOVWLZX (AX)(BX*2), DX        // DX = the first rem lanes
	MOVW    DX, kst-2(SP)         // kst = the partial block's store mask (0: no partial block)
	SHLQ    $1, BX                // BX = 2 rem: the input columns it reads from 2k on
	MOVQ    $16, R8               // R8 = 16
	MOVQ    BX, R9                // R9 = 2 rem
	CMPQ    R9, R8                // 2 rem > 16?
	CMOVQGT R8, R9                // then R9 = 16: R9 = min(2 rem, 16)
	MOVWLZX (AX)(R9*2), DX        // DX = the first min(2 rem, 16) lanes
	MOVW    DX, klo-4(SP)         // klo = its low vector's load mask
	SUBQ    R8, BX                // BX = 2 rem - 16
	MOVQ    $0, R9                // R9 = 0
	CMOVQLT R9, BX                // if negative, BX = 0: BX = max(2 rem - 16, 0)
	MOVWLZX (AX)(BX*2), DX        // DX = the first BX lanes
	MOVW    DX, khi-6(SP)         // khi = its high vector's load mask
	ANDQ    $-16, CX              // CX = n rounded down to 16: where the full blocks end
	MOVQ    x_base+48(FP), SI     // SI = &x[0]: row 2oh
	MOVQ    y_base+0(FP), DI      // DI = &y[0]: output row oh
	MOVQ    idx_base+24(FP), R9   // R9 = &idx[0]
	MOVQ    h+72(FP), R11         // R11 = h: the input rows from row 2oh on
	LEAQ    1(R11), R10           // R10 = h + 1
	SHRQ    $1, R10               // R10 = (h-1)/2 + 1 = ho: output rows left
	VPXORD  Z26, Z26, Z26         // Z26 = 2oh·w in every lane
pool_row:
	MOVQ      SI, R8              // R8 = row c = row 2oh...
	VMOVDQA32 Z26, Z27            // Z27 = its offset
	CMPQ      R11, $2             // is there a row 2oh+1?
	JLT       pool_rowc           // no: row 2oh stands in for it (the plane's last row)
	ADDQ      R12, R8             // R8 = row c = row 2oh+1
	VPADDD    Z24, Z26, Z27       // Z27 = (2oh+1)·w
pool_rowc:
	KXNORW    K1, K1, K1          // K1 = all lanes: full blocks load and store everything
	KXNORW    K2, K2, K2          // K2 = all lanes
	KXNORW    K3, K3, K3          // K3 = all lanes
	XORQ      DX, DX              // DX = k = 0: the block's first output
	XORQ      AX, AX              // AX = 0: output 0's left column is column 0
	VMOVDQA32 Z31, Z10            // Z10 = 2k + 2m: the middle columns
pool_block:
	CMPQ    DX, CX                // k < the end of the full blocks?
	JLT     pool_go               // yes: go to pool_go
	JGT     pool_rowend           // past it (after the partial block): the row is done
	CMPW    kst-2(SP), $0         // a partial block?
	JEQ     pool_rowend           // no: the row is done
	KMOVW   klo-4(SP), K1         // K1 = the partial block's low load mask
	KMOVW   khi-6(SP), K2         // K2 = its high load mask
	KMOVW   kst-2(SP), K3         // K3 = its store mask
pool_go:
	VPADDD  Z25, Z10, Z11         // Z11 = 2k + 2m + 1: the right columns
	VPSUBD  Z25, Z10, Z9          // Z9 = 2k + 2m - 1
	VPMAXSD Z29, Z9, Z9           // Z9 = max(Z9, 0): the left columns (column 0 at k = 0)
	LEAQ    (SI)(DX*8), BX        // BX = &x[2oh][2k]
	HROW(BX, Z26, Z2, Z3, Z6, Z7, Z8, K4, K5)    // (Z2, Z3) = T(2oh)
	LEAQ    (R8)(DX*8), BX        // BX = &x[c][2k]
	HROW(BX, Z27, Z4, Z5, Z12, Z13, Z14, K6, K7) // (Z4, Z5) = T(c)
	CMPQ    R11, h+72(FP)         // oh == 0?
	JNE     pool_carry            // no: go to pool_carry
	VMOVAPS   Z2, Z0              // Z0 = T(0), standing in for T(-1)
	VMOVDQA32 Z3, Z1              // Z1 = its offsets
	JMP       pool_steps          // go to pool_steps
pool_carry:
	VMOVUPS.Z   (DI)(DX*4), K3, Z0 // Z0 = T(2oh-1), parked in y[oh][k:] by the row before
	VMOVDQU32.Z (R9)(DX*4), K3, Z1 // Z1 = its offsets, parked in idx[oh][k:]
pool_steps:
	STEP(Z0, Z1, Z2, Z3, K4, K5)  // (Z0, Z1) = g(T(2oh-1), T(2oh))
	STEP(Z0, Z1, Z4, Z5, K6, K7)  // (Z0, Z1) = g(Z0, T(c))
	VMOVUPS   Z0, K3, (DI)(DX*4)  // y[oh][k : k+16] = Z0
	VMOVDQU32 Z1, K3, (R9)(DX*4)  // idx[oh][k : k+16] = Z1
	CMPQ    R10, $1               // is this the last output row?
	JEQ     pool_next             // yes: nothing to park
	LEAQ    (DI)(R13*1), BX       // BX = &y[oh+1][0]
	VMOVUPS   Z4, K3, (BX)(DX*4)  // y[oh+1][k : k+16] = T(c) = T(2(oh+1)-1), parked
	LEAQ    (R9)(R13*1), BX       // BX = &idx[oh+1][0]
	VMOVDQU32 Z5, K3, (BX)(DX*4)  // idx[oh+1][k : k+16] = its offsets
pool_next:
	ADDQ    $16, DX               // k += 16
	VPADDD  Z28, Z10, Z10         // Z10 += 32: the next block's middle columns
	MOVQ    $-4, AX               // AX = -4: a left column is the one before column 2k
	JMP     pool_block            // loop over the blocks
pool_rowend:
	LEAQ    (SI)(R12*2), SI       // SI = row 2(oh+1)
	VPADDD  Z24, Z26, Z26         // Z26 += w
	VPADDD  Z24, Z26, Z26         // Z26 += w: 2(oh+1)·w
	ADDQ    R13, DI               // DI = &y[oh+1][0]
	ADDQ    R13, R9               // R9 = &idx[oh+1][0]
	SUBQ    $2, R11               // R11 = the input rows from row 2(oh+1) on
	DECQ    R10                   // one output row fewer left
	JNZ     pool_row              // loop over the output rows
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

// poolMasks[i] has the low i bits set, i = 0 .. 16: the lane masks of a partial block.
DATA ·poolMasks<>+0(SB)/2, $0x0000
DATA ·poolMasks<>+2(SB)/2, $0x0001
DATA ·poolMasks<>+4(SB)/2, $0x0003
DATA ·poolMasks<>+6(SB)/2, $0x0007
DATA ·poolMasks<>+8(SB)/2, $0x000f
DATA ·poolMasks<>+10(SB)/2, $0x001f
DATA ·poolMasks<>+12(SB)/2, $0x003f
DATA ·poolMasks<>+14(SB)/2, $0x007f
DATA ·poolMasks<>+16(SB)/2, $0x00ff
DATA ·poolMasks<>+18(SB)/2, $0x01ff
DATA ·poolMasks<>+20(SB)/2, $0x03ff
DATA ·poolMasks<>+22(SB)/2, $0x07ff
DATA ·poolMasks<>+24(SB)/2, $0x0fff
DATA ·poolMasks<>+26(SB)/2, $0x1fff
DATA ·poolMasks<>+28(SB)/2, $0x3fff
DATA ·poolMasks<>+30(SB)/2, $0x7fff
DATA ·poolMasks<>+32(SB)/2, $0xffff
GLOBL ·poolMasks<>(SB), RODATA|NOPTR, $34

// HROWF(P, v, t1, t2, t3) is HROW without the indices, its steps VMAXPS: v = T(r), the
// scan of the windows' left, middle and right columns in the input row whose column 2k
// is at P (AX, K1, K2 as there). VMAXPS b, a, a sets a = b > a ? b : a, which is
// g(a, b) unless b is NaN, so the kernel also ORs into K6 where a loaded input is NaN.
#define HROWF(P, v, t1, t2, t3) \
	VMOVUPS.Z    (P), K1, t2        /* t2 = x[r][2k : 2k+16]                   */ \
	VMOVUPS.Z    64(P), K2, t3      /* t3 = x[r][2k+16 : 2k+32]                */ \
	VCMPPS       $3, t3, t2, K4     /* K4 = t2 or t3 is NaN (lane by lane)     */ \
	KORW         K4, K6, K6         /* K6 |= K4                                */ \
	VMOVAPS      t2, t1             /* t1 = t2                                 */ \
	VPERMT2PS    t3, Z31, t1        /* t1[m] = x[r][2k+2m]: the middle columns */ \
	VPERMT2PS    t3, Z30, t2        /* t2[m] = x[r][2k+2m+1]: the right ones   */ \
	VPBROADCASTD (P)(AX*1), t3      /* t3 = x[r][max(2k-1, 0)] in every lane   */ \
	VALIGND      $15, t3, t2, v     /* v = the left columns                    */ \
	VMAXPS       v, t1, v           /* v = g(left, middle)                     */ \
	VMAXPS       v, t2, v           /* v = g(v, right)                         */

// func maxPool3s2ValuesAVX512(y, x []float32, h, w int) (nan bool)
TEXT ·maxPool3s2ValuesAVX512(SB), NOSPLIT, $8-65
	MOVQ    w+56(FP), R12         // R12 = w
	MOVQ    R12, CX               // CX = w
	SHRQ    $1, CX                // CX = n = w/2: the outputs written per row
	LEAQ    1(R12), R13           // R13 = w + 1
	SHRQ    $1, R13               // R13 = wo
	SHLQ    $2, R13               // R13 = wo*4: the bytes of an output row
	SHLQ    $2, R12               // R12 = w*4: the bytes of an input row
	MOVL    $1, AX                // AX = 1
	VPBROADCASTD AX, Z25          // Z25 = 1 in every lane
	MOVQ    $·poolEven32<>(SB), AX // AX = &poolEven32
	VMOVDQU32 (AX), Z31           // Z31 = 0, 2, ..., 30: the even lanes of 32
	VPADDD  Z25, Z31, Z30         // Z30 = 1, 3, ..., 31: the odd lanes
	KXORW   K6, K6, K6            // K6 = 0: no NaN seen
	MOVQ    $·poolMasks<>(SB), AX // AX = &poolMasks
	MOVQ    CX, BX                // BX = n
	ANDQ    $15, BX               // BX = rem = n mod 16
	MOVWLZX (AX)(BX*2), DX        // DX = the first rem lanes
	MOVW    DX, kst-2(SP)         // kst = the partial block's store mask (0: none)
	SHLQ    $1, BX                // BX = 2 rem
	MOVQ    $16, R8               // R8 = 16
	MOVQ    BX, R9                // R9 = 2 rem
	CMPQ    R9, R8                // 2 rem > 16?
	CMOVQGT R8, R9                // then R9 = 16
	MOVWLZX (AX)(R9*2), DX        // DX = the first min(2 rem, 16) lanes
	MOVW    DX, klo-4(SP)         // klo = its low vector's load mask
	SUBQ    R8, BX                // BX = 2 rem - 16
	MOVQ    $0, R9                // R9 = 0
	CMOVQLT R9, BX                // BX = max(2 rem - 16, 0)
	MOVWLZX (AX)(BX*2), DX        // DX = the first BX lanes
	MOVW    DX, khi-6(SP)         // khi = its high vector's load mask
	ANDQ    $-16, CX              // CX = n rounded down to 16
	MOVQ    x_base+24(FP), SI     // SI = &x[0]: row 2oh
	MOVQ    y_base+0(FP), DI      // DI = &y[0]: output row oh
	MOVQ    h+48(FP), R11         // R11 = h: the input rows from row 2oh on
	LEAQ    1(R11), R10           // R10 = h + 1
	SHRQ    $1, R10               // R10 = ho: output rows left
vpool_row:
	MOVQ    SI, R8                // R8 = row c = row 2oh...
	CMPQ    R11, $2               // is there a row 2oh+1?
	JLT     vpool_rowc            // no: row 2oh stands in for it
	ADDQ    R12, R8               // R8 = row c = row 2oh+1
vpool_rowc:
	KXNORW  K1, K1, K1            // K1 = all lanes
	KXNORW  K2, K2, K2            // K2 = all lanes
	KXNORW  K3, K3, K3            // K3 = all lanes
	XORQ    DX, DX                // DX = k = 0
	XORQ    AX, AX                // AX = 0: output 0's left column is column 0
vpool_block:
	CMPQ    DX, CX                // k < the end of the full blocks?
	JLT     vpool_go              // yes
	JGT     vpool_rowend          // past it: the row is done
	CMPW    kst-2(SP), $0         // a partial block?
	JEQ     vpool_rowend          // no: the row is done
	KMOVW   klo-4(SP), K1         // K1 = the partial block's low load mask
	KMOVW   khi-6(SP), K2         // K2 = its high load mask
	KMOVW   kst-2(SP), K3         // K3 = its store mask
vpool_go:
	LEAQ    (SI)(DX*8), BX        // BX = &x[2oh][2k]
	HROWF(BX, Z2, Z6, Z7, Z8)     // Z2 = T(2oh)
	LEAQ    (R8)(DX*8), BX        // BX = &x[c][2k]
	HROWF(BX, Z4, Z12, Z13, Z14)  // Z4 = T(c)
	CMPQ    R11, h+48(FP)         // oh == 0?
	JNE     vpool_carry           // no
	VMOVAPS Z2, Z0                // Z0 = T(0), standing in for T(-1)
	JMP     vpool_steps
vpool_carry:
	VMOVUPS.Z (DI)(DX*4), K3, Z0  // Z0 = T(2oh-1), parked in y[oh][k:]
vpool_steps:
	VMAXPS  Z0, Z2, Z0            // Z0 = g(T(2oh-1), T(2oh))
	VMAXPS  Z0, Z4, Z0            // Z0 = g(Z0, T(c))
	VMOVUPS Z0, K3, (DI)(DX*4)    // y[oh][k : k+16] = Z0
	CMPQ    R10, $1               // the last output row?
	JEQ     vpool_next            // yes: nothing to park
	LEAQ    (DI)(R13*1), BX       // BX = &y[oh+1][0]
	VMOVUPS Z4, K3, (BX)(DX*4)    // y[oh+1][k : k+16] = T(c), parked
vpool_next:
	ADDQ    $16, DX               // k += 16
	MOVQ    $-4, AX               // AX = -4: a left column is the one before 2k
	JMP     vpool_block
vpool_rowend:
	LEAQ    (SI)(R12*2), SI       // SI = row 2(oh+1)
	ADDQ    R13, DI               // DI = &y[oh+1][0]
	SUBQ    $2, R11               // R11 = the input rows from row 2(oh+1) on
	DECQ    R10                   // one output row fewer left
	JNZ     vpool_row             // loop over the output rows
	KMOVW   K6, AX                // AX = the lanes where a NaN was loaded
	TESTW   AX, AX                // any?
	SETNE   AL                    // AL = 1 if so
	MOVB    AL, nan+64(FP)        // return it
	VZEROUPPER
	RET
