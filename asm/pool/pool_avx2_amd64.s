//go:build amd64 && !purego

// Hand-written (not generated). The AVX2 max-pool kernel (pool_amd64.go has its Go
// loop): the AVX-512 kernel of pool_avx512_amd64.s (whose comment explains the method)
// on YMM registers, 8 outputs per block. The even/odd split is two VSHUFPS and two
// VPERMPD; the left columns are the odd ones moved up a lane by VPERMPS with the carry
// column blended into lane 0. Vector masks and VBLENDVPS take the place of mask
// registers. A row's last, partial block uses VMASKMOVPS loads and stores, which
// neither read nor write the lanes left out.

#include "textflag.h"

// STEP(a, ai, b, bi, m, n) is one step of the scan: where b > a or b is NaN,
// (a, ai) = (b, bi); m and n are scratch.
#define STEP(a, ai, b, bi, m, n) \
	VCMPPS    $0x1E, a, b, m        /* m = b > a (false for NaN)   */ \
	VCMPPS    $3, b, b, n           /* n = b is NaN                */ \
	VORPS     n, m, m               /* m = b > a || b is NaN       */ \
	VBLENDVPS m, b, a, a            /* a = m ? b : a               */ \
	VBLENDVPS m, bi, ai, ai         /* ai = m ? bi : ai            */

// LOADFULL(P, a, b): a, b = x[r][2k : 2k+8], x[r][2k+8 : 2k+16] for a full block.
#define LOADFULL(P, a, b) \
	VMOVUPS (P), a                  /* a = x[r][2k : 2k+8]         */ \
	VMOVUPS 32(P), b                /* b = x[r][2k+8 : 2k+16]      */

// LOADPART(P, a, b): the same for the partial block, lanes past its columns 0
// (klo, khi: the load masks in the frame).
#define LOADPART(P, a, b) \
	VMOVDQU    klo-32(SP), b        /* b = the low load mask       */ \
	VMASKMOVPS (P), b, a            /* a = x[r][2k : 2k+8], masked */ \
	VMOVDQU    khi-64(SP), b        /* b = the high load mask      */ \
	VMASKMOVPS 32(P), b, b          /* b = x[r][2k+8 : 2k+16], masked */

// HROW(P, RZ, v, vi, t1, t2, t3, m, n, LOAD) sets (v, vi) = T(r), the scan of the
// windows' left, middle and right columns in the input row r, whose column 2k is at P
// (AX = the byte offset of output k's left column from P: -4, or 0 when k = 0;
// Y8-Y10 = the middle, right and left columns' numbers; RZ = r·w in every lane;
// Y13 = the lane rotation 0, 0, 1, ..., 6). t1-t3, m and n are scratch.
#define HROW(P, RZ, v, vi, t1, t2, t3, m, n, LOAD) \
	LOAD(P, t2, t3)                 /* t2, t3 = x[r][2k : 2k+16]                 */ \
	VSHUFPS      $0x88, t3, t2, t1  /* t1 = t2[0,2], t3[0,2] | t2[4,6], t3[4,6]  */ \
	VSHUFPS      $0xDD, t3, t2, t2  /* t2 = t2[1,3], t3[1,3] | t2[5,7], t3[5,7]  */ \
	VPERMPD      $0xD8, t1, t1      /* t1[m] = x[r][2k+2m]: the middle columns   */ \
	VPERMPD      $0xD8, t2, t2      /* t2[m] = x[r][2k+2m+1]: the right columns  */ \
	VPERMPS      t2, Y13, v         /* v = t2[0], t2[0], t2[1], ..., t2[6]       */ \
	VBROADCASTSS (P)(AX*1), t3      /* t3 = x[r][max(2k-1, 0)] in every lane     */ \
	VBLENDPS     $1, t3, v, v       /* v[0] = t3[0]: v = the left columns        */ \
	VPADDD       Y10, RZ, vi        /* vi = r·w + the left columns: their offsets */ \
	VPADDD       Y8, RZ, t3         /* t3 = the middle columns' offsets          */ \
	STEP(v, vi, t1, t3, m, n)       /* (v, vi) = g(left, middle)                 */ \
	VPADDD       Y9, RZ, t3         /* t3 = the right columns' offsets           */ \
	STEP(v, vi, t2, t3, m, n)       /* (v, vi) = g(v, right)                     */

