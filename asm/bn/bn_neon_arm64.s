//go:build arm64 && !purego

// Hand-written (not generated). The NEON batch-norm kernels (bn_arm64.go has their Go
// loops). Each processes n elements, a multiple of 4 (the Go wrappers run the last few
// in Go): 16 per iteration in four vector registers, then 4 at a time. The reductions
// keep four partial sums per quantity.
//
// Go's arm64 assembler lacks the floating-point vector arithmetic used here, so those
// instructions are WORDs built by the macros below (d, n, m are vector register
// numbers; .4S means four float32 lanes).

#include "textflag.h"

// FADD4(d, n, m): Vd.4S = Vn.4S + Vm.4S
#define FADD4(d, n, m) WORD $(0x4E20D400 | (m<<16) | (n<<5) | d)
// FSUB4(d, n, m): Vd.4S = Vn.4S - Vm.4S
#define FSUB4(d, n, m) WORD $(0x4EA0D400 | (m<<16) | (n<<5) | d)
// FMAX4(d, n, m): Vd.4S = max(Vn.4S, Vm.4S), NaN if either is NaN
#define FMAX4(d, n, m) WORD $(0x4E20F400 | (m<<16) | (n<<5) | d)
// FCMLEZ4(d, n): Vd.4S = Vn.4S <= 0 ? all ones : 0 (0 for NaN)
#define FCMLEZ4(d, n) WORD $(0x6EA0D800 | (n<<5) | d)
// BIC16(d, n, m): Vd = Vn &^ Vm (bitwise)
#define BIC16(d, n, m) WORD $(0x4E601C00 | (m<<16) | (n<<5) | d)
// FADDP4(d, n, m): Vd.4S = Vn[0]+Vn[1], Vn[2]+Vn[3], Vm[0]+Vm[1], Vm[2]+Vm[3]
#define FADDP4(d, n, m) WORD $(0x6E20D400 | (m<<16) | (n<<5) | d)
// FADDPS(d, n): Sd = Vn[0] + Vn[1]
#define FADDPS(d, n) WORD $(0x7E30D800 | (n<<5) | d)

// HSUM4(a, b, c, d) leaves the sum of the 16 lanes of Va-Vd in Sa.
#define HSUM4(a, b, c, d) \
	FADD4(a, a, b)               /* Va += Vb            */ \
	FADD4(c, c, d)               /* Vc += Vd            */ \
	FADD4(a, a, c)               /* Va += Vc            */ \
	FADDP4(a, a, a)              /* pairwise sums       */ \
	FADDPS(a, a)                 /* Sa = all four lanes */

// ZERO(v) clears vector register v.
#define ZERO(v) VEOR v.B16, v.B16, v.B16

// APPLYPROLOGUE loads R0 = &dst, R1 = &x, R2 = n, V30 = a, V31 = b, V29 = 0 (aoff and
// boff are a's and b's frame offsets).
#define APPLYPROLOGUE(aoff, boff) \
	MOVD  dst_base+0(FP), R0        /* R0 = &dst[0] */ \
	MOVD  x_base+24(FP), R1         /* R1 = &x[0]   */ \
	MOVD  dst_len+8(FP), R2         /* R2 = n       */ \
	FMOVS aoff(FP), F30             /* V30.S[0] = a */ \
	VDUP  V30.S[0], V30.S4          /* V30 = a      */ \
	FMOVS boff(FP), F31             /* V31.S[0] = b */ \
	VDUP  V31.S[0], V31.S4          /* V31 = b      */ \
	ZERO(V29)                       /* V29 = 0      */

// AFFINE4: V4-V7 = a*V0-V3 + b (fused).
#define AFFINE4 \
	VORR  V31.B16, V31.B16, V4.B16  /* V4 = b       */ \
	VORR  V31.B16, V31.B16, V5.B16  /* V5 = b       */ \
	VORR  V31.B16, V31.B16, V6.B16  /* V6 = b       */ \
	VORR  V31.B16, V31.B16, V7.B16  /* V7 = b       */ \
	VFMLA V0.S4, V30.S4, V4.S4      /* V4 += a * x  */ \
	VFMLA V1.S4, V30.S4, V5.S4      /* V5 += a * x  */ \
	VFMLA V2.S4, V30.S4, V6.S4      /* V6 += a * x  */ \
	VFMLA V3.S4, V30.S4, V7.S4      /* V7 += a * x  */

