//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 batch-norm kernels (bn_avx512_amd64.go
// and bf16_avx512_amd64.go have their Go loops). Each processes n elements, a multiple of 16 (the Go wrappers
// run the last few in Go): 64 per iteration in four ZMM registers, then 16 at a time.
// The reductions keep four partial sums per quantity.

#include "textflag.h"

// HSUM16(z, y, x, ty, tx) leaves the sum of the 16 lanes of ZMM z in lane 0 of X
// register x (y and x are z's low 256 and 128 bits), using ty and tx as scratch.
#define HSUM16(z, y, x, ty, tx) \
	VEXTRACTF32X8 $1, z, ty      /* ty = lanes 8-15                */ \
	VADDPS        ty, y, y       /* y = lanes 0-7 + lanes 8-15     */ \
	VEXTRACTF128  $1, y, tx      /* tx = lanes 4-7                 */ \
	VADDPS        tx, x, x       /* x = lanes 0-3 + lanes 4-7      */ \
	VPERMILPS     $0x4E, x, tx   /* tx = x[2], x[3], x[0], x[1]    */ \
	VADDPS        tx, x, x       /* x[0] = x[0]+x[2], x[1] = x[1]+x[3] */ \
	VPERMILPS     $0xB1, x, tx   /* tx = x[1], x[0], ...           */ \
	VADDPS        tx, x, x       /* x[0] = sum of all 16 lanes     */

// REDUCE4(a, b, c, d) leaves a + b + c + d in a (four partial-sum registers).
#define REDUCE4(a, b, c, d) \
	VADDPS b, a, a               /* a += b */ \
	VADDPS d, c, c               /* c += d */ \
	VADDPS c, a, a               /* a += c */

// STATS16(off, acc1, acc2): 16 elements of bnStats at byte offset off from SI.
#define STATS16(off, acc1, acc2) \
	VMOVUPS     off(SI), Z8      /* Z8 = x[i : i+16]              */ \
	VSUBPS      Z31, Z8, Z8      /* Z8 = d = x[i : i+16] - shift  */ \
	VADDPS      Z8, acc1, acc1   /* acc1 += d                     */ \
	VFMADD231PS Z8, Z8, acc2     /* acc2 += d * d                 */

// APPLY16(off, z): z = a*x + b for 16 elements at byte offset off (SI = &x, Z30 = a,
// Z31 = b), left in z for the caller to finish and store.
#define APPLY16(off, z) \
	VMOVUPS     off(SI), z       /* z = x[i : i+16]     */ \
	VFMADD213PS Z31, Z30, z      /* z = a*z + b (fused) */

// APPLYPROLOGUE loads the arguments common to the apply kernels: DI = &dst, SI = &x,
// CX = n, Z30 = a, Z31 = b, Z29 = 0 (aoff and boff are a's and b's frame offsets).
#define APPLYPROLOGUE(aoff, boff) \
	MOVQ         dst_base+0(FP), DI /* DI = &dst[0] */ \
	MOVQ         x_base+24(FP), SI  /* SI = &x[0]   */ \
	MOVQ         dst_len+8(FP), CX  /* CX = n       */ \
	VBROADCASTSS aoff(FP), Z30      /* Z30 = a      */ \
	VBROADCASTSS boff(FP), Z31      /* Z31 = b      */ \
	VPXORD       Z29, Z29, Z29      /* Z29 = 0      */

// RELU(z): z = relu(z) = z unless z <= 0. VMAXPS returns its second source (z) when
// either is NaN, so NaN stays NaN.
#define RELU(z) VMAXPS z, Z29, z /* z = 0 > z ? 0 : z */

// GSUMS16(off, acc1, acc2): 16 elements of bnGradSums at byte offset off (SI = &dy,
// DX = &x, Z31 = mean) with dy already in Z8 (masked or not by the caller's macro).
#define GSUMS16(off, acc1, acc2) \
	VMOVUPS     off(DX), Z9      /* Z9 = x[i : i+16]          */ \
	VSUBPS      Z31, Z9, Z9      /* Z9 = x - mean             */ \
	VADDPS      Z8, acc1, acc1   /* acc1 += dt                */ \
	VFMADD231PS Z8, Z9, acc2     /* acc2 += dt * (x - mean)   */

