//go:build arm64 && !purego

// Hand-written (not generated). The NEON max-pool kernel (pool_arm64.go has its Go
// loop): the AVX-512 kernel of pool_avx512_amd64.s (whose comment explains the method)
// on 4-lane vectors, for the output columns in whole blocks of 4; the Go wrapper pools
// the rest. LD2 splits the columns 2k .. 2k+7 into the even (middle) and odd (right)
// columns; EXT moves the odd ones up a lane behind the carry column for the left ones.
//
// Go's arm64 assembler lacks most of these vector instructions, so they are WORDs built
// by the macros below (d, n, m, t are vector register numbers).

#include "textflag.h"

// FCMGT4(d, n, m): Vd.4S = Vn.4S > Vm.4S ? all ones : 0 (0 when either is NaN)
#define FCMGT4(d, n, m) WORD $(0x6EA0E400 | (m<<16) | (n<<5) | d)
// FCMEQ4(d, n, m): Vd.4S = Vn.4S == Vm.4S ? all ones : 0 (0 when either is NaN)
#define FCMEQ4(d, n, m) WORD $(0x4E20E400 | (m<<16) | (n<<5) | d)
// ORN16(d, n, m): Vd = Vn | ^Vm (bitwise)
#define ORN16(d, n, m) WORD $(0x4EE01C00 | (m<<16) | (n<<5) | d)
// BIT16(d, n, m): Vd = Vn where Vm's bits are set, Vd elsewhere
#define BIT16(d, n, m) WORD $(0x6EA01C00 | (m<<16) | (n<<5) | d)
// EXT16(d, n, m, imm): Vd = bytes imm .. imm+15 of Vm:Vn (Vn the low half)
#define EXT16(d, n, m, imm) WORD $(0x6E000000 | (m<<16) | (imm<<11) | (n<<5) | d)
// ADD4(d, n, m): Vd.4S = Vn.4S + Vm.4S (int32)
#define ADD4(d, n, m) WORD $(0x4EA08400 | (m<<16) | (n<<5) | d)
// SUB4(d, n, m): Vd.4S = Vn.4S - Vm.4S (int32)
#define SUB4(d, n, m) WORD $(0x6EA08400 | (m<<16) | (n<<5) | d)
// SMAX4(d, n, m): Vd.4S = max(Vn.4S, Vm.4S) (int32)
#define SMAX4(d, n, m) WORD $(0x4EA06400 | (m<<16) | (n<<5) | d)
// LD2R14(t): Vt.4S, Vt+1.4S = the even and odd elements of the 8 float32s at R14
#define LD2R14(t) WORD $(0x4C408800 | (14<<5) | t)
// LD1RR3(t): Vt.4S = the float32 at R3 in every lane
#define LD1RR3(t) WORD $(0x4D40C800 | (3<<5) | t)

// STEP(a, ai, b, bi, m, n) is one step of the scan: where b > a or b is NaN,
// (Va, Vai) = (Vb, Vbi); m and n are scratch.
#define STEP(a, ai, b, bi, m, n) \
	FCMGT4(m, b, a)                 /* Vm = b > a (false for NaN)  */ \
	FCMEQ4(n, b, b)                 /* Vn = b is not NaN           */ \
	ORN16(m, m, n)                  /* Vm = b > a || b is NaN      */ \
	BIT16(a, b, m)                  /* a = Vm ? b : a              */ \
	BIT16(ai, bi, m)                /* ai = Vm ? bi : ai           */

// HROW(rz, v, vi, t1, t2, t3, m, n) sets (Vv, Vvi) = T(r), the scan of the windows'
// left, middle and right columns in the input row r, whose column 2k is at R14 (R9 =
// the byte offset of output k's left column from R14: -4, or 0 when k = 0; V9-V11 =
// the left, middle and right columns' numbers; Vrz = r·w in every lane). t2 must be
// t1+1; t1-t3, m and n are scratch.
#define HROW(rz, v, vi, t1, t2, t3, m, n) \
	LD2R14(t1)                      /* Vt1 = x[r][2k+2m], Vt2 = x[r][2k+2m+1], m < 4 */ \
	ADD     R9, R14, R3             /* R3 = &x[r][max(2k-1, 0)]                      */ \
	LD1RR3(t3)                      /* Vt3 = x[r][max(2k-1, 0)] in every lane        */ \
	EXT16(v, t3, t2, 12)            /* Vv = t3[3], t2[0], t2[1], t2[2]: the left     */ \
	ADD4(vi, 9, rz)                 /* Vvi = r·w + the left columns: their offsets   */ \
	ADD4(t3, 10, rz)                /* Vt3 = the middle columns' offsets             */ \
	STEP(v, vi, t1, t3, m, n)       /* (v, vi) = g(left, middle)                     */ \
	ADD4(t3, 11, rz)                /* Vt3 = the right columns' offsets              */ \
	STEP(v, vi, t2, t3, m, n)       /* (v, vi) = g(v, right)                         */

