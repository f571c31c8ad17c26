//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 SGEMM micro-kernels: the 8×48 main tile
// and five edge variants (8×32, 8×16, 4×48, 4×32, 4×16) that the driver uses for the
// last row and column panels, so that a 196-column matrix costs 208 columns of
// multiply-adds, not 240.
//
// Registers, in every variant:
//	AX  = &a[p*R]        packed Ã micro-panel, R values per depth p (R = 8 or 4)
//	BX  = &b[p*W]        packed B̃ micro-panel, W values per depth p (W = 48, 32 or 16)
//	CX  = depth steps left; DX = unrolled iterations left
//	DI  = &c[i*ldc]      current row of the C tile
//	R8  = ldc*4          row stride of C in bytes
//	R9                   C rows being prefetched (prologue)
//	Z0, Z1, Z2           b[p*W : p*W+W], 16 lanes each
//	Z3, Z4               a[p*R+i] broadcast to 16 lanes
//	Z5                   beta broadcast (epilogue)
//	Z8 ...               accumulators, row i in Z(8+V*i) ... Z(8+V*i+V-1), V = W/16

#include "textflag.h"

// PROLOGUE loads the arguments: CX = k, AX = &a[0], BX = &b[0], DI = &c[0],
// R8 = ldc*4.
#define PROLOGUE \
	MOVQ k+0(FP), CX        /* CX = k            */ \
	MOVQ a_base+8(FP), AX   /* AX = &a[0]        */ \
	MOVQ b_base+32(FP), BX  /* BX = &b[0]        */ \
	MOVQ c_base+56(FP), DI  /* DI = &c[0]        */ \
	MOVQ ldc+80(FP), R8     /* R8 = ldc          */ \
	SHLQ $2, R8             /* R8 = ldc*4 bytes  */

// LOADB1..3 load V vectors of b at byte offset bo: Zv = b[p*W+16v : p*W+16v+16].
#define LOADB1(bo) \
	VMOVUPS (bo)(BX), Z0            /* Z0 = b[p*W+0 : +16]           */
#define LOADB2(bo) \
	VMOVUPS (bo)(BX), Z0            /* Z0 = b[p*W+0 : +16]           */ \
	VMOVUPS (bo+64)(BX), Z1         /* Z1 = b[p*W+16 : +32]          */
#define LOADB3(bo) \
	VMOVUPS (bo)(BX), Z0            /* Z0 = b[p*W+0 : +16]           */ \
	VMOVUPS (bo+64)(BX), Z1         /* Z1 = b[p*W+16 : +32]          */ \
	VMOVUPS (bo+128)(BX), Z2        /* Z2 = b[p*W+32 : +48]          */

// FMA1..3 do one row i: broadcast a[p*R+i] (byte offset ao) into t and add
// t*b to the row's V accumulators.
#define FMA1(ao, t, c0) \
	VBROADCASTSS (ao)(AX), t        /* t = a[p*R+i] in every lane    */ \
	VFMADD231PS  Z0, t, c0          /* c0 += t * b[p*W+0 : +16]      */
#define FMA2(ao, t, c0, c1) \
	VBROADCASTSS (ao)(AX), t        /* t = a[p*R+i] in every lane    */ \
	VFMADD231PS  Z0, t, c0          /* c0 += t * b[p*W+0 : +16]      */ \
	VFMADD231PS  Z1, t, c1          /* c1 += t * b[p*W+16 : +32]     */
#define FMA3(ao, t, c0, c1, c2) \
	VBROADCASTSS (ao)(AX), t        /* t = a[p*R+i] in every lane    */ \
	VFMADD231PS  Z0, t, c0          /* c0 += t * b[p*W+0 : +16]      */ \
	VFMADD231PS  Z1, t, c1          /* c1 += t * b[p*W+16 : +32]     */ \
	VFMADD231PS  Z2, t, c2          /* c2 += t * b[p*W+32 : +48]     */

// ROWBETA1..3 finish row i with beta != 0: c[i*ldc+j] = acc + beta*c[i*ldc+j],
// then move DI to the next row.
#define ROWBETA1(c0) \
	VFMADD231PS (DI), Z5, c0        /* c0 += beta * c[i*ldc+0 : +16] */ \
	VMOVUPS     c0, (DI)            /* c[i*ldc+0 : +16] = c0         */ \
	ADDQ        R8, DI              /* next row of C                 */