// GSUMSPLAIN16(off, acc1, acc2): dt = dy, then GSUMS16.
#define GSUMSPLAIN16(off, acc1, acc2) \
	VMOVUPS     off(SI), Z8      /* Z8 = dt = dy[i : i+16]    */ \
	GSUMS16(off, acc1, acc2)

// GSUMSRELU16(off, acc1, acc2): dt = dy masked by !(y <= 0) (BX = &y, Z30 = 0), then
// GSUMS16.
#define GSUMSRELU16(off, acc1, acc2) \
	VCMPPS      $0x19, off(BX), Z30, K1 /* K1 = !(0 >= y[i : i+16]): y > 0 or NaN */ \
	VMOVUPS.Z   off(SI), K1, Z8  /* Z8 = dt = K1 ? dy : 0     */ \
	GSUMS16(off, acc1, acc2)

// GSUMSLOOPS(body, xy64, xy16, loop64, loop16, end) is the loop of the gradient sums
// with the 16-element step body, x (DX) and y (BX) advancing xy64 bytes per 64
// elements and xy16 per 16, and the given label names; the caller loads SI, DX, BX,
// CX, Z31 (and Z30) and stores the results, left in X0[0] and X4[0].
#define GSUMSLOOPS(body, xy64, xy16, loop64, loop16, end) \
	VPXORD   Z0, Z0, Z0           /* Z0-Z3 = 0: partial sums of dt */ \
	VPXORD   Z1, Z1, Z1           /* Z1 = 0 */ \
	VPXORD   Z2, Z2, Z2           /* Z2 = 0 */ \
	VPXORD   Z3, Z3, Z3           /* Z3 = 0 */ \
	VPXORD   Z4, Z4, Z4           /* Z4-Z7 = 0: partial sums of dt*(x-mean) */ \
	VPXORD   Z5, Z5, Z5           /* Z5 = 0 */ \
	VPXORD   Z6, Z6, Z6           /* Z6 = 0 */ \
	VPXORD   Z7, Z7, Z7           /* Z7 = 0 */ \
loop64: \
	CMPQ     CX, $64              /* 64 or more left? */ \
	JL       loop16               /* no: go to the 16-element loop */ \
	body(0, Z0, Z4)               /* elements i .. i+15 */ \
	body(64, Z1, Z5)              /* elements i+16 .. i+31 */ \
	body(128, Z2, Z6)             /* elements i+32 .. i+47 */ \
	body(192, Z3, Z7)             /* elements i+48 .. i+63 */ \
	ADDQ     $256, SI             /* dy += 64 elements */ \
	ADDQ     xy64, DX             /* x += 64 elements */ \
	ADDQ     xy64, BX             /* y += 64 elements (unused without a mask) */ \
	SUBQ     $64, CX              /* n -= 64 */ \
	JMP      loop64               /* loop */ \
loop16: \
	TESTQ    CX, CX               /* n == 0? */ \
	JZ       end                  /* yes: go to the end */ \
	body(0, Z0, Z4)               /* elements i .. i+15 */ \
	ADDQ     $64, SI              /* dy += 16 elements */ \
	ADDQ     xy16, DX             /* x += 16 elements */ \
	ADDQ     xy16, BX             /* y += 16 elements */ \
	SUBQ     $16, CX              /* n -= 16 */ \
	JMP      loop16               /* loop */ \
end: \
	REDUCE4(Z0, Z1, Z2, Z3)       /* Z0 = partial sums of dt */ \
	REDUCE4(Z4, Z5, Z6, Z7)       /* Z4 = partial sums of dt*(x-mean) */ \
	HSUM16(Z0, Y0, X0, Y9, X9)    /* X0[0] = sdy */ \
	HSUM16(Z4, Y4, X4, Y9, X9)    /* X4[0] = sdyx */

// GSUMSLOOP(body, loop64, loop16, end) is GSUMSLOOPS on float32 x and y.
#define GSUMSLOOP(body, loop64, loop16, end) GSUMSLOOPS(body, $256, $64, loop64, loop16, end)

