//go:build amd64 && !purego

// Hand-written (not generated). The AVX2 vector kernels. Each processes len(x)
// elements, a multiple of 8 (the Go wrappers in vec_amd64.go run the last few in Go):
// 32 per iteration in four YMM registers, then 8 at a time.

#include "textflag.h"

// BINOP(op) is the body of dst[i] = a[i] op b[i] with op a VEX instruction
// (VADDPS or VMULPS); DI = &dst, SI = &a, DX = &b, CX = n.
#define BINOP(op) \
	MOVQ dst_base+0(FP), DI      /* DI = &dst[0] */ \
	MOVQ a_base+24(FP), SI       /* SI = &a[0]   */ \
	MOVQ b_base+48(FP), DX       /* DX = &b[0]   */ \
	MOVQ dst_len+8(FP), CX       /* CX = n       */ \
binop_loop32: \
	CMPQ    CX, $32           /* 32 or more left in CX? */ \
	JL      binop_loop8       /* fewer left than that: go to binop_loop8 */ \
	VMOVUPS (SI), Y0             /* Y0 = a[i : i+8]           */ \
	VMOVUPS 32(SI), Y1           /* Y1 = a[i+8 : i+16]        */ \
	VMOVUPS 64(SI), Y2           /* Y2 = a[i+16 : i+24]       */ \
	VMOVUPS 96(SI), Y3           /* Y3 = a[i+24 : i+32]       */ \
	op      (DX), Y0, Y0         /* Y0 = Y0 op b[i : i+8]     */ \
	op      32(DX), Y1, Y1       /* Y1 = Y1 op b[i+8 : i+16]  */ \
	op      64(DX), Y2, Y2       /* Y2 = Y2 op b[i+16 : i+24] */ \
	op      96(DX), Y3, Y3       /* Y3 = Y3 op b[i+24 : i+32] */ \
	VMOVUPS Y0, (DI)             /* dst[i : i+8] = Y0         */ \
	VMOVUPS Y1, 32(DI)           /* dst[i+8 : i+16] = Y1      */ \
	VMOVUPS Y2, 64(DI)           /* dst[i+16 : i+24] = Y2     */ \
	VMOVUPS Y3, 96(DI)           /* dst[i+24 : i+32] = Y3     */ \
	ADDQ    $128, SI             /* i += 32                   */ \
	ADDQ    $128, DX          /* DX += 128 bytes */ \
	ADDQ    $128, DI          /* DI += 128 bytes */ \
	SUBQ    $32, CX           /* CX -= 32 */ \
	JMP     binop_loop32      /* loop */ \
binop_loop8: \
	TESTQ   CX, CX            /* CX == 0? */ \
	JZ      binop_end         /* none left: go to binop_end */ \
	VMOVUPS (SI), Y0             /* Y0 = a[i : i+8]           */ \
	op      (DX), Y0, Y0         /* Y0 = Y0 op b[i : i+8]     */ \
	VMOVUPS Y0, (DI)             /* dst[i : i+8] = Y0         */ \
	ADDQ    $32, SI              /* i += 8                    */ \
	ADDQ    $32, DX           /* DX += 32 bytes */ \
	ADDQ    $32, DI           /* DI += 32 bytes */ \
	SUBQ    $8, CX            /* CX -= 8 */ \
	JMP     binop_loop8       /* loop */ \
binop_end: \
	VZEROUPPER                /* clear the upper vector halves before returning to Go */ \
	RET                       // return

// HSUM8(y, x, t) leaves the sum of the 8 lanes of Y register y in lane 0 of X register x
// (x is y's low half), using t as scratch.
#define HSUM8(y, x, t) \
	VEXTRACTF128 $1, y, t        /* t = lanes 4-7                  */ \
	VADDPS       t, x, x         /* x = lanes 0-3 + lanes 4-7      */ \
	VPERMILPS    $0x4E, x, t     /* t = x[2], x[3], x[0], x[1]     */ \
	VADDPS       t, x, x         /* x[0] = x[0]+x[2], x[1] = x[1]+x[3] */ \
	VPERMILPS    $0xB1, x, t     /* t = x[1], x[0], ...            */ \
	VADDPS       t, x, x         /* x[0] = sum of all 8 lanes      */

