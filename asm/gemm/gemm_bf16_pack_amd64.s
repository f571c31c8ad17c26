//go:build amd64 && !purego

// Hand-written (not generated). The bf16 packing kernels: fp32 source values rounded
// to bf16 (nearest even) and paired as VDPBF16PS reads them (gemm_bf16.go). Go's
// assembler has no AVX512_BF16 conversions, so CVT2 and CVT1 emit their EVEX encodings
// as bytes (checked against GNU as, see the macros).

#include "textflag.h"

// CVT2(d, s1, s2) is VCVTNE2PS2BF16 zmm_d, zmm_s1, zmm_s2 (Intel order; register
// numbers): words 0-15 of Zd = bf16(Zs2[0:16]), words 16-31 = bf16(Zs1[0:16]), nearest
// even. EVEX.512.F2.0F38.W0 72 /r: 62, P0 = ~R ~X ~B ~R' 00 10, P1 = 0 ~vvvv 1 11,
// P2 = 0 10 0 ~V' 000, 72, ModRM = 11 d[2:0] s2[2:0]. CVT2(2, 1, 0) = 62 F2 77 48 72 D0
// and CVT2(18, 17, 9) = 62 C2 77 40 72 D1, as GNU as encodes them.
#define CVT2(d, s1, s2) \
	BYTE $0x62; BYTE $(0xF2 - (((d)&8)<<4) - (((s2)&16)<<2) - (((s2)&8)<<2) - ((d)&16)); \
	BYTE $(0x7F - (((s1)&15)<<3)); BYTE $(0x48 - (((s1)&16)>>1)); \
	BYTE $0x72; BYTE $(0xC0 | (((d)&7)<<3) | ((s2)&7))

// CVT1(d, s) is VCVTNEPS2BF16 ymm_d, zmm_s: the 16 words of Yd = bf16(Zs[0:16]),
// nearest even, so dword j of Yd is the pair (Zs[2j], Zs[2j+1]). EVEX.512.F3.0F38.W0
// 72 /r with vvvv unused (1111). CVT1(3, 3) = 62 F2 7E 48 72 DB and
// CVT1(12, 20) = 62 32 7E 48 72 E4, as GNU as encodes them.
#define CVT1(d, s) \
	BYTE $0x62; BYTE $(0xF2 - (((d)&8)<<4) - (((s)&16)<<2) - (((s)&8)<<2) - ((d)&16)); \
	BYTE $0x7E; BYTE $0x48; BYTE $0x72; BYTE $(0xC0 | (((d)&7)<<3) | ((s)&7))

// bf16interleave is the VPERMW index that interleaves the words of two 16-word halves:
// word 2j of the result is word j, word 2j+1 is word 16+j.
DATA bf16interleave<>+0(SB)/8, $0x0011000100100000
DATA bf16interleave<>+8(SB)/8, $0x0013000300120002
DATA bf16interleave<>+16(SB)/8, $0x0015000500140004
DATA bf16interleave<>+24(SB)/8, $0x0017000700160006
DATA bf16interleave<>+32(SB)/8, $0x0019000900180008
DATA bf16interleave<>+40(SB)/8, $0x001b000b001a000a
DATA bf16interleave<>+48(SB)/8, $0x001d000d001c000c
DATA bf16interleave<>+56(SB)/8, $0x001f000f001e000e
GLOBL bf16interleave<>(SB), RODATA|NOPTR, $64