// CARRYFULL: (Y4, Y5) = T(2oh-1), parked in y[oh][k:], idx[oh][k:] (full block; for
// oh = 0 it reads what the caller's y holds, which is then replaced).
#define CARRYFULL \
	VMOVUPS (DI)(DX*4), Y4          /* Y4 = y[oh][k : k+8]         */ \
	VMOVDQU (R9)(DX*4), Y5          /* Y5 = idx[oh][k : k+8]       */

// CARRYPART: the same for the partial block (kst: the store mask in the frame).
#define CARRYPART \
	VMOVDQU    kst-96(SP), Y5       /* Y5 = the block's lane mask  */ \
	VMASKMOVPS (DI)(DX*4), Y5, Y4   /* Y4 = y[oh][k:], masked      */ \
	VMASKMOVPS (R9)(DX*4), Y5, Y5   /* Y5 = idx[oh][k:], masked    */

// STOREFULL(s, A): the 8 lanes of s to the address A (full block).
#define STOREFULL(s, A) VMOVUPS s, A /* A[0:8] = s */

// STOREPART(s, A): the block's lanes of s to A (partial block; Y7 is scratch).
#define STOREPART(s, A) \
	VMOVDQU    kst-96(SP), Y7       /* Y7 = the block's lane mask  */ \
	VMASKMOVPS s, Y7, A             /* A[lanes] = s                */

// BLOCK(LOAD, CARRY, STORE, SKIP) pools the block of 8 outputs at column k of output
// row oh; SKIP is the count of instructions of the parking stores plus one, for a
// label-free jump over them (a macro cannot define a label twice in one function).
#define BLOCK(LOAD, CARRY, STORE, SKIP) \
	VPADDD  ·poolOnes8<>(SB), Y8, Y9  /* Y9 = 2k + 2m + 1: the right columns          */ \
	VPSUBD  ·poolOnes8<>(SB), Y8, Y10 /* Y10 = 2k + 2m - 1                             */ \
	VPMAXSD ·poolZeros8<>(SB), Y10, Y10 /* Y10 = max(Y10, 0): the left columns (0 at k = 0) */ \
	LEAQ    (SI)(DX*8), BX            /* BX = &x[2oh][2k]                              */ \
	HROW(BX, Y11, Y0, Y1, Y2, Y3, Y4, Y5, Y6, LOAD)    /* (Y0, Y1) = T(2oh)            */ \
	LEAQ    (R8)(DX*8), BX            /* BX = &x[c][2k]                                */ \
	HROW(BX, Y12, Y2, Y3, Y4, Y5, Y6, Y7, Y14, LOAD)   /* (Y2, Y3) = T(c)              */ \
	CARRY                             /* (Y4, Y5) = T(2oh-1), parked in y[oh], idx[oh] */ \
	CMPQ    R11, h+72(FP)             /* oh > 0?                                       */ \
	JNE     3(PC)                     /* yes: keep the parked T(2oh-1)                 */ \
	VMOVAPS Y0, Y4                    /* Y4 = T(0), standing in for T(-1)              */ \
	VMOVAPS Y1, Y5                    /* Y5 = its offsets                              */ \
	STEP(Y4, Y5, Y0, Y1, Y6, Y7)      /* (Y4, Y5) = g(T(2oh-1), T(2oh))                */ \
	STEP(Y4, Y5, Y2, Y3, Y6, Y7)      /* (Y4, Y5) = g(Y4, T(c))                        */ \
	STORE(Y4, (DI)(DX*4))             /* y[oh][k : k+8] = Y4                           */ \
	STORE(Y5, (R9)(DX*4))             /* idx[oh][k : k+8] = Y5                         */ \
	CMPQ    R10, $1                   /* the last output row?                          */ \
	JEQ     SKIP(PC)                  /* yes: nothing to park                          */ \
	LEAQ    (DI)(R13*1), BX           /* BX = &y[oh+1][0]                              */ \
	STORE(Y2, (BX)(DX*4))             /* y[oh+1][k : k+8] = T(c), parked               */ \
	LEAQ    (R9)(R13*1), BX           /* BX = &idx[oh+1][0]                            */ \
	STORE(Y3, (BX)(DX*4))             /* idx[oh+1][k : k+8] = its offsets              */