// func axpyAVX2(alpha float32, x, y []float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Y0 // Y0 = alpha
	MOVQ x_base+8(FP), SI        // SI = &x[0]
	MOVQ y_base+32(FP), DI       // DI = &y[0]
	MOVQ x_len+16(FP), CX        // CX = n
axpy_loop32:
	CMPQ CX, $32              // 32 or more left in CX?
	JL   axpy_loop8           // fewer left than that: go to axpy_loop8
	VMOVUPS     (DI), Y1         // Y1 = y[i : i+8]
	VMOVUPS     32(DI), Y2       // Y2 = y[i+8 : i+16]
	VMOVUPS     64(DI), Y3       // Y3 = y[i+16 : i+24]
	VMOVUPS     96(DI), Y4       // Y4 = y[i+24 : i+32]
	VFMADD231PS (SI), Y0, Y1     // Y1 += alpha * x[i : i+8]
	VFMADD231PS 32(SI), Y0, Y2   // Y2 += alpha * x[i+8 : i+16]
	VFMADD231PS 64(SI), Y0, Y3   // Y3 += alpha * x[i+16 : i+24]
	VFMADD231PS 96(SI), Y0, Y4   // Y4 += alpha * x[i+24 : i+32]
	VMOVUPS     Y1, (DI)         // y[i : i+8] = Y1
	VMOVUPS     Y2, 32(DI)       // y[i+8 : i+16] = Y2
	VMOVUPS     Y3, 64(DI)       // y[i+16 : i+24] = Y3
	VMOVUPS     Y4, 96(DI)       // y[i+24 : i+32] = Y4
	ADDQ        $128, SI         // i += 32
	ADDQ        $128, DI      // DI += 128 bytes
	SUBQ        $32, CX       // CX -= 32
	JMP         axpy_loop32   // loop
axpy_loop8:
	TESTQ CX, CX              // CX == 0?
	JZ    axpy_end            // none left: go to axpy_end
	VMOVUPS     (DI), Y1         // Y1 = y[i : i+8]
	VFMADD231PS (SI), Y0, Y1     // Y1 += alpha * x[i : i+8]
	VMOVUPS     Y1, (DI)         // y[i : i+8] = Y1
	ADDQ        $32, SI          // i += 8
	ADDQ        $32, DI       // DI += 32 bytes
	SUBQ        $8, CX        // CX -= 8
	JMP         axpy_loop8    // loop
axpy_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func scaleAVX2(alpha float32, x []float32)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Y0 // Y0 = alpha
	MOVQ x_base+8(FP), SI        // SI = &x[0]
	MOVQ x_len+16(FP), CX        // CX = n
scale_loop32:
	CMPQ CX, $32              // 32 or more left in CX?
	JL   scale_loop8          // fewer left than that: go to scale_loop8
	VMULPS  (SI), Y0, Y1         // Y1 = alpha * x[i : i+8]
	VMULPS  32(SI), Y0, Y2       // Y2 = alpha * x[i+8 : i+16]
	VMULPS  64(SI), Y0, Y3       // Y3 = alpha * x[i+16 : i+24]
	VMULPS  96(SI), Y0, Y4       // Y4 = alpha * x[i+24 : i+32]
	VMOVUPS Y1, (SI)             // x[i : i+8] = Y1
	VMOVUPS Y2, 32(SI)           // x[i+8 : i+16] = Y2
	VMOVUPS Y3, 64(SI)           // x[i+16 : i+24] = Y3
	VMOVUPS Y4, 96(SI)           // x[i+24 : i+32] = Y4
	ADDQ    $128, SI             // i += 32
	SUBQ    $32, CX           // CX -= 32
	JMP     scale_loop32      // loop
scale_loop8:
	TESTQ CX, CX              // CX == 0?
	JZ    scale_end           // none left: go to scale_end
	VMULPS  (SI), Y0, Y1         // Y1 = alpha * x[i : i+8]
	VMOVUPS Y1, (SI)             // x[i : i+8] = Y1
	ADDQ    $32, SI              // i += 8
	SUBQ    $8, CX            // CX -= 8
	JMP     scale_loop8       // loop
scale_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func addAVX2(dst, a, b []float32)
TEXT ·addAVX2(SB), NOSPLIT, $0-72
	BINOP(VADDPS)             // the loop, with VADDPS

// func mulAVX2(dst, a, b []float32)
TEXT ·mulAVX2(SB), NOSPLIT, $0-72
	BINOP(VMULPS)             // the loop, with VMULPS

