//go:build arm64 && !purego

// Hand-written (not generated). The NEON Winograd F(4×4, 3×3) transforms for whole
// blocks of 4 tiles (winograd_arm64.go runs the rest on the Go twins): one tile per
// lane, the first 1-D pass parked in a scratch buffer the caller passes, the output's
// four columns of a row stored interleaved by ST4 (and read back by LD4 when
// accumulating). Go's assembler lacks the vector float add and subtract, so they are
// WORDs (FADD4, FSUB4: register numbers).

#include "textflag.h"

// FADD4(d, n, m): Vd.4S = Vn.4S + Vm.4S
#define FADD4(d, n, m) WORD $(0x4E20D400 | (m<<16) | (n<<5) | d)
// FSUB4(d, n, m): Vd.4S = Vn.4S - Vm.4S
#define FSUB4(d, n, m) WORD $(0x4EA0D400 | (m<<16) | (n<<5) | d)
// FMLA4(d, n, m): Vd.4S += Vn.4S * Vm.4S
#define FMLA4(d, n, m) WORD $(0x4E20CC00 | (m<<16) | (n<<5) | d)
// MOV16(d, n): Vd = Vn (ORR Vd.16B, Vn.16B, Vn.16B)
#define MOV16(d, n) WORD $(0x4EA01C00 | (n<<16) | (n<<5) | d)

// IN6N: the 1-D input transform of winoIn6 on d0..d5 = V0..V5 with V28 = 4,
// V29 = −4, V30 = −5; t0..t5 in V10..V15 (V6–V9 scratch).
#define IN6N \
	VORR  V4.B16, V4.B16, V10.B16   /* t0 = d4          */ \
	VFMLA V2.S4, V30.S4, V10.S4     /* t0 = d4 − 5·d2   */ \
	VFMLA V0.S4, V28.S4, V10.S4     /* t0 += 4·d0       */ \
	VORR  V5.B16, V5.B16, V15.B16   /* t5 = d5          */ \
	VFMLA V3.S4, V30.S4, V15.S4     /* t5 = d5 − 5·d3   */ \
	VFMLA V1.S4, V28.S4, V15.S4     /* t5 += 4·d1       */ \
	VORR  V4.B16, V4.B16, V6.B16    /* a = d4           */ \
	VFMLA V2.S4, V29.S4, V6.S4      /* a = d4 − 4·d2    */ \
	VORR  V3.B16, V3.B16, V7.B16    /* b = d3           */ \
	VFMLA V1.S4, V29.S4, V7.S4      /* b = d3 − 4·d1    */ \
	FSUB4(8, 4, 2)                  /* c = d4 − d2      */ \
	FSUB4(9, 3, 1)                  /* e = d3 − d1      */ \
	FADD4(9, 9, 9)                  /* e = 2·(d3 − d1)  */ \
	FADD4(11, 6, 7)                 /* t1 = a + b       */ \
	FSUB4(12, 6, 7)                 /* t2 = a − b       */ \
	FADD4(13, 8, 9)                 /* t3 = c + e       */ \
	FSUB4(14, 8, 9)                 /* t4 = c − e       */

// INROWN: pass 1 for one input row (R7 = &row at this block; R4 = phase stride,
// bytes): t[i][0..5] appended at R6.
#define INROWN \
	ADD   R4, R7, R8                /* R8 = phase 1   */ \
	ADD   R4, R8, R9                /* R9 = phase 2   */ \
	ADD   R4, R9, R10               /* R10 = phase 3  */ \
	VLD1  (R7), [V0.S4]             /* d0 = phase 0 [t]   */ \
	VLD1  (R8), [V1.S4]             /* d1 = phase 1 [t]   */ \
	VLD1  (R9), [V2.S4]             /* d2 = phase 2 [t]   */ \
	VLD1  (R10), [V3.S4]            /* d3 = phase 3 [t]   */ \
	ADD   $4, R7, R11 \
	VLD1  (R11), [V4.S4]            /* d4 = phase 0 [t+1] */ \
	ADD   $4, R8, R11 \
	VLD1  (R11), [V5.S4]            /* d5 = phase 1 [t+1] */ \
	IN6N \
	VST1.P [V10.S4, V11.S4, V12.S4, V13.S4], 64(R6) /* park t[i][0..3] */ \
	VST1.P [V14.S4, V15.S4], 32(R6)                 /* park t[i][4..5] */ \
	ADD   R3, R7, R7                /* next input row */