// func bf16PanelsAVX512(dst []uint32, src []float32, ld, kc, np, r, ps int)
//
// Registers:
//	SI = &src[2q*ld]       source row 2q (row 2q+1 at SI+R9)
//	DI = &dst[q*r]         pair row q of panel 0
//	AX                     source cursor within the row pair
//	BX, R13                destination: panel jp's row q, and the cursor within it
//	R9 = ld*4, R12 = r*4, R10 = ps*4 (bytes between panels)
//	CX = pair rows left, DX = panels left, R14 = bytes left in a panel row
//	Z31 = the interleaving index
TEXT ·bf16PanelsAVX512(SB), NOSPLIT, $0-88
	MOVQ dst_base+0(FP), DI   // DI = &dst[0]
	MOVQ src_base+24(FP), SI  // SI = &src[0]
	MOVQ ld+48(FP), R9        // R9 = ld
	MOVQ kc+56(FP), CX        // CX = kc
	MOVQ np+64(FP), R11       // R11 = np
	MOVQ r+72(FP), R12        // R12 = r
	SHRQ $1, CX               // CX = kp = kc/2 pair rows
	JZ   bp_end               // none: go to bp_end
	TESTQ R11, R11            // np == 0?
	JZ   bp_end               // none: go to bp_end
	MOVQ ps+80(FP), R10       // R10 = ps
	SHLQ $2, R10              // R10 = ps*4 bytes between panels
	SHLQ $2, R12              // R12 = r*4 bytes
	SHLQ $2, R9               // R9 = ld*4 bytes
	VMOVDQU64 bf16interleave<>(SB), Z31 // Z31 = the interleaving index

bp_row:                       // for q := 0; q < kp; q++
	MOVQ SI, AX               // AX = &src[2q*ld]
	MOVQ DI, BX               // BX = &dst[q*r] (panel 0)
	MOVQ R11, DX              // DX = np
bp_panel:                     // for jp := 0; jp < np; jp++
	MOVQ BX, R13              // R13 = &dst[jp*ps + q*r]
	MOVQ R12, R14             // R14 = r*4 bytes of this panel row
bp_chunk:                     // for j := 0; j < r; j += 16
	VMOVUPS (AX), Z0          // Z0 = src[2q*ld + jp*r + j : +16]
	VMOVUPS (AX)(R9*1), Z1    // Z1 = src[(2q+1)*ld + jp*r + j : +16]
	CVT2(2, 1, 0)             // Z2 = bf16(Z0) in words 0-15, bf16(Z1) in words 16-31
	VPERMW  Z2, Z31, Z3       // Z3 = the pairs (Z0[j], Z1[j]), j = 0..15
	VMOVDQU32 Z3, (R13)       // dst[jp*ps + q*r + j : +16] = Z3
	ADDQ    $64, AX           // next 16 source columns
	ADDQ    $64, R13          // next 16 pairs
	SUBQ    $64, R14          // 16 fewer pairs left in the panel row
	JNZ     bp_chunk          // repeat while some are left
	ADDQ    R10, BX           // next panel, same pair row q
	DECQ    DX                // DX--
	JNZ     bp_panel          // repeat while the counter is not 0
	LEAQ    (SI)(R9*2), SI    // source rows 2q+2, 2q+3
	ADDQ    R12, DI           // pair row q+1 of panel 0
	DECQ    CX                // CX--
	JNZ     bp_row            // repeat while the counter is not 0
	VZEROUPPER                // clear the upper vector halves before returning to Go

bp_end:
	RET                       // return

// func bf16Interleave8AVX512(dst []uint32, src []float32, ld, kc, r int)
//
// Registers:
//	SI, R11  = &src[0*ld+p], &src[4*ld+p]   rows 0-3 and 4-7 of the source, at depth p
//	R9       = ld*4,  R10 = 3*ld*4          source row stride in bytes
//	DI, R14  = &dst[q*r], &dst[(q+4)*r]     destination pair rows q..q+3, q+4..q+7 (q = p/2)
//	R12      = r*4,   R13 = 3*r*4           destination row stride in bytes
//	CX       = blocks of 16 depths left
TEXT ·bf16Interleave8AVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI   // DI = &dst[0]
	MOVQ src_base+24(FP), SI  // SI = &src[0]
	MOVQ ld+48(FP), R9        // R9 = ld
	MOVQ kc+56(FP), CX        // CX = kc
	MOVQ r+64(FP), R12        // R12 = r
	SHRQ $4, CX               // CX = kc/16 blocks
	JZ   bi_end               // none left: go to bi_end
	SHLQ $2, R9               // R9 = ld*4 bytes
	LEAQ (R9)(R9*2), R10      // R10 = 3*ld*4
	LEAQ (SI)(R9*4), R11      // R11 = &src[4*ld]
	SHLQ $2, R12              // R12 = r*4 bytes
	LEAQ (R12)(R12*2), R13    // R13 = 3*r*4
	LEAQ (DI)(R12*4), R14     // R14 = &dst[4*r]