// RELU4: V4-V7 = max(V4-V7, 0), NaN staying NaN.
#define RELU4 \
	FMAX4(4, 4, 29)                 /* V4 = relu(V4) */ \
	FMAX4(5, 5, 29)                 /* V5 = relu(V5) */ \
	FMAX4(6, 6, 29)                 /* V6 = relu(V6) */ \
	FMAX4(7, 7, 29)                 /* V7 = relu(V7) */

// GSUMS16: with dt in V0-V3 and x in V8-V11 (16 elements), V12-V15 += dt and
// V16-V19 += dt*(x - mean) (V31 = mean; V8-V11 are overwritten).
#define GSUMS16 \
	FSUB4(8, 8, 31)                 /* V8 = x - mean  */ \
	FSUB4(9, 9, 31)                 /* V9 = x - mean  */ \
	FSUB4(10, 10, 31)               /* V10 = x - mean */ \
	FSUB4(11, 11, 31)               /* V11 = x - mean */ \
	FADD4(12, 12, 0)                /* V12 += dt      */ \
	FADD4(13, 13, 1)                /* V13 += dt      */ \
	FADD4(14, 14, 2)                /* V14 += dt      */ \
	FADD4(15, 15, 3)                /* V15 += dt      */ \
	VFMLA  V8.S4, V0.S4, V16.S4     /* V16 += dt * (x - mean) */ \
	VFMLA  V9.S4, V1.S4, V17.S4     /* V17 += dt * (x - mean) */ \
	VFMLA  V10.S4, V2.S4, V18.S4    /* V18 += dt * (x - mean) */ \
	VFMLA  V11.S4, V3.S4, V19.S4    /* V19 += dt * (x - mean) */

// GSUMSZERO clears the partial sums V12-V19.
#define GSUMSZERO \
	ZERO(V12)                       /* V12 = 0 */ \
	ZERO(V13)                       /* V13 = 0 */ \
	ZERO(V14)                       /* V14 = 0 */ \
	ZERO(V15)                       /* V15 = 0 */ \
	ZERO(V16)                       /* V16 = 0 */ \
	ZERO(V17)                       /* V17 = 0 */ \
	ZERO(V18)                       /* V18 = 0 */ \
	ZERO(V19)                       /* V19 = 0 */

// MASK16: V0-V3 (dy) &^= (V4-V7 <= 0) (y): dt, 0 where y <= 0 (NaN y passes dy).
#define MASK16 \
	FCMLEZ4(4, 4)                   /* V4 = y <= 0   */ \
	FCMLEZ4(5, 5)                   /* V5 = y <= 0   */ \
	FCMLEZ4(6, 6)                   /* V6 = y <= 0   */ \
	FCMLEZ4(7, 7)                   /* V7 = y <= 0   */ \
	BIC16(0, 0, 4)                  /* V0 = dy &^ V4 */ \
	BIC16(1, 1, 5)                  /* V1 = dy &^ V5 */ \
	BIC16(2, 2, 6)                  /* V2 = dy &^ V6 */ \
	BIC16(3, 3, 7)                  /* V3 = dy &^ V7 */

// GRADPROLOGUE loads R0 = &dx, R1 = &dy, R4 = &x, R2 = n, V28 = a, V30 = b, V31 = c
// from the frame offsets given.
#define GRADPROLOGUE(dyoff, xoff, aoff, boff, coff) \
	MOVD  dx_base+0(FP), R0         /* R0 = &dx[0] */ \
	MOVD  dyoff(FP), R1             /* R1 = &dy[0] */ \
	MOVD  xoff(FP), R4              /* R4 = &x[0]  */ \
	MOVD  dx_len+8(FP), R2          /* R2 = n      */ \
	FMOVS aoff(FP), F28             /* V28.S[0] = a */ \
	VDUP  V28.S[0], V28.S4          /* V28 = a     */ \
	FMOVS boff(FP), F30             /* V30.S[0] = b */ \
	VDUP  V30.S[0], V30.S4          /* V30 = b     */ \
	FMOVS coff(FP), F31             /* V31.S[0] = c */ \
	VDUP  V31.S[0], V31.S4          /* V31 = c     */

