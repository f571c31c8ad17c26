//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 vector kernels: the AVX2 kernels of
// vec_avx2_amd64.s on ZMM registers. Each processes len(x) elements, a multiple of 16
// (the Go wrappers in vec_avx512_amd64.go run the last few in Go): 64 per iteration in
// four ZMM registers, then 16 at a time.

#include "textflag.h"

// func axpyAVX512(alpha float32, x, y []float32)
TEXT ·axpyAVX512(SB), NOSPLIT, $0-56
	VBROADCASTSS alpha+0(FP), Z0 // Z0 = alpha
	MOVQ x_base+8(FP), SI        // SI = &x[0]
	MOVQ y_base+32(FP), DI       // DI = &y[0]
	MOVQ x_len+16(FP), CX        // CX = n
axpy_loop64:
	CMPQ CX, $64              // 64 or more left in CX?
	JL   axpy_loop16          // fewer left than that: go to axpy_loop16
	VMOVUPS     (DI), Z1         // Z1 = y[i : i+16]
	VMOVUPS     64(DI), Z2       // Z2 = y[i+16 : i+32]
	VMOVUPS     128(DI), Z3      // Z3 = y[i+32 : i+48]
	VMOVUPS     192(DI), Z4      // Z4 = y[i+48 : i+64]
	VFMADD231PS (SI), Z0, Z1     // Z1 += alpha * x[i : i+16]
	VFMADD231PS 64(SI), Z0, Z2   // Z2 += alpha * x[i+16 : i+32]
	VFMADD231PS 128(SI), Z0, Z3  // Z3 += alpha * x[i+32 : i+48]
	VFMADD231PS 192(SI), Z0, Z4  // Z4 += alpha * x[i+48 : i+64]
	VMOVUPS     Z1, (DI)         // y[i : i+16] = Z1
	VMOVUPS     Z2, 64(DI)       // y[i+16 : i+32] = Z2
	VMOVUPS     Z3, 128(DI)      // y[i+32 : i+48] = Z3
	VMOVUPS     Z4, 192(DI)      // y[i+48 : i+64] = Z4
	ADDQ        $256, SI         // i += 64
	ADDQ        $256, DI      // DI += 256 bytes
	SUBQ        $64, CX       // CX -= 64
	JMP         axpy_loop64   // loop
axpy_loop16:
	TESTQ CX, CX              // CX == 0?
	JZ    axpy_end            // none left: go to axpy_end
	VMOVUPS     (DI), Z1         // Z1 = y[i : i+16]
	VFMADD231PS (SI), Z0, Z1     // Z1 += alpha * x[i : i+16]
	VMOVUPS     Z1, (DI)         // y[i : i+16] = Z1
	ADDQ        $64, SI          // i += 16
	ADDQ        $64, DI       // DI += 64 bytes
	SUBQ        $16, CX       // CX -= 16
	JMP         axpy_loop16   // loop
axpy_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func scaleAVX512(alpha float32, x []float32)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-32
	VBROADCASTSS alpha+0(FP), Z0 // Z0 = alpha
	MOVQ x_base+8(FP), SI        // SI = &x[0]
	MOVQ x_len+16(FP), CX        // CX = n
scale_loop64:
	CMPQ CX, $64              // 64 or more left in CX?
	JL   scale_loop16         // fewer left than that: go to scale_loop16
	VMULPS  (SI), Z0, Z1         // Z1 = alpha * x[i : i+16]
	VMULPS  64(SI), Z0, Z2       // Z2 = alpha * x[i+16 : i+32]
	VMULPS  128(SI), Z0, Z3      // Z3 = alpha * x[i+32 : i+48]
	VMULPS  192(SI), Z0, Z4      // Z4 = alpha * x[i+48 : i+64]
	VMOVUPS Z1, (SI)             // x[i : i+16] = Z1
	VMOVUPS Z2, 64(SI)           // x[i+16 : i+32] = Z2
	VMOVUPS Z3, 128(SI)          // x[i+32 : i+48] = Z3
	VMOVUPS Z4, 192(SI)          // x[i+48 : i+64] = Z4
	ADDQ    $256, SI             // i += 64
	SUBQ    $64, CX           // CX -= 64
	JMP     scale_loop64      // loop
