//go:build amd64 && !purego

// Hand-written (not generated). The AVX2 batch-norm kernels (bn_avx2_amd64.go has their
// Go loops): the kernels of bn_avx512_amd64.s on YMM registers, with vector masks in
// place of mask registers. Each processes n elements, a multiple of 8 (the Go wrappers
// run the last few in Go): 32 per iteration in four YMM registers, then 8 at a time.
// The reductions keep four partial sums per quantity.

#include "textflag.h"

// HSUM8(y, x, t) leaves the sum of the 8 lanes of Y register y in lane 0 of X register x
// (x is y's low half), using t as scratch.
#define HSUM8(y, x, t) \
	VEXTRACTF128 $1, y, t        /* t = lanes 4-7                  */ \
	VADDPS       t, x, x         /* x = lanes 0-3 + lanes 4-7      */ \
	VPERMILPS    $0x4E, x, t     /* t = x[2], x[3], x[0], x[1]     */ \
	VADDPS       t, x, x         /* x[0] = x[0]+x[2], x[1] = x[1]+x[3] */ \
	VPERMILPS    $0xB1, x, t     /* t = x[1], x[0], ...            */ \
	VADDPS       t, x, x         /* x[0] = sum of all 8 lanes      */

// REDUCE4(a, b, c, d) leaves a + b + c + d in a (four partial-sum registers).
#define REDUCE4(a, b, c, d) \
	VADDPS b, a, a               /* a += b */ \
	VADDPS d, c, c               /* c += d */ \
	VADDPS c, a, a               /* a += c */

// ZERO8 clears Y0-Y7, the partial sums of the reductions.
#define ZERO8 \
	VXORPS Y0, Y0, Y0            /* Y0 = 0 */ \
	VXORPS Y1, Y1, Y1            /* Y1 = 0 */ \
	VXORPS Y2, Y2, Y2            /* Y2 = 0 */ \
	VXORPS Y3, Y3, Y3            /* Y3 = 0 */ \
	VXORPS Y4, Y4, Y4            /* Y4 = 0 */ \
	VXORPS Y5, Y5, Y5            /* Y5 = 0 */ \
	VXORPS Y6, Y6, Y6            /* Y6 = 0 */ \
	VXORPS Y7, Y7, Y7            /* Y7 = 0 */

// STATS8(off, acc1, acc2): 8 elements of bnStats at byte offset off from SI.
#define STATS8(off, acc1, acc2) \
	VMOVUPS     off(SI), Y8      /* Y8 = x[i : i+8]              */ \
	VSUBPS      Y15, Y8, Y8      /* Y8 = d = x[i : i+8] - shift  */ \
	VADDPS      Y8, acc1, acc1   /* acc1 += d                    */ \
	VFMADD231PS Y8, Y8, acc2     /* acc2 += d * d                */

// APPLY8(off, y): y = a*x + b for 8 elements at byte offset off (SI = &x, Y14 = a,
// Y15 = b), left in y for the caller to finish and store.
#define APPLY8(off, y) \
	VMOVUPS     off(SI), y       /* y = x[i : i+8]      */ \
	VFMADD213PS Y15, Y14, y      /* y = a*y + b (fused) */

// APPLYPROLOGUE loads the arguments common to the apply kernels: DI = &dst, SI = &x,
// CX = n, Y14 = a, Y15 = b, Y13 = 0 (aoff and boff are a's and b's frame offsets).
#define APPLYPROLOGUE(aoff, boff) \
	MOVQ         dst_base+0(FP), DI /* DI = &dst[0] */ \
	MOVQ         x_base+24(FP), SI  /* SI = &x[0]   */ \
	MOVQ         dst_len+8(FP), CX  /* CX = n       */ \
	VBROADCASTSS aoff(FP), Y14      /* Y14 = a      */ \
	VBROADCASTSS boff(FP), Y15      /* Y15 = b      */ \
	VXORPS       Y13, Y13, Y13      /* Y13 = 0      */