#define ROWBETA2(c0, c1) \
	VFMADD231PS (DI), Z5, c0        /* c0 += beta * c[i*ldc+0 : +16] */ \
	VFMADD231PS 64(DI), Z5, c1      /* c1 += beta * c[i*ldc+16 : +32] */ \
	VMOVUPS     c0, (DI)            /* c[i*ldc+0 : +16] = c0         */ \
	VMOVUPS     c1, 64(DI)          /* c[i*ldc+16 : +32] = c1        */ \
	ADDQ        R8, DI              /* next row of C                 */
#define ROWBETA3(c0, c1, c2) \
	VFMADD231PS (DI), Z5, c0        /* c0 += beta * c[i*ldc+0 : +16] */ \
	VFMADD231PS 64(DI), Z5, c1      /* c1 += beta * c[i*ldc+16 : +32] */ \
	VFMADD231PS 128(DI), Z5, c2     /* c2 += beta * c[i*ldc+32 : +48] */ \
	VMOVUPS     c0, (DI)            /* c[i*ldc+0 : +16] = c0         */ \
	VMOVUPS     c1, 64(DI)          /* c[i*ldc+16 : +32] = c1        */ \
	VMOVUPS     c2, 128(DI)         /* c[i*ldc+32 : +48] = c2        */ \
	ADDQ        R8, DI              /* next row of C                 */

// ROWSTORE1..3 finish row i with beta == 0, never reading C: c[i*ldc+j] = acc.
#define ROWSTORE1(c0) \
	VMOVUPS c0, (DI)                /* c[i*ldc+0 : +16] = c0         */ \
	ADDQ    R8, DI                  /* next row of C                 */
#define ROWSTORE2(c0, c1) \
	VMOVUPS c0, (DI)                /* c[i*ldc+0 : +16] = c0         */ \
	VMOVUPS c1, 64(DI)              /* c[i*ldc+16 : +32] = c1        */ \
	ADDQ    R8, DI                  /* next row of C                 */
#define ROWSTORE3(c0, c1, c2) \
	VMOVUPS c0, (DI)                /* c[i*ldc+0 : +16] = c0         */ \
	VMOVUPS c1, 64(DI)              /* c[i*ldc+16 : +32] = c1        */ \
	VMOVUPS c2, 128(DI)             /* c[i*ldc+32 : +48] = c2        */ \
	ADDQ    R8, DI                  /* next row of C                 */


// STEP8x48 does one depth p of the 8×48 tile: acc[i][j] += a[p*8+i] * b[p*48+j].
#define STEP8x48(ao, bo) \
	LOADB3(bo)                /* b[p*W : p*W+W] */ \
	FMA3(ao, Z3, Z8, Z9, Z10) /* the next row */ \
	FMA3(ao+4, Z4, Z11, Z12, Z13) /* the next row */ \
	FMA3(ao+8, Z3, Z14, Z15, Z16) /* the next row */ \
	FMA3(ao+12, Z4, Z17, Z18, Z19) /* the next row */ \
	FMA3(ao+16, Z3, Z20, Z21, Z22) /* the next row */ \
	FMA3(ao+20, Z4, Z23, Z24, Z25) /* the next row */ \
	FMA3(ao+24, Z3, Z26, Z27, Z28) /* the next row */ \
	FMA3(ao+28, Z4, Z29, Z30, Z31) // the next row

// STEP8x32 does one depth p of the 8×32 tile: acc[i][j] += a[p*8+i] * b[p*32+j].
#define STEP8x32(ao, bo) \
	LOADB2(bo)                /* b[p*W : p*W+W] */ \
	FMA2(ao, Z3, Z8, Z9)      /* the next row */ \
	FMA2(ao+4, Z4, Z10, Z11)  /* the next row */ \
	FMA2(ao+8, Z3, Z12, Z13)  /* the next row */ \
	FMA2(ao+12, Z4, Z14, Z15) /* the next row */ \
	FMA2(ao+16, Z3, Z16, Z17) /* the next row */ \
	FMA2(ao+20, Z4, Z18, Z19) /* the next row */ \
	FMA2(ao+24, Z3, Z20, Z21) /* the next row */ \
	FMA2(ao+28, Z4, Z22, Z23) // the next row

