//go:build amd64 && !purego

// Hand-written (not generated). The Adam step (adam.go) on AVX-512 and AVX2: per
// vector of parameters, the same float32 operations in the same order as
// adamStepGeneric, with no fused multiply-add, so the results are bit-identical.
// VSQRTPS is the correctly rounded square root, as Go's float64 sqrt rounded back.

#include "textflag.h"

// Register use (Z or Y):
//   0 Decay, 1 Mom, 2 Damp1, 3 SqrMom, 4 Damp2, 5 Debias2, 6 Eps, 7 Step (broadcast)
//   8 g, 9 m, 10 v, 11-14 temporaries
// SI p, BX g, DX m, DI v (advanced together), CX elements left.

// func adamStepAVX512(p, g, m, v []float32, c *Coeffs)
TEXT ·adamStepAVX512(SB), NOSPLIT, $0-104
	MOVQ c+96(FP), AX
	VBROADCASTSS 0(AX), Z0      // Decay
	VBROADCASTSS 4(AX), Z1      // Mom
	VBROADCASTSS 8(AX), Z2      // Damp1
	VBROADCASTSS 12(AX), Z3     // SqrMom
	VBROADCASTSS 16(AX), Z4     // Damp2
	VBROADCASTSS 20(AX), Z5     // Debias2
	VBROADCASTSS 24(AX), Z6     // Eps
	VBROADCASTSS 28(AX), Z7     // Step
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), BX
	MOVQ m_base+48(FP), DX
	MOVQ v_base+72(FP), DI
adam512_loop:
	TESTQ CX, CX
	JZ    adam512_end
	VMOVUPS (BX), Z8            // g
	VMULPS  (DX), Z1, Z9        // m·Mom
	VMULPS  Z8, Z2, Z11         // Damp1·g
	VADDPS  Z11, Z9, Z9         // m = m·Mom + Damp1·g
	VMULPS  (DI), Z3, Z10       // v·SqrMom
	VMULPS  Z8, Z4, Z12         // Damp2·g
	VMULPS  Z8, Z12, Z12        // (Damp2·g)·g
	VADDPS  Z12, Z10, Z10       // v = v·SqrMom + Damp2·g·g
	VMOVUPS Z9, (DX)
	VMOVUPS Z10, (DI)
	VDIVPS  Z5, Z10, Z12        // v / Debias2
	VSQRTPS Z12, Z12            // sqrt
	VADDPS  Z6, Z12, Z12        // denom = sqrt + Eps
	VMULPS  Z7, Z9, Z13         // Step·m
	VDIVPS  Z12, Z13, Z13       // Step·m / denom
	VMULPS  (SI), Z0, Z14       // p·Decay
	VADDPS  Z13, Z14, Z14       // p = p·Decay + Step·m/denom
	VMOVUPS Z14, (SI)
	ADDQ    $64, SI
	ADDQ    $64, BX
	ADDQ    $64, DX
	ADDQ    $64, DI
	SUBQ    $16, CX
	JMP     adam512_loop
adam512_end:
	VZEROUPPER
	RET

// func adamStepAVX2(p, g, m, v []float32, c *Coeffs)
TEXT ·adamStepAVX2(SB), NOSPLIT, $0-104
	MOVQ c+96(FP), AX
	VBROADCASTSS 0(AX), Y0      // Decay
	VBROADCASTSS 4(AX), Y1      // Mom
	VBROADCASTSS 8(AX), Y2      // Damp1
	VBROADCASTSS 12(AX), Y3     // SqrMom
	VBROADCASTSS 16(AX), Y4     // Damp2
	VBROADCASTSS 20(AX), Y5     // Debias2
	VBROADCASTSS 24(AX), Y6     // Eps
	VBROADCASTSS 28(AX), Y7     // Step
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	MOVQ g_base+24(FP), BX
	MOVQ m_base+48(FP), DX
	MOVQ v_base+72(FP), DI
adam2_loop:
	TESTQ CX, CX
	JZ    adam2_end
	VMOVUPS (BX), Y8            // g
	VMULPS  (DX), Y1, Y9        // m·Mom
	VMULPS  Y8, Y2, Y11         // Damp1·g
	VADDPS  Y11, Y9, Y9         // m = m·Mom + Damp1·g
	VMULPS  (DI), Y3, Y10       // v·SqrMom
	VMULPS  Y8, Y4, Y12         // Damp2·g
	VMULPS  Y8, Y12, Y12        // (Damp2·g)·g
	VADDPS  Y12, Y10, Y10       // v = v·SqrMom + Damp2·g·g
	VMOVUPS Y9, (DX)
	VMOVUPS Y10, (DI)
	VDIVPS  Y5, Y10, Y12        // v / Debias2
	VSQRTPS Y12, Y12            // sqrt
	VADDPS  Y6, Y12, Y12        // denom = sqrt + Eps
	VMULPS  Y7, Y9, Y13         // Step·m
	VDIVPS  Y12, Y13, Y13       // Step·m / denom
	VMULPS  (SI), Y0, Y14       // p·Decay
	VADDPS  Y13, Y14, Y14       // p = p·Decay + Step·m/denom
	VMOVUPS Y14, (SI)
	ADDQ    $32, SI
	ADDQ    $32, BX
	ADDQ    $32, DX
	ADDQ    $32, DI
	SUBQ    $8, CX
	JMP     adam2_loop
adam2_end:
	VZEROUPPER
	RET