bi_loop:                          // for each block of 16 depths p..p+15 (pairs q..q+7)
	VMOVUPS    (SI), Z0               // Z0 = src[0*ld+p : +16]   (row 0)
	VMOVUPS    (SI)(R9*1), Z1         // Z1 = row 1
	VMOVUPS    (SI)(R9*2), Z2         // Z2 = row 2
	VMOVUPS    (SI)(R10*1), Z3        // Z3 = row 3
	VMOVUPS    (R11), Z4              // Z4 = row 4
	VMOVUPS    (R11)(R9*1), Z5        // Z5 = row 5
	VMOVUPS    (R11)(R9*2), Z6        // Z6 = row 6
	VMOVUPS    (R11)(R10*1), Z7       // Z7 = row 7
	CVT1(0, 0)                        // Y0 = row 0's pairs q..q+7
	CVT1(1, 1)                        // Y1 = row 1's pairs
	CVT1(2, 2)                        // Y2 = row 2's pairs
	CVT1(3, 3)                        // Y3 = row 3's pairs
	CVT1(4, 4)                        // Y4 = row 4's pairs
	CVT1(5, 5)                        // Y5 = row 5's pairs
	CVT1(6, 6)                        // Y6 = row 6's pairs
	CVT1(7, 7)                        // Y7 = row 7's pairs
	VUNPCKLPS  Y1, Y0, Y8             // Y8  = r0[0] r1[0] r0[1] r1[1] | same for 4,5
	VUNPCKHPS  Y1, Y0, Y9             // Y9  = r0[2] r1[2] r0[3] r1[3] | same for 6,7
	VUNPCKLPS  Y3, Y2, Y10            // Y10 = r2[0] r3[0] r2[1] r3[1] | ...
	VUNPCKHPS  Y3, Y2, Y11            // Y11 = r2[2] r3[2] r2[3] r3[3] | ...
	VUNPCKLPS  Y5, Y4, Y12            // Y12 = r4[0] r5[0] r4[1] r5[1] | ...
	VUNPCKHPS  Y5, Y4, Y13            // Y13 = r4[2] r5[2] r4[3] r5[3] | ...
	VUNPCKLPS  Y7, Y6, Y14            // Y14 = r6[0] r7[0] r6[1] r7[1] | ...
	VUNPCKHPS  Y7, Y6, Y0             // Y0  = r6[2] r7[2] r6[3] r7[3] | ...
	VSHUFPS    $0x44, Y10, Y8, Y1     // Y1 = r0..r3 at pair 0 | pair 4
	VSHUFPS    $0xEE, Y10, Y8, Y2     // Y2 = r0..r3 at pair 1 | pair 5
	VSHUFPS    $0x44, Y11, Y9, Y3     // Y3 = r0..r3 at pair 2 | pair 6
	VSHUFPS    $0xEE, Y11, Y9, Y4     // Y4 = r0..r3 at pair 3 | pair 7
	VSHUFPS    $0x44, Y14, Y12, Y5    // Y5 = r4..r7 at pair 0 | pair 4
	VSHUFPS    $0xEE, Y14, Y12, Y6    // Y6 = r4..r7 at pair 1 | pair 5
	VSHUFPS    $0x44, Y0, Y13, Y7     // Y7 = r4..r7 at pair 2 | pair 6
	VSHUFPS    $0xEE, Y0, Y13, Y8     // Y8 = r4..r7 at pair 3 | pair 7
	VPERM2F128 $0x20, Y5, Y1, Y9      // Y9 = rows 0-7 at pair q+0
	VMOVUPS    Y9, (DI)               // dst[(q+0)*r : +8] = Y9
	VPERM2F128 $0x20, Y6, Y2, Y10     // Y10 = rows 0-7 at pair q+1
	VMOVUPS    Y10, (DI)(R12*1)       // dst[(q+1)*r : +8] = Y10
	VPERM2F128 $0x20, Y7, Y3, Y11     // Y11 = rows 0-7 at pair q+2
	VMOVUPS    Y11, (DI)(R12*2)       // dst[(q+2)*r : +8] = Y11
	VPERM2F128 $0x20, Y8, Y4, Y12     // Y12 = rows 0-7 at pair q+3
	VMOVUPS    Y12, (DI)(R13*1)       // dst[(q+3)*r : +8] = Y12
	VPERM2F128 $0x31, Y5, Y1, Y9      // Y9 = rows 0-7 at pair q+4
	VMOVUPS    Y9, (R14)              // dst[(q+4)*r : +8] = Y9
	VPERM2F128 $0x31, Y6, Y2, Y10     // Y10 = rows 0-7 at pair q+5
	VMOVUPS    Y10, (R14)(R12*1)      // dst[(q+5)*r : +8] = Y10
	VPERM2F128 $0x31, Y7, Y3, Y11     // Y11 = rows 0-7 at pair q+6
	VMOVUPS    Y11, (R14)(R12*2)      // dst[(q+6)*r : +8] = Y11
	VPERM2F128 $0x31, Y8, Y4, Y12     // Y12 = rows 0-7 at pair q+7
	VMOVUPS    Y12, (R14)(R13*1)      // dst[(q+7)*r : +8] = Y12
	ADDQ       $64, SI                // p += 16 in rows 0-3
	ADDQ       $64, R11               // p += 16 in rows 4-7
	LEAQ       (DI)(R12*8), DI        // dst pair rows q+8..
	LEAQ       (R14)(R12*8), R14      // dst pair rows q+12..
	DECQ       CX                     // CX--
	JNZ        bi_loop                // repeat while the counter is not 0
	VZEROUPPER                        // clear the upper vector halves before returning to Go