// func reluAVX2(dst, src []float32)
TEXT ·reluAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI      // DI = &dst[0]
	MOVQ src_base+24(FP), SI     // SI = &src[0]
	MOVQ dst_len+8(FP), CX       // CX = n
	VXORPS Y0, Y0, Y0            // Y0 = 0
relu_loop32:
	CMPQ CX, $32              // 32 or more left in CX?
	JL   relu_loop8           // fewer left than that: go to relu_loop8
	VMOVUPS (SI), Y1             // Y1 = src[i : i+8]
	VMOVUPS 32(SI), Y2           // Y2 = src[i+8 : i+16]
	VMOVUPS 64(SI), Y3           // Y3 = src[i+16 : i+24]
	VMOVUPS 96(SI), Y4           // Y4 = src[i+24 : i+32]
	VMAXPS  Y0, Y1, Y1           // Y1 = Y1 > 0 ? Y1 : 0 (NaN and -0 give +0)
	VMAXPS  Y0, Y2, Y2           // Y2 = max(Y2, 0)
	VMAXPS  Y0, Y3, Y3           // Y3 = max(Y3, 0)
	VMAXPS  Y0, Y4, Y4           // Y4 = max(Y4, 0)
	VMOVUPS Y1, (DI)             // dst[i : i+8] = Y1
	VMOVUPS Y2, 32(DI)           // dst[i+8 : i+16] = Y2
	VMOVUPS Y3, 64(DI)           // dst[i+16 : i+24] = Y3
	VMOVUPS Y4, 96(DI)           // dst[i+24 : i+32] = Y4
	ADDQ    $128, SI             // i += 32
	ADDQ    $128, DI          // DI += 128 bytes
	SUBQ    $32, CX           // CX -= 32
	JMP     relu_loop32       // loop
relu_loop8:
	TESTQ CX, CX              // CX == 0?
	JZ    relu_end            // none left: go to relu_end
	VMOVUPS (SI), Y1             // Y1 = src[i : i+8]
	VMAXPS  Y0, Y1, Y1           // Y1 = max(Y1, 0)
	VMOVUPS Y1, (DI)             // dst[i : i+8] = Y1
	ADDQ    $32, SI              // i += 8
	ADDQ    $32, DI           // DI += 32 bytes
	SUBQ    $8, CX            // CX -= 8
	JMP     relu_loop8        // loop
relu_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func reluBackwardAVX2(dst, dy, y []float32)
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI      // DI = &dst[0]
	MOVQ dy_base+24(FP), SI      // SI = &dy[0]
	MOVQ y_base+48(FP), DX       // DX = &y[0]
	MOVQ dst_len+8(FP), CX       // CX = n
	VXORPS Y0, Y0, Y0            // Y0 = 0
relub_loop32:
	CMPQ CX, $32              // 32 or more left in CX?
	JL   relub_loop8          // fewer left than that: go to relub_loop8
	VCMPPS  $0x11, (DX), Y0, Y1  // Y1 = 0 < y[i : i+8] (all ones or zero; NaN false)
	VCMPPS  $0x11, 32(DX), Y0, Y2 // Y2 = 0 < y[i+8 : i+16]
	VCMPPS  $0x11, 64(DX), Y0, Y3 // Y3 = 0 < y[i+16 : i+24]
	VCMPPS  $0x11, 96(DX), Y0, Y4 // Y4 = 0 < y[i+24 : i+32]
	VANDPS  (SI), Y1, Y1         // Y1 = y > 0 ? dy[i : i+8] : 0
	VANDPS  32(SI), Y2, Y2       // Y2 = y > 0 ? dy[i+8 : i+16] : 0
	VANDPS  64(SI), Y3, Y3       // Y3 = y > 0 ? dy[i+16 : i+24] : 0
	VANDPS  96(SI), Y4, Y4       // Y4 = y > 0 ? dy[i+24 : i+32] : 0
	VMOVUPS Y1, (DI)             // dst[i : i+8] = Y1
	VMOVUPS Y2, 32(DI)           // dst[i+8 : i+16] = Y2
	VMOVUPS Y3, 64(DI)           // dst[i+16 : i+24] = Y3
	VMOVUPS Y4, 96(DI)           // dst[i+24 : i+32] = Y4
	ADDQ    $128, SI             // i += 32
	ADDQ    $128, DX          // DX += 128 bytes
	ADDQ    $128, DI          // DI += 128 bytes
	SUBQ    $32, CX           // CX -= 32
	JMP     relub_loop32      // loop
