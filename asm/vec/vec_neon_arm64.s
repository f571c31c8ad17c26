//go:build arm64 && !purego

// Hand-written (not generated). The NEON vector kernels. Each processes len(x)
// elements, a multiple of 4 (the Go wrappers in vec_arm64.go run the last few in Go):
// 16 per iteration in four vector registers, then 4 at a time.
//
// Go's arm64 assembler lacks the floating-point vector arithmetic used here, so those
// instructions are WORDs built by the macros below (Vd, Vn, Vm are register numbers;
// .4S means four float32 lanes).

#include "textflag.h"

// FADD4(d, n, m): Vd.4S = Vn.4S + Vm.4S
#define FADD4(d, n, m) WORD $(0x4E20D400 | (m<<16) | (n<<5) | d)
// FMUL4(d, n, m): Vd.4S = Vn.4S * Vm.4S
#define FMUL4(d, n, m) WORD $(0x6E20DC00 | (m<<16) | (n<<5) | d)
// FMAX4(d, n, m): Vd.4S = max(Vn.4S, Vm.4S), NaN if either is NaN
#define FMAX4(d, n, m) WORD $(0x4E20F400 | (m<<16) | (n<<5) | d)
// FMAXNM4(d, n, m): Vd.4S = max(Vn.4S, Vm.4S), the number if one is a quiet NaN; +0 over -0
#define FMAXNM4(d, n, m) WORD $(0x4E20C400 | (m<<16) | (n<<5) | d)
// FCMGTZ4(d, n): Vd.4S = Vn.4S > 0 ? all ones : 0 (0 for NaN)
#define FCMGTZ4(d, n) WORD $(0x4EA0C800 | (n<<5) | d)
// FADDP4(d, n, m): Vd.4S = Vn[0]+Vn[1], Vn[2]+Vn[3], Vm[0]+Vm[1], Vm[2]+Vm[3]
#define FADDP4(d, n, m) WORD $(0x6E20D400 | (m<<16) | (n<<5) | d)
// FADDPS(d, n): Sd = Vn[0] + Vn[1]
#define FADDPS(d, n) WORD $(0x7E30D800 | (n<<5) | d)
// FMAXP4(d, n, m): Vd.4S = max(Vn[0],Vn[1]), max(Vn[2],Vn[3]), max(Vm[0],Vm[1]), max(Vm[2],Vm[3])
#define FMAXP4(d, n, m) WORD $(0x6E20F400 | (m<<16) | (n<<5) | d)
// FMAXPS(d, n): Sd = max(Vn[0], Vn[1])
#define FMAXPS(d, n) WORD $(0x7E30F800 | (n<<5) | d)

// func axpyNEON(alpha float32, x, y []float32)
TEXT ·axpyNEON(SB), NOSPLIT, $0-56
	FMOVS alpha+0(FP), F31         // V31.S[0] = alpha
	VDUP  V31.S[0], V31.S4         // V31 = alpha in every lane
	MOVD  x_base+8(FP), R0         // R0 = &x[0]
	MOVD  y_base+32(FP), R1        // R1 = &y[0]
	MOVD  x_len+16(FP), R2         // R2 = n
axpy_loop16:
	CMP   $16, R2             // 16 or more left in R2?
	BLT   axpy_loop4          // fewer left than that: go to axpy_loop4
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = x[i : i+16]; x += 16
	VLD1   (R1), [V4.S4, V5.S4, V6.S4, V7.S4]   // V4-V7 = y[i : i+16]
	VFMLA  V0.S4, V31.S4, V4.S4    // V4 += alpha * x[i : i+4]
	VFMLA  V1.S4, V31.S4, V5.S4    // V5 += alpha * x[i+4 : i+8]
	VFMLA  V2.S4, V31.S4, V6.S4    // V6 += alpha * x[i+8 : i+12]
	VFMLA  V3.S4, V31.S4, V7.S4    // V7 += alpha * x[i+12 : i+16]
	VST1.P [V4.S4, V5.S4, V6.S4, V7.S4], 64(R1) // y[i : i+16] = V4-V7; y += 16
	SUB    $16, R2            // R2 -= 16
	B      axpy_loop16        // loop
axpy_loop4:
	CBZ    R2, axpy_end       // R2 == 0: go to axpy_end
	VLD1.P 16(R0), [V0.S4]         // V0 = x[i : i+4]
	VLD1   (R1), [V4.S4]           // V4 = y[i : i+4]
	VFMLA  V0.S4, V31.S4, V4.S4    // V4 += alpha * V0
	VST1.P [V4.S4], 16(R1)         // y[i : i+4] = V4
	SUB    $4, R2             // R2 -= 4
	B      axpy_loop4         // loop
axpy_end:
	RET                       // return