// STEP8x16 does one depth p of the 8×16 tile: acc[i][j] += a[p*8+i] * b[p*16+j].
#define STEP8x16(ao, bo) \
	LOADB1(bo)                /* b[p*W : p*W+W] */ \
	FMA1(ao, Z3, Z8)          /* the next row */ \
	FMA1(ao+4, Z4, Z9)        /* the next row */ \
	FMA1(ao+8, Z3, Z10)       /* the next row */ \
	FMA1(ao+12, Z4, Z11)      /* the next row */ \
	FMA1(ao+16, Z3, Z12)      /* the next row */ \
	FMA1(ao+20, Z4, Z13)      /* the next row */ \
	FMA1(ao+24, Z3, Z14)      /* the next row */ \
	FMA1(ao+28, Z4, Z15)      // the next row

// STEP4x48 does one depth p of the 4×48 tile: acc[i][j] += a[p*4+i] * b[p*48+j].
#define STEP4x48(ao, bo) \
	LOADB3(bo)                /* b[p*W : p*W+W] */ \
	FMA3(ao, Z3, Z8, Z9, Z10) /* the next row */ \
	FMA3(ao+4, Z4, Z11, Z12, Z13) /* the next row */ \
	FMA3(ao+8, Z3, Z14, Z15, Z16) /* the next row */ \
	FMA3(ao+12, Z4, Z17, Z18, Z19) // the next row

// STEP4x32 does one depth p of the 4×32 tile: acc[i][j] += a[p*4+i] * b[p*32+j].
#define STEP4x32(ao, bo) \
	LOADB2(bo)                /* b[p*W : p*W+W] */ \
	FMA2(ao, Z3, Z8, Z9)      /* the next row */ \
	FMA2(ao+4, Z4, Z10, Z11)  /* the next row */ \
	FMA2(ao+8, Z3, Z12, Z13)  /* the next row */ \
	FMA2(ao+12, Z4, Z14, Z15) // the next row

// STEP4x16 does one depth p of the 4×16 tile: acc[i][j] += a[p*4+i] * b[p*16+j].
#define STEP4x16(ao, bo) \
	LOADB1(bo)                /* b[p*W : p*W+W] */ \
	FMA1(ao, Z3, Z8)          /* the next row */ \
	FMA1(ao+4, Z4, Z9)        /* the next row */ \
	FMA1(ao+8, Z3, Z10)       /* the next row */ \
	FMA1(ao+12, Z4, Z11)      // the next row

// func gemmMicroAVX512_8x48(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX512_8x48(SB), NOSPLIT, $0-92
	PROLOGUE                  // load the arguments
	MOVQ DI, R9             // R9 = &c[0]: prefetch the C tile while the loop runs
	PREFETCHT0 0(R9)      // c[0*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[1*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[2*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[3*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[4*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[5*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[6*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[7*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	VPXORD Z8, Z8, Z8    // acc = 0
	VPXORD Z9, Z9, Z9         // Z9 = 0
	VPXORD Z10, Z10, Z10      // Z10 = 0
	VPXORD Z11, Z11, Z11      // Z11 = 0
	VPXORD Z12, Z12, Z12      // Z12 = 0
	VPXORD Z13, Z13, Z13      // Z13 = 0
	VPXORD Z14, Z14, Z14      // Z14 = 0
	VPXORD Z15, Z15, Z15      // Z15 = 0
	VPXORD Z16, Z16, Z16      // Z16 = 0
	VPXORD Z17, Z17, Z17      // Z17 = 0
	VPXORD Z18, Z18, Z18      // Z18 = 0
	VPXORD Z19, Z19, Z19      // Z19 = 0
	VPXORD Z20, Z20, Z20      // Z20 = 0
	VPXORD Z21, Z21, Z21      // Z21 = 0
	VPXORD Z22, Z22, Z22      // Z22 = 0
	VPXORD Z23, Z23, Z23      // Z23 = 0
	VPXORD Z24, Z24, Z24      // Z24 = 0
	VPXORD Z25, Z25, Z25      // Z25 = 0
	VPXORD Z26, Z26, Z26      // Z26 = 0
	VPXORD Z27, Z27, Z27      // Z27 = 0
	VPXORD Z28, Z28, Z28      // Z28 = 0
	VPXORD Z29, Z29, Z29      // Z29 = 0
	VPXORD Z30, Z30, Z30      // Z30 = 0
	VPXORD Z31, Z31, Z31      // Z31 = 0
	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   k8x48_tail           // none left: go to k8x48_tail