scale_loop16:
	TESTQ CX, CX              // CX == 0?
	JZ    scale_end           // none left: go to scale_end
	VMULPS  (SI), Z0, Z1         // Z1 = alpha * x[i : i+16]
	VMOVUPS Z1, (SI)             // x[i : i+16] = Z1
	ADDQ    $64, SI              // i += 16
	SUBQ    $16, CX           // CX -= 16
	JMP     scale_loop16      // loop
scale_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// BINOP(op) is the loop of dst[i] = a[i] op b[i] with op VADDPS or VMULPS;
// DI = &dst, SI = &a, DX = &b, CX = n are loaded by the caller.
#define BINOP(op) \
binop_loop64: \
	CMPQ    CX, $64           /* 64 or more left in CX? */ \
	JL      binop_loop16      /* fewer left than that: go to binop_loop16 */ \
	VMOVUPS (SI), Z0             /* Z0 = a[i : i+16]            */ \
	VMOVUPS 64(SI), Z1           /* Z1 = a[i+16 : i+32]         */ \
	VMOVUPS 128(SI), Z2          /* Z2 = a[i+32 : i+48]         */ \
	VMOVUPS 192(SI), Z3          /* Z3 = a[i+48 : i+64]         */ \
	op      (DX), Z0, Z0         /* Z0 = Z0 op b[i : i+16]      */ \
	op      64(DX), Z1, Z1       /* Z1 = Z1 op b[i+16 : i+32]   */ \
	op      128(DX), Z2, Z2      /* Z2 = Z2 op b[i+32 : i+48]   */ \
	op      192(DX), Z3, Z3      /* Z3 = Z3 op b[i+48 : i+64]   */ \
	VMOVUPS Z0, (DI)             /* dst[i : i+16] = Z0          */ \
	VMOVUPS Z1, 64(DI)           /* dst[i+16 : i+32] = Z1       */ \
	VMOVUPS Z2, 128(DI)          /* dst[i+32 : i+48] = Z2       */ \
	VMOVUPS Z3, 192(DI)          /* dst[i+48 : i+64] = Z3       */ \
	ADDQ    $256, SI             /* i += 64                     */ \
	ADDQ    $256, DX          /* DX += 256 bytes */ \
	ADDQ    $256, DI          /* DI += 256 bytes */ \
	SUBQ    $64, CX           /* CX -= 64 */ \
	JMP     binop_loop64      /* loop */ \
binop_loop16: \
	TESTQ   CX, CX            /* CX == 0? */ \
	JZ      binop_end         /* none left: go to binop_end */ \
	VMOVUPS (SI), Z0             /* Z0 = a[i : i+16]            */ \
	op      (DX), Z0, Z0         /* Z0 = Z0 op b[i : i+16]      */ \
	VMOVUPS Z0, (DI)             /* dst[i : i+16] = Z0          */ \
	ADDQ    $64, SI              /* i += 16                     */ \
	ADDQ    $64, DX           /* DX += 64 bytes */ \
	ADDQ    $64, DI           /* DI += 64 bytes */ \
	SUBQ    $16, CX           /* CX -= 16 */ \
	JMP     binop_loop16      /* loop */ \
binop_end: \
	VZEROUPPER                /* clear the upper vector halves before returning to Go */ \
	RET                       // return

// func addAVX512(dst, a, b []float32)
TEXT ·addAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI      // DI = &dst[0]
	MOVQ a_base+24(FP), SI       // SI = &a[0]
	MOVQ b_base+48(FP), DX       // DX = &b[0]
	MOVQ dst_len+8(FP), CX       // CX = n
	BINOP(VADDPS)             // the loop, with VADDPS

// func mulAVX512(dst, a, b []float32)
TEXT ·mulAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI      // DI = &dst[0]
	MOVQ a_base+24(FP), SI       // SI = &a[0]
	MOVQ b_base+48(FP), DX       // DX = &b[0]
	MOVQ dst_len+8(FP), CX       // CX = n
	BINOP(VMULPS)             // the loop, with VMULPS

// func reluAVX512(dst, src []float32)
TEXT ·reluAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI      // DI = &dst[0]
	MOVQ src_base+24(FP), SI     // SI = &src[0]
	MOVQ dst_len+8(FP), CX       // CX = n
	VPXORD Z0, Z0, Z0            // Z0 = 0