// func scaleNEON(alpha float32, x []float32)
TEXT ·scaleNEON(SB), NOSPLIT, $0-32
	FMOVS alpha+0(FP), F31         // V31.S[0] = alpha
	VDUP  V31.S[0], V31.S4         // V31 = alpha in every lane
	MOVD  x_base+8(FP), R0         // R0 = &x[0]
	MOVD  x_len+16(FP), R2         // R2 = n
scale_loop16:
	CMP   $16, R2             // 16 or more left in R2?
	BLT   scale_loop4         // fewer left than that: go to scale_loop4
	VLD1   (R0), [V0.S4, V1.S4, V2.S4, V3.S4]  // V0-V3 = x[i : i+16]
	FMUL4(0, 0, 31)                // V0 *= alpha
	FMUL4(1, 1, 31)                // V1 *= alpha
	FMUL4(2, 2, 31)                // V2 *= alpha
	FMUL4(3, 3, 31)                // V3 *= alpha
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0) // x[i : i+16] = V0-V3; x += 16
	SUB    $16, R2            // R2 -= 16
	B      scale_loop16       // loop
scale_loop4:
	CBZ    R2, scale_end      // R2 == 0: go to scale_end
	VLD1   (R0), [V0.S4]           // V0 = x[i : i+4]
	FMUL4(0, 0, 31)                // V0 *= alpha
	VST1.P [V0.S4], 16(R0)         // x[i : i+4] = V0
	SUB    $4, R2             // R2 -= 4
	B      scale_loop4        // loop
scale_end:
	RET                       // return

// func addNEON(dst, a, b []float32)
TEXT ·addNEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), R0        // R0 = &dst[0]
	MOVD a_base+24(FP), R1         // R1 = &a[0]
	MOVD b_base+48(FP), R3         // R3 = &b[0]
	MOVD dst_len+8(FP), R2         // R2 = n
add_loop16:
	CMP    $16, R2            // 16 or more left in R2?
	BLT    add_loop4          // fewer left than that: go to add_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = a[i : i+16]
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4] // V4-V7 = b[i : i+16]
	FADD4(0, 0, 4)                 // V0 = a + b, lanes 0-3
	FADD4(1, 1, 5)                 // lanes 4-7
	FADD4(2, 2, 6)                 // lanes 8-11
	FADD4(3, 3, 7)                 // lanes 12-15
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0) // dst[i : i+16] = V0-V3
	SUB    $16, R2            // R2 -= 16
	B      add_loop16         // loop
add_loop4:
	CBZ    R2, add_end        // R2 == 0: go to add_end
	VLD1.P 16(R1), [V0.S4]         // V0 = a[i : i+4]
	VLD1.P 16(R3), [V4.S4]         // V4 = b[i : i+4]
	FADD4(0, 0, 4)                 // V0 = a + b
	VST1.P [V0.S4], 16(R0)         // dst[i : i+4] = V0
	SUB    $4, R2             // R2 -= 4
	B      add_loop4          // loop
add_end:
	RET                       // return

// func mulNEON(dst, a, b []float32)
TEXT ·mulNEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), R0        // R0 = &dst[0]
	MOVD a_base+24(FP), R1         // R1 = &a[0]
	MOVD b_base+48(FP), R3         // R3 = &b[0]
	MOVD dst_len+8(FP), R2         // R2 = n
mul_loop16:
	CMP    $16, R2            // 16 or more left in R2?
	BLT    mul_loop4          // fewer left than that: go to mul_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = a[i : i+16]
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4] // V4-V7 = b[i : i+16]
	FMUL4(0, 0, 4)                 // V0 = a * b, lanes 0-3
	FMUL4(1, 1, 5)                 // lanes 4-7
	FMUL4(2, 2, 6)                 // lanes 8-11
	FMUL4(3, 3, 7)                 // lanes 12-15
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0) // dst[i : i+16] = V0-V3
	SUB    $16, R2            // R2 -= 16
	B      mul_loop16         // loop
mul_loop4:
	CBZ    R2, mul_end        // R2 == 0: go to mul_end
	VLD1.P 16(R1), [V0.S4]         // V0 = a[i : i+4]
	VLD1.P 16(R3), [V4.S4]         // V4 = b[i : i+4]
	FMUL4(0, 0, 4)                 // V0 = a * b
	VST1.P [V0.S4], 16(R0)         // dst[i : i+4] = V0
	SUB    $4, R2             // R2 -= 4
	B      mul_loop4          // loop
mul_end:
	RET                       // return

// func reluNEON(dst, src []float32)
TEXT ·reluNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0        // R0 = &dst[0]
	MOVD src_base+24(FP), R1       // R1 = &src[0]
	MOVD dst_len+8(FP), R2         // R2 = n
	VEOR V31.B16, V31.B16, V31.B16 // V31 = 0