k8x48_loop:                 // for four depths p at a time
	STEP8x48(0, 0)    // depth p
	STEP8x48(32, 192)    // depth p+1
	STEP8x48(64, 384)    // depth p+2
	STEP8x48(96, 576)    // depth p+3
	ADDQ $128, AX           // a = a[4*8:]
	ADDQ $768, BX           // b = b[4*48:]
	DECQ DX                   // DX--
	JNZ  k8x48_loop           // repeat while the counter is not 0

k8x48_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   k8x48_end            // none left: go to k8x48_end

k8x48_tailloop:             // for each remaining depth p
	STEP8x48(0, 0)    // depth p
	ADDQ $32, AX            // a = a[8:]
	ADDQ $192, BX            // b = b[48:]
	DECQ CX                   // CX--
	JNZ  k8x48_tailloop       // repeat while the counter is not 0

k8x48_end:
	MOVL  beta+88(FP), DX   // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ    k8x48_store         // none left: go to k8x48_store
	VBROADCASTSS beta+88(FP), Z5 // Z5 = beta in every lane
	ROWBETA3(Z8, Z9, Z10)     // finish the next row of C
	ROWBETA3(Z11, Z12, Z13)   // finish the next row of C
	ROWBETA3(Z14, Z15, Z16)   // finish the next row of C
	ROWBETA3(Z17, Z18, Z19)   // finish the next row of C
	ROWBETA3(Z20, Z21, Z22)   // finish the next row of C
	ROWBETA3(Z23, Z24, Z25)   // finish the next row of C
	ROWBETA3(Z26, Z27, Z28)   // finish the next row of C
	ROWBETA3(Z29, Z30, Z31)   // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

k8x48_store:
	ROWSTORE3(Z8, Z9, Z10)    // finish the next row of C
	ROWSTORE3(Z11, Z12, Z13)  // finish the next row of C
	ROWSTORE3(Z14, Z15, Z16)  // finish the next row of C
	ROWSTORE3(Z17, Z18, Z19)  // finish the next row of C
	ROWSTORE3(Z20, Z21, Z22)  // finish the next row of C
	ROWSTORE3(Z23, Z24, Z25)  // finish the next row of C
	ROWSTORE3(Z26, Z27, Z28)  // finish the next row of C
	ROWSTORE3(Z29, Z30, Z31)  // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func gemmMicroAVX512_8x32(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX512_8x32(SB), NOSPLIT, $0-92
	PROLOGUE                  // load the arguments
	MOVQ DI, R9             // R9 = &c[0]: prefetch the C tile while the loop runs
	PREFETCHT0 0(R9)      // c[0*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[1*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[2*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[3*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[4*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[5*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[6*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[7*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	VPXORD Z8, Z8, Z8    // acc = 0
	VPXORD Z9, Z9, Z9         // Z9 = 0
	VPXORD Z10, Z10, Z10      // Z10 = 0
	VPXORD Z11, Z11, Z11      // Z11 = 0
	VPXORD Z12, Z12, Z12      // Z12 = 0
	VPXORD Z13, Z13, Z13      // Z13 = 0
	VPXORD Z14, Z14, Z14      // Z14 = 0
	VPXORD Z15, Z15, Z15      // Z15 = 0
	VPXORD Z16, Z16, Z16      // Z16 = 0
	VPXORD Z17, Z17, Z17      // Z17 = 0
	VPXORD Z18, Z18, Z18      // Z18 = 0
	VPXORD Z19, Z19, Z19      // Z19 = 0
	VPXORD Z20, Z20, Z20      // Z20 = 0
	VPXORD Z21, Z21, Z21      // Z21 = 0
	VPXORD Z22, Z22, Z22      // Z22 = 0
	VPXORD Z23, Z23, Z23      // Z23 = 0
	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   k8x32_tail           // none left: go to k8x32_tail

