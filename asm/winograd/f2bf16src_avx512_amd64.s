//go:build amd64 && !purego

// Hand-written (not generated). InputF2BF16 in AVX-512 (AVX512BW): winoInputF2AVX512's
// transform (f2_avx512_amd64.s) on a plane of bf16 bit patterns, 16 tiles of a tile
// row per iteration. A block's 34 columns of a row are two masked 32-word loads
// (columns 0–31 and 2–33); VPERMW, zeroing the even words, puts column 2t (or
// 2t + 1) in the high half of dword t and zero in the low half: the bf16 value
// widened to float32, exactly, with the even/odd split of the float32 kernel's
// VPERMI2PS in the same instruction. The sums are then the float32 kernel's.

#include "textflag.h"

// VPERMW indices: word 2t + 1 of the result is word 2t (f2bfeven) or 2t + 1 (f2bfodd)
// of the source; the even words are zeroed by the mask 0xAAAAAAAA.
DATA f2bfeven<>+0(SB)/8, $0x0002000000000000
DATA f2bfeven<>+8(SB)/8, $0x0006000000040000
DATA f2bfeven<>+16(SB)/8, $0x000a000000080000
DATA f2bfeven<>+24(SB)/8, $0x000e0000000c0000
DATA f2bfeven<>+32(SB)/8, $0x0012000000100000
DATA f2bfeven<>+40(SB)/8, $0x0016000000140000
DATA f2bfeven<>+48(SB)/8, $0x001a000000180000
DATA f2bfeven<>+56(SB)/8, $0x001e0000001c0000
GLOBL f2bfeven<>(SB), RODATA|NOPTR, $64

DATA f2bfodd<>+0(SB)/8, $0x0003000000010000
DATA f2bfodd<>+8(SB)/8, $0x0007000000050000
DATA f2bfodd<>+16(SB)/8, $0x000b000000090000
DATA f2bfodd<>+24(SB)/8, $0x000f0000000d0000
DATA f2bfodd<>+32(SB)/8, $0x0013000000110000
DATA f2bfodd<>+40(SB)/8, $0x0017000000150000
DATA f2bfodd<>+48(SB)/8, $0x001b000000190000
DATA f2bfodd<>+56(SB)/8, $0x001f0000001d0000
GLOBL f2bfodd<>(SB), RODATA|NOPTR, $64

#include "f2_avx512_amd64.h"

// WORDMASK(n, k): k = words [0, min(n, 32)) for n ≥ 1 (BX, CX scratch).
#define WORDMASK(n, k) \
	MOVL  $0xFFFFFFFF, BX  /* all 32 words            */ \
	CMPQ  n, $32           /* a full vector?          */ \
	JGE   5(PC)            /* yes: keep BX            */ \
	MOVQ  n, CX            /* CX = words              */ \
	MOVL  $1, BX \
	SHLL  CX, BX           /* BX = 1 << words         */ \
	DECL  BX               /* BX = (1 << words) − 1   */ \
	KMOVD BX, k

// BFROWM(kb, t0, t1, t2, t3): row pass for one bf16 row at AX (K2 = the words of the
// block's columns 0–31, kb those of columns 2–33, K4 = the odd words, Z28/Z29 =
// f2bfeven/f2bfodd): d_j = column 2t + j widened (Z0, Z1, Z4–Z7 scratch), t = Bᵀd into
// t0..t3; AX moves to the next row (R9 = rowStride in bytes).
#define BFROWM(kb, t0, t1, t2, t3) \
	VMOVDQU16.Z (AX), K2, Z0        /* columns 0–31 */ \
	VMOVDQU16.Z 4(AX), kb, Z1       /* columns 2–33 */ \
	VPERMW.Z    Z0, Z28, K4, Z4     /* d0 = column 2t     */ \
	VPERMW.Z    Z0, Z29, K4, Z5     /* d1 = column 2t + 1 */ \
	VPERMW.Z    Z1, Z28, K4, Z6     /* d2 = column 2t + 2 */ \
	VPERMW.Z    Z1, Z29, K4, Z7     /* d3 = column 2t + 3 */ \
	IN4(Z4, Z5, Z6, Z7, t0, t1, t2, t3) \
	ADDQ        R9, AX