// GRAD16(off, z): z = a*dt + (b*x + c) for 16 elements at byte offset off with dt in z
// (DX = &x, Z28 = a, Z30 = b, Z31 = c; Z8 is scratch).
#define GRAD16(off, z) \
	VMOVUPS     off(DX), Z8      /* Z8 = x[i : i+16]       */ \
	VFMADD213PS Z31, Z30, Z8     /* Z8 = b*x + c (fused)   */ \
	VFMADD213PS Z8, Z28, z       /* z = a*dt + Z8 (fused)  */

// GRADPROLOGUE loads DI = &dx, SI = &dy, DX = &x, CX = n, Z28 = a, Z30 = b, Z31 = c and
// Z29 = 0 from the frame offsets given.
#define GRADPROLOGUE(dyoff, xoff, aoff, boff, coff) \
	MOVQ         dx_base+0(FP), DI  /* DI = &dx[0] */ \
	MOVQ         dyoff(FP), SI      /* SI = &dy[0] */ \
	MOVQ         xoff(FP), DX       /* DX = &x[0]  */ \
	MOVQ         dx_len+8(FP), CX   /* CX = n      */ \
	VBROADCASTSS aoff(FP), Z28      /* Z28 = a     */ \
	VBROADCASTSS boff(FP), Z30      /* Z30 = b     */ \
	VBROADCASTSS coff(FP), Z31      /* Z31 = c     */ \
	VPXORD       Z29, Z29, Z29      /* Z29 = 0     */

// MASK16(off, k, z): z = dt = dy masked by !(y <= 0) for 16 elements at byte offset off
// (SI = &dy, BX = &y, Z29 = 0), k = the mask.
#define MASK16(off, k, z) \
	VCMPPS    $0x19, off(BX), Z29, k /* k = !(0 >= y[i : i+16]): y > 0 or NaN */ \
	VMOVUPS.Z off(SI), k, z          /* z = k ? dy[i : i+16] : 0              */

// func bnStatsAVX512(x []float32, shift float32) (s1, s2 float32)
TEXT ·bnStatsAVX512(SB), NOSPLIT, $0-40
	MOVQ         x_base+0(FP), SI // SI = &x[0]
	MOVQ         x_len+8(FP), CX  // CX = n
	VBROADCASTSS shift+24(FP), Z31 // Z31 = shift in every lane
	VPXORD       Z0, Z0, Z0       // Z0-Z3 = 0: partial sums of d
	VPXORD       Z1, Z1, Z1       // Z1 = 0
	VPXORD       Z2, Z2, Z2       // Z2 = 0
	VPXORD       Z3, Z3, Z3       // Z3 = 0
	VPXORD       Z4, Z4, Z4       // Z4-Z7 = 0: partial sums of d²
	VPXORD       Z5, Z5, Z5       // Z5 = 0
	VPXORD       Z6, Z6, Z6       // Z6 = 0
	VPXORD       Z7, Z7, Z7       // Z7 = 0
stats_loop64:
	CMPQ     CX, $64              // 64 or more left?
	JL       stats_loop16         // no: go to stats_loop16
	STATS16(0, Z0, Z4)            // x[i : i+16] into Z0, Z4
	STATS16(64, Z1, Z5)           // x[i+16 : i+32] into Z1, Z5
	STATS16(128, Z2, Z6)          // x[i+32 : i+48] into Z2, Z6
	STATS16(192, Z3, Z7)          // x[i+48 : i+64] into Z3, Z7
	ADDQ     $256, SI             // i += 64
	SUBQ     $64, CX              // n -= 64
	JMP      stats_loop64         // loop
stats_loop16:
	TESTQ    CX, CX               // n == 0?
	JZ       stats_end            // yes: go to stats_end
	STATS16(0, Z0, Z4)            // x[i : i+16] into Z0, Z4
	ADDQ     $64, SI              // i += 16
	SUBQ     $16, CX              // n -= 16
	JMP      stats_loop16         // loop
stats_end:
	REDUCE4(Z0, Z1, Z2, Z3)       // Z0 = partial sums of d
	REDUCE4(Z4, Z5, Z6, Z7)       // Z4 = partial sums of d²
	HSUM16(Z0, Y0, X0, Y9, X9)    // X0[0] = s1
	HSUM16(Z4, Y4, X4, Y9, X9)    // X4[0] = s2
	VMOVSS   X0, s1+32(FP)        // return s1
	VMOVSS   X4, s2+36(FP)        // and s2
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnApplyAVX512(dst, x []float32, a, b float32)
TEXT ·bnApplyAVX512(SB), NOSPLIT, $0-56
	APPLYPROLOGUE(a+48, b+52)     // DI, SI, CX, Z30 = a, Z31 = b
