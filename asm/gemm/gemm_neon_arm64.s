//go:build arm64 && !purego

// Hand-written (not generated). The NEON SGEMM micro-kernel, 8×12 tile.
//
// Go's arm64 assembler has no FMLA (by element), so it is spelled as a WORD by the
// FMLAE macro below; every other instruction is a native mnemonic.
//
// Registers:
//	R0  = &a[p*8]        packed Ã micro-panel, 8 values per depth p
//	R1  = &b[p*12]       packed B̃ micro-panel, 12 values per depth p
//	R2  = &c[i*ldc]      current row of the C tile
//	R3  = ldc*4          row stride of C in bytes
//	R4  = depth steps left
//	V24, V25             a[p*8 : p*8+8]
//	V26, V27, V28        b[p*12 : p*12+12]; a row of C in the epilogue
//	V29                  beta in lane 0 (epilogue)
//	V(3i) .. V(3i+2)     accumulators of row i, columns 0-3, 4-7, 8-11

#include "textflag.h"

// FMLAE(d, n, m, idx) is FMLA Vd.4S, Vn.4S, Vm.S[idx]: Vd[l] += Vn[l] * Vm[idx]
// for the 4 lanes l (encoding 0x4F801000 | L<<21 | M:Rm<<16 | H<<11 | Rn<<5 | Rd,
// index = H:L).
#define FMLAE(d, n, m, idx) WORD $(0x4F801000 | ((idx&1)<<21) | ((idx>>1)<<11) | (m<<16) | (n<<5) | d)

// STEP does one depth p: acc[i][j] += a[p*8+i] * b[p*12+j] for the 8×12 tile,
// advancing R0 and R1 past depth p.
#define STEP \
	VLD1.P 32(R0), [V24.S4, V25.S4]          /* V24, V25 = a[p*8 : p*8+8]; a = a[8:]   */ \
	VLD1.P 48(R1), [V26.S4, V27.S4, V28.S4]  /* V26-V28 = b[p*12 : p*12+12]; b = b[12:] */ \
	FMLAE(0, 26, 24, 0)  /* acc[0][0:4] += b[p*12+0:+4] * a[p*8+0] */ \
	FMLAE(1, 27, 24, 0)  /* acc[0][4:8] += b[p*12+4:+4] * a[p*8+0] */ \
	FMLAE(2, 28, 24, 0)  /* acc[0][8:12] += b[p*12+8:+4] * a[p*8+0] */ \
	FMLAE(3, 26, 24, 1)  /* acc[1][0:4] += b[p*12+0:+4] * a[p*8+1] */ \
	FMLAE(4, 27, 24, 1)  /* acc[1][4:8] += b[p*12+4:+4] * a[p*8+1] */ \
	FMLAE(5, 28, 24, 1)  /* acc[1][8:12] += b[p*12+8:+4] * a[p*8+1] */ \
	FMLAE(6, 26, 24, 2)  /* acc[2][0:4] += b[p*12+0:+4] * a[p*8+2] */ \
	FMLAE(7, 27, 24, 2)  /* acc[2][4:8] += b[p*12+4:+4] * a[p*8+2] */ \
	FMLAE(8, 28, 24, 2)  /* acc[2][8:12] += b[p*12+8:+4] * a[p*8+2] */ \
	FMLAE(9, 26, 24, 3)  /* acc[3][0:4] += b[p*12+0:+4] * a[p*8+3] */ \
	FMLAE(10, 27, 24, 3)  /* acc[3][4:8] += b[p*12+4:+4] * a[p*8+3] */ \
	FMLAE(11, 28, 24, 3)  /* acc[3][8:12] += b[p*12+8:+4] * a[p*8+3] */ \
	FMLAE(12, 26, 25, 0)  /* acc[4][0:4] += b[p*12+0:+4] * a[p*8+4] */ \
	FMLAE(13, 27, 25, 0)  /* acc[4][4:8] += b[p*12+4:+4] * a[p*8+4] */ \
	FMLAE(14, 28, 25, 0)  /* acc[4][8:12] += b[p*12+8:+4] * a[p*8+4] */ \
	FMLAE(15, 26, 25, 1)  /* acc[5][0:4] += b[p*12+0:+4] * a[p*8+5] */ \
	FMLAE(16, 27, 25, 1)  /* acc[5][4:8] += b[p*12+4:+4] * a[p*8+5] */ \
	FMLAE(17, 28, 25, 1)  /* acc[5][8:12] += b[p*12+8:+4] * a[p*8+5] */ \
	FMLAE(18, 26, 25, 2)  /* acc[6][0:4] += b[p*12+0:+4] * a[p*8+6] */ \
	FMLAE(19, 27, 25, 2)  /* acc[6][4:8] += b[p*12+4:+4] * a[p*8+6] */ \
	FMLAE(20, 28, 25, 2)  /* acc[6][8:12] += b[p*12+8:+4] * a[p*8+6] */ \
	FMLAE(21, 26, 25, 3)  /* acc[7][0:4] += b[p*12+0:+4] * a[p*8+7] */ \
	FMLAE(22, 27, 25, 3)  /* acc[7][4:8] += b[p*12+4:+4] * a[p*8+7] */ \
	FMLAE(23, 28, 25, 3)  /* acc[7][8:12] += b[p*12+8:+4] * a[p*8+7] */