relu_loop64:
	CMPQ CX, $64              // 64 or more left in CX?
	JL   relu_loop16          // fewer left than that: go to relu_loop16
	VMOVUPS (SI), Z1             // Z1 = src[i : i+16]
	VMOVUPS 64(SI), Z2           // Z2 = src[i+16 : i+32]
	VMOVUPS 128(SI), Z3          // Z3 = src[i+32 : i+48]
	VMOVUPS 192(SI), Z4          // Z4 = src[i+48 : i+64]
	VMAXPS  Z0, Z1, Z1           // Z1 = Z1 > 0 ? Z1 : 0 (NaN and -0 give +0)
	VMAXPS  Z0, Z2, Z2           // Z2 = max(Z2, 0)
	VMAXPS  Z0, Z3, Z3           // Z3 = max(Z3, 0)
	VMAXPS  Z0, Z4, Z4           // Z4 = max(Z4, 0)
	VMOVUPS Z1, (DI)             // dst[i : i+16] = Z1
	VMOVUPS Z2, 64(DI)           // dst[i+16 : i+32] = Z2
	VMOVUPS Z3, 128(DI)          // dst[i+32 : i+48] = Z3
	VMOVUPS Z4, 192(DI)          // dst[i+48 : i+64] = Z4
	ADDQ    $256, SI             // i += 64
	ADDQ    $256, DI          // DI += 256 bytes
	SUBQ    $64, CX           // CX -= 64
	JMP     relu_loop64       // loop
relu_loop16:
	TESTQ CX, CX              // CX == 0?
	JZ    relu_end            // none left: go to relu_end
	VMOVUPS (SI), Z1             // Z1 = src[i : i+16]
	VMAXPS  Z0, Z1, Z1           // Z1 = max(Z1, 0)
	VMOVUPS Z1, (DI)             // dst[i : i+16] = Z1
	ADDQ    $64, SI              // i += 16
	ADDQ    $64, DI           // DI += 64 bytes
	SUBQ    $16, CX           // CX -= 16
	JMP     relu_loop16       // loop
relu_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func reluBackwardAVX512(dst, dy, y []float32)
TEXT ·reluBackwardAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI      // DI = &dst[0]
	MOVQ dy_base+24(FP), SI      // SI = &dy[0]
	MOVQ y_base+48(FP), DX       // DX = &y[0]
	MOVQ dst_len+8(FP), CX       // CX = n
	VPXORD Z0, Z0, Z0            // Z0 = 0
relub_loop64:
	CMPQ CX, $64              // 64 or more left in CX?
	JL   relub_loop16         // fewer left than that: go to relub_loop16
	VCMPPS    $0x11, (DX), Z0, K1    // K1 = 0 < y[i : i+16] (NaN false)
	VCMPPS    $0x11, 64(DX), Z0, K2  // K2 = 0 < y[i+16 : i+32]
	VCMPPS    $0x11, 128(DX), Z0, K3 // K3 = 0 < y[i+32 : i+48]
	VCMPPS    $0x11, 192(DX), Z0, K4 // K4 = 0 < y[i+48 : i+64]
	VMOVUPS.Z (SI), K1, Z1           // Z1 = y > 0 ? dy[i : i+16] : 0
	VMOVUPS.Z 64(SI), K2, Z2         // Z2 = y > 0 ? dy[i+16 : i+32] : 0
	VMOVUPS.Z 128(SI), K3, Z3        // Z3 = y > 0 ? dy[i+32 : i+48] : 0
	VMOVUPS.Z 192(SI), K4, Z4        // Z4 = y > 0 ? dy[i+48 : i+64] : 0
	VMOVUPS   Z1, (DI)               // dst[i : i+16] = Z1
	VMOVUPS   Z2, 64(DI)             // dst[i+16 : i+32] = Z2
	VMOVUPS   Z3, 128(DI)            // dst[i+32 : i+48] = Z3
	VMOVUPS   Z4, 192(DI)            // dst[i+48 : i+64] = Z4
	ADDQ      $256, SI               // i += 64
	ADDQ      $256, DX        // DX += 256 bytes
	ADDQ      $256, DI        // DI += 256 bytes
	SUBQ      $64, CX         // CX -= 64
	JMP       relub_loop64    // loop
relub_loop16:
	TESTQ CX, CX              // CX == 0?
	JZ    relub_end           // none left: go to relub_end
	VCMPPS    $0x11, (DX), Z0, K1    // K1 = 0 < y[i : i+16]
	VMOVUPS.Z (SI), K1, Z1           // Z1 = y > 0 ? dy[i : i+16] : 0
	VMOVUPS   Z1, (DI)               // dst[i : i+16] = Z1
	ADDQ      $64, SI                // i += 16
	ADDQ      $64, DX         // DX += 64 bytes
	ADDQ      $64, DI         // DI += 64 bytes
	SUBQ      $16, CX         // CX -= 16
	JMP       relub_loop16    // loop