k8x32_loop:                 // for four depths p at a time
	STEP8x32(0, 0)    // depth p
	STEP8x32(32, 128)    // depth p+1
	STEP8x32(64, 256)    // depth p+2
	STEP8x32(96, 384)    // depth p+3
	ADDQ $128, AX           // a = a[4*8:]
	ADDQ $512, BX           // b = b[4*32:]
	DECQ DX                   // DX--
	JNZ  k8x32_loop           // repeat while the counter is not 0

k8x32_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   k8x32_end            // none left: go to k8x32_end

k8x32_tailloop:             // for each remaining depth p
	STEP8x32(0, 0)    // depth p
	ADDQ $32, AX            // a = a[8:]
	ADDQ $128, BX            // b = b[32:]
	DECQ CX                   // CX--
	JNZ  k8x32_tailloop       // repeat while the counter is not 0

k8x32_end:
	MOVL  beta+88(FP), DX   // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ    k8x32_store         // none left: go to k8x32_store
	VBROADCASTSS beta+88(FP), Z5 // Z5 = beta in every lane
	ROWBETA2(Z8, Z9)          // finish the next row of C
	ROWBETA2(Z10, Z11)        // finish the next row of C
	ROWBETA2(Z12, Z13)        // finish the next row of C
	ROWBETA2(Z14, Z15)        // finish the next row of C
	ROWBETA2(Z16, Z17)        // finish the next row of C
	ROWBETA2(Z18, Z19)        // finish the next row of C
	ROWBETA2(Z20, Z21)        // finish the next row of C
	ROWBETA2(Z22, Z23)        // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

k8x32_store:
	ROWSTORE2(Z8, Z9)         // finish the next row of C
	ROWSTORE2(Z10, Z11)       // finish the next row of C
	ROWSTORE2(Z12, Z13)       // finish the next row of C
	ROWSTORE2(Z14, Z15)       // finish the next row of C
	ROWSTORE2(Z16, Z17)       // finish the next row of C
	ROWSTORE2(Z18, Z19)       // finish the next row of C
	ROWSTORE2(Z20, Z21)       // finish the next row of C
	ROWSTORE2(Z22, Z23)       // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func gemmMicroAVX512_8x16(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX512_8x16(SB), NOSPLIT, $0-92
	PROLOGUE                  // load the arguments
	MOVQ DI, R9             // R9 = &c[0]: prefetch the C tile while the loop runs
	PREFETCHT0 0(R9)      // c[0*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[1*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[2*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[3*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[4*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[5*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[6*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[7*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	VPXORD Z8, Z8, Z8    // acc = 0
	VPXORD Z9, Z9, Z9         // Z9 = 0
	VPXORD Z10, Z10, Z10      // Z10 = 0
	VPXORD Z11, Z11, Z11      // Z11 = 0
	VPXORD Z12, Z12, Z12      // Z12 = 0
	VPXORD Z13, Z13, Z13      // Z13 = 0
	VPXORD Z14, Z14, Z14      // Z14 = 0
	VPXORD Z15, Z15, Z15      // Z15 = 0
	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   k8x16_tail           // none left: go to k8x16_tail

k8x16_loop:                 // for four depths p at a time
	STEP8x16(0, 0)    // depth p
	STEP8x16(32, 64)    // depth p+1
	STEP8x16(64, 128)    // depth p+2
	STEP8x16(96, 192)    // depth p+3
	ADDQ $128, AX           // a = a[4*8:]
	ADDQ $256, BX           // b = b[4*16:]
	DECQ DX                   // DX--
	JNZ  k8x16_loop           // repeat while the counter is not 0

k8x16_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   k8x16_end            // none left: go to k8x16_end

k8x16_tailloop:             // for each remaining depth p
	STEP8x16(0, 0)    // depth p
	ADDQ $32, AX            // a = a[8:]
	ADDQ $64, BX            // b = b[16:]
	DECQ CX                   // CX--
	JNZ  k8x16_tailloop       // repeat while the counter is not 0

k8x16_end:
	MOVL  beta+88(FP), DX   // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ    k8x16_store         // none left: go to k8x16_store
	VBROADCASTSS beta+88(FP), Z5 // Z5 = beta in every lane
	ROWBETA1(Z8)              // finish the next row of C
	ROWBETA1(Z9)              // finish the next row of C
	ROWBETA1(Z10)             // finish the next row of C
	ROWBETA1(Z11)             // finish the next row of C
	ROWBETA1(Z12)             // finish the next row of C
	ROWBETA1(Z13)             // finish the next row of C
	ROWBETA1(Z14)             // finish the next row of C
	ROWBETA1(Z15)             // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