// func maxPool3s2NEON(y []float32, idx []int32, x []float32, h, w int)
TEXT ·maxPool3s2NEON(SB), NOSPLIT, $0-88
	MOVD  w+80(FP), R12             // R12 = w
	LSR   $1, R12, R2               // R2 = w/2
	AND   $-4, R2, R2               // R2 = n4: the columns pooled here
	CBZ   R2, pool_done             // none: done
	ADD   $1, R12, R13              // R13 = w + 1
	LSR   $1, R13, R13              // R13 = (w-1)/2 + 1 = wo
	LSL   $2, R13, R13              // R13 = wo*4: the bytes of an output row
	VDUP  R12, V24.S4               // V24 = w in every lane
	LSL   $2, R12, R12              // R12 = w*4: the bytes of an input row
	MOVD  $·poolEven4<>(SB), R3     // R3 = &poolEven4
	VLD1  (R3), [V31.S4]            // V31 = 0, 2, 4, 6
	MOVW  $1, R3                    // R3 = 1
	VDUP  R3, V25.S4                // V25 = 1 in every lane
	MOVW  $8, R3                    // R3 = 8
	VDUP  R3, V28.S4                // V28 = 8 in every lane
	VEOR  V29.B16, V29.B16, V29.B16 // V29 = 0
	MOVD  x_base+48(FP), R5         // R5 = &x[0]: row 2oh
	MOVD  y_base+0(FP), R6          // R6 = &y[0]: output row oh
	MOVD  idx_base+24(FP), R7       // R7 = &idx[0]
	MOVD  h+72(FP), R17             // R17 = h
	MOVD  R17, R11                  // R11 = h: the input rows from row 2oh on
	ADD   $1, R17, R10              // R10 = h + 1
	LSR   $1, R10, R10              // R10 = (h-1)/2 + 1 = ho: output rows left
	VEOR  V26.B16, V26.B16, V26.B16 // V26 = 2oh·w in every lane
pool_row:
	MOVD  R5, R8                    // R8 = row c = row 2oh...
	VORR  V26.B16, V26.B16, V27.B16 // V27 = its offset
	CMP   $2, R11                   // is there a row 2oh+1?
	BLT   pool_rowc                 // no: row 2oh stands in for it (the plane's last row)
	ADD   R12, R8, R8               // R8 = row c = row 2oh+1
	ADD4(27, 26, 24)                // V27 = (2oh+1)·w
pool_rowc:
	MOVD  $0, R4                    // R4 = k = 0: the block's first output
	MOVD  $0, R9                    // R9 = 0: output 0's left column is column 0
	VORR  V31.B16, V31.B16, V10.B16 // V10 = 2k + 2m: the middle columns
pool_block:
	CMP   R2, R4                    // k >= n4?
	BGE   pool_rowend               // yes: the row is done
	ADD4(11, 10, 25)                // V11 = 2k + 2m + 1: the right columns
	SUB4(9, 10, 25)                 // V9 = 2k + 2m - 1
	SMAX4(9, 9, 29)                 // V9 = max(V9, 0): the left columns (0 at k = 0)
	ADD   R4<<3, R5, R14            // R14 = &x[2oh][2k]
	HROW(26, 0, 1, 2, 3, 4, 5, 6)   // (V0, V1) = T(2oh)
	ADD   R4<<3, R8, R14            // R14 = &x[c][2k]
	HROW(27, 12, 13, 14, 15, 16, 17, 18) // (V12, V13) = T(c)
	ADD   R4<<2, R6, R15            // R15 = &y[oh][k]
	ADD   R4<<2, R7, R16            // R16 = &idx[oh][k]
	CMP   R17, R11                  // oh == 0?
	BNE   pool_carry                // no: load the parked T(2oh-1)
	VORR  V0.B16, V0.B16, V20.B16   // V20 = T(0), standing in for T(-1)
	VORR  V1.B16, V1.B16, V21.B16   // V21 = its offsets
	B     pool_steps                // go to pool_steps
pool_carry:
	VLD1  (R15), [V20.S4]           // V20 = T(2oh-1), parked in y[oh][k:] by the row before
	VLD1  (R16), [V21.S4]           // V21 = its offsets, parked in idx[oh][k:]
pool_steps:
	STEP(20, 21, 0, 1, 22, 23)      // (V20, V21) = g(T(2oh-1), T(2oh))
	STEP(20, 21, 12, 13, 22, 23)    // (V20, V21) = g(V20, T(c))
	VST1  [V20.S4], (R15)           // y[oh][k : k+4] = V20
	VST1  [V21.S4], (R16)           // idx[oh][k : k+4] = V21
	CMP   $1, R10                   // the last output row?
	BEQ   pool_next                 // yes: nothing to park
	ADD   R13, R15, R15             // R15 = &y[oh+1][k]
	ADD   R13, R16, R16             // R16 = &idx[oh+1][k]
	VST1  [V12.S4], (R15)           // y[oh+1][k : k+4] = T(c), parked
	VST1  [V13.S4], (R16)           // idx[oh+1][k : k+4] = its offsets
pool_next:
	ADD   $4, R4                    // k += 4
	ADD4(10, 10, 28)                // V10 += 8: the next block's middle columns
	MOVD  $-4, R9                   // R9 = -4: a left column is the one before column 2k
	B     pool_block                // loop over the blocks
pool_rowend:
	ADD   R12<<1, R5, R5            // R5 = row 2(oh+1)
	ADD4(26, 26, 24)                // V26 += w
	ADD4(26, 26, 24)                // V26 += w: 2(oh+1)·w
	ADD   R13, R6, R6               // R6 = &y[oh+1][0]
	ADD   R13, R7, R7               // R7 = &idx[oh+1][0]
	SUB   $2, R11, R11              // R11 = the input rows from row 2(oh+1) on
	SUBS  $1, R10, R10              // one output row fewer left
	BNE   pool_row                  // loop over the output rows
pool_done:
	RET                             // return

// poolEven4 is 0, 2, 4, 6: the middle columns of block 0.
DATA ·poolEven4<>+0(SB)/4, $0
DATA ·poolEven4<>+4(SB)/4, $2
DATA ·poolEven4<>+8(SB)/4, $4
DATA ·poolEven4<>+12(SB)/4, $6
GLOBL ·poolEven4<>(SB), RODATA|NOPTR, $16