// func maxPool3s2AVX2(y []float32, idx []int32, x []float32, h, w int)
TEXT ·maxPool3s2AVX2(SB), NOSPLIT, $96-88
	MOVQ    w+80(FP), R12         // R12 = w
	MOVQ    R12, CX               // CX = w
	SHRQ    $1, CX                // CX = n = w/2: the outputs written per row
	LEAQ    1(R12), R13           // R13 = w + 1
	SHRQ    $1, R13               // R13 = (w-1)/2 + 1 = wo
	SHLQ    $2, R13               // R13 = wo*4: the bytes of an output row
	SHLQ    $2, R12               // R12 = w*4: the bytes of an input row
	VMOVDQU ·poolRot8<>(SB), Y13  // Y13 = 0, 0, 1, ..., 6: moves lanes up by one
	MOVQ    $·poolMask8<>+32(SB), AX // AX = &poolMask8[8]: poolMask8[8-j:] starts with j ones
	MOVQ    CX, BX                // BX = n
	ANDQ    $7, BX                // BX = rem = n mod 8: the outputs of a row's partial block
	SHLQ    $2, BX                // BX = 4 rem
	MOVQ    AX, DX                // DX = &poolMask8[8]
	SUBQ    BX, DX                // DX = &poolMask8[8-rem]
	VMOVDQU (DX), Y0              // Y0 = the first rem lanes
	VMOVDQU Y0, kst-96(SP)        // kst = the partial block's store mask
	SHLQ    $1, BX                // BX = 4 (2 rem)
	MOVQ    $32, R8               // R8 = 4·8
	MOVQ    BX, R9                // R9 = 4 (2 rem)
	CMPQ    R9, R8                // 2 rem > 8?
	CMOVQGT R8, R9                // then R9 = 4·8: R9 = 4 min(2 rem, 8)
	MOVQ    AX, DX                // DX = &poolMask8[8]
	SUBQ    R9, DX                // DX = &poolMask8[8 - min(2 rem, 8)]
	VMOVDQU (DX), Y0              // Y0 = the first min(2 rem, 8) lanes
	VMOVDQU Y0, klo-32(SP)        // klo = the low vector's load mask
	SUBQ    R8, BX                // BX = 4 (2 rem - 8)
	MOVQ    $0, R9                // R9 = 0
	CMOVQLT R9, BX                // if negative, BX = 0: BX = 4 max(2 rem - 8, 0)
	SUBQ    BX, AX                // AX = &poolMask8[8 - max(2 rem - 8, 0)]
	VMOVDQU (AX), Y0              // Y0 = the first max(2 rem - 8, 0) lanes
	VMOVDQU Y0, khi-64(SP)        // khi = the high vector's load mask
	ANDQ    $-8, CX               // CX = n rounded down to 8: where the full blocks end
	MOVQ    x_base+48(FP), SI     // SI = &x[0]: row 2oh
	MOVQ    y_base+0(FP), DI      // DI = &y[0]: output row oh
	MOVQ    idx_base+24(FP), R9   // R9 = &idx[0]
	MOVQ    h+72(FP), R11         // R11 = h: the input rows from row 2oh on
	LEAQ    1(R11), R10           // R10 = h + 1
	SHRQ    $1, R10               // R10 = (h-1)/2 + 1 = ho: output rows left
pool_row:
	MOVQ    SI, BX                // BX = &x[2oh][0]
	SUBQ    x_base+48(FP), BX     // BX = 4·2oh·w
	SHRQ    $2, BX                // BX = 2oh·w
	MOVQ    BX, X11               // X11[0] = 2oh·w
	VPBROADCASTD X11, Y11         // Y11 = 2oh·w in every lane
	VMOVDQA Y11, Y12              // Y12 = row c's offset = 2oh·w...
	MOVQ    SI, R8                // R8 = row c = row 2oh...
	CMPQ    R11, $2               // is there a row 2oh+1?
	JLT     pool_rowc             // no: row 2oh stands in for it (the plane's last row)
	ADDQ    R12, R8               // R8 = row c = row 2oh+1
	MOVQ    R12, BX               // BX = 4w
	SHRQ    $2, BX                // BX = w
	MOVQ    BX, X12               // X12[0] = w
	VPBROADCASTD X12, Y12         // Y12 = w in every lane
	VPADDD  Y11, Y12, Y12         // Y12 = (2oh+1)·w
pool_rowc:
	XORQ    DX, DX                // DX = k = 0: the block's first output
	XORQ    AX, AX                // AX = 0: output 0's left column is column 0
	VMOVDQU ·poolEven8<>(SB), Y8  // Y8 = 2k + 2m: the middle columns