// BFROW(t0, t1, t2, t3): BFROWM with both loads under K2.
#define BFROW(t0, t1, t2, t3) BFROWM(K2, t0, t1, t2, t3)

// BFCOL(t0b, t1b, t2b, t3b): column pass for column b (R14 = b·dstStride in bytes):
// v[a][b] = (Bᵀ t[·][b])[a], stored to dst[(4a+b)·dstStride] under K1 (DX = &dst[0]
// of this block, R8 = dstStride and R13 = 4·dstStride in bytes); the float32
// kernel's INCOL.
#define BFCOL(t0b, t1b, t2b, t3b) \
	IN4(t0b, t1b, t2b, t3b, Z24, Z25, Z26, Z27) \
	VMOVUPS Z24, K1, (DX)(R14*1)    /* v[0][b] */ \
	LEAQ    (DX)(R13*1), CX         /* CX = &v[1][0] */ \
	VMOVUPS Z25, K1, (CX)(R14*1)    /* v[1][b] */ \
	ADDQ    R13, CX                 /* CX = &v[2][0] */ \
	VMOVUPS Z26, K1, (CX)(R14*1)    /* v[2][b] */ \
	ADDQ    R13, CX                 /* CX = &v[3][0] */ \
	VMOVUPS Z27, K1, (CX)(R14*1)    /* v[3][b] */ \
	ADDQ    R8, R14                 /* next column b */

// func winoInputF2BF16AVX512(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int)
//
// One tile row after the other (R11 = tile rows left), each in blocks of 16 tiles;
// the row's starts are kept in the frame.
TEXT ·winoInputF2BF16AVX512(SB), NOSPLIT, $16-80
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	LEAQ (R8*4), R13                 // R13 = 4·dstStride
	MOVQ src_base+32(FP), SI         // SI = &src[0]
	MOVQ rowStride+56(FP), R9
	SHLQ $1, R9                      // R9 = rowStride in bytes
	MOVQ tileRows+72(FP), R11        // R11 = tile rows left
	VMOVDQU32 f2bfeven<>(SB), Z28
	VMOVDQU32 f2bfodd<>(SB), Z29
	MOVL $0xAAAAAAAA, BX
	KMOVD BX, K4                     // K4 = the odd words

// BFMASKS: K2 = the words of the block's columns 0–31 (R12 = tiles left; R10 scratch).
#define BFMASKS \
	LEAQ  (R12)(R12*1), R10 /* R10 = 2·tiles left: the columns needed */ \
	WORDMASK(R10, K2) /* K2 = columns 0–31 */

// BFLOOP(masks, rowpass, row, block, rowdone, done): the bf16-source transforms' loop,
// one tile row after the other (R11 = tile rows left), each in blocks of 16 tiles, with
// masks setting K2 (and K3 where rowpass reads it) for a block, rowpass the row pass
// macro and the given label names. Defined inside winoInputF2BF16AVX512 for go vet (its
// frame references); winoInputF2BF16RowsAVX512 has the same frame and arguments up to
// tileRows.
#define BFLOOP(masks, rowpass, row, block, rowdone, done) \
row: \
	TESTQ R11, R11 /* tile rows left? */ \
	JLE   done \
	MOVQ  SI, srow-8(SP) /* this tile row's input */ \
	MOVQ  DI, drow-16(SP) /* and transformed tiles */ \
	MOVQ  tiles+64(FP), R12 /* R12 = tiles left */ \
