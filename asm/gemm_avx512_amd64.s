//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 SGEMM micro-kernel, 8×48 tile.
//
// Registers:
//	AX  = &a[p*8]        packed Ã micro-panel, 8 values per depth p
//	BX  = &b[p*48]       packed B̃ micro-panel, 48 values per depth p
//	CX  = depth steps left
//	DI  = &c[i*ldc]      current row of the C tile
//	R8  = ldc*4          row stride of C in bytes
//	Z0, Z1, Z2           b[p*48 : p*48+48]
//	Z3, Z4               a[p*8+i] broadcast to 16 lanes
//	Z5                   beta broadcast (epilogue)
//	Z8+3i .. Z10+3i      accumulators of row i, columns 0-15, 16-31, 32-47

#include "textflag.h"

// STEP does one depth p: acc[i][j] += a[p*8+i] * b[p*48+j] for the 8×48 tile.
// ao and bo are the byte offsets of depth p from AX and BX.
#define STEP(ao, bo) \
	VMOVUPS      (bo)(BX), Z0       /* Z0 = b[p*48+0 : p*48+16]      */ \
	VMOVUPS      (bo+64)(BX), Z1    /* Z1 = b[p*48+16 : p*48+32]     */ \
	VMOVUPS      (bo+128)(BX), Z2   /* Z2 = b[p*48+32 : p*48+48]     */ \
	VBROADCASTSS (ao)(AX), Z3       /* Z3 = a[p*8+0] in every lane   */ \
	VFMADD231PS  Z0, Z3, Z8         /* row 0 cols  0-15 += Z3*Z0     */ \
	VFMADD231PS  Z1, Z3, Z9         /* row 0 cols 16-31 += Z3*Z1     */ \
	VFMADD231PS  Z2, Z3, Z10        /* row 0 cols 32-47 += Z3*Z2     */ \
	VBROADCASTSS (ao+4)(AX), Z4     /* Z4 = a[p*8+1]                 */ \
	VFMADD231PS  Z0, Z4, Z11        /* row 1 += a[p*8+1]*b           */ \
	VFMADD231PS  Z1, Z4, Z12        \
	VFMADD231PS  Z2, Z4, Z13        \
	VBROADCASTSS (ao+8)(AX), Z3     /* Z3 = a[p*8+2]                 */ \
	VFMADD231PS  Z0, Z3, Z14        /* row 2 += a[p*8+2]*b           */ \
	VFMADD231PS  Z1, Z3, Z15        \
	VFMADD231PS  Z2, Z3, Z16        \
	VBROADCASTSS (ao+12)(AX), Z4    /* Z4 = a[p*8+3]                 */ \
	VFMADD231PS  Z0, Z4, Z17        /* row 3 += a[p*8+3]*b           */ \
	VFMADD231PS  Z1, Z4, Z18        \
	VFMADD231PS  Z2, Z4, Z19        \
	VBROADCASTSS (ao+16)(AX), Z3    /* Z3 = a[p*8+4]                 */ \
	VFMADD231PS  Z0, Z3, Z20        /* row 4 += a[p*8+4]*b           */ \
	VFMADD231PS  Z1, Z3, Z21        \
	VFMADD231PS  Z2, Z3, Z22        \
	VBROADCASTSS (ao+20)(AX), Z4    /* Z4 = a[p*8+5]                 */ \
	VFMADD231PS  Z0, Z4, Z23        /* row 5 += a[p*8+5]*b           */ \
	VFMADD231PS  Z1, Z4, Z24        \
	VFMADD231PS  Z2, Z4, Z25        \
	VBROADCASTSS (ao+24)(AX), Z3    /* Z3 = a[p*8+6]                 */ \
	VFMADD231PS  Z0, Z3, Z26        /* row 6 += a[p*8+6]*b           */ \
	VFMADD231PS  Z1, Z3, Z27        \
	VFMADD231PS  Z2, Z3, Z28        \
	VBROADCASTSS (ao+28)(AX), Z4    /* Z4 = a[p*8+7]                 */ \
	VFMADD231PS  Z0, Z4, Z29        /* row 7 += a[p*8+7]*b           */ \
	VFMADD231PS  Z1, Z4, Z30        \
	VFMADD231PS  Z2, Z4, Z31