// RELU(y): y = relu(y) = y unless y <= 0. VMAXPS returns its second source (y) when
// either is NaN, so NaN stays NaN.
#define RELU(y) VMAXPS y, Y13, y /* y = 0 > y ? 0 : y */

// STORE4 stores Y0-Y3 to dst[i : i+32] (DI).
#define STORE4 \
	VMOVUPS Y0, (DI)             /* dst[i : i+8] = Y0       */ \
	VMOVUPS Y1, 32(DI)           /* dst[i+8 : i+16] = Y1    */ \
	VMOVUPS Y2, 64(DI)           /* dst[i+16 : i+24] = Y2   */ \
	VMOVUPS Y3, 96(DI)           /* dst[i+24 : i+32] = Y3   */

// GSUMS8(off, acc1, acc2): 8 elements of the gradient sums at byte offset off (DX = &x,
// Y15 = mean) with dt already in Y8.
#define GSUMS8(off, acc1, acc2) \
	VMOVUPS     off(DX), Y9      /* Y9 = x[i : i+8]           */ \
	VSUBPS      Y15, Y9, Y9      /* Y9 = x - mean             */ \
	VADDPS      Y8, acc1, acc1   /* acc1 += dt                */ \
	VFMADD231PS Y8, Y9, acc2     /* acc2 += dt * (x - mean)   */

// GSUMSPLAIN8(off, acc1, acc2): dt = dy (SI), then GSUMS8.
#define GSUMSPLAIN8(off, acc1, acc2) \
	VMOVUPS     off(SI), Y8      /* Y8 = dt = dy[i : i+8]     */ \
	GSUMS8(off, acc1, acc2)

// GSUMSRELU8(off, acc1, acc2): dt = dy masked by !(y <= 0) (BX = &y, Y14 = 0), then
// GSUMS8.
#define GSUMSRELU8(off, acc1, acc2) \
	VCMPPS      $0x19, off(BX), Y14, Y10 /* Y10 = !(0 >= y[i : i+8]): y > 0 or NaN */ \
	VANDPS      off(SI), Y10, Y8 /* Y8 = dt = Y10 ? dy : 0    */ \
	GSUMS8(off, acc1, acc2)

// GSUMSLOOP(body, loop32, loop8, end) is the loop of the gradient sums with the 8-element
// step body and the given label names; the caller loads SI, DX, BX, CX, Y15 (and Y14)
// and stores the results, left in X0[0] and X4[0].
#define GSUMSLOOP(body, loop32, loop8, end) \
	ZERO8                         /* Y0-Y3, Y4-Y7 = 0: partial sums of dt, dt*(x-mean) */ \
loop32: \
	CMPQ     CX, $32              /* 32 or more left? */ \
	JL       loop8                /* no: go to the 8-element loop */ \
	body(0, Y0, Y4)               /* elements i .. i+7 */ \
	body(32, Y1, Y5)              /* elements i+8 .. i+15 */ \
	body(64, Y2, Y6)              /* elements i+16 .. i+23 */ \
	body(96, Y3, Y7)              /* elements i+24 .. i+31 */ \
	ADDQ     $128, SI             /* dy += 32 elements */ \
	ADDQ     $128, DX             /* x += 32 elements */ \
	ADDQ     $128, BX             /* y += 32 elements (unused without a mask) */ \
	SUBQ     $32, CX              /* n -= 32 */ \
	JMP      loop32               /* loop */ \
loop8: \
	TESTQ    CX, CX               /* n == 0? */ \
	JZ       end                  /* yes: go to the end */ \
	body(0, Y0, Y4)               /* elements i .. i+7 */ \
	ADDQ     $32, SI              /* dy += 8 elements */ \
	ADDQ     $32, DX              /* x += 8 elements */ \
	ADDQ     $32, BX              /* y += 8 elements */ \
	SUBQ     $8, CX               /* n -= 8 */ \
	JMP      loop8                /* loop */ \