// GRAD16: V12-V15 = a*dt + (b*x + c) (both fused) from dt in V0-V3 and x in V8-V11.
#define GRAD16 \
	VORR  V31.B16, V31.B16, V12.B16 /* V12 = c        */ \
	VORR  V31.B16, V31.B16, V13.B16 /* V13 = c        */ \
	VORR  V31.B16, V31.B16, V14.B16 /* V14 = c        */ \
	VORR  V31.B16, V31.B16, V15.B16 /* V15 = c        */ \
	VFMLA V8.S4, V30.S4, V12.S4     /* V12 += b * x   */ \
	VFMLA V9.S4, V30.S4, V13.S4     /* V13 += b * x   */ \
	VFMLA V10.S4, V30.S4, V14.S4    /* V14 += b * x   */ \
	VFMLA V11.S4, V30.S4, V15.S4    /* V15 += b * x   */ \
	VFMLA V0.S4, V28.S4, V12.S4     /* V12 += a * dt  */ \
	VFMLA V1.S4, V28.S4, V13.S4     /* V13 += a * dt  */ \
	VFMLA V2.S4, V28.S4, V14.S4     /* V14 += a * dt  */ \
	VFMLA V3.S4, V28.S4, V15.S4     /* V15 += a * dt  */

// GRAD4: V12 = a*dt + (b*x + c) from dt in V0 and x in V8.
#define GRAD4 \
	VORR  V31.B16, V31.B16, V12.B16 /* V12 = c        */ \
	VFMLA V8.S4, V30.S4, V12.S4     /* V12 += b * x   */ \
	VFMLA V0.S4, V28.S4, V12.S4     /* V12 += a * dt  */

// func bnStatsNEON(x []float32, shift float32) (s1, s2 float32)
TEXT ·bnStatsNEON(SB), NOSPLIT, $0-40
	MOVD  x_base+0(FP), R0          // R0 = &x[0]
	MOVD  x_len+8(FP), R2           // R2 = n
	FMOVS shift+24(FP), F31         // V31.S[0] = shift
	VDUP  V31.S[0], V31.S4          // V31 = shift in every lane
	ZERO(V4)                        // V4-V7 = 0: partial sums of d
	ZERO(V5)                        // V5 = 0
	ZERO(V6)                        // V6 = 0
	ZERO(V7)                        // V7 = 0
	ZERO(V8)                        // V8-V11 = 0: partial sums of d²
	ZERO(V9)                        // V9 = 0
	ZERO(V10)                       // V10 = 0
	ZERO(V11)                       // V11 = 0
stats_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    stats_loop4              // no: go to stats_loop4
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = x[i : i+16]; x += 16
	FSUB4(0, 0, 31)                 // V0 = d = x - shift, lanes 0-3
	FSUB4(1, 1, 31)                 // lanes 4-7
	FSUB4(2, 2, 31)                 // lanes 8-11
	FSUB4(3, 3, 31)                 // lanes 12-15
	FADD4(4, 4, 0)                  // V4 += d
	FADD4(5, 5, 1)                  // V5 += d
	FADD4(6, 6, 2)                  // V6 += d
	FADD4(7, 7, 3)                  // V7 += d
	VFMLA  V0.S4, V0.S4, V8.S4      // V8 += d * d
	VFMLA  V1.S4, V1.S4, V9.S4      // V9 += d * d
	VFMLA  V2.S4, V2.S4, V10.S4     // V10 += d * d
	VFMLA  V3.S4, V3.S4, V11.S4     // V11 += d * d
	SUB    $16, R2                  // n -= 16
	B      stats_loop16             // loop
stats_loop4:
	CBZ    R2, stats_end            // n == 0: go to stats_end
	VLD1.P 16(R0), [V0.S4]          // V0 = x[i : i+4]; x += 4
	FSUB4(0, 0, 31)                 // V0 = d = x - shift
	FADD4(4, 4, 0)                  // V4 += d
	VFMLA  V0.S4, V0.S4, V8.S4      // V8 += d * d
	SUB    $4, R2                   // n -= 4
	B      stats_loop4              // loop
stats_end:
	HSUM4(4, 5, 6, 7)               // S4 = s1
	HSUM4(8, 9, 10, 11)             // S8 = s2
	FMOVS  F4, s1+32(FP)            // return s1
	FMOVS  F8, s2+36(FP)            // and s2
	RET                             // return