apply_loop64:
	CMPQ     CX, $64              // 64 or more left?
	JL       apply_loop16         // no: go to apply_loop16
	APPLY16(0, Z0)                // Z0 = a*x[i : i+16] + b
	APPLY16(64, Z1)               // Z1 = a*x[i+16 : i+32] + b
	APPLY16(128, Z2)              // Z2 = a*x[i+32 : i+48] + b
	APPLY16(192, Z3)              // Z3 = a*x[i+48 : i+64] + b
	VMOVUPS  Z0, (DI)             // dst[i : i+16] = Z0
	VMOVUPS  Z1, 64(DI)           // dst[i+16 : i+32] = Z1
	VMOVUPS  Z2, 128(DI)          // dst[i+32 : i+48] = Z2
	VMOVUPS  Z3, 192(DI)          // dst[i+48 : i+64] = Z3
	ADDQ     $256, SI             // x += 64 elements
	ADDQ     $256, DI             // dst += 64 elements
	SUBQ     $64, CX              // n -= 64
	JMP      apply_loop64         // loop
apply_loop16:
	TESTQ    CX, CX               // n == 0?
	JZ       apply_end            // yes: go to apply_end
	APPLY16(0, Z0)                // Z0 = a*x[i : i+16] + b
	VMOVUPS  Z0, (DI)             // dst[i : i+16] = Z0
	ADDQ     $64, SI              // x += 16 elements
	ADDQ     $64, DI              // dst += 16 elements
	SUBQ     $16, CX              // n -= 16
	JMP      apply_loop16         // loop
apply_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnApplyReLUAVX512(dst, x []float32, a, b float32)
TEXT ·bnApplyReLUAVX512(SB), NOSPLIT, $0-56
	APPLYPROLOGUE(a+48, b+52)     // DI, SI, CX, Z30 = a, Z31 = b, Z29 = 0
applyrelu_loop64:
	CMPQ     CX, $64              // 64 or more left?
	JL       applyrelu_loop16     // no: go to applyrelu_loop16
	APPLY16(0, Z0)                // Z0 = a*x[i : i+16] + b
	APPLY16(64, Z1)               // Z1 = a*x[i+16 : i+32] + b
	APPLY16(128, Z2)              // Z2 = a*x[i+32 : i+48] + b
	APPLY16(192, Z3)              // Z3 = a*x[i+48 : i+64] + b
	RELU(Z0)                      // Z0 = relu(Z0)
	RELU(Z1)                      // Z1 = relu(Z1)
	RELU(Z2)                      // Z2 = relu(Z2)
	RELU(Z3)                      // Z3 = relu(Z3)
	VMOVUPS  Z0, (DI)             // dst[i : i+16] = Z0
	VMOVUPS  Z1, 64(DI)           // dst[i+16 : i+32] = Z1
	VMOVUPS  Z2, 128(DI)          // dst[i+32 : i+48] = Z2
	VMOVUPS  Z3, 192(DI)          // dst[i+48 : i+64] = Z3
	ADDQ     $256, SI             // x += 64 elements
	ADDQ     $256, DI             // dst += 64 elements
	SUBQ     $64, CX              // n -= 64
	JMP      applyrelu_loop64     // loop
applyrelu_loop16:
	TESTQ    CX, CX               // n == 0?
	JZ       applyrelu_end        // yes: go to applyrelu_end
	APPLY16(0, Z0)                // Z0 = a*x[i : i+16] + b
	RELU(Z0)                      // Z0 = relu(Z0)
	VMOVUPS  Z0, (DI)             // dst[i : i+16] = Z0
	ADDQ     $64, SI              // x += 16 elements
	ADDQ     $64, DI              // dst += 16 elements
	SUBQ     $16, CX              // n -= 16
	JMP      applyrelu_loop16     // loop
applyrelu_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnApplyAddReLUAVX512(dst, x, res []float32, a, b float32)
TEXT ·bnApplyAddReLUAVX512(SB), NOSPLIT, $0-80
	APPLYPROLOGUE(a+72, b+76)     // DI, SI, CX, Z30 = a, Z31 = b, Z29 = 0
	MOVQ     res_base+48(FP), DX  // DX = &res[0]