end: \
	REDUCE4(Y0, Y1, Y2, Y3)       /* Y0 = partial sums of dt */ \
	REDUCE4(Y4, Y5, Y6, Y7)       /* Y4 = partial sums of dt*(x-mean) */ \
	HSUM8(Y0, X0, X9)             /* X0[0] = sdy */ \
	HSUM8(Y4, X4, X9)             /* X4[0] = sdyx */

// GRAD8(off, y): y = a*dt + (b*x + c) for 8 elements at byte offset off with dt in y
// (DX = &x, Y12 = a, Y14 = b, Y15 = c; Y8 is scratch).
#define GRAD8(off, y) \
	VMOVUPS     off(DX), Y8      /* Y8 = x[i : i+8]        */ \
	VFMADD213PS Y15, Y14, Y8     /* Y8 = b*x + c (fused)   */ \
	VFMADD213PS Y8, Y12, y       /* y = a*dt + Y8 (fused)  */

// GRADPROLOGUE loads DI = &dx, SI = &dy, DX = &x, CX = n, Y12 = a, Y14 = b, Y15 = c and
// Y13 = 0 from the frame offsets given.
#define GRADPROLOGUE(dyoff, xoff, aoff, boff, coff) \
	MOVQ         dx_base+0(FP), DI  /* DI = &dx[0] */ \
	MOVQ         dyoff(FP), SI      /* SI = &dy[0] */ \
	MOVQ         xoff(FP), DX       /* DX = &x[0]  */ \
	MOVQ         dx_len+8(FP), CX   /* CX = n      */ \
	VBROADCASTSS aoff(FP), Y12      /* Y12 = a     */ \
	VBROADCASTSS boff(FP), Y14      /* Y14 = b     */ \
	VBROADCASTSS coff(FP), Y15      /* Y15 = c     */ \
	VXORPS       Y13, Y13, Y13      /* Y13 = 0     */

// MASK8(off, y): y = dt = dy masked by !(y <= 0) for 8 elements at byte offset off
// (SI = &dy, BX = &y, Y13 = 0; Y9 is scratch).
#define MASK8(off, y) \
	VCMPPS $0x19, off(BX), Y13, Y9 /* Y9 = !(0 >= y[i : i+8]): y > 0 or NaN */ \
	VANDPS off(SI), Y9, y          /* y = Y9 ? dy[i : i+8] : 0             */