relu_loop16:
	CMP    $16, R2            // 16 or more left in R2?
	BLT    relu_loop4         // fewer left than that: go to relu_loop4
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = src[i : i+16]
	FMAXNM4(0, 0, 31)              // V0 = max(V0, 0): NaN and -0 give +0
	FMAXNM4(1, 1, 31)              // V1 = max(V1, 0)
	FMAXNM4(2, 2, 31)              // V2 = max(V2, 0)
	FMAXNM4(3, 3, 31)              // V3 = max(V3, 0)
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0) // dst[i : i+16] = V0-V3
	SUB    $16, R2            // R2 -= 16
	B      relu_loop16        // loop
relu_loop4:
	CBZ    R2, relu_end       // R2 == 0: go to relu_end
	VLD1.P 16(R1), [V0.S4]         // V0 = src[i : i+4]
	FMAXNM4(0, 0, 31)              // V0 = max(V0, 0)
	VST1.P [V0.S4], 16(R0)         // dst[i : i+4] = V0
	SUB    $4, R2             // R2 -= 4
	B      relu_loop4         // loop
relu_end:
	RET                       // return

// func reluBackwardNEON(dst, dy, y []float32)
TEXT ·reluBackwardNEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), R0        // R0 = &dst[0]
	MOVD dy_base+24(FP), R1        // R1 = &dy[0]
	MOVD y_base+48(FP), R3         // R3 = &y[0]
	MOVD dst_len+8(FP), R2         // R2 = n
relub_loop16:
	CMP    $16, R2            // 16 or more left in R2?
	BLT    relub_loop4        // fewer left than that: go to relub_loop4
	VLD1.P 64(R3), [V4.S4, V5.S4, V6.S4, V7.S4] // V4-V7 = y[i : i+16]
	VLD1.P 64(R1), [V0.S4, V1.S4, V2.S4, V3.S4] // V0-V3 = dy[i : i+16]
	FCMGTZ4(4, 4)                  // V4 = y > 0 (mask), lanes 0-3
	FCMGTZ4(5, 5)                  // lanes 4-7
	FCMGTZ4(6, 6)                  // lanes 8-11
	FCMGTZ4(7, 7)                  // lanes 12-15
	VAND   V4.B16, V0.B16, V0.B16  // V0 = y > 0 ? dy : 0
	VAND   V5.B16, V1.B16, V1.B16 // V1 = V1 & V5
	VAND   V6.B16, V2.B16, V2.B16 // V2 = V2 & V6
	VAND   V7.B16, V3.B16, V3.B16 // V3 = V3 & V7
	VST1.P [V0.S4, V1.S4, V2.S4, V3.S4], 64(R0) // dst[i : i+16] = V0-V3
	SUB    $16, R2            // R2 -= 16
	B      relub_loop16       // loop
relub_loop4:
	CBZ    R2, relub_end      // R2 == 0: go to relub_end
	VLD1.P 16(R3), [V4.S4]         // V4 = y[i : i+4]
	VLD1.P 16(R1), [V0.S4]         // V0 = dy[i : i+4]
	FCMGTZ4(4, 4)                  // V4 = y > 0 (mask)
	VAND   V4.B16, V0.B16, V0.B16  // V0 = y > 0 ? dy : 0
	VST1.P [V0.S4], 16(R0)         // dst[i : i+4] = V0
	SUB    $4, R2             // R2 -= 4
	B      relub_loop4        // loop
relub_end:
	RET                       // return

// func sumNEON(x []float32) float32
TEXT ·sumNEON(SB), NOSPLIT, $0-28
	MOVD x_base+0(FP), R0          // R0 = &x[0]
	MOVD x_len+8(FP), R2           // R2 = n
	VEOR V0.B16, V0.B16, V0.B16    // four partial sums V0-V3 = 0
	VEOR V1.B16, V1.B16, V1.B16 // V1 = 0
	VEOR V2.B16, V2.B16, V2.B16 // V2 = 0
	VEOR V3.B16, V3.B16, V3.B16 // V3 = 0
sum_loop16:
	CMP    $16, R2            // 16 or more left in R2?
	BLT    sum_loop4          // fewer left than that: go to sum_loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4] // V4-V7 = x[i : i+16]
	FADD4(0, 0, 4)                 // V0 += x[i : i+4]
	FADD4(1, 1, 5)                 // V1 += x[i+4 : i+8]
	FADD4(2, 2, 6)                 // V2 += x[i+8 : i+12]
	FADD4(3, 3, 7)                 // V3 += x[i+12 : i+16]
	SUB    $16, R2            // R2 -= 16
	B      sum_loop16         // loop
sum_loop4:
	CBZ    R2, sum_end        // R2 == 0: go to sum_end
	VLD1.P 16(R0), [V4.S4]         // V4 = x[i : i+4]
	FADD4(0, 0, 4)                 // V0 += V4
	SUB    $4, R2             // R2 -= 4
	B      sum_loop4          // loop