addrelu_loop64:
	CMPQ     CX, $64              // 64 or more left?
	JL       addrelu_loop16       // no: go to addrelu_loop16
	APPLY16(0, Z0)                // Z0 = a*x[i : i+16] + b
	APPLY16(64, Z1)               // Z1 = a*x[i+16 : i+32] + b
	APPLY16(128, Z2)              // Z2 = a*x[i+32 : i+48] + b
	APPLY16(192, Z3)              // Z3 = a*x[i+48 : i+64] + b
	VADDPS   (DX), Z0, Z0         // Z0 += res[i : i+16]
	VADDPS   64(DX), Z1, Z1       // Z1 += res[i+16 : i+32]
	VADDPS   128(DX), Z2, Z2      // Z2 += res[i+32 : i+48]
	VADDPS   192(DX), Z3, Z3      // Z3 += res[i+48 : i+64]
	RELU(Z0)                      // Z0 = relu(Z0)
	RELU(Z1)                      // Z1 = relu(Z1)
	RELU(Z2)                      // Z2 = relu(Z2)
	RELU(Z3)                      // Z3 = relu(Z3)
	VMOVUPS  Z0, (DI)             // dst[i : i+16] = Z0
	VMOVUPS  Z1, 64(DI)           // dst[i+16 : i+32] = Z1
	VMOVUPS  Z2, 128(DI)          // dst[i+32 : i+48] = Z2
	VMOVUPS  Z3, 192(DI)          // dst[i+48 : i+64] = Z3
	ADDQ     $256, SI             // x += 64 elements
	ADDQ     $256, DX             // res += 64 elements
	ADDQ     $256, DI             // dst += 64 elements
	SUBQ     $64, CX              // n -= 64
	JMP      addrelu_loop64       // loop
addrelu_loop16:
	TESTQ    CX, CX               // n == 0?
	JZ       addrelu_end          // yes: go to addrelu_end
	APPLY16(0, Z0)                // Z0 = a*x[i : i+16] + b
	VADDPS   (DX), Z0, Z0         // Z0 += res[i : i+16]
	RELU(Z0)                      // Z0 = relu(Z0)
	VMOVUPS  Z0, (DI)             // dst[i : i+16] = Z0
	ADDQ     $64, SI              // x += 16 elements
	ADDQ     $64, DX              // res += 16 elements
	ADDQ     $64, DI              // dst += 16 elements
	SUBQ     $16, CX              // n -= 16
	JMP      addrelu_loop16       // loop
addrelu_end:
	VZEROUPPER                    // clear the upper vector halves before returning to Go
	RET                           // return

// func bnGradSumsAVX512(dy, x []float32, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsAVX512(SB), NOSPLIT, $0-64
	MOVQ         dy_base+0(FP), SI // SI = &dy[0]
	MOVQ         x_base+24(FP), DX // DX = &x[0]
	MOVQ         dy_len+8(FP), CX  // CX = n
	MOVQ         SI, BX            // BX = SI (no mask; keeps BX a valid pointer)
	VBROADCASTSS mean+48(FP), Z31  // Z31 = mean
	GSUMSLOOP(GSUMSPLAIN16, gsums_loop64, gsums_loop16, gsums_end) // the sums
	VMOVSS       X0, sdy+56(FP)    // return sdy
	VMOVSS       X4, sdyx+60(FP)   // and sdyx
	VZEROUPPER                     // clear the upper vector halves before returning to Go
	RET                            // return

// func bnGradSumsReLUAVX512(dy, y, x []float32, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsReLUAVX512(SB), NOSPLIT, $0-88
	MOVQ         dy_base+0(FP), SI // SI = &dy[0]
	MOVQ         y_base+24(FP), BX // BX = &y[0]
	MOVQ         x_base+48(FP), DX // DX = &x[0]
	MOVQ         dy_len+8(FP), CX  // CX = n
	VBROADCASTSS mean+72(FP), Z31  // Z31 = mean
	VPXORD       Z30, Z30, Z30     // Z30 = 0
	GSUMSLOOP(GSUMSRELU16, gsumsr_loop64, gsumsr_loop16, gsumsr_end) // the sums
	VMOVSS       X0, sdy+80(FP)    // return sdy
	VMOVSS       X4, sdyx+84(FP)   // and sdyx
	VZEROUPPER                     // clear the upper vector halves before returning to Go
	RET                            // return