block: \
	TESTQ R12, R12 /* tiles left? */ \
	JLE   rowdone \
	LANEMASK(R12, K1) /* K1 = this block's tiles */ \
	masks \
	MOVQ  SI, AX /* AX = row 0 of this block */ \
	rowpass(Z8, Z9, Z10, Z11) /* t[i][b] in Z(8 + 4i + b) */ \
	rowpass(Z12, Z13, Z14, Z15) \
	rowpass(Z16, Z17, Z18, Z19) \
	rowpass(Z20, Z21, Z22, Z23) \
	MOVQ  DI, DX /* DX = &dst[0] of this block */ \
	XORQ  R14, R14 /* R14 = b·dstStride */ \
	BFCOL(Z8, Z12, Z16, Z20) \
	BFCOL(Z9, Z13, Z17, Z21) \
	BFCOL(Z10, Z14, Z18, Z22) \
	BFCOL(Z11, Z15, Z19, Z23) \
	ADDQ  $64, SI /* src += 32 columns */ \
	ADDQ  $64, DI /* dst += 16 tiles */ \
	SUBQ  $16, R12 /* tiles −= 16 */ \
	JMP   block \
rowdone: \
	MOVQ  srow-8(SP), SI \
	LEAQ  (SI)(R9*2), SI /* two input rows down */ \
	MOVQ  tiles+64(FP), AX \
	MOVQ  drow-16(SP), DI \
	LEAQ  (DI)(AX*4), DI /* the next tile row's tiles */ \
	DECQ  R11 \
	JMP   row \
done: \
	VZEROUPPER \
	RET

	BFLOOP(BFMASKS, BFROW, bf_row, bf_block, bf_rowdone, bf_done)

// BFROWR(t0, t1, t2, t3): BFROW with the load of columns 2–33 under its own mask K3
// (the right padding column left out) and that of columns 0–31 under K2 (the left
// one left out).
#define BFROWR(t0, t1, t2, t3) BFROWM(K3, t0, t1, t2, t3)

// func winoInputF2BF16RowsAVX512(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int, padLeft, padRight bool)
//
// winoInputF2BF16AVX512 with column 0 of each tile row read as zero when padLeft (in
// the row's first block: K2 without word 0) and column 2·tiles + 1 when padRight (in
// its last block: K3 one word short).
TEXT ·winoInputF2BF16RowsAVX512(SB), NOSPLIT, $16-82
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	LEAQ (R8*4), R13                 // R13 = 4·dstStride
	MOVQ src_base+32(FP), SI         // SI = &src[0]
	MOVQ rowStride+56(FP), R9
	SHLQ $1, R9                      // R9 = rowStride in bytes
	MOVQ tileRows+72(FP), R11        // R11 = tile rows left
	VMOVDQU32 f2bfeven<>(SB), Z28
	VMOVDQU32 f2bfodd<>(SB), Z29
	MOVL $0xAAAAAAAA, BX
	KMOVD BX, K4                     // K4 = the odd words
	MOVL $0xFFFFFFFE, BX
	KMOVD BX, K6                     // K6 = all words but 0

// BFMASKSR: BFMASKS for winoInputF2BF16RowsAVX512, without column 0 in the row's
// first block when padLeft and column 2·tiles + 1 in its last when padRight (K3: the
// words of columns 2–33 read).
#define BFMASKSR \
	LEAQ  (R12)(R12*1), R10 /* R10 = 2·tiles left: the columns needed */ \
	MOVQ  R10, DX /* DX = the words of columns 2–33 read */ \
	CMPQ  R12, $16 /* the row's last block? */ \
	JGT   bfr_noright \
	MOVBLZX padRight+81(FP), BX \
	SUBQ  BX, DX /* then not column 2·tiles + 1 when padRight */ \
bfr_noright: \
	WORDMASK(R10, K2) /* K2 = columns 0–31 */ \
	WORDMASK(DX, K3) /* K3 = columns 2–33 */ \
	CMPQ  SI, srow-8(SP) /* the row's first block? */ \
	JNE   bfr_noleft \
	MOVBLZX padLeft+80(FP), BX \
	TESTQ BX, BX \
	JZ    bfr_noleft \
	KANDD K6, K2, K2 /* then not column 0 when padLeft */ \
bfr_noleft:

	BFLOOP(BFMASKSR, BFROWR, bfr_row, bfr_block, bfr_rowdone, bfr_done)