// func bnApplyNEON(dst, x []float32, a, b float32)
TEXT ·bnApplyNEON(SB), NOSPLIT, $0-56
	APPLYPROLOGUE(a+48, b+52)       // R0, R1, R2, V30 = a, V31 = b
apply_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    apply_loop4              // no: go to apply_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = x[i : i+16]; x += 16
	AFFINE4                         // V4-V7 = a*x + b
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0) // dst[i : i+16] = V4-V7; dst += 16
	SUB    $16, R2                  // n -= 16
	B      apply_loop16             // loop
apply_loop4:
	CBZ    R2, apply_end            // n == 0: go to apply_end
	VLD1.P 16(R1), [V0.S4]          // V0 = x[i : i+4]; x += 4
	VORR   V31.B16, V31.B16, V4.B16 // V4 = b
	VFMLA  V0.S4, V30.S4, V4.S4     // V4 += a * x
	VST1.P [V4.S4], 16(R0)          // dst[i : i+4] = V4; dst += 4
	SUB    $4, R2                   // n -= 4
	B      apply_loop4              // loop
apply_end:
	RET                             // return

// func bnApplyReLUNEON(dst, x []float32, a, b float32)
TEXT ·bnApplyReLUNEON(SB), NOSPLIT, $0-56
	APPLYPROLOGUE(a+48, b+52)       // R0, R1, R2, V30 = a, V31 = b, V29 = 0
applyrelu_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    applyrelu_loop4          // no: go to applyrelu_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = x[i : i+16]; x += 16
	AFFINE4                         // V4-V7 = a*x + b
	RELU4                           // V4-V7 = relu(V4-V7)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0) // dst[i : i+16] = V4-V7; dst += 16
	SUB    $16, R2                  // n -= 16
	B      applyrelu_loop16         // loop
applyrelu_loop4:
	CBZ    R2, applyrelu_end        // n == 0: go to applyrelu_end
	VLD1.P 16(R1), [V0.S4]          // V0 = x[i : i+4]; x += 4
	VORR   V31.B16, V31.B16, V4.B16 // V4 = b
	VFMLA  V0.S4, V30.S4, V4.S4     // V4 += a * x
	FMAX4(4, 4, 29)                 // V4 = relu(V4)
	VST1.P [V4.S4], 16(R0)          // dst[i : i+4] = V4; dst += 4
	SUB    $4, R2                   // n -= 4
	B      applyrelu_loop4          // loop
applyrelu_end:
	RET                             // return

// func bnApplyAddReLUNEON(dst, x, res []float32, a, b float32)
TEXT ·bnApplyAddReLUNEON(SB), NOSPLIT, $0-80
	APPLYPROLOGUE(a+72, b+76)       // R0, R1, R2, V30 = a, V31 = b, V29 = 0
	MOVD   res_base+48(FP), R3      // R3 = &res[0]
addrelu_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    addrelu_loop4            // no: go to addrelu_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = x[i : i+16]; x += 16
	VLD1.P 64(R3), [V8.S4, V9.S4, V10.S4, V11.S4] // V8-V11 = res[i : i+16]; res += 16
	AFFINE4                         // V4-V7 = a*x + b
	FADD4(4, 4, 8)                  // V4 += res
	FADD4(5, 5, 9)                  // V5 += res
	FADD4(6, 6, 10)                 // V6 += res
	FADD4(7, 7, 11)                 // V7 += res
	RELU4                           // V4-V7 = relu(V4-V7)
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R0) // dst[i : i+16] = V4-V7; dst += 16
	SUB    $16, R2                  // n -= 16
	B      addrelu_loop16           // loop
addrelu_loop4:
	CBZ    R2, addrelu_end          // n == 0: go to addrelu_end
	VLD1.P 16(R1), [V0.S4]          // V0 = x[i : i+4]; x += 4
	VLD1.P 16(R3), [V8.S4]          // V8 = res[i : i+4]; res += 4
	VORR   V31.B16, V31.B16, V4.B16 // V4 = b
	VFMLA  V0.S4, V30.S4, V4.S4     // V4 += a * x
	FADD4(4, 4, 8)                  // V4 += res
	FMAX4(4, 4, 29)                 // V4 = relu(V4)
	VST1.P [V4.S4], 16(R0)          // dst[i : i+4] = V4; dst += 4
	SUB    $4, R2                   // n -= 4
	B      addrelu_loop4            // loop
addrelu_end:
	RET                             // return