// func gemmMicroNEON(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroNEON(SB), NOSPLIT, $0-92
	MOVD k+0(FP), R4        // R4 = k
	MOVD a_base+8(FP), R0   // R0 = &a[0]
	MOVD b_base+32(FP), R1  // R1 = &b[0]
	MOVD c_base+56(FP), R2  // R2 = &c[0]
	MOVD ldc+80(FP), R3     // R3 = ldc
	LSL  $2, R3, R3         // R3 = ldc*4 bytes
	VEOR V0.B16, V0.B16, V0.B16  // acc = 0
	VEOR V1.B16, V1.B16, V1.B16 // V1 = 0
	VEOR V2.B16, V2.B16, V2.B16 // V2 = 0
	VEOR V3.B16, V3.B16, V3.B16 // V3 = 0
	VEOR V4.B16, V4.B16, V4.B16 // V4 = 0
	VEOR V5.B16, V5.B16, V5.B16 // V5 = 0
	VEOR V6.B16, V6.B16, V6.B16 // V6 = 0
	VEOR V7.B16, V7.B16, V7.B16 // V7 = 0
	VEOR V8.B16, V8.B16, V8.B16 // V8 = 0
	VEOR V9.B16, V9.B16, V9.B16 // V9 = 0
	VEOR V10.B16, V10.B16, V10.B16 // V10 = 0
	VEOR V11.B16, V11.B16, V11.B16 // V11 = 0
	VEOR V12.B16, V12.B16, V12.B16 // V12 = 0
	VEOR V13.B16, V13.B16, V13.B16 // V13 = 0
	VEOR V14.B16, V14.B16, V14.B16 // V14 = 0
	VEOR V15.B16, V15.B16, V15.B16 // V15 = 0
	VEOR V16.B16, V16.B16, V16.B16 // V16 = 0
	VEOR V17.B16, V17.B16, V17.B16 // V17 = 0
	VEOR V18.B16, V18.B16, V18.B16 // V18 = 0
	VEOR V19.B16, V19.B16, V19.B16 // V19 = 0
	VEOR V20.B16, V20.B16, V20.B16 // V20 = 0
	VEOR V21.B16, V21.B16, V21.B16 // V21 = 0
	VEOR V22.B16, V22.B16, V22.B16 // V22 = 0
	VEOR V23.B16, V23.B16, V23.B16 // V23 = 0
	LSR  $1, R4, R5         // R5 = k/2: unrolled iterations
	CBZ  R5, neon_tail        // R5 == 0: go to neon_tail

neon_loop:                  // for two depths p at a time
	STEP                      // the depth at that offset
	STEP                      // the depth at that offset
	SUB  $1, R5, R5           // R5 -= 1
	CBNZ R5, neon_loop        // repeat while R5 != 0

neon_tail:
	TBZ  $0, R4, neon_end   // k even: no depth left
	STEP                      // the depth at that offset