// INCOLN(b): pass 2 for column b (R6 = scratch, R12 = &dst[b·dstStride] at this
// block, R13 = 6·dstStride bytes): v[a][b] stored to dst[(6a+b)·dstStride].
#define INCOLN(b) \
	ADD   $(16*b), R6, R11          /* R11 = &t[0][b] */ \
	VLD1  (R11), [V0.S4] \
	ADD   $96, R11, R11 \
	VLD1  (R11), [V1.S4] \
	ADD   $96, R11, R11 \
	VLD1  (R11), [V2.S4] \
	ADD   $96, R11, R11 \
	VLD1  (R11), [V3.S4] \
	ADD   $96, R11, R11 \
	VLD1  (R11), [V4.S4] \
	ADD   $96, R11, R11 \
	VLD1  (R11), [V5.S4]            /* t[0..5][b] */ \
	IN6N \
	MOVD  R12, R11 \
	VST1  [V10.S4], (R11)           /* v[0][b] */ \
	ADD   R13, R11, R11 \
	VST1  [V11.S4], (R11)           /* v[1][b] */ \
	ADD   R13, R11, R11 \
	VST1  [V12.S4], (R11)           /* v[2][b] */ \
	ADD   R13, R11, R11 \
	VST1  [V13.S4], (R11)           /* v[3][b] */ \
	ADD   R13, R11, R11 \
	VST1  [V14.S4], (R11)           /* v[4][b] */ \
	ADD   R13, R11, R11 \
	VST1  [V15.S4], (R11)           /* v[5][b] */ \
	ADD   R1, R12, R12              /* next column b */

// func winoInputF4NEON(dst []float32, dstStride int, src []float32, rowStride, phaseStride, blocks int, scratch []float32)
TEXT ·winoInputF4NEON(SB), NOSPLIT, $0-104
	MOVD  dst_base+0(FP), R0         // R0 = &dst[0]
	MOVD  dstStride+24(FP), R1
	LSL   $2, R1, R1                 // R1 = dstStride in bytes
	MOVD  src_base+32(FP), R2        // R2 = &src[0]
	MOVD  rowStride+56(FP), R3
	LSL   $2, R3, R3                 // R3 = rowStride in bytes
	MOVD  phaseStride+64(FP), R4
	LSL   $2, R4, R4                 // R4 = phaseStride in bytes
	MOVD  blocks+72(FP), R5          // R5 = blocks of 4 tiles left
	MOVD  scratch_base+80(FP), R14   // R14 = &scratch[0] (36 vectors)
	ADD   R1, R1, R13
	ADD   R1, R13, R13
	ADD   R13, R13, R13              // R13 = 6·dstStride
	FMOVS $4.0, F28
	VDUP  V28.S[0], V28.S4           // V28 = 4
	FMOVS $-4.0, F29
	VDUP  V29.S[0], V29.S4           // V29 = −4
	FMOVS $-5.0, F30
	VDUP  V30.S[0], V30.S4           // V30 = −5
inN_block:
	CBZ   R5, inN_done
	MOVD  R14, R6                    // R6 = scratch
	MOVD  R2, R7                     // R7 = input row 0 of this block
	INROWN
	INROWN
	INROWN
	INROWN
	INROWN
	INROWN
	MOVD  R14, R6                    // R6 = scratch
	MOVD  R0, R12                    // R12 = &dst[0·dstStride] of this block
	INCOLN(0)
	INCOLN(1)
	INCOLN(2)
	INCOLN(3)
	INCOLN(4)
	INCOLN(5)
	ADD   $16, R2, R2                // src += 4 tiles
	ADD   $16, R0, R0                // dst += 4 tiles
	SUB   $1, R5, R5
	B     inN_block
inN_done:
	RET

// OUT6N(o0, o1, o2, o3): the 1-D output transform of winoOut6 on m0..m5 = V0..V5
// with V10 = 2, V11 = 4, V12 = 8 (V6–V9 scratch); o0..o3 are register numbers.
#define OUT6N(o0, o1, o2, o3) \
	FADD4(6, 1, 2)                  /* s12 = m1 + m2   */ \
	FSUB4(7, 1, 2)                  /* d12 = m1 − m2   */ \
	FADD4(8, 3, 4)                  /* s34 = m3 + m4   */ \
	FSUB4(9, 3, 4)                  /* d34 = m3 − m4   */ \
	FADD4(o0, 0, 6)                 /* o0 = m0 + s12   */ \
	FADD4(o0, o0, 8)                /* o0 += s34       */ \
	MOV16(o1, 7)                    /* o1 = d12        */ \
	FMLA4(o1, 9, 10)                /* o1 += 2·d34     */ \
	MOV16(o2, 6)                    /* o2 = s12        */ \
	FMLA4(o2, 8, 11)                /* o2 += 4·s34     */ \
	MOV16(o3, 7)                    /* o3 = d12        */ \
	FMLA4(o3, 9, 12)                /* o3 += 8·d34     */ \
	FADD4(o3, o3, 5)                /* o3 += m5        */