bi_end:
	RET                               // return

// func toBF16AVX512(dst []uint16, src []float32)
//
// dst[i] = BF16Bits(src[i]) for i < len(src) (a multiple of 16): VCVTNEPS2BF16 on 16
// values per iteration.
TEXT ·toBF16AVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	SHRQ $4, CX
	JZ   tdone

tloop:
	VMOVUPS (SI), Z0
	CVT1(1, 0)
	VMOVDQU Y1, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     tloop

tdone:
	VZEROUPPER
	RET

// func fromBF16AVX512(dst []float32, src []uint16)
//
// dst[i] = float32 with bits src[i]<<16 for i < len(src): VPMOVZXWD widens 16 words,
// VPSLLD moves them to the upper halves; the last len(src) mod 16 under a lane mask
// (a masked word load, which never reads past the mask, and a masked store), so the
// short rows a Winograd weight gradient widens run here rather than in Go.
TEXT ·fromBF16AVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), DX
	MOVQ DX, CX
	SHRQ $4, CX
	JZ   ftail

floop:
	VPMOVZXWD (SI), Z0
	VPSLLD    $16, Z0, Z0
	VMOVUPS   Z0, (DI)
	ADDQ      $32, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       floop

ftail:
	ANDQ      $15, DX           // values left
	JZ        fdone
	MOVQ      DX, CX
	MOVL      $1, BX
	SHLL      CX, BX
	DECL      BX                // BX = (1 << left) − 1
	KMOVD     BX, K1
	VMOVDQU16.Z (SI), K1, Y0    // the words left, zeros past them
	VPMOVZXWD Y0, Z0
	VPSLLD    $16, Z0, Z0
	VMOVUPS   Z0, K1, (DI)

fdone:
	VZEROUPPER
	RET

// func toBF16CentredAVX512(dst []uint16, src []float32, centre float32)
//
// dst[i] = BF16Bits(src[i] − centre) for i < len(src) (a multiple of 16): VSUBPS, then
// VCVTNEPS2BF16 on 16 values per iteration.
TEXT ·toBF16CentredAVX512(SB), NOSPLIT, $0-52
	MOVQ         dst_base+0(FP), DI
	MOVQ         src_base+24(FP), SI
	MOVQ         src_len+32(FP), CX
	VBROADCASTSS centre+48(FP), Z2
	SHRQ         $4, CX
	JZ           cdone

cloop:
	VMOVUPS (SI), Z0
	VSUBPS  Z2, Z0, Z0
	CVT1(1, 0)
	VMOVDQU Y1, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     cloop

cdone:
	VZEROUPPER
	RET