// GRADLOOP(dt, res, grad, steps64, steps16, loop64, loop16, end) is the loop of the
// input gradients: 64 elements a step, then 16, each with dt(off, k, z) loading the
// (masked) gradient into z, res(off, z) storing it as the residual's (or nothing),
// grad(off, z) making dx and its store to DI; steps64 and steps16 advance the pointers
// past 64 and 16 elements. The caller runs GRADPROLOGUE and loads what dt, res and
// grad read.
#define GRADLOOP(dt, res, grad, steps64, steps16, loop64, loop16, end) \
loop64: \
	CMPQ     CX, $64 \
	JL       loop16 \
	dt(0, K1, Z0) \
	dt(64, K2, Z1) \
	dt(128, K3, Z2) \
	dt(192, K4, Z3) \
	res(0, Z0) \
	res(64, Z1) \
	res(128, Z2) \
	res(192, Z3) \
	grad(0, Z0) \
	grad(64, Z1) \
	grad(128, Z2) \
	grad(192, Z3) \
	VMOVUPS  Z0, (DI) \
	VMOVUPS  Z1, 64(DI) \
	VMOVUPS  Z2, 128(DI) \
	VMOVUPS  Z3, 192(DI) \
	steps64 \
	SUBQ     $64, CX \
	JMP      loop64 \
loop16: \
	TESTQ    CX, CX \
	JZ       end \
	dt(0, K1, Z0) \
	res(0, Z0) \
	grad(0, Z0) \
	VMOVUPS  Z0, (DI) \
	steps16 \
	SUBQ     $16, CX \
	JMP      loop16 \
end: \
	VZEROUPPER \
	RET

// DTLOAD(off, k, z): z = dy[i : i+16] at byte offset off (no mask; k unused).
#define DTLOAD(off, k, z) VMOVUPS off(SI), z

// NORES(off, z): no residual gradient.
#define NORES(off, z)

// RESSTORE(off, z): dres at R8 + off = z.
#define RESSTORE(off, z) VMOVUPS z, off(R8)

// The pointer steps past n elements (bytes per float32 element bf, per stored bf16
// one bs): dy (SI), y (BX), x (DX), dx (DI), dres (R8), in this order.
#define STEPSX(bf, bs) \
	ADDQ bf, SI \
	ADDQ bs, DX \
	ADDQ bf, DI
#define STEPSYX(bf, bs) \
	ADDQ bf, SI \
	ADDQ bs, BX \
	ADDQ bs, DX \
	ADDQ bf, DI
#define STEPSYXR(bf, bs) \
	ADDQ bf, SI \
	ADDQ bs, BX \
	ADDQ bs, DX \
	ADDQ bf, DI \
	ADDQ bf, R8

// func bnGradAVX512(dx, dy, x []float32, a, b, c float32)
TEXT ·bnGradAVX512(SB), NOSPLIT, $0-84
	GRADPROLOGUE(dy_base+24, x_base+48, a+72, b+76, c+80) // DI, SI, DX, CX, Z28, Z30, Z31
	GRADLOOP(DTLOAD, NORES, GRAD16, STEPSX($256, $256), STEPSX($64, $64), grad_loop64, grad_loop16, grad_end)

// func bnGradReLUAVX512(dx, dy, y, x []float32, a, b, c float32)
TEXT ·bnGradReLUAVX512(SB), NOSPLIT, $0-108
	GRADPROLOGUE(dy_base+24, x_base+72, a+96, b+100, c+104) // DI, SI, DX, CX, Z28-Z31
	MOVQ     y_base+48(FP), BX    // BX = &y[0]
	GRADLOOP(MASK16, NORES, GRAD16, STEPSYX($256, $256), STEPSYX($64, $64), gradr_loop64, gradr_loop16, gradr_end)

