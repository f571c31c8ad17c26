//go:build amd64 && !purego

// Hand-written (not generated). The AVX2+FMA3 SGEMM micro-kernel, 6×16 tile.
//
// Registers:
//	AX  = &a[p*6]        packed Ã micro-panel, 6 values per depth p
//	BX  = &b[p*16]       packed B̃ micro-panel, 16 values per depth p
//	CX  = depth steps left
//	DI  = &c[i*ldc]      current row of the C tile
//	R8  = ldc*4          row stride of C in bytes
//	R9                   C rows being prefetched (prologue)
//	Y0, Y1               b[p*16 : p*16+16]
//	Y2, Y3               a[p*6+i] broadcast to 8 lanes; Y2 = beta in the epilogue
//	Y4+2i, Y5+2i         accumulators of row i, columns 0-7 and 8-15

#include "textflag.h"

// STEP does one depth p: acc[i][j] += a[p*6+i] * b[p*16+j] for the 6×16 tile.
#define STEP(ao, bo) \
	VMOVUPS      (bo)(BX), Y0       /* Y0 = b[p*16+0 : p*16+8]    */ \
	VMOVUPS      (bo+32)(BX), Y1    /* Y1 = b[p*16+8 : p*16+16]   */ \
	VBROADCASTSS (ao)(AX), Y2       /* Y2 = a[p*6+0] in every lane */ \
	VFMADD231PS  Y0, Y2, Y4         /* row 0 cols 0-7  += Y2*Y0   */ \
	VFMADD231PS  Y1, Y2, Y5         /* row 0 cols 8-15 += Y2*Y1   */ \
	VBROADCASTSS (ao+4)(AX), Y3     /* Y3 = a[p*6+1]              */ \
	VFMADD231PS  Y0, Y3, Y6         /* row 1 += a[p*6+1]*b        */ \
	VFMADD231PS  Y1, Y3, Y7   /* Y7 += Y3 * Y1 */ \
	VBROADCASTSS (ao+8)(AX), Y2     /* Y2 = a[p*6+2]              */ \
	VFMADD231PS  Y0, Y2, Y8         /* row 2 += a[p*6+2]*b        */ \
	VFMADD231PS  Y1, Y2, Y9   /* Y9 += Y2 * Y1 */ \
	VBROADCASTSS (ao+12)(AX), Y3    /* Y3 = a[p*6+3]              */ \
	VFMADD231PS  Y0, Y3, Y10        /* row 3 += a[p*6+3]*b        */ \
	VFMADD231PS  Y1, Y3, Y11  /* Y11 += Y3 * Y1 */ \
	VBROADCASTSS (ao+16)(AX), Y2    /* Y2 = a[p*6+4]              */ \
	VFMADD231PS  Y0, Y2, Y12        /* row 4 += a[p*6+4]*b        */ \
	VFMADD231PS  Y1, Y2, Y13  /* Y13 += Y2 * Y1 */ \
	VBROADCASTSS (ao+20)(AX), Y3    /* Y3 = a[p*6+5]              */ \
	VFMADD231PS  Y0, Y3, Y14        /* row 5 += a[p*6+5]*b        */ \
	VFMADD231PS  Y1, Y3, Y15  // Y15 += Y3 * Y1

// ROWBETA finishes one row with beta != 0: c[i*ldc+j] = acc + beta*c[i*ldc+j].
#define ROWBETA(r0, r1) \
	VFMADD231PS (DI), Y2, r0        /* r0 += beta * c[i*ldc+0 : +8]  */ \
	VFMADD231PS 32(DI), Y2, r1      /* r1 += beta * c[i*ldc+8 : +16] */ \
	VMOVUPS     r0, (DI)            /* c[i*ldc+0 : +8] = r0          */ \
	VMOVUPS     r1, 32(DI)          /* c[i*ldc+8 : +16] = r1         */ \
	ADDQ        R8, DI              /* next row of C                 */

// ROWSTORE finishes one row with beta == 0, never reading C: c[i*ldc+j] = acc.
#define ROWSTORE(r0, r1) \
	VMOVUPS r0, (DI)                /* c[i*ldc+0 : +8] = r0          */ \
	VMOVUPS r1, 32(DI)              /* c[i*ldc+8 : +16] = r1         */ \
	ADDQ    R8, DI                  /* next row of C                 */