k8x16_store:
	ROWSTORE1(Z8)             // finish the next row of C
	ROWSTORE1(Z9)             // finish the next row of C
	ROWSTORE1(Z10)            // finish the next row of C
	ROWSTORE1(Z11)            // finish the next row of C
	ROWSTORE1(Z12)            // finish the next row of C
	ROWSTORE1(Z13)            // finish the next row of C
	ROWSTORE1(Z14)            // finish the next row of C
	ROWSTORE1(Z15)            // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func gemmMicroAVX512_4x48(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX512_4x48(SB), NOSPLIT, $0-92
	PROLOGUE                  // load the arguments
	MOVQ DI, R9             // R9 = &c[0]: prefetch the C tile while the loop runs
	PREFETCHT0 0(R9)      // c[0*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[1*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[2*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[3*ldc : +48] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 128(R9)        // and the line at byte 128 of the row
	PREFETCHT0 191(R9)        // and the line at byte 191 of the row
	VPXORD Z8, Z8, Z8    // acc = 0
	VPXORD Z9, Z9, Z9         // Z9 = 0
	VPXORD Z10, Z10, Z10      // Z10 = 0
	VPXORD Z11, Z11, Z11      // Z11 = 0
	VPXORD Z12, Z12, Z12      // Z12 = 0
	VPXORD Z13, Z13, Z13      // Z13 = 0
	VPXORD Z14, Z14, Z14      // Z14 = 0
	VPXORD Z15, Z15, Z15      // Z15 = 0
	VPXORD Z16, Z16, Z16      // Z16 = 0
	VPXORD Z17, Z17, Z17      // Z17 = 0
	VPXORD Z18, Z18, Z18      // Z18 = 0
	VPXORD Z19, Z19, Z19      // Z19 = 0
	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   k4x48_tail           // none left: go to k4x48_tail

k4x48_loop:                 // for four depths p at a time
	STEP4x48(0, 0)    // depth p
	STEP4x48(16, 192)    // depth p+1
	STEP4x48(32, 384)    // depth p+2
	STEP4x48(48, 576)    // depth p+3
	ADDQ $64, AX           // a = a[4*4:]
	ADDQ $768, BX           // b = b[4*48:]
	DECQ DX                   // DX--
	JNZ  k4x48_loop           // repeat while the counter is not 0

k4x48_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   k4x48_end            // none left: go to k4x48_end

k4x48_tailloop:             // for each remaining depth p
	STEP4x48(0, 0)    // depth p
	ADDQ $16, AX            // a = a[4:]
	ADDQ $192, BX            // b = b[48:]
	DECQ CX                   // CX--
	JNZ  k4x48_tailloop       // repeat while the counter is not 0

k4x48_end:
	MOVL  beta+88(FP), DX   // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ    k4x48_store         // none left: go to k4x48_store
	VBROADCASTSS beta+88(FP), Z5 // Z5 = beta in every lane
	ROWBETA3(Z8, Z9, Z10)     // finish the next row of C
	ROWBETA3(Z11, Z12, Z13)   // finish the next row of C
	ROWBETA3(Z14, Z15, Z16)   // finish the next row of C
	ROWBETA3(Z17, Z18, Z19)   // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

k4x48_store:
	ROWSTORE3(Z8, Z9, Z10)    // finish the next row of C
	ROWSTORE3(Z11, Z12, Z13)  // finish the next row of C
	ROWSTORE3(Z14, Z15, Z16)  // finish the next row of C
	ROWSTORE3(Z17, Z18, Z19)  // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func gemmMicroAVX512_4x32(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX512_4x32(SB), NOSPLIT, $0-92
	PROLOGUE                  // load the arguments
	MOVQ DI, R9             // R9 = &c[0]: prefetch the C tile while the loop runs
	PREFETCHT0 0(R9)      // c[0*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[1*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[2*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[3*ldc : +32] into L1
	PREFETCHT0 64(R9)         // and the line at byte 64 of the row
	PREFETCHT0 127(R9)        // and the line at byte 127 of the row
	VPXORD Z8, Z8, Z8    // acc = 0
	VPXORD Z9, Z9, Z9         // Z9 = 0
	VPXORD Z10, Z10, Z10      // Z10 = 0
	VPXORD Z11, Z11, Z11      // Z11 = 0
	VPXORD Z12, Z12, Z12      // Z12 = 0
	VPXORD Z13, Z13, Z13      // Z13 = 0
	VPXORD Z14, Z14, Z14      // Z14 = 0
	VPXORD Z15, Z15, Z15      // Z15 = 0
	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   k4x32_tail           // none left: go to k4x32_tail

