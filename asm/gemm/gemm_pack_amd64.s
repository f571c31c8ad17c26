//go:build amd64 && !purego

// Hand-written (not generated). The 8-row interleaving pack used for op(A) = A and
// op(B) = Bᵀ: an 8×8 transpose per step, AVX only (VEX, 256-bit), so both amd64
// paths use it.
//
// Registers:
//	SI, R11  = &src[0*ld+p], &src[4*ld+p]   rows 0-3 and 4-7 of the source, at depth p
//	R9       = ld*4,  R10 = 3*ld*4          source row stride in bytes
//	DI, R14  = &dst[p*r], &dst[(p+4)*r]     destination rows p..p+3 and p+4..p+7
//	R12      = r*4,   R13 = 3*r*4           destination row stride in bytes
//	CX       = blocks of 8 depths left
//	Y15      = alpha in every lane

#include "textflag.h"

// func interleave8AVX(dst, src []float32, ld, kc, r int, alpha float32)
TEXT ·interleave8AVX(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI   // DI = &dst[0]
	MOVQ src_base+24(FP), SI  // SI = &src[0]
	MOVQ ld+48(FP), R9        // R9 = ld
	MOVQ kc+56(FP), CX        // CX = kc
	MOVQ r+64(FP), R12        // R12 = r
	SHRQ $3, CX               // CX = kc/8 blocks
	JZ   il8_end              // none left: go to il8_end
	SHLQ $2, R9               // R9 = ld*4 bytes
	LEAQ (R9)(R9*2), R10      // R10 = 3*ld*4
	LEAQ (SI)(R9*4), R11      // R11 = &src[4*ld]
	SHLQ $2, R12              // R12 = r*4 bytes
	LEAQ (R12)(R12*2), R13    // R13 = 3*r*4
	LEAQ (DI)(R12*4), R14     // R14 = &dst[4*r]
	VBROADCASTSS alpha+72(FP), Y15 // Y15 = alpha

il8_loop:                         // for each block of 8 depths p..p+7
	VMULPS     (SI), Y15, Y0          // Y0 = alpha*src[0*ld+p : +8]   (row 0)
	VMULPS     (SI)(R9*1), Y15, Y1    // Y1 = alpha*src[1*ld+p : +8]   (row 1)
	VMULPS     (SI)(R9*2), Y15, Y2    // Y2 = row 2
	VMULPS     (SI)(R10*1), Y15, Y3   // Y3 = row 3
	VMULPS     (R11), Y15, Y4         // Y4 = row 4
	VMULPS     (R11)(R9*1), Y15, Y5   // Y5 = row 5
	VMULPS     (R11)(R9*2), Y15, Y6   // Y6 = row 6
	VMULPS     (R11)(R10*1), Y15, Y7  // Y7 = row 7
	VUNPCKLPS  Y1, Y0, Y8             // Y8  = r0[0] r1[0] r0[1] r1[1] | same for 4,5
	VUNPCKHPS  Y1, Y0, Y9             // Y9  = r0[2] r1[2] r0[3] r1[3] | same for 6,7
	VUNPCKLPS  Y3, Y2, Y10            // Y10 = r2[0] r3[0] r2[1] r3[1] | ...
	VUNPCKHPS  Y3, Y2, Y11            // Y11 = r2[2] r3[2] r2[3] r3[3] | ...
	VUNPCKLPS  Y5, Y4, Y12            // Y12 = r4[0] r5[0] r4[1] r5[1] | ...
	VUNPCKHPS  Y5, Y4, Y13            // Y13 = r4[2] r5[2] r4[3] r5[3] | ...
	VUNPCKLPS  Y7, Y6, Y14            // Y14 = r6[0] r7[0] r6[1] r7[1] | ...
	VUNPCKHPS  Y7, Y6, Y0             // Y0  = r6[2] r7[2] r6[3] r7[3] | ...
	VSHUFPS    $0x44, Y10, Y8, Y1     // Y1 = r0..r3 at depth 0 | depth 4
	VSHUFPS    $0xEE, Y10, Y8, Y2     // Y2 = r0..r3 at depth 1 | depth 5
	VSHUFPS    $0x44, Y11, Y9, Y3     // Y3 = r0..r3 at depth 2 | depth 6
	VSHUFPS    $0xEE, Y11, Y9, Y4     // Y4 = r0..r3 at depth 3 | depth 7
	VSHUFPS    $0x44, Y14, Y12, Y5    // Y5 = r4..r7 at depth 0 | depth 4
	VSHUFPS    $0xEE, Y14, Y12, Y6    // Y6 = r4..r7 at depth 1 | depth 5
	VSHUFPS    $0x44, Y0, Y13, Y7     // Y7 = r4..r7 at depth 2 | depth 6
	VSHUFPS    $0xEE, Y0, Y13, Y8     // Y8 = r4..r7 at depth 3 | depth 7
	VPERM2F128 $0x20, Y5, Y1, Y9      // Y9 = rows 0-7 at depth p+0
	VMOVUPS    Y9, (DI)               // dst[(p+0)*r : +8] = Y9
	VPERM2F128 $0x20, Y6, Y2, Y10     // Y10 = rows 0-7 at depth p+1
	VMOVUPS    Y10, (DI)(R12*1)       // dst[(p+1)*r : +8] = Y10
	VPERM2F128 $0x20, Y7, Y3, Y11     // Y11 = rows 0-7 at depth p+2
	VMOVUPS    Y11, (DI)(R12*2)       // dst[(p+2)*r : +8] = Y11
	VPERM2F128 $0x20, Y8, Y4, Y12     // Y12 = rows 0-7 at depth p+3
	VMOVUPS    Y12, (DI)(R13*1)       // dst[(p+3)*r : +8] = Y12
	VPERM2F128 $0x31, Y5, Y1, Y9      // Y9 = rows 0-7 at depth p+4
	VMOVUPS    Y9, (R14)              // dst[(p+4)*r : +8] = Y9
	VPERM2F128 $0x31, Y6, Y2, Y10     // Y10 = rows 0-7 at depth p+5
	VMOVUPS    Y10, (R14)(R12*1)      // dst[(p+5)*r : +8] = Y10
	VPERM2F128 $0x31, Y7, Y3, Y11     // Y11 = rows 0-7 at depth p+6
	VMOVUPS    Y11, (R14)(R12*2)      // dst[(p+6)*r : +8] = Y11
	VPERM2F128 $0x31, Y8, Y4, Y12     // Y12 = rows 0-7 at depth p+7
	VMOVUPS    Y12, (R14)(R13*1)      // dst[(p+7)*r : +8] = Y12
	ADDQ       $32, SI                // p += 8 in rows 0-3
	ADDQ       $32, R11               // p += 8 in rows 4-7
	LEAQ       (DI)(R12*8), DI        // dst rows p+8..
	LEAQ       (R14)(R12*8), R14      // dst rows p+12..
	DECQ       CX             // CX--
	JNZ        il8_loop       // repeat while the counter is not 0
	VZEROUPPER                // clear the upper vector halves before returning to Go

il8_end:
	RET                       // return

// func panelsAVX(dst, src []float32, ld, kc, np, r int, alpha float32)
//
// Registers:
//	SI = &src[p*ld]        source row p
//	DI = &dst[p*r]         row p of panel 0
//	R11, R12               source and destination cursors within row p
//	R13                    destination cursor within one panel row
//	R8 = ld*4, R9 = r*4, R10 = kc*r*4 (bytes between panels)
//	CX = rows left, DX = panels left in the row, BX = 8-float chunks left in a panel row
//	AX = r/8
//	Y15 = alpha in every lane
TEXT ·panelsAVX(SB), NOSPLIT, $0-84
	MOVQ dst_base+0(FP), DI   // DI = &dst[0]
	MOVQ src_base+24(FP), SI  // SI = &src[0]
	MOVQ ld+48(FP), R8        // R8 = ld
	MOVQ kc+56(FP), CX        // CX = kc
	MOVQ r+72(FP), R9         // R9 = r
	TESTQ CX, CX              // CX == 0?
	JZ    pn_end              // none left: go to pn_end
	MOVQ  np+64(FP), DX       // DX = np
	TESTQ DX, DX              // DX == 0?
	JZ    pn_end              // none left: go to pn_end
	MOVQ  R9, AX              // AX = R9
	SHRQ  $3, AX              // AX = r/8 chunks per panel row
	JZ    pn_end              // none left: go to pn_end
	MOVQ  CX, R10             // R10 = CX
	IMULQ R9, R10             // R10 *= R9
	SHLQ  $2, R10             // R10 = kc*r*4
	SHLQ  $2, R8              // R8 = ld*4
	SHLQ  $2, R9              // R9 = r*4
	VBROADCASTSS alpha+80(FP), Y15 // Y15 = alpha

pn_row:                       // for p := 0; p < kc; p++
	MOVQ SI, R11              // R11 = &src[p*ld]
	MOVQ DI, R12              // R12 = &dst[p*r] (panel 0)
	MOVQ np+64(FP), DX        // DX = np
pn_panel:                     // for jp := 0; jp < np; jp++
	MOVQ R12, R13             // R13 = &dst[jp*kc*r + p*r]
	MOVQ AX, BX               // BX = r/8
pn_chunk:                     // for q := 0; q < r; q += 8
	VMULPS  (R11), Y15, Y0    // Y0 = alpha * src[p*ld + jp*r + q : +8]
	VMOVUPS Y0, (R13)         // dst[jp*kc*r + p*r + q : +8] = Y0
	ADDQ    $32, R11          // R11 += 32 bytes
	ADDQ    $32, R13          // R13 += 32 bytes
	DECQ    BX                // BX--
	JNZ     pn_chunk          // repeat while the counter is not 0
	ADDQ    R10, R12          // next panel, same row p
	DECQ    DX                // DX--
	JNZ     pn_panel          // repeat while the counter is not 0
	ADDQ    R8, SI            // next source row
	ADDQ    R9, DI            // next row of panel 0
	DECQ    CX                // CX--
	JNZ     pn_row            // repeat while the counter is not 0
	VZEROUPPER                // clear the upper vector halves before returning to Go

pn_end:
	RET                       // return