// func bnStatsAVX2(x []float32, shift float32) (s1, s2 float32)
TEXT ·bnStatsAVX2(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI // SI = &x[0]
	MOVQ         x_len+8(FP), CX  // CX = n
	VBROADCASTSS shift+24(FP), Y15 // Y15 = shift in every lane
	ZERO8                         // Y0-Y3, Y4-Y7 = 0: partial sums of d and d²
stats_loop32:
	CMPQ     CX, $32              // 32 or more left?
	JL       stats_loop8          // no: go to stats_loop8
	STATS8(0, Y0, Y4)             // x[i : i+8] into Y0, Y4
	STATS8(32, Y1, Y5)            // x[i+8 : i+16] into Y1, Y5
	STATS8(64, Y2, Y6)            // x[i+16 : i+24] into Y2, Y6
	STATS8(96, Y3, Y7)            // x[i+24 : i+32] into Y3, Y7
	ADDQ     $128, SI             // i += 32
	SUBQ     $32, CX              // n -= 32
	JMP      stats_loop32         // loop
stats_loop8:
	TESTQ    CX, CX               // n == 0?
	JZ       stats_end            // yes: go to stats_end
	STATS8(0, Y0, Y4)             // x[i : i+8] into Y0, Y4
	ADDQ     $32, SI              // i += 8
	SUBQ     $8, CX               // n -= 8
	JMP      stats_loop8          // loop
stats_end:
	REDUCE4(Y0, Y1, Y2, Y3)       // Y0 = partial sums of d
	REDUCE4(Y4, Y5, Y6, Y7)       // Y4 = partial sums of d²
	HSUM8(Y0, X0, X9)             // X0[0] = s1
	HSUM8(Y4, X4, X9)             // X4[0] = s2
	VMOVSS   X0, s1+32(FP)        // return s1
	VMOVSS   X4, s2+36(FP)        // and s2
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnApplyAVX2(dst, x []float32, a, b float32)
TEXT ·bnApplyAVX2(SB), NOSPLIT, $0-56
	APPLYPROLOGUE(a+48, b+52)     // DI, SI, CX, Y14 = a, Y15 = b
apply_loop32:
	CMPQ     CX, $32              // 32 or more left?
	JL       apply_loop8          // no: go to apply_loop8
	APPLY8(0, Y0)                 // Y0 = a*x[i : i+8] + b
	APPLY8(32, Y1)                // Y1 = a*x[i+8 : i+16] + b
	APPLY8(64, Y2)                // Y2 = a*x[i+16 : i+24] + b
	APPLY8(96, Y3)                // Y3 = a*x[i+24 : i+32] + b
	STORE4                        // dst[i : i+32] = Y0-Y3
	ADDQ     $128, SI             // x += 32 elements
	ADDQ     $128, DI             // dst += 32 elements
	SUBQ     $32, CX              // n -= 32
	JMP      apply_loop32         // loop
apply_loop8:
	TESTQ    CX, CX               // n == 0?
	JZ       apply_end            // yes: go to apply_end
	APPLY8(0, Y0)                 // Y0 = a*x[i : i+8] + b
	VMOVUPS  Y0, (DI)             // dst[i : i+8] = Y0
	ADDQ     $32, SI              // x += 8 elements
	ADDQ     $32, DI              // dst += 8 elements
	SUBQ     $8, CX               // n -= 8
	JMP      apply_loop8          // loop
apply_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnApplyReLUAVX2(dst, x []float32, a, b float32)
TEXT ·bnApplyReLUAVX2(SB), NOSPLIT, $0-56
	APPLYPROLOGUE(a+48, b+52)     // DI, SI, CX, Y14 = a, Y15 = b, Y13 = 0
applyrelu_loop32:
	CMPQ     CX, $32              // 32 or more left?
	JL       applyrelu_loop8      // no: go to applyrelu_loop8
	APPLY8(0, Y0)                 // Y0 = a*x[i : i+8] + b
	APPLY8(32, Y1)                // Y1 = a*x[i+8 : i+16] + b
	APPLY8(64, Y2)                // Y2 = a*x[i+16 : i+24] + b
	APPLY8(96, Y3)                // Y3 = a*x[i+24 : i+32] + b
	RELU(Y0)                      // Y0 = relu(Y0)
	RELU(Y1)                      // Y1 = relu(Y1)
	RELU(Y2)                      // Y2 = relu(Y2)
	RELU(Y3)                      // Y3 = relu(Y3)
	STORE4                        // dst[i : i+32] = Y0-Y3
	ADDQ     $128, SI             // x += 32 elements
	ADDQ     $128, DI             // dst += 32 elements
	SUBQ     $32, CX              // n -= 32
	JMP      applyrelu_loop32     // loop
applyrelu_loop8:
	TESTQ    CX, CX               // n == 0?
	JZ       applyrelu_end        // yes: go to applyrelu_end
	APPLY8(0, Y0)                 // Y0 = a*x[i : i+8] + b
	RELU(Y0)                      // Y0 = relu(Y0)
	VMOVUPS  Y0, (DI)             // dst[i : i+8] = Y0
	ADDQ     $32, SI              // x += 8 elements
	ADDQ     $32, DI              // dst += 8 elements
	SUBQ     $8, CX               // n -= 8
	JMP      applyrelu_loop8      // loop
applyrelu_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnApplyAddReLUAVX2(dst, x, res []float32, a, b float32)
TEXT ·bnApplyAddReLUAVX2(SB), NOSPLIT, $0-80
	APPLYPROLOGUE(a+72, b+76)     // DI, SI, CX, Y14 = a, Y15 = b, Y13 = 0
	MOVQ     res_base+48(FP), DX  // DX = &res[0]
addrelu_loop32:
	CMPQ     CX, $32              // 32 or more left?
	JL       addrelu_loop8        // no: go to addrelu_loop8
	APPLY8(0, Y0)                 // Y0 = a*x[i : i+8] + b
	APPLY8(32, Y1)                // Y1 = a*x[i+8 : i+16] + b
	APPLY8(64, Y2)                // Y2 = a*x[i+16 : i+24] + b
	APPLY8(96, Y3)                // Y3 = a*x[i+24 : i+32] + b
	VADDPS   (DX), Y0, Y0         // Y0 += res[i : i+8]
	VADDPS   32(DX), Y1, Y1       // Y1 += res[i+8 : i+16]
	VADDPS   64(DX), Y2, Y2       // Y2 += res[i+16 : i+24]
	VADDPS   96(DX), Y3, Y3       // Y3 += res[i+24 : i+32]
	RELU(Y0)                      // Y0 = relu(Y0)
	RELU(Y1)                      // Y1 = relu(Y1)
	RELU(Y2)                      // Y2 = relu(Y2)
	RELU(Y3)                      // Y3 = relu(Y3)
	STORE4                        // dst[i : i+32] = Y0-Y3
	ADDQ     $128, SI             // x += 32 elements
	ADDQ     $128, DX             // res += 32 elements
	ADDQ     $128, DI             // dst += 32 elements
	SUBQ     $32, CX              // n -= 32
	JMP      addrelu_loop32       // loop
addrelu_loop8:
	TESTQ    CX, CX               // n == 0?
	JZ       addrelu_end          // yes: go to addrelu_end
	APPLY8(0, Y0)                 // Y0 = a*x[i : i+8] + b
	VADDPS   (DX), Y0, Y0         // Y0 += res[i : i+8]
	RELU(Y0)                      // Y0 = relu(Y0)
	VMOVUPS  Y0, (DI)             // dst[i : i+8] = Y0
	ADDQ     $32, SI              // x += 8 elements
	ADDQ     $32, DX              // res += 8 elements
	ADDQ     $32, DI              // dst += 8 elements
	SUBQ     $8, CX               // n -= 8
	JMP      addrelu_loop8        // loop
addrelu_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnGradSumsAVX2(dy, x []float32, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsAVX2(SB), NOSPLIT, $0-64
	MOVQ         dy_base+0(FP), SI // SI = &dy[0]
	MOVQ         x_base+24(FP), DX // DX = &x[0]
	MOVQ         dy_len+8(FP), CX  // CX = n
	MOVQ         SI, BX            // BX = SI (no mask; keeps BX a valid pointer)
	VBROADCASTSS mean+48(FP), Y15  // Y15 = mean
	GSUMSLOOP(GSUMSPLAIN8, gsums_loop32, gsums_loop8, gsums_end) // the sums
	VMOVSS       X0, sdy+56(FP)    // return sdy
	VMOVSS       X4, sdyx+60(FP)   // and sdyx
	VZEROUPPER                     // clear the upper vector halves before returning to Go
	RET                            // return

// func bnGradSumsReLUAVX2(dy, y, x []float32, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsReLUAVX2(SB), NOSPLIT, $0-88
	MOVQ         dy_base+0(FP), SI // SI = &dy[0]
	MOVQ         y_base+24(FP), BX // BX = &y[0]
	MOVQ         x_base+48(FP), DX // DX = &x[0]
	MOVQ         dy_len+8(FP), CX  // CX = n
	VBROADCASTSS mean+72(FP), Y15  // Y15 = mean
	VXORPS       Y14, Y14, Y14     // Y14 = 0
	GSUMSLOOP(GSUMSRELU8, gsumsr_loop32, gsumsr_loop8, gsumsr_end) // the sums
	VMOVSS       X0, sdy+80(FP)    // return sdy
	VMOVSS       X4, sdyx+84(FP)   // and sdyx
	VZEROUPPER                     // clear the upper vector halves before returning to Go
	RET                            // return

// func bnGradAVX2(dx, dy, x []float32, a, b, c float32)
TEXT ·bnGradAVX2(SB), NOSPLIT, $0-84
	GRADPROLOGUE(dy_base+24, x_base+48, a+72, b+76, c+80) // DI, SI, DX, CX, Y12-Y15
grad_loop32:
	CMPQ     CX, $32              // 32 or more left?
	JL       grad_loop8           // no: go to grad_loop8
	VMOVUPS  (SI), Y0             // Y0 = dy[i : i+8]
	VMOVUPS  32(SI), Y1           // Y1 = dy[i+8 : i+16]
	VMOVUPS  64(SI), Y2           // Y2 = dy[i+16 : i+24]
	VMOVUPS  96(SI), Y3           // Y3 = dy[i+24 : i+32]
	GRAD8(0, Y0)                  // Y0 = a*Y0 + b*x[i : i+8] + c
	GRAD8(32, Y1)                 // Y1 = a*Y1 + b*x[i+8 : i+16] + c
	GRAD8(64, Y2)                 // Y2 = a*Y2 + b*x[i+16 : i+24] + c
	GRAD8(96, Y3)                 // Y3 = a*Y3 + b*x[i+24 : i+32] + c
	STORE4                        // dx[i : i+32] = Y0-Y3
	ADDQ     $128, SI             // dy += 32 elements
	ADDQ     $128, DX             // x += 32 elements
	ADDQ     $128, DI             // dx += 32 elements
	SUBQ     $32, CX              // n -= 32
	JMP      grad_loop32          // loop
grad_loop8:
	TESTQ    CX, CX               // n == 0?
	JZ       grad_end             // yes: go to grad_end
	VMOVUPS  (SI), Y0             // Y0 = dy[i : i+8]
	GRAD8(0, Y0)                  // Y0 = a*Y0 + b*x[i : i+8] + c
	VMOVUPS  Y0, (DI)             // dx[i : i+8] = Y0
	ADDQ     $32, SI              // dy += 8 elements
	ADDQ     $32, DX              // x += 8 elements
	ADDQ     $32, DI              // dx += 8 elements
	SUBQ     $8, CX               // n -= 8
	JMP      grad_loop8           // loop
grad_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnGradReLUAVX2(dx, dy, y, x []float32, a, b, c float32)
TEXT ·bnGradReLUAVX2(SB), NOSPLIT, $0-108
	GRADPROLOGUE(dy_base+24, x_base+72, a+96, b+100, c+104) // DI, SI, DX, CX, Y12-Y15
	MOVQ     y_base+48(FP), BX    // BX = &y[0]
gradr_loop32:
	CMPQ     CX, $32              // 32 or more left?
	JL       gradr_loop8          // no: go to gradr_loop8
	MASK8(0, Y0)                  // Y0 = dt[i : i+8]
	MASK8(32, Y1)                 // Y1 = dt[i+8 : i+16]
	MASK8(64, Y2)                 // Y2 = dt[i+16 : i+24]
	MASK8(96, Y3)                 // Y3 = dt[i+24 : i+32]
	GRAD8(0, Y0)                  // Y0 = a*Y0 + b*x[i : i+8] + c
	GRAD8(32, Y1)                 // Y1 = a*Y1 + b*x[i+8 : i+16] + c
	GRAD8(64, Y2)                 // Y2 = a*Y2 + b*x[i+16 : i+24] + c
	GRAD8(96, Y3)                 // Y3 = a*Y3 + b*x[i+24 : i+32] + c
	STORE4                        // dx[i : i+32] = Y0-Y3
	ADDQ     $128, SI             // dy += 32 elements
	ADDQ     $128, BX             // y += 32 elements
	ADDQ     $128, DX             // x += 32 elements
	ADDQ     $128, DI             // dx += 32 elements
	SUBQ     $32, CX              // n -= 32
	JMP      gradr_loop32         // loop
gradr_loop8:
	TESTQ    CX, CX               // n == 0?
	JZ       gradr_end            // yes: go to gradr_end
	MASK8(0, Y0)                  // Y0 = dt[i : i+8]
	GRAD8(0, Y0)                  // Y0 = a*Y0 + b*x[i : i+8] + c
	VMOVUPS  Y0, (DI)             // dx[i : i+8] = Y0
	ADDQ     $32, SI              // dy += 8 elements
	ADDQ     $32, BX              // y += 8 elements
	ADDQ     $32, DX              // x += 8 elements
	ADDQ     $32, DI              // dx += 8 elements
	SUBQ     $8, CX               // n -= 8
	JMP      gradr_loop8          // loop
gradr_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnGradReLUResAVX2(dx, dres, dy, y, x []float32, a, b, c float32)
TEXT ·bnGradReLUResAVX2(SB), NOSPLIT, $0-132
	GRADPROLOGUE(dy_base+48, x_base+96, a+120, b+124, c+128) // DI, SI, DX, CX, Y12-Y15
	MOVQ     y_base+72(FP), BX    // BX = &y[0]
	MOVQ     dres_base+24(FP), R8 // R8 = &dres[0]
gradrr_loop32:
	CMPQ     CX, $32              // 32 or more left?
	JL       gradrr_loop8         // no: go to gradrr_loop8
	MASK8(0, Y0)                  // Y0 = dt[i : i+8]
	MASK8(32, Y1)                 // Y1 = dt[i+8 : i+16]
	MASK8(64, Y2)                 // Y2 = dt[i+16 : i+24]
	MASK8(96, Y3)                 // Y3 = dt[i+24 : i+32]
	VMOVUPS  Y0, (R8)             // dres[i : i+8] = dt
	VMOVUPS  Y1, 32(R8)           // dres[i+8 : i+16] = dt
	VMOVUPS  Y2, 64(R8)           // dres[i+16 : i+24] = dt
	VMOVUPS  Y3, 96(R8)           // dres[i+24 : i+32] = dt
	GRAD8(0, Y0)                  // Y0 = a*Y0 + b*x[i : i+8] + c
	GRAD8(32, Y1)                 // Y1 = a*Y1 + b*x[i+8 : i+16] + c
	GRAD8(64, Y2)                 // Y2 = a*Y2 + b*x[i+16 : i+24] + c
	GRAD8(96, Y3)                 // Y3 = a*Y3 + b*x[i+24 : i+32] + c
	STORE4                        // dx[i : i+32] = Y0-Y3
	ADDQ     $128, SI             // dy += 32 elements
	ADDQ     $128, BX             // y += 32 elements
	ADDQ     $128, DX             // x += 32 elements
	ADDQ     $128, DI             // dx += 32 elements
	ADDQ     $128, R8             // dres += 32 elements
	SUBQ     $32, CX              // n -= 32
	JMP      gradrr_loop32        // loop
gradrr_loop8:
	TESTQ    CX, CX               // n == 0?
	JZ       gradrr_end           // yes: go to gradrr_end
	MASK8(0, Y0)                  // Y0 = dt[i : i+8]
	VMOVUPS  Y0, (R8)             // dres[i : i+8] = dt
	GRAD8(0, Y0)                  // Y0 = a*Y0 + b*x[i : i+8] + c
	VMOVUPS  Y0, (DI)             // dx[i : i+8] = Y0
	ADDQ     $32, SI              // dy += 8 elements
	ADDQ     $32, BX              // y += 8 elements
	ADDQ     $32, DX              // x += 8 elements
	ADDQ     $32, DI              // dx += 8 elements
	ADDQ     $32, R8              // dres += 8 elements
	SUBQ     $8, CX               // n -= 8
	JMP      gradrr_loop8         // loop
gradrr_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return