// func gemmMicroAVX2(k int, a, b, c []float32, ldc int, beta float32)
TEXT ·gemmMicroAVX2(SB), NOSPLIT, $0-92
	MOVQ k+0(FP), CX        // CX = k
	MOVQ a_base+8(FP), AX   // AX = &a[0]
	MOVQ b_base+32(FP), BX  // BX = &b[0]
	MOVQ c_base+56(FP), DI  // DI = &c[0]
	MOVQ ldc+80(FP), R8     // R8 = ldc
	SHLQ $2, R8             // R8 = ldc*4 bytes
	MOVQ DI, R9             // R9 = &c[0]: prefetch the C tile while the loop runs
	PREFETCHT0 (R9)         // c[0*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 (R9)         // c[1*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 (R9)         // c[2*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 (R9)         // c[3*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 (R9)         // c[4*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row
	ADDQ R8, R9             // next row
	PREFETCHT0 (R9)         // c[5*ldc : +16] into L1
	PREFETCHT0 63(R9)         // and the line at byte 63 of the row

	VXORPS Y4, Y4, Y4       // acc = 0, all 12 registers
	VXORPS Y5, Y5, Y5         // Y5 = 0
	VXORPS Y6, Y6, Y6         // Y6 = 0
	VXORPS Y7, Y7, Y7         // Y7 = 0
	VXORPS Y8, Y8, Y8         // Y8 = 0
	VXORPS Y9, Y9, Y9         // Y9 = 0
	VXORPS Y10, Y10, Y10      // Y10 = 0
	VXORPS Y11, Y11, Y11      // Y11 = 0
	VXORPS Y12, Y12, Y12      // Y12 = 0
	VXORPS Y13, Y13, Y13      // Y13 = 0
	VXORPS Y14, Y14, Y14      // Y14 = 0
	VXORPS Y15, Y15, Y15      // Y15 = 0

	MOVQ CX, DX             // DX = k
	SHRQ $2, DX             // DX = k/4: unrolled iterations
	JZ   avx2_tail            // none left: go to avx2_tail

avx2_loop:                  // for four depths p at a time
	STEP(0, 0)    // depth p
	STEP(24, 64)    // depth p+1
	STEP(48, 128)    // depth p+2
	STEP(72, 192)    // depth p+3
	ADDQ $96, AX            // a = a[4*6:]
	ADDQ $256, BX           // b = b[4*16:]
	DECQ DX                   // DX--
	JNZ  avx2_loop            // repeat while the counter is not 0

avx2_tail:
	ANDQ $3, CX             // CX = k%4 depths left
	JZ   avx2_end             // none left: go to avx2_end

avx2_tailloop:              // for each remaining depth p
	STEP(0, 0)    // depth p
	ADDQ $24, AX            // a = a[6:]
	ADDQ $64, BX            // b = b[16:]
	DECQ CX                   // CX--
	JNZ  avx2_tailloop        // repeat while the counter is not 0

avx2_end:
	MOVL beta+88(FP), DX    // DX = bits of beta
	TESTL $0x7fffffff, DX   // beta == 0 (either sign)?
	JZ   avx2_store           // none left: go to avx2_store

	VBROADCASTSS beta+88(FP), Y2 // Y2 = beta in every lane
	ROWBETA(Y4, Y5)           // finish the next row of C
	ROWBETA(Y6, Y7)           // finish the next row of C
	ROWBETA(Y8, Y9)           // finish the next row of C
	ROWBETA(Y10, Y11)         // finish the next row of C
	ROWBETA(Y12, Y13)         // finish the next row of C
	ROWBETA(Y14, Y15)         // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

avx2_store:
	ROWSTORE(Y4, Y5)          // finish the next row of C
	ROWSTORE(Y6, Y7)          // finish the next row of C
	ROWSTORE(Y8, Y9)          // finish the next row of C
	ROWSTORE(Y10, Y11)        // finish the next row of C
	ROWSTORE(Y12, Y13)        // finish the next row of C
	ROWSTORE(Y14, Y15)        // finish the next row of C
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return