pool_block:
	CMPQ    DX, CX                // k < the end of the full blocks?
	JLT     pool_full             // yes: go to pool_full
	JGT     pool_rowend           // past it (after the partial block): the row is done
	MOVL    kst-96(SP), BX        // BX = the store mask's first lane
	TESTL   BX, BX                // a partial block?
	JEQ     pool_rowend           // no: the row is done
	BLOCK(LOADPART, CARRYPART, STOREPART, 7) // the partial block
	ADDQ    $8, DX                // k += 8: past the end
	JMP     pool_block            // go to pool_block (and on to pool_rowend)
pool_full:
	BLOCK(LOADFULL, CARRYFULL, STOREFULL, 5) // a full block
	ADDQ    $8, DX                // k += 8
	VPADDD  ·poolSixteens8<>(SB), Y8, Y8 // Y8 += 16: the next block's middle columns
	MOVQ    $-4, AX               // AX = -4: a left column is the one before column 2k
	JMP     pool_block            // loop over the blocks
pool_rowend:
	LEAQ    (SI)(R12*2), SI       // SI = row 2(oh+1)
	ADDQ    R13, DI               // DI = &y[oh+1][0]
	ADDQ    R13, R9               // R9 = &idx[oh+1][0]
	SUBQ    $2, R11               // R11 = the input rows from row 2(oh+1) on
	DECQ    R10                   // one output row fewer left
	JNZ     pool_row              // loop over the output rows
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// poolEven8 is 0, 2, ..., 14: the middle columns of block 0.
DATA ·poolEven8<>+0(SB)/4, $0
DATA ·poolEven8<>+4(SB)/4, $2
DATA ·poolEven8<>+8(SB)/4, $4
DATA ·poolEven8<>+12(SB)/4, $6
DATA ·poolEven8<>+16(SB)/4, $8
DATA ·poolEven8<>+20(SB)/4, $10
DATA ·poolEven8<>+24(SB)/4, $12
DATA ·poolEven8<>+28(SB)/4, $14
GLOBL ·poolEven8<>(SB), RODATA|NOPTR, $32

// poolRot8 is the VPERMPS index moving each lane up by one (lane 0 keeps lane 0).
DATA ·poolRot8<>+0(SB)/4, $0
DATA ·poolRot8<>+4(SB)/4, $0
DATA ·poolRot8<>+8(SB)/4, $1
DATA ·poolRot8<>+12(SB)/4, $2
DATA ·poolRot8<>+16(SB)/4, $3
DATA ·poolRot8<>+20(SB)/4, $4
DATA ·poolRot8<>+24(SB)/4, $5
DATA ·poolRot8<>+28(SB)/4, $6
GLOBL ·poolRot8<>(SB), RODATA|NOPTR, $32

// poolOnes8, poolZeros8 and poolSixteens8 are 1, 0 and 16 in every lane.
DATA ·poolOnes8<>+0(SB)/8, $0x0000000100000001
DATA ·poolOnes8<>+8(SB)/8, $0x0000000100000001
DATA ·poolOnes8<>+16(SB)/8, $0x0000000100000001
DATA ·poolOnes8<>+24(SB)/8, $0x0000000100000001
GLOBL ·poolOnes8<>(SB), RODATA|NOPTR, $32
DATA ·poolZeros8<>+0(SB)/8, $0
DATA ·poolZeros8<>+8(SB)/8, $0
DATA ·poolZeros8<>+16(SB)/8, $0
DATA ·poolZeros8<>+24(SB)/8, $0
GLOBL ·poolZeros8<>(SB), RODATA|NOPTR, $32
DATA ·poolSixteens8<>+0(SB)/8, $0x0000001000000010
DATA ·poolSixteens8<>+8(SB)/8, $0x0000001000000010
DATA ·poolSixteens8<>+16(SB)/8, $0x0000001000000010
DATA ·poolSixteens8<>+24(SB)/8, $0x0000001000000010
GLOBL ·poolSixteens8<>(SB), RODATA|NOPTR, $32

// poolMask8 is eight all-ones lanes then eight zero lanes: the 8 lanes from
// poolMask8[8-j] are a mask of the first j lanes.
DATA ·poolMask8<>+0(SB)/8, $-1
DATA ·poolMask8<>+8(SB)/8, $-1
DATA ·poolMask8<>+16(SB)/8, $-1
DATA ·poolMask8<>+24(SB)/8, $-1
DATA ·poolMask8<>+32(SB)/8, $0
DATA ·poolMask8<>+40(SB)/8, $0
DATA ·poolMask8<>+48(SB)/8, $0
DATA ·poolMask8<>+56(SB)/8, $0
GLOBL ·poolMask8<>(SB), RODATA|NOPTR, $64