neon_end:
	MOVWU beta+88(FP), R6   // R6 = bits of beta
	ANDW  $0x7fffffff, R6   // beta == 0 (either sign)?
	CBZW  R6, neon_store      // R6 == 0: go to neon_store
	FMOVS beta+88(FP), F29  // V29.S[0] = beta
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[0*ldc : +12]
	FMLAE(0, 26, 29, 0)  // acc[0][0:4] += c[0*ldc+0:+4] * beta
	FMLAE(1, 27, 29, 0)  // acc[0][4:8] += c[0*ldc+4:+4] * beta
	FMLAE(2, 28, 29, 0)  // acc[0][8:12] += c[0*ldc+8:+4] * beta
	VST1.P [V0.S4, V1.S4, V2.S4], (R2)(R3)  // c[0*ldc : +12] = acc[0]; next row
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[1*ldc : +12]
	FMLAE(3, 26, 29, 0)  // acc[1][0:4] += c[1*ldc+0:+4] * beta
	FMLAE(4, 27, 29, 0)  // acc[1][4:8] += c[1*ldc+4:+4] * beta
	FMLAE(5, 28, 29, 0)  // acc[1][8:12] += c[1*ldc+8:+4] * beta
	VST1.P [V3.S4, V4.S4, V5.S4], (R2)(R3)  // c[1*ldc : +12] = acc[1]; next row
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[2*ldc : +12]
	FMLAE(6, 26, 29, 0)  // acc[2][0:4] += c[2*ldc+0:+4] * beta
	FMLAE(7, 27, 29, 0)  // acc[2][4:8] += c[2*ldc+4:+4] * beta
	FMLAE(8, 28, 29, 0)  // acc[2][8:12] += c[2*ldc+8:+4] * beta
	VST1.P [V6.S4, V7.S4, V8.S4], (R2)(R3)  // c[2*ldc : +12] = acc[2]; next row
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[3*ldc : +12]
	FMLAE(9, 26, 29, 0)  // acc[3][0:4] += c[3*ldc+0:+4] * beta
	FMLAE(10, 27, 29, 0)  // acc[3][4:8] += c[3*ldc+4:+4] * beta
	FMLAE(11, 28, 29, 0)  // acc[3][8:12] += c[3*ldc+8:+4] * beta
	VST1.P [V9.S4, V10.S4, V11.S4], (R2)(R3)  // c[3*ldc : +12] = acc[3]; next row
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[4*ldc : +12]
	FMLAE(12, 26, 29, 0)  // acc[4][0:4] += c[4*ldc+0:+4] * beta
	FMLAE(13, 27, 29, 0)  // acc[4][4:8] += c[4*ldc+4:+4] * beta
	FMLAE(14, 28, 29, 0)  // acc[4][8:12] += c[4*ldc+8:+4] * beta
	VST1.P [V12.S4, V13.S4, V14.S4], (R2)(R3)  // c[4*ldc : +12] = acc[4]; next row
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[5*ldc : +12]
	FMLAE(15, 26, 29, 0)  // acc[5][0:4] += c[5*ldc+0:+4] * beta
	FMLAE(16, 27, 29, 0)  // acc[5][4:8] += c[5*ldc+4:+4] * beta
	FMLAE(17, 28, 29, 0)  // acc[5][8:12] += c[5*ldc+8:+4] * beta
	VST1.P [V15.S4, V16.S4, V17.S4], (R2)(R3)  // c[5*ldc : +12] = acc[5]; next row
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[6*ldc : +12]
	FMLAE(18, 26, 29, 0)  // acc[6][0:4] += c[6*ldc+0:+4] * beta
	FMLAE(19, 27, 29, 0)  // acc[6][4:8] += c[6*ldc+4:+4] * beta
	FMLAE(20, 28, 29, 0)  // acc[6][8:12] += c[6*ldc+8:+4] * beta
	VST1.P [V18.S4, V19.S4, V20.S4], (R2)(R3)  // c[6*ldc : +12] = acc[6]; next row
	VLD1 (R2), [V26.S4, V27.S4, V28.S4]  // V26-V28 = c[7*ldc : +12]
	FMLAE(21, 26, 29, 0)  // acc[7][0:4] += c[7*ldc+0:+4] * beta
	FMLAE(22, 27, 29, 0)  // acc[7][4:8] += c[7*ldc+4:+4] * beta
	FMLAE(23, 28, 29, 0)  // acc[7][8:12] += c[7*ldc+8:+4] * beta
	VST1.P [V21.S4, V22.S4, V23.S4], (R2)(R3)  // c[7*ldc : +12] = acc[7]; next row
	RET                       // return

neon_store:
	VST1.P [V0.S4, V1.S4, V2.S4], (R2)(R3)  // c[0*ldc : +12] = acc[0], C not read; next row
	VST1.P [V3.S4, V4.S4, V5.S4], (R2)(R3)  // c[1*ldc : +12] = acc[1], C not read; next row
	VST1.P [V6.S4, V7.S4, V8.S4], (R2)(R3)  // c[2*ldc : +12] = acc[2], C not read; next row
	VST1.P [V9.S4, V10.S4, V11.S4], (R2)(R3)  // c[3*ldc : +12] = acc[3], C not read; next row
	VST1.P [V12.S4, V13.S4, V14.S4], (R2)(R3)  // c[4*ldc : +12] = acc[4], C not read; next row
	VST1.P [V15.S4, V16.S4, V17.S4], (R2)(R3)  // c[5*ldc : +12] = acc[5], C not read; next row
	VST1.P [V18.S4, V19.S4, V20.S4], (R2)(R3)  // c[6*ldc : +12] = acc[6], C not read; next row
	VST1.P [V21.S4, V22.S4, V23.S4], (R2)(R3)  // c[7*ldc : +12] = acc[7], C not read; next row
	RET                       // return