relub_loop8:
	TESTQ CX, CX              // CX == 0?
	JZ    relub_end           // none left: go to relub_end
	VCMPPS  $0x11, (DX), Y0, Y1  // Y1 = 0 < y[i : i+8]
	VANDPS  (SI), Y1, Y1         // Y1 = y > 0 ? dy[i : i+8] : 0
	VMOVUPS Y1, (DI)             // dst[i : i+8] = Y1
	ADDQ    $32, SI              // i += 8
	ADDQ    $32, DX           // DX += 32 bytes
	ADDQ    $32, DI           // DI += 32 bytes
	SUBQ    $8, CX            // CX -= 8
	JMP     relub_loop8       // loop
relub_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func sumAVX2(x []float32) float32
TEXT ·sumAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI        // SI = &x[0]
	MOVQ x_len+8(FP), CX         // CX = n
	VXORPS Y0, Y0, Y0            // four partial sums = 0
	VXORPS Y1, Y1, Y1         // Y1 = 0
	VXORPS Y2, Y2, Y2         // Y2 = 0
	VXORPS Y3, Y3, Y3         // Y3 = 0
sum_loop32:
	CMPQ CX, $32              // 32 or more left in CX?
	JL   sum_loop8            // fewer left than that: go to sum_loop8
	VADDPS (SI), Y0, Y0          // Y0 += x[i : i+8]
	VADDPS 32(SI), Y1, Y1        // Y1 += x[i+8 : i+16]
	VADDPS 64(SI), Y2, Y2        // Y2 += x[i+16 : i+24]
	VADDPS 96(SI), Y3, Y3        // Y3 += x[i+24 : i+32]
	ADDQ   $128, SI              // i += 32
	SUBQ   $32, CX            // CX -= 32
	JMP    sum_loop32         // loop
sum_loop8:
	TESTQ CX, CX              // CX == 0?
	JZ    sum_end             // none left: go to sum_end
	VADDPS (SI), Y0, Y0          // Y0 += x[i : i+8]
	ADDQ   $32, SI               // i += 8
	SUBQ   $8, CX             // CX -= 8
	JMP    sum_loop8          // loop