// func bnGradReLUResAVX512(dx, dres, dy, y, x []float32, a, b, c float32)
TEXT ·bnGradReLUResAVX512(SB), NOSPLIT, $0-132
	GRADPROLOGUE(dy_base+48, x_base+96, a+120, b+124, c+128) // DI, SI, DX, CX, Z28-Z31
	MOVQ     y_base+72(FP), BX    // BX = &y[0]
	MOVQ     dres_base+24(FP), R8 // R8 = &dres[0]
	GRADLOOP(MASK16, RESSTORE, GRAD16, STEPSYXR($256, $256), STEPSYXR($64, $64), gradrr_loop64, gradrr_loop16, gradrr_end)

// The kernels on stored (bf16) operands (bf16.go, bf16_avx512_amd64.go): the float32
// kernels above with each x and y load replaced by a widening load (VPMOVZXWD, then
// VPSLLD $16: the bf16 bits in the high half, exact) and x then centred back (VADDPS
// centre, one rounding, as the float32 path's Apply(x, x, 1, centre)). The bit arrays
// advance half as many bytes as dy, so a body's byte offset off into dy is off/2 into
// them.

// WIDEN(off, z): z = widen(16 bf16 values at byte offset off/2 from r), exactly.
#define WIDEN(off, r, z) \
	VPMOVZXWD (off/2)(r), z      /* z = the 16 words, zero-extended */ \
	VPSLLD    $16, z, z          /* z = their float32 widening      */

// GSUMSBF16(off, acc1, acc2): GSUMS16 with x = widen(xs) + centre (DX = &xs, Z29 =
// centre, Z31 = mean) and dt in Z8.
#define GSUMSBF16(off, acc1, acc2) \
	WIDEN(off, DX, Z9)           /* Z9 = widen(xs[i : i+16])  */ \
	VADDPS      Z29, Z9, Z9      /* Z9 = x = Z9 + centre      */ \
	VSUBPS      Z31, Z9, Z9      /* Z9 = x - mean             */ \
	VADDPS      Z8, acc1, acc1   /* acc1 += dt                */ \
	VFMADD231PS Z8, Z9, acc2     /* acc2 += dt * (x - mean)   */

// GSUMSPLAINBF16(off, acc1, acc2): dt = dy, then GSUMSBF16.
#define GSUMSPLAINBF16(off, acc1, acc2) \
	VMOVUPS     off(SI), Z8      /* Z8 = dt = dy[i : i+16]    */ \
	GSUMSBF16(off, acc1, acc2)

// GSUMSRELUBF16(off, acc1, acc2): dt = dy masked by !(y <= 0), y = widen(ys) (BX =
// &ys, Z30 = 0), then GSUMSBF16.
#define GSUMSRELUBF16(off, acc1, acc2) \
	WIDEN(off, BX, Z10)          /* Z10 = y[i : i+16]         */ \
	VCMPPS      $0x19, Z10, Z30, K1 /* K1 = !(0 >= y): y > 0 or NaN */ \
	VMOVUPS.Z   off(SI), K1, Z8  /* Z8 = dt = K1 ? dy : 0     */ \
	GSUMSBF16(off, acc1, acc2)

// GSUMSLOOPBF16(body, loop64, loop16, end) is GSUMSLOOPS with the bit arrays at DX and
// BX advancing 2 bytes an element.
#define GSUMSLOOPBF16(body, loop64, loop16, end) GSUMSLOOPS(body, $128, $32, loop64, loop16, end)

// func bnGradSumsBF16AVX512(dy []float32, xs []uint16, centre, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsBF16AVX512(SB), NOSPLIT, $0-64
	MOVQ         dy_base+0(FP), SI // SI = &dy[0]
	MOVQ         xs_base+24(FP), DX // DX = &xs[0]
	MOVQ         dy_len+8(FP), CX  // CX = n
	MOVQ         DX, BX            // BX = DX (no mask; keeps BX a valid pointer)
	VBROADCASTSS centre+48(FP), Z29 // Z29 = centre
	VBROADCASTSS mean+52(FP), Z31  // Z31 = mean
	GSUMSLOOPBF16(GSUMSPLAINBF16, gsumsb_loop64, gsumsb_loop16, gsumsb_end) // the sums
	VMOVSS       X0, sdy+56(FP)    // return sdy
	VMOVSS       X4, sdyx+60(FP)   // and sdyx
	VZEROUPPER                     // clear the upper vector halves before returning to Go
	RET                            // return