sum_end:
	FADD4(0, 0, 1)                 // V0 = (V0 + V1) + (V2 + V3)
	FADD4(2, 2, 3)            // V2 = V2 + V3
	FADD4(0, 0, 2)            // V0 = V0 + V2
	FADDP4(0, 0, 0)                // V0 = V0[0]+V0[1], V0[2]+V0[3], ...
	FADDPS(0, 0)                   // F0 = sum of the four lanes
	FMOVS  F0, ret+24(FP)          // return F0
	RET                       // return

// func dotNEON(x, y []float32) float32
TEXT ·dotNEON(SB), NOSPLIT, $0-52
	MOVD x_base+0(FP), R0          // R0 = &x[0]
	MOVD y_base+24(FP), R1         // R1 = &y[0]
	MOVD x_len+8(FP), R2           // R2 = n
	VEOR V0.B16, V0.B16, V0.B16    // four partial sums V0-V3 = 0
	VEOR V1.B16, V1.B16, V1.B16 // V1 = 0
	VEOR V2.B16, V2.B16, V2.B16 // V2 = 0
	VEOR V3.B16, V3.B16, V3.B16 // V3 = 0
dot_loop16:
	CMP    $16, R2            // 16 or more left in R2?
	BLT    dot_loop4          // fewer left than that: go to dot_loop4
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]     // V4-V7 = x[i : i+16]
	VLD1.P 64(R1), [V16.S4, V17.S4, V18.S4, V19.S4] // V16-V19 = y[i : i+16]
	VFMLA  V16.S4, V4.S4, V0.S4    // V0 += x[i : i+4] * y[i : i+4]
	VFMLA  V17.S4, V5.S4, V1.S4    // V1 += x[i+4 : i+8] * y[i+4 : i+8]
	VFMLA  V18.S4, V6.S4, V2.S4    // V2 += x[i+8 : i+12] * y[i+8 : i+12]
	VFMLA  V19.S4, V7.S4, V3.S4    // V3 += x[i+12 : i+16] * y[i+12 : i+16]
	SUB    $16, R2            // R2 -= 16
	B      dot_loop16         // loop
dot_loop4:
	CBZ    R2, dot_end        // R2 == 0: go to dot_end
	VLD1.P 16(R0), [V4.S4]         // V4 = x[i : i+4]
	VLD1.P 16(R1), [V16.S4]        // V16 = y[i : i+4]
	VFMLA  V16.S4, V4.S4, V0.S4    // V0 += V4 * V16
	SUB    $4, R2             // R2 -= 4
	B      dot_loop4          // loop
dot_end:
	FADD4(0, 0, 1)                 // V0 = (V0 + V1) + (V2 + V3)
	FADD4(2, 2, 3)            // V2 = V2 + V3
	FADD4(0, 0, 2)            // V0 = V0 + V2
	FADDP4(0, 0, 0)                // V0 = V0[0]+V0[1], V0[2]+V0[3], ...
	FADDPS(0, 0)                   // F0 = sum of the four lanes
	FMOVS  F0, ret+48(FP)          // return F0
	RET                       // return

// func maxNEON(x []float32) float32
TEXT ·maxNEON(SB), NOSPLIT, $0-28
	MOVD  x_base+0(FP), R0         // R0 = &x[0]
	MOVD  x_len+8(FP), R2          // R2 = n
	MOVW  $0xff800000, R3          // R3 = bits of -Inf
	VDUP  R3, V0.S4                // V0 = V1 = -Inf: two running maxima
	VDUP  R3, V1.S4           // V1 = R3 in every lane
max_loop8:
	CMP    $8, R2             // 8 or more left in R2?
	BLT    max_loop4          // fewer left than that: go to max_loop4
	VLD1.P 32(R0), [V4.S4, V5.S4]  // V4, V5 = x[i : i+8]
	FMAX4(0, 0, 4)                 // V0 = max(V0, V4); NaN sticks
	FMAX4(1, 1, 5)                 // V1 = max(V1, V5)
	SUB    $8, R2             // R2 -= 8
	B      max_loop8          // loop
max_loop4:
	CBZ    R2, max_end        // R2 == 0: go to max_end
	VLD1.P 16(R0), [V4.S4]         // V4 = x[i : i+4]
	FMAX4(0, 0, 4)                 // V0 = max(V0, V4)
	SUB    $4, R2             // R2 -= 4
	B      max_loop4          // loop
max_end:
	FMAX4(0, 0, 1)                 // V0 = max(V0, V1)
	FMAXP4(0, 0, 0)                // V0 = max(V0[0],V0[1]), max(V0[2],V0[3]), ...
	FMAXPS(0, 0)                   // F0 = max of the four lanes
	FMOVS  F0, ret+24(FP)          // return F0
	RET                       // return