sum_end:
	VADDPS Y1, Y0, Y0            // Y0 = (Y0 + Y1) + (Y2 + Y3)
	VADDPS Y3, Y2, Y2         // Y2 = Y2 + Y3
	VADDPS Y2, Y0, Y0         // Y0 = Y0 + Y2
	HSUM8(Y0, X0, X1)            // X0[0] = sum of Y0's lanes
	VMOVSS X0, ret+24(FP)        // return X0[0]
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func dotAVX2(x, y []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI        // SI = &x[0]
	MOVQ y_base+24(FP), DX       // DX = &y[0]
	MOVQ x_len+8(FP), CX         // CX = n
	VXORPS Y0, Y0, Y0            // four partial sums = 0
	VXORPS Y1, Y1, Y1         // Y1 = 0
	VXORPS Y2, Y2, Y2         // Y2 = 0
	VXORPS Y3, Y3, Y3         // Y3 = 0
dot_loop32:
	CMPQ CX, $32              // 32 or more left in CX?
	JL   dot_loop8            // fewer left than that: go to dot_loop8
	VMOVUPS     (SI), Y4         // Y4 = x[i : i+8]
	VMOVUPS     32(SI), Y5       // Y5 = x[i+8 : i+16]
	VMOVUPS     64(SI), Y6       // Y6 = x[i+16 : i+24]
	VMOVUPS     96(SI), Y7       // Y7 = x[i+24 : i+32]
	VFMADD231PS (DX), Y4, Y0     // Y0 += x[i : i+8] * y[i : i+8]
	VFMADD231PS 32(DX), Y5, Y1   // Y1 += x[i+8 : i+16] * y[i+8 : i+16]
	VFMADD231PS 64(DX), Y6, Y2   // Y2 += x[i+16 : i+24] * y[i+16 : i+24]
	VFMADD231PS 96(DX), Y7, Y3   // Y3 += x[i+24 : i+32] * y[i+24 : i+32]
	ADDQ        $128, SI         // i += 32
	ADDQ        $128, DX      // DX += 128 bytes
	SUBQ        $32, CX       // CX -= 32
	JMP         dot_loop32    // loop
dot_loop8:
	TESTQ CX, CX              // CX == 0?
	JZ    dot_end             // none left: go to dot_end
	VMOVUPS     (SI), Y4         // Y4 = x[i : i+8]
	VFMADD231PS (DX), Y4, Y0     // Y0 += x[i : i+8] * y[i : i+8]
	ADDQ        $32, SI          // i += 8
	ADDQ        $32, DX       // DX += 32 bytes
	SUBQ        $8, CX        // CX -= 8
	JMP         dot_loop8     // loop
dot_end:
	VADDPS Y1, Y0, Y0            // Y0 = (Y0 + Y1) + (Y2 + Y3)
	VADDPS Y3, Y2, Y2         // Y2 = Y2 + Y3
	VADDPS Y2, Y0, Y0         // Y0 = Y0 + Y2
	HSUM8(Y0, X0, X1)            // X0[0] = sum of Y0's lanes
	VMOVSS X0, ret+48(FP)        // return X0[0]
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func maxAVX2(x []float32) float32
TEXT ·maxAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI        // SI = &x[0]
	MOVQ x_len+8(FP), CX         // CX = n
	MOVL $0xff800000, AX         // AX = bits of -Inf
	MOVQ AX, X0               // X0 = AX
	VBROADCASTSS X0, Y0          // Y0 = Y1 = -Inf: two running maxima
	VMOVAPS Y0, Y1            // Y1 = Y0
	VXORPS  Y2, Y2, Y2           // Y2 = 0: lanes that saw a NaN
max_loop16:
	CMPQ CX, $16              // 16 or more left in CX?
	JL   max_loop8            // fewer left than that: go to max_loop8
	VMOVUPS (SI), Y3             // Y3 = x[i : i+8]
	VMOVUPS 32(SI), Y4           // Y4 = x[i+8 : i+16]
	VMAXPS  Y3, Y0, Y0           // Y0 = max(Y0, Y3) (a NaN in Y3 is dropped here...)
	VMAXPS  Y4, Y1, Y1           // Y1 = max(Y1, Y4)
	VCMPPS  $3, Y3, Y3, Y3       // Y3 = isNaN(x[i : i+8])
	VCMPPS  $3, Y4, Y4, Y4       // Y4 = isNaN(x[i+8 : i+16])
	VORPS   Y3, Y2, Y2           // ...and recorded here
	VORPS   Y4, Y2, Y2        // Y2 = Y2 | Y4
	ADDQ    $64, SI              // i += 16
	SUBQ    $16, CX           // CX -= 16
	JMP     max_loop16        // loop
max_loop8:
	TESTQ CX, CX              // CX == 0?
	JZ    max_end             // none left: go to max_end
	VMOVUPS (SI), Y3             // Y3 = x[i : i+8]
	VMAXPS  Y3, Y0, Y0           // Y0 = max(Y0, Y3)
	VCMPPS  $3, Y3, Y3, Y3       // Y3 = isNaN(x[i : i+8])
	VORPS   Y3, Y2, Y2        // Y2 = Y2 | Y3
	ADDQ    $32, SI              // i += 8
	SUBQ    $8, CX            // CX -= 8
	JMP     max_loop8         // loop
max_end:
	VMOVMSKPS Y2, AX             // AX = one bit per lane that saw a NaN
	TESTL     AX, AX          // AX & AX == 0?
	JNZ       max_nan         // repeat while the counter is not 0
	VMAXPS       Y1, Y0, Y0      // Y0 = max(Y0, Y1)
	VEXTRACTF128 $1, Y0, X1      // X1 = lanes 4-7
	VMAXPS       X1, X0, X0      // X0 = max of lanes 0-3 and 4-7
	VPERMILPS    $0x4E, X0, X1   // X1 = X0[2], X0[3], X0[0], X0[1]
	VMAXPS       X1, X0, X0   // X0 = max(X0, X1)
	VPERMILPS    $0xB1, X0, X1   // X1 = X0[1], X0[0], ...
	VMAXPS       X1, X0, X0      // X0[0] = max of all lanes
	VMOVSS       X0, ret+24(FP)  // return X0[0]
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return
max_nan:
	MOVL $0x7fc00000, ret+24(FP) // return NaN
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return