// func bnGradSumsReLUBF16AVX512(dy []float32, ys, xs []uint16, centre, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsReLUBF16AVX512(SB), NOSPLIT, $0-88
	MOVQ         dy_base+0(FP), SI // SI = &dy[0]
	MOVQ         ys_base+24(FP), BX // BX = &ys[0]
	MOVQ         xs_base+48(FP), DX // DX = &xs[0]
	MOVQ         dy_len+8(FP), CX  // CX = n
	VBROADCASTSS centre+72(FP), Z29 // Z29 = centre
	VBROADCASTSS mean+76(FP), Z31  // Z31 = mean
	VPXORD       Z30, Z30, Z30     // Z30 = 0
	GSUMSLOOPBF16(GSUMSRELUBF16, gsumsrb_loop64, gsumsrb_loop16, gsumsrb_end) // the sums
	VMOVSS       X0, sdy+80(FP)    // return sdy
	VMOVSS       X4, sdyx+84(FP)   // and sdyx
	VZEROUPPER                     // clear the upper vector halves before returning to Go
	RET                            // return

// GRADBF16(off, z): GRAD16 with x = widen(xs) + centre (DX = &xs, Z27 = centre).
#define GRADBF16(off, z) \
	WIDEN(off, DX, Z8)           /* Z8 = widen(xs[i : i+16]) */ \
	VADDPS      Z27, Z8, Z8      /* Z8 = x = Z8 + centre   */ \
	VFMADD213PS Z31, Z30, Z8     /* Z8 = b*x + c (fused)   */ \
	VFMADD213PS Z8, Z28, z       /* z = a*dt + Z8 (fused)  */

// MASKBF16(off, k, z): MASK16 with y = widen(ys) (BX = &ys, Z29 = 0; Z9 scratch).
#define MASKBF16(off, k, z) \
	WIDEN(off, BX, Z9)               /* Z9 = y[i : i+16]                      */ \
	VCMPPS    $0x19, Z9, Z29, k      /* k = !(0 >= y): y > 0 or NaN           */ \
	VMOVUPS.Z off(SI), k, z          /* z = k ? dy[i : i+16] : 0              */

// func bnGradBF16AVX512(dx, dy []float32, xs []uint16, centre, a, b, c float32)
TEXT ·bnGradBF16AVX512(SB), NOSPLIT, $0-88
	GRADPROLOGUE(dy_base+24, xs_base+48, a+76, b+80, c+84) // DI, SI, DX, CX, Z28, Z30, Z31
	VBROADCASTSS centre+72(FP), Z27 // Z27 = centre
	GRADLOOP(DTLOAD, NORES, GRADBF16, STEPSX($256, $128), STEPSX($64, $32), gradb_loop64, gradb_loop16, gradb_end)

// func bnGradReLUBF16AVX512(dx, dy []float32, ys, xs []uint16, centre, a, b, c float32)
TEXT ·bnGradReLUBF16AVX512(SB), NOSPLIT, $0-112
	GRADPROLOGUE(dy_base+24, xs_base+72, a+100, b+104, c+108) // DI, SI, DX, CX, Z28-Z31
	VBROADCASTSS centre+96(FP), Z27 // Z27 = centre
	MOVQ     ys_base+48(FP), BX   // BX = &ys[0]
	GRADLOOP(MASKBF16, NORES, GRADBF16, STEPSYX($256, $128), STEPSYX($64, $32), gradrb_loop64, gradrb_loop16, gradrb_end)

// func bnGradReLUResBF16AVX512(dx, dres, dy []float32, ys, xs []uint16, centre, a, b, c float32)
TEXT ·bnGradReLUResBF16AVX512(SB), NOSPLIT, $0-136
	GRADPROLOGUE(dy_base+48, xs_base+96, a+124, b+128, c+132) // DI, SI, DX, CX, Z28-Z31
	VBROADCASTSS centre+120(FP), Z27 // Z27 = centre
	MOVQ     ys_base+72(FP), BX   // BX = &ys[0]
	MOVQ     dres_base+24(FP), R8 // R8 = &dres[0]
	GRADLOOP(MASKBF16, RESSTORE, GRADBF16, STEPSYXR($256, $128), STEPSYXR($64, $32), gradrrb_loop64, gradrrb_loop16, gradrrb_end)