// ROWBETA finishes one row with beta != 0: c[i*ldc+j] = acc + beta*c[i*ldc+j].
#define ROWBETA(r0, r1, r2) \
	VFMADD231PS (DI), Z5, r0        /* r0 += beta * c[i*ldc+0 : +16]  */ \
	VFMADD231PS 64(DI), Z5, r1      /* r1 += beta * c[i*ldc+16 : +32] */ \
	VFMADD231PS 128(DI), Z5, r2     /* r2 += beta * c[i*ldc+32 : +48] */ \
	VMOVUPS     r0, (DI)            /* c[i*ldc+0 : +16] = r0          */ \
	VMOVUPS     r1, 64(DI)          /* c[i*ldc+16 : +32] = r1         */ \
	VMOVUPS     r2, 128(DI)         /* c[i*ldc+32 : +48] = r2         */ \
	ADDQ        R8, DI              /* next row of C                  */

// ROWSTORE finishes one row with beta == 0, never reading C: c[i*ldc+j] = acc.
#define ROWSTORE(r0, r1, r2) \
	VMOVUPS r0, (DI)                /* c[i*ldc+0 : +16] = r0          */ \
	VMOVUPS r1, 64(DI)              /* c[i*ldc+16 : +32] = r1         */ \
	VMOVUPS r2, 128(DI)             /* c[i*ldc+32 : +48] = r2         */ \
	ADDQ    R8, DI                  /* next row of C                  */

// func gemmMicroAVX512(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX512(SB), NOSPLIT, $0-92
	MOVQ k+0(FP), CX        // CX = k
	MOVQ a_base+8(FP), AX   // AX = &a[0]
	MOVQ b_base+32(FP), BX  // BX = &b[0]
	MOVQ c_base+56(FP), DI  // DI = &c[0]
	MOVQ ldc+80(FP), R8     // R8 = ldc
	SHLQ $2, R8             // R8 = ldc*4 bytes

	VPXORD Z8, Z8, Z8       // acc = 0, all 24 registers
	VPXORD Z9, Z9, Z9
	VPXORD Z10, Z10, Z10
	VPXORD Z11, Z11, Z11
	VPXORD Z12, Z12, Z12
	VPXORD Z13, Z13, Z13
	VPXORD Z14, Z14, Z14
	VPXORD Z15, Z15, Z15
	VPXORD Z16, Z16, Z16
	VPXORD Z17, Z17, Z17
	VPXORD Z18, Z18, Z18
	VPXORD Z19, Z19, Z19
	VPXORD Z20, Z20, Z20
	VPXORD Z21, Z21, Z21
	VPXORD Z22, Z22, Z22
	VPXORD Z23, Z23, Z23
	VPXORD Z24, Z24, Z24
	VPXORD Z25, Z25, Z25
	VPXORD Z26, Z26, Z26
	VPXORD Z27, Z27, Z27
	VPXORD Z28, Z28, Z28
	VPXORD Z29, Z29, Z29
	VPXORD Z30, Z30, Z30
	VPXORD Z31, Z31, Z31

	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   avx512_tail

avx512_loop:                // for four depths p at a time
	STEP(0, 0)
	STEP(32, 192)
	STEP(64, 384)
	STEP(96, 576)
	ADDQ $128, AX           // a = a[4*8:]
	ADDQ $768, BX           // b = b[4*48:]
	DECQ DX
	JNZ  avx512_loop

avx512_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   avx512_end

avx512_tailloop:            // for each remaining depth p
	STEP(0, 0)
	ADDQ $32, AX            // a = a[8:]
	ADDQ $192, BX           // b = b[48:]
	DECQ CX
	JNZ  avx512_tailloop

avx512_end:
	MOVL beta+88(FP), DX    // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ   avx512_store

	VBROADCASTSS beta+88(FP), Z5 // Z5 = beta in every lane
	ROWBETA(Z8, Z9, Z10)
	ROWBETA(Z11, Z12, Z13)
	ROWBETA(Z14, Z15, Z16)
	ROWBETA(Z17, Z18, Z19)
	ROWBETA(Z20, Z21, Z22)
	ROWBETA(Z23, Z24, Z25)
	ROWBETA(Z26, Z27, Z28)
	ROWBETA(Z29, Z30, Z31)
	VZEROUPPER
	RET

avx512_store:
	ROWSTORE(Z8, Z9, Z10)
	ROWSTORE(Z11, Z12, Z13)
	ROWSTORE(Z14, Z15, Z16)
	ROWSTORE(Z17, Z18, Z19)
	ROWSTORE(Z20, Z21, Z22)
	ROWSTORE(Z23, Z24, Z25)
	ROWSTORE(Z26, Z27, Z28)
	ROWSTORE(Z29, Z30, Z31)
	VZEROUPPER
	RET