// func bnGradSumsNEON(dy, x []float32, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsNEON(SB), NOSPLIT, $0-64
	MOVD  dy_base+0(FP), R1         // R1 = &dy[0]
	MOVD  x_base+24(FP), R4         // R4 = &x[0]
	MOVD  dy_len+8(FP), R2          // R2 = n
	FMOVS mean+48(FP), F31          // V31.S[0] = mean
	VDUP  V31.S[0], V31.S4          // V31 = mean
	GSUMSZERO                       // V12-V19 = 0
gsums_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    gsums_loop4              // no: go to gsums_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]   // V0-V3 = dt = dy[i : i+16]
	VLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4] // V8-V11 = x[i : i+16]
	GSUMS16                         // the sums
	SUB    $16, R2                  // n -= 16
	B      gsums_loop16             // loop
gsums_loop4:
	CBZ    R2, gsums_end            // n == 0: go to gsums_end
	VLD1.P 16(R1), [V0.S4]          // V0 = dt = dy[i : i+4]
	VLD1.P 16(R4), [V8.S4]          // V8 = x[i : i+4]
	FSUB4(8, 8, 31)                 // V8 = x - mean
	FADD4(12, 12, 0)                // V12 += dt
	VFMLA  V8.S4, V0.S4, V16.S4     // V16 += dt * (x - mean)
	SUB    $4, R2                   // n -= 4
	B      gsums_loop4              // loop
gsums_end:
	HSUM4(12, 13, 14, 15)           // S12 = sdy
	HSUM4(16, 17, 18, 19)           // S16 = sdyx
	FMOVS  F12, sdy+56(FP)          // return sdy
	FMOVS  F16, sdyx+60(FP)         // and sdyx
	RET                             // return

// func bnGradSumsReLUNEON(dy, y, x []float32, mean float32) (sdy, sdyx float32)
TEXT ·bnGradSumsReLUNEON(SB), NOSPLIT, $0-88
	MOVD  dy_base+0(FP), R1         // R1 = &dy[0]
	MOVD  y_base+24(FP), R3         // R3 = &y[0]
	MOVD  x_base+48(FP), R4         // R4 = &x[0]
	MOVD  dy_len+8(FP), R2          // R2 = n
	FMOVS mean+72(FP), F31          // V31.S[0] = mean
	VDUP  V31.S[0], V31.S4          // V31 = mean
	GSUMSZERO                       // V12-V19 = 0
gsumsr_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    gsumsr_loop4             // no: go to gsumsr_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]   // V0-V3 = dy[i : i+16]
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4]   // V4-V7 = y[i : i+16]
	VLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4] // V8-V11 = x[i : i+16]
	MASK16                          // V0-V3 = dt
	GSUMS16                         // the sums
	SUB    $16, R2                  // n -= 16
	B      gsumsr_loop16            // loop
gsumsr_loop4:
	CBZ    R2, gsumsr_end           // n == 0: go to gsumsr_end
	VLD1.P 16(R1), [V0.S4]          // V0 = dy[i : i+4]
	VLD1.P 16(R3), [V4.S4]          // V4 = y[i : i+4]
	VLD1.P 16(R4), [V8.S4]          // V8 = x[i : i+4]
	FCMLEZ4(4, 4)                   // V4 = y <= 0
	BIC16(0, 0, 4)                  // V0 = dt
	FSUB4(8, 8, 31)                 // V8 = x - mean
	FADD4(12, 12, 0)                // V12 += dt
	VFMLA  V8.S4, V0.S4, V16.S4     // V16 += dt * (x - mean)
	SUB    $4, R2                   // n -= 4
	B      gsumsr_loop4             // loop
gsumsr_end:
	HSUM4(12, 13, 14, 15)           // S12 = sdy
	HSUM4(16, 17, 18, 19)           // S16 = sdyx
	FMOVS  F12, sdy+80(FP)          // return sdy
	FMOVS  F16, sdyx+84(FP)         // and sdyx
	RET                             // return

// func bnGradNEON(dx, dy, x []float32, a, b, c float32)
TEXT ·bnGradNEON(SB), NOSPLIT, $0-84
	GRADPROLOGUE(dy_base+24, x_base+48, a+72, b+76, c+80) // R0, R1, R4, R2, V28, V30, V31