k4x32_loop:                 // for four depths p at a time
	STEP4x32(0, 0)    // depth p
	STEP4x32(16, 128)    // depth p+1
	STEP4x32(32, 256)    // depth p+2
	STEP4x32(48, 384)    // depth p+3
	ADDQ $64, AX           // a = a[4*4:]
	ADDQ $512, BX           // b = b[4*32:]
	DECQ DX                   // DX--
	JNZ  k4x32_loop           // repeat while the counter is not 0

k4x32_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   k4x32_end            // none left: go to k4x32_end

k4x32_tailloop:             // for each remaining depth p
	STEP4x32(0, 0)    // depth p
	ADDQ $16, AX            // a = a[4:]
	ADDQ $128, BX            // b = b[32:]
	DECQ CX                   // CX--
	JNZ  k4x32_tailloop       // repeat while the counter is not 0

k4x32_end:
	MOVL  beta+88(FP), DX   // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ    k4x32_store         // none left: go to k4x32_store
	VBROADCASTSS beta+88(FP), Z5 // Z5 = beta in every lane
	ROWBETA2(Z8, Z9)          // finish the next row of C
	ROWBETA2(Z10, Z11)        // finish the next row of C
	ROWBETA2(Z12, Z13)        // finish the next row of C
	ROWBETA2(Z14, Z15)        // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

k4x32_store:
	ROWSTORE2(Z8, Z9)         // finish the next row of C
	ROWSTORE2(Z10, Z11)       // finish the next row of C
	ROWSTORE2(Z12, Z13)       // finish the next row of C
	ROWSTORE2(Z14, Z15)       // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func gemmMicroAVX512_4x16(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX512_4x16(SB), NOSPLIT, $0-92
	PROLOGUE                  // load the arguments
	MOVQ DI, R9             // R9 = &c[0]: prefetch the C tile while the loop runs
	PREFETCHT0 0(R9)      // c[0*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[1*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[2*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 0(R9)      // c[3*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	VPXORD Z8, Z8, Z8    // acc = 0
	VPXORD Z9, Z9, Z9         // Z9 = 0
	VPXORD Z10, Z10, Z10      // Z10 = 0
	VPXORD Z11, Z11, Z11      // Z11 = 0
	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   k4x16_tail           // none left: go to k4x16_tail

k4x16_loop:                 // for four depths p at a time
	STEP4x16(0, 0)    // depth p
	STEP4x16(16, 64)    // depth p+1
	STEP4x16(32, 128)    // depth p+2
	STEP4x16(48, 192)    // depth p+3
	ADDQ $64, AX           // a = a[4*4:]
	ADDQ $256, BX           // b = b[4*16:]
	DECQ DX                   // DX--
	JNZ  k4x16_loop           // repeat while the counter is not 0

k4x16_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   k4x16_end            // none left: go to k4x16_end

k4x16_tailloop:             // for each remaining depth p
	STEP4x16(0, 0)    // depth p
	ADDQ $16, AX            // a = a[4:]
	ADDQ $64, BX            // b = b[16:]
	DECQ CX                   // CX--
	JNZ  k4x16_tailloop       // repeat while the counter is not 0

k4x16_end:
	MOVL  beta+88(FP), DX   // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ    k4x16_store         // none left: go to k4x16_store
	VBROADCASTSS beta+88(FP), Z5 // Z5 = beta in every lane
	ROWBETA1(Z8)              // finish the next row of C
	ROWBETA1(Z9)              // finish the next row of C
	ROWBETA1(Z10)             // finish the next row of C
	ROWBETA1(Z11)             // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

k4x16_store:
	ROWSTORE1(Z8)             // finish the next row of C
	ROWSTORE1(Z9)             // finish the next row of C
	ROWSTORE1(Z10)            // finish the next row of C
	ROWSTORE1(Z11)            // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return