relub_end:
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// HSUM16(z, y, x, t) leaves the sum of the 16 lanes of ZMM z in lane 0 of X register x
// (y and x are z's low 256 and 128 bits), using the XMM/YMM t as scratch.
#define HSUM16(z, y, x, ty, tx) \
	VEXTRACTF32X8 $1, z, ty      /* ty = lanes 8-15                */ \
	VADDPS        ty, y, y       /* y = lanes 0-7 + lanes 8-15     */ \
	VEXTRACTF128  $1, y, tx      /* tx = lanes 4-7                 */ \
	VADDPS        tx, x, x       /* x = lanes 0-3 + lanes 4-7      */ \
	VPERMILPS     $0x4E, x, tx   /* tx = x[2], x[3], x[0], x[1]    */ \
	VADDPS        tx, x, x       /* x[0] = x[0]+x[2], x[1] = x[1]+x[3] */ \
	VPERMILPS     $0xB1, x, tx   /* tx = x[1], x[0], ...           */ \
	VADDPS        tx, x, x       /* x[0] = sum of all 16 lanes     */

// func sumAVX512(x []float32) float32
TEXT ·sumAVX512(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI        // SI = &x[0]
	MOVQ x_len+8(FP), CX         // CX = n
	VPXORD Z0, Z0, Z0            // four partial sums = 0
	VPXORD Z1, Z1, Z1         // Z1 = 0
	VPXORD Z2, Z2, Z2         // Z2 = 0
	VPXORD Z3, Z3, Z3         // Z3 = 0
sum_loop64:
	CMPQ CX, $64              // 64 or more left in CX?
	JL   sum_loop16           // fewer left than that: go to sum_loop16
	VADDPS (SI), Z0, Z0          // Z0 += x[i : i+16]
	VADDPS 64(SI), Z1, Z1        // Z1 += x[i+16 : i+32]
	VADDPS 128(SI), Z2, Z2       // Z2 += x[i+32 : i+48]
	VADDPS 192(SI), Z3, Z3       // Z3 += x[i+48 : i+64]
	ADDQ   $256, SI              // i += 64
	SUBQ   $64, CX            // CX -= 64
	JMP    sum_loop64         // loop
sum_loop16:
	TESTQ CX, CX              // CX == 0?
	JZ    sum_end             // none left: go to sum_end
	VADDPS (SI), Z0, Z0          // Z0 += x[i : i+16]
	ADDQ   $64, SI               // i += 16
	SUBQ   $16, CX            // CX -= 16
	JMP    sum_loop16         // loop
sum_end:
	VADDPS Z1, Z0, Z0            // Z0 = (Z0 + Z1) + (Z2 + Z3)
	VADDPS Z3, Z2, Z2         // Z2 = Z2 + Z3
	VADDPS Z2, Z0, Z0         // Z0 = Z0 + Z2
	HSUM16(Z0, Y0, X0, Y1, X1)   // X0[0] = sum of Z0's lanes
	VMOVSS X0, ret+24(FP)        // return X0[0]
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func dotAVX512(x, y []float32) float32
TEXT ·dotAVX512(SB), NOSPLIT, $0-52
	MOVQ x_base+0(FP), SI        // SI = &x[0]
	MOVQ y_base+24(FP), DX       // DX = &y[0]
	MOVQ x_len+8(FP), CX         // CX = n
	VPXORD Z0, Z0, Z0            // four partial sums = 0
	VPXORD Z1, Z1, Z1         // Z1 = 0
	VPXORD Z2, Z2, Z2         // Z2 = 0
	VPXORD Z3, Z3, Z3         // Z3 = 0
dot_loop64:
	CMPQ CX, $64              // 64 or more left in CX?
	JL   dot_loop16           // fewer left than that: go to dot_loop16
	VMOVUPS     (SI), Z4         // Z4 = x[i : i+16]
	VMOVUPS     64(SI), Z5       // Z5 = x[i+16 : i+32]
	VMOVUPS     128(SI), Z6      // Z6 = x[i+32 : i+48]
	VMOVUPS     192(SI), Z7      // Z7 = x[i+48 : i+64]
	VFMADD231PS (DX), Z4, Z0     // Z0 += x[i : i+16] * y[i : i+16]
	VFMADD231PS 64(DX), Z5, Z1   // Z1 += x[i+16 : i+32] * y[i+16 : i+32]
	VFMADD231PS 128(DX), Z6, Z2  // Z2 += x[i+32 : i+48] * y[i+32 : i+48]
	VFMADD231PS 192(DX), Z7, Z3  // Z3 += x[i+48 : i+64] * y[i+48 : i+64]
	ADDQ        $256, SI         // i += 64
	ADDQ        $256, DX      // DX += 256 bytes
	SUBQ        $64, CX       // CX -= 64
	JMP         dot_loop64    // loop
dot_loop16:
	TESTQ CX, CX              // CX == 0?
	JZ    dot_end             // none left: go to dot_end
	VMOVUPS     (SI), Z4         // Z4 = x[i : i+16]
	VFMADD231PS (DX), Z4, Z0     // Z0 += x[i : i+16] * y[i : i+16]
	ADDQ        $64, SI          // i += 16
	ADDQ        $64, DX       // DX += 64 bytes
	SUBQ        $16, CX       // CX -= 16
	JMP         dot_loop16    // loop
dot_end:
	VADDPS Z1, Z0, Z0            // Z0 = (Z0 + Z1) + (Z2 + Z3)
	VADDPS Z3, Z2, Z2         // Z2 = Z2 + Z3
	VADDPS Z2, Z0, Z0         // Z0 = Z0 + Z2
	HSUM16(Z0, Y0, X0, Y1, X1)   // X0[0] = sum of Z0's lanes
	VMOVSS X0, ret+48(FP)        // return X0[0]
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// func maxAVX512(x []float32) float32
TEXT ·maxAVX512(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI        // SI = &x[0]
	MOVQ x_len+8(FP), CX         // CX = n
	MOVL $0xff800000, AX         // AX = bits of -Inf
	VPBROADCASTD AX, Z0          // Z0 = Z1 = -Inf: two running maxima
	VMOVAPS Z0, Z1            // Z1 = Z0
	KXORW   K3, K3, K3           // K3 = 0: lanes that saw a NaN
max_loop32:
	CMPQ CX, $32              // 32 or more left in CX?
	JL   max_loop16           // fewer left than that: go to max_loop16
	VMOVUPS (SI), Z3             // Z3 = x[i : i+16]
	VMOVUPS 64(SI), Z4           // Z4 = x[i+16 : i+32]
	VMAXPS  Z3, Z0, Z0           // Z0 = max(Z0, Z3) (a NaN in Z3 is dropped here...)
	VMAXPS  Z4, Z1, Z1           // Z1 = max(Z1, Z4)
	VCMPPS  $3, Z3, Z3, K1       // K1 = isNaN(x[i : i+16])
	VCMPPS  $3, Z4, Z4, K2       // K2 = isNaN(x[i+16 : i+32])
	KORW    K1, K3, K3           // ...and recorded here
	KORW    K2, K3, K3        // K3 = K3 | K2
	ADDQ    $128, SI             // i += 32
	SUBQ    $32, CX           // CX -= 32
	JMP     max_loop32        // loop
max_loop16:
	TESTQ CX, CX              // CX == 0?
	JZ    max_end             // none left: go to max_end
	VMOVUPS (SI), Z3             // Z3 = x[i : i+16]
	VMAXPS  Z3, Z0, Z0           // Z0 = max(Z0, Z3)
	VCMPPS  $3, Z3, Z3, K1       // K1 = isNaN(x[i : i+16])
	KORW    K1, K3, K3        // K3 = K3 | K1
	ADDQ    $64, SI              // i += 16
	SUBQ    $16, CX           // CX -= 16
	JMP     max_loop16        // loop
max_end:
	KORTESTW K3, K3              // any lane saw a NaN?
	JNZ      max_nan          // repeat while the counter is not 0
	VMAXPS        Z1, Z0, Z0     // Z0 = max(Z0, Z1)
	VEXTRACTF32X8 $1, Z0, Y1     // Y1 = lanes 8-15
	VMAXPS        Y1, Y0, Y0     // Y0 = max of lanes 0-7 and 8-15
	VEXTRACTF128  $1, Y0, X1     // X1 = lanes 4-7
	VMAXPS        X1, X0, X0     // X0 = max of lanes 0-3 and 4-7
	VPERMILPS     $0x4E, X0, X1  // X1 = X0[2], X0[3], X0[0], X0[1]
	VMAXPS        X1, X0, X0  // X0 = max(X0, X1)
	VPERMILPS     $0xB1, X0, X1  // X1 = X0[1], X0[0], ...
	VMAXPS        X1, X0, X0     // X0[0] = max of all lanes
	VMOVSS        X0, ret+24(FP) // return X0[0]
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return
max_nan:
	MOVL $0x7fc00000, ret+24(FP) // return NaN
	VZEROUPPER                // clear the upper vector halves before returning to Go
	RET                       // return

// Permute indices into the pair (a, b) of 32 consecutive floats: deintEven takes
// elements 0, 2, …, 30, deintOdd 1, 3, …, 31 (index bit 4 selects b).
DATA deintEven<>+0(SB)/4, $0
DATA deintEven<>+4(SB)/4, $2
DATA deintEven<>+8(SB)/4, $4
DATA deintEven<>+12(SB)/4, $6
DATA deintEven<>+16(SB)/4, $8
DATA deintEven<>+20(SB)/4, $10
DATA deintEven<>+24(SB)/4, $12
DATA deintEven<>+28(SB)/4, $14
DATA deintEven<>+32(SB)/4, $16
DATA deintEven<>+36(SB)/4, $18
DATA deintEven<>+40(SB)/4, $20
DATA deintEven<>+44(SB)/4, $22
DATA deintEven<>+48(SB)/4, $24
DATA deintEven<>+52(SB)/4, $26
DATA deintEven<>+56(SB)/4, $28
DATA deintEven<>+60(SB)/4, $30
GLOBL deintEven<>(SB), RODATA, $64

DATA deintOdd<>+0(SB)/4, $1
DATA deintOdd<>+4(SB)/4, $3
DATA deintOdd<>+8(SB)/4, $5
DATA deintOdd<>+12(SB)/4, $7
DATA deintOdd<>+16(SB)/4, $9
DATA deintOdd<>+20(SB)/4, $11
DATA deintOdd<>+24(SB)/4, $13
DATA deintOdd<>+28(SB)/4, $15
DATA deintOdd<>+32(SB)/4, $17
DATA deintOdd<>+36(SB)/4, $19
DATA deintOdd<>+40(SB)/4, $21
DATA deintOdd<>+44(SB)/4, $23
DATA deintOdd<>+48(SB)/4, $25
DATA deintOdd<>+52(SB)/4, $27
DATA deintOdd<>+56(SB)/4, $29
DATA deintOdd<>+60(SB)/4, $31
GLOBL deintOdd<>(SB), RODATA, $64

// func deinterleave2AVX512(even, odd, src []float32)
TEXT ·deinterleave2AVX512(SB), NOSPLIT, $0-72
	MOVQ even_base+0(FP), DI     // DI = &even[0]
	MOVQ odd_base+24(FP), R8     // R8 = &odd[0]
	MOVQ src_base+48(FP), SI     // SI = &src[0]
	MOVQ even_len+8(FP), CX      // CX = n, a multiple of 16
	VMOVUPS deintEven<>(SB), Z8  // Z8 = the even indices
	VMOVUPS deintOdd<>(SB), Z9   // Z9 = the odd indices
deint_loop:
	TESTQ CX, CX                 // CX == 0?
	JZ    deint_end              // none left: go to deint_end
	VMOVUPS (SI), Z1             // Z1 = src[2i : 2i+16]
	VMOVAPS Z1, Z2               // Z2 = the same (VPERMT2PS overwrites its first table)
	VPERMT2PS 64(SI), Z8, Z1     // Z1 = src[2i], src[2i+2], …, src[2i+30]
	VPERMT2PS 64(SI), Z9, Z2     // Z2 = src[2i+1], src[2i+3], …, src[2i+31]
	VMOVUPS Z1, (DI)             // even[i : i+16] = Z1
	VMOVUPS Z2, (R8)             // odd[i : i+16] = Z2
	ADDQ    $128, SI             // src += 32 floats
	ADDQ    $64, DI              // even += 16
	ADDQ    $64, R8              // odd += 16
	SUBQ    $16, CX              // CX -= 16
	JMP     deint_loop           // loop
deint_end:
	VZEROUPPER                   // clear the upper vector halves before returning to Go
	RET                          // return