// STOREROWN(n0, n1, n2, n3, r0, r1, r2, r3): output row at R9 from o[i][0..3] in
// registers n0..n3 (numbers) = r0..r3 (names): + bias (V14), + the old values when
// R15 ≠ 0 (LD4 splits them by column), then ST4 interleaves the 16 columns.
#define STOREROWN(n0, n1, n2, n3, r0, r1, r2, r3) \
	FADD4(n0, n0, 14)               /* + bias */ \
	FADD4(n1, n1, 14) \
	FADD4(n2, n2, 14) \
	FADD4(n3, n3, 14) \
	CBZ   R15, 6(PC)                /* accumulate? */ \
	VLD4  (R9), [V0.S4, V1.S4, V2.S4, V3.S4]  /* old values, column j in Vj */ \
	FADD4(n0, n0, 0) \
	FADD4(n1, n1, 1) \
	FADD4(n2, n2, 2) \
	FADD4(n3, n3, 3) \
	VST4  [r0.S4, r1.S4, r2.S4, r3.S4], (R9)  /* dst[4t + j] = o[i][j][t] */

// func winoOutputF4NEON(dst []float32, ldy, rows int, src []float32, srcStride, blocks int, bias float32, acc bool, scratch []float32)
TEXT ·winoOutputF4NEON(SB), NOSPLIT, $0-112
	MOVD  dst_base+0(FP), R0         // R0 = &dst[0]
	MOVD  ldy+24(FP), R1
	LSL   $2, R1, R1                 // R1 = ldy in bytes
	MOVD  rows+32(FP), R2            // R2 = rows
	MOVD  src_base+40(FP), R3        // R3 = &src[0]
	MOVD  srcStride+64(FP), R4
	LSL   $2, R4, R4                 // R4 = srcStride in bytes
	MOVD  blocks+72(FP), R5          // R5 = blocks of 4 tiles left
	FMOVS bias+80(FP), F14
	VDUP  V14.S[0], V14.S4           // V14 = bias
	MOVBU acc+84(FP), R15            // R15 = acc
	MOVD  scratch_base+88(FP), R14   // R14 = &scratch[0] (24 vectors)
	FMOVS $2.0, F10
	VDUP  V10.S[0], V10.S4           // V10 = 2
	FMOVS $4.0, F11
	VDUP  V11.S[0], V11.S4           // V11 = 4
	FMOVS $8.0, F12
	VDUP  V12.S[0], V12.S4           // V12 = 8
outN_block:
	CBZ   R5, outN_done
	// Pass 1: s[a][0..3] for a = 0..5, parked at scratch + 64a.
	MOVD  R14, R6
	MOVD  R3, R7                     // R7 = &m[0][0] at this block
	MOVD  $6, R8
outN_rowa:
	MOVD  R7, R9
	VLD1  (R9), [V0.S4]
	ADD   R4, R9, R9
	VLD1  (R9), [V1.S4]
	ADD   R4, R9, R9
	VLD1  (R9), [V2.S4]
	ADD   R4, R9, R9
	VLD1  (R9), [V3.S4]
	ADD   R4, R9, R9
	VLD1  (R9), [V4.S4]
	ADD   R4, R9, R9
	VLD1  (R9), [V5.S4]              // m[a][0..5]
	ADD   R4, R9, R7                 // R7 = &m[a+1][0]
	OUT6N(16, 17, 18, 19)
	VST1.P [V16.S4, V17.S4, V18.S4, V19.S4], 64(R6)
	SUB   $1, R8, R8
	CBNZ  R8, outN_rowa
	// Pass 2: o[i][j] = Aᵀ s[0..5][j] into V(16 + 4i + j).
	MOVD  R14, R9
	VLD1  (R9), [V0.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V1.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V2.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V3.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V4.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V5.S4]
	OUT6N(16, 20, 24, 28)
	ADD   $16, R14, R9
	VLD1  (R9), [V0.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V1.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V2.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V3.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V4.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V5.S4]
	OUT6N(17, 21, 25, 29)
	ADD   $32, R14, R9
	VLD1  (R9), [V0.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V1.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V2.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V3.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V4.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V5.S4]
	OUT6N(18, 22, 26, 30)
	ADD   $48, R14, R9
	VLD1  (R9), [V0.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V1.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V2.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V3.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V4.S4]
	ADD   $64, R9, R9
	VLD1  (R9), [V5.S4]
	OUT6N(19, 23, 27, 31)
	MOVD  R0, R9                     // R9 = output row 0 at this block
	STOREROWN(16, 17, 18, 19, V16, V17, V18, V19)
	CMP   $1, R2
	BLE   outN_next
	ADD   R1, R9, R9
	STOREROWN(20, 21, 22, 23, V20, V21, V22, V23)
	CMP   $2, R2
	BLE   outN_next
	ADD   R1, R9, R9
	STOREROWN(24, 25, 26, 27, V24, V25, V26, V27)
	CMP   $3, R2
	BLE   outN_next
	ADD   R1, R9, R9
	STOREROWN(28, 29, 30, 31, V28, V29, V30, V31)
outN_next:
	ADD   $16, R3, R3                // src += 4 tiles
	ADD   $64, R0, R0                // dst += 16 columns
	SUB   $1, R5, R5
	B     outN_block
outN_done:
	RET