grad_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    grad_loop4               // no: go to grad_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]   // V0-V3 = dy[i : i+16]
	VLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4] // V8-V11 = x[i : i+16]
	GRAD16                          // V12-V15 = dx
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0) // dx[i : i+16] = V12-V15
	SUB    $16, R2                  // n -= 16
	B      grad_loop16              // loop
grad_loop4:
	CBZ    R2, grad_end             // n == 0: go to grad_end
	VLD1.P 16(R1), [V0.S4]          // V0 = dy[i : i+4]
	VLD1.P 16(R4), [V8.S4]          // V8 = x[i : i+4]
	GRAD4                           // V12 = dx
	VST1.P [V12.S4], 16(R0)         // dx[i : i+4] = V12
	SUB    $4, R2                   // n -= 4
	B      grad_loop4               // loop
grad_end:
	RET                             // return

// func bnGradReLUNEON(dx, dy, y, x []float32, a, b, c float32)
TEXT ·bnGradReLUNEON(SB), NOSPLIT, $0-108
	GRADPROLOGUE(dy_base+24, x_base+72, a+96, b+100, c+104) // R0, R1, R4, R2, V28, V30, V31
	MOVD   y_base+48(FP), R3        // R3 = &y[0]
gradr_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    gradr_loop4              // no: go to gradr_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]   // V0-V3 = dy[i : i+16]
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4]   // V4-V7 = y[i : i+16]
	VLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4] // V8-V11 = x[i : i+16]
	MASK16                          // V0-V3 = dt
	GRAD16                          // V12-V15 = dx
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0) // dx[i : i+16] = V12-V15
	SUB    $16, R2                  // n -= 16
	B      gradr_loop16             // loop
gradr_loop4:
	CBZ    R2, gradr_end            // n == 0: go to gradr_end
	VLD1.P 16(R1), [V0.S4]          // V0 = dy[i : i+4]
	VLD1.P 16(R3), [V4.S4]          // V4 = y[i : i+4]
	VLD1.P 16(R4), [V8.S4]          // V8 = x[i : i+4]
	FCMLEZ4(4, 4)                   // V4 = y <= 0
	BIC16(0, 0, 4)                  // V0 = dt
	GRAD4                           // V12 = dx
	VST1.P [V12.S4], 16(R0)         // dx[i : i+4] = V12
	SUB    $4, R2                   // n -= 4
	B      gradr_loop4              // loop
gradr_end:
	RET                             // return

// func bnGradReLUResNEON(dx, dres, dy, y, x []float32, a, b, c float32)
TEXT ·bnGradReLUResNEON(SB), NOSPLIT, $0-132
	GRADPROLOGUE(dy_base+48, x_base+96, a+120, b+124, c+128) // R0, R1, R4, R2, V28, V30, V31
	MOVD   y_base+72(FP), R3        // R3 = &y[0]
	MOVD   dres_base+24(FP), R5     // R5 = &dres[0]
gradrr_loop16:
	CMP    $16, R2                  // 16 or more left?
	BLT    gradrr_loop4             // no: go to gradrr_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4]   // V0-V3 = dy[i : i+16]
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4]   // V4-V7 = y[i : i+16]
	VLD1.P 64(R4), [V8.S4, V9.S4, V10.S4, V11.S4] // V8-V11 = x[i : i+16]
	MASK16                          // V0-V3 = dt
	GRAD16                          // V12-V15 = dx
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R5)     // dres[i : i+16] = dt
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R0) // dx[i : i+16] = V12-V15
	SUB    $16, R2                  // n -= 16
	B      gradrr_loop16            // loop
gradrr_loop4:
	CBZ    R2, gradrr_end           // n == 0: go to gradrr_end
	VLD1.P 16(R1), [V0.S4]          // V0 = dy[i : i+4]
	VLD1.P 16(R3), [V4.S4]          // V4 = y[i : i+4]
	VLD1.P 16(R4), [V8.S4]          // V8 = x[i : i+4]
	FCMLEZ4(4, 4)                   // V4 = y <= 0
	BIC16(0, 0, 4)                  // V0 = dt
	GRAD4                           // V12 = dx
	VST1.P [V0.S4], 16(R5)          // dres[i : i+4] = dt
	VST1.P [V12.S4], 16(R0)         // dx[i : i+4] = V12
	SUB    $4, R2                   // n -= 4
	B      gradrr_loop4             // loop
gradrr_end:
	RET                             // return
