//go:build amd64 && !purego

// Hand-written (not generated). InputF2Pairs in AVX-512 + AVX512_BF16: the transform of
// winoInputF2AVX512 (f2_avx512_amd64.s, whose INROW and IN4 are repeated here: Go's
// assembler macros are file-local) for two channels, 16 tiles per iteration. The first
// channel's 16 transformed vectors are rounded to bf16 (VCVTNEPS2BF16) and kept in
// the frame, 32 bytes each; the second channel's are rounded likewise, interleaved
// with them by VPERMT2W into pairs and stored. (Keeping the first channel's float32
// in the destination and reading it back measured 4–26% slower per layer than the
// float32 path: masked loads do not take their data from pending masked stores.)

#include "textflag.h"

DATA f2peven<>+0(SB)/8, $0x0000000200000000
DATA f2peven<>+8(SB)/8, $0x0000000600000004
DATA f2peven<>+16(SB)/8, $0x0000000a00000008
DATA f2peven<>+24(SB)/8, $0x0000000e0000000c
DATA f2peven<>+32(SB)/8, $0x0000001200000010
DATA f2peven<>+40(SB)/8, $0x0000001600000014
DATA f2peven<>+48(SB)/8, $0x0000001a00000018
DATA f2peven<>+56(SB)/8, $0x0000001e0000001c
GLOBL f2peven<>(SB), RODATA|NOPTR, $64

DATA f2podd<>+0(SB)/8, $0x0000000300000001
DATA f2podd<>+8(SB)/8, $0x0000000700000005
DATA f2podd<>+16(SB)/8, $0x0000000b00000009
DATA f2podd<>+24(SB)/8, $0x0000000f0000000d
DATA f2podd<>+32(SB)/8, $0x0000001300000011
DATA f2podd<>+40(SB)/8, $0x0000001700000015
DATA f2podd<>+48(SB)/8, $0x0000001b00000019
DATA f2podd<>+56(SB)/8, $0x0000001f0000001d
GLOBL f2podd<>(SB), RODATA|NOPTR, $64

// f2pinterleave is the VPERMT2W index that interleaves the low 16 words of two
// vectors: word 2j of the result is word j of the first (the destination operand),
// word 2j+1 is word j of the second (index 32 + j).
DATA f2pinterleave<>+0(SB)/8, $0x0021000100200000
DATA f2pinterleave<>+8(SB)/8, $0x0023000300220002
DATA f2pinterleave<>+16(SB)/8, $0x0025000500240004
DATA f2pinterleave<>+24(SB)/8, $0x0027000700260006
DATA f2pinterleave<>+32(SB)/8, $0x0029000900280008
DATA f2pinterleave<>+40(SB)/8, $0x002b000b002a000a
DATA f2pinterleave<>+48(SB)/8, $0x002d000d002c000c
DATA f2pinterleave<>+56(SB)/8, $0x002f000f002e000e
GLOBL f2pinterleave<>(SB), RODATA|NOPTR, $64

#include "f2_avx512_amd64.h"

// ROWS loads the block's 4 rows at AX into t[i][b] = Z(8 + 4i + b).
#define ROWS \
	INROW(Z8, Z9, Z10, Z11) \
	INROW(Z12, Z13, Z14, Z15) \
	INROW(Z16, Z17, Z18, Z19) \
	INROW(Z20, Z21, Z22, Z23)

// CVT1(d, s) is VCVTNEPS2BF16 ymm_d, zmm_s: the 16 words of Yd = bf16(Zs[0:16]),
// nearest even (asm/gemm's macro of the same name, checked there against GNU as:
// CVT1(3, 3) = 62 F2 7E 48 72 DB, CVT1(12, 20) = 62 32 7E 48 72 E4). Here CVT1(24, 24)
// = 62 02 7E 48 72 C0, as GNU as encodes vcvtneps2bf16 ymm24, zmm24.
#define CVT1(d, s) \
	BYTE $0x62; BYTE $(0xF2 - (((d)&8)<<4) - (((s)&16)<<2) - (((s)&8)<<2) - ((d)&16)); \
	BYTE $0x7E; BYTE $0x48; BYTE $0x72; BYTE $(0xC0 | (((d)&7)<<3) | ((s)&7))

// COL0(t0b, t1b, t2b, t3b, o): column pass for column b of the first channel: v[a][b]
// = (Bᵀ t[·][b])[a] rounded to bf16 and kept at o + 128a bytes of the frame (element
// ξ = 4a+b at 32ξ; o = 32b).
#define COL0(t0b, t1b, t2b, t3b, o) \
	IN4(t0b, t1b, t2b, t3b, Z24, Z25, Z26, Z27) \
	CVT1(24, 24) \
	CVT1(25, 25) \
	CVT1(26, 26) \
	CVT1(27, 27) \
	VMOVDQU16 Y24, (o)(SP) \
	VMOVDQU16 Y25, (o+128)(SP) \
	VMOVDQU16 Y26, (o+256)(SP) \
	VMOVDQU16 Y27, (o+384)(SP)

// PAIR(n, zn, yn, o, addr): the second channel's Z(n) rounded to bf16, interleaved
// with the first's (kept at o in the frame) into pairs (Z28) and stored at addr under
// K1.
#define PAIR(n, zn, yn, o, addr) \
	VMOVDQU16 (o)(SP), Y28          /* the first channel's words, upper half zero */ \
	CVT1(n, n)                      /* Y(n) = the second channel's words */ \
	VPERMT2W  zn, Z29, Z28          /* word 2j: first[j], 2j+1: second[j] */ \
	VMOVDQU32 Z28, K1, addr

// COL1(t0b, t1b, t2b, t3b, o): column pass for column b of the second channel, paired
// with the first's and stored to dst[(4a+b)·dstStride] under K1 (DX = &dst[0] of
// this block, R14 = b·dstStride, R8 = dstStride and R13 = 4·dstStride in bytes; o =
// 32b as in COL0).
#define COL1(t0b, t1b, t2b, t3b, o) \
	IN4(t0b, t1b, t2b, t3b, Z24, Z25, Z26, Z27) \
	PAIR(24, Z24, Y24, o, (DX)(R14*1))      /* v[0][b] */ \
	LEAQ    (DX)(R13*1), CX                 /* CX = &v[1][0] */ \
	PAIR(25, Z25, Y25, o+128, (CX)(R14*1))  /* v[1][b] */ \
	ADDQ    R13, CX                         /* CX = &v[2][0] */ \
	PAIR(26, Z26, Y26, o+256, (CX)(R14*1))  /* v[2][b] */ \
	ADDQ    R13, CX                         /* CX = &v[3][0] */ \
	PAIR(27, Z27, Y27, o+384, (CX)(R14*1))  /* v[3][b] */ \
	ADDQ    R8, R14                         /* next column b */

// func winoInputF2PairsAVX512(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int)
//
// One tile row after the other (tile rows left in the frame), each in blocks of 16
// tiles; the frame keeps the row's starts (top 32 bytes) and the first channel's
// bf16 vectors (bytes 0–511 from the hardware SP).
TEXT ·winoInputF2PairsAVX512(SB), NOSPLIT, $544-104
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	LEAQ (R8*4), R13                 // R13 = 4·dstStride
	MOVQ src0_base+32(FP), SI        // SI = &src0[0]
	MOVQ src1_base+56(FP), R11       // R11 = &src1[0]
	MOVQ rowStride+80(FP), R9
	SHLQ $2, R9                      // R9 = rowStride in bytes
	MOVQ tileRows+96(FP), AX
	MOVQ AX, trl-32(SP)              // tile rows left
	VMOVUPS f2peven<>(SB), Z30
	VMOVUPS f2podd<>(SB), Z31
	VMOVUPS f2pinterleave<>(SB), Z29

// PAIRMASKS: K2, K3 = the lanes of the block's columns 0–15 and 16–31 (R12 = tiles
// left; R10 scratch).
#define PAIRMASKS \
	LEAQ  (R12)(R12*1), R10 /* R10 = 2·tiles left: the columns needed */ \
	LANEMASK(R10, K2) /* K2 = columns 0–15 */ \
	SUBQ  $16, R10 \
	LANEMASK(R10, K3) /* K3 = columns 16–31 */

// PAIRSLOOP(masks, rows, row, block, rowdone, done): the pair transforms' loop, one
// tile row after the other (tile rows left in the frame), each in blocks of 16 tiles,
// with masks setting K2, K3 (and K4, K5 where rows reads them) for a block and rows the
// row passes of one channel, and the given label names. Defined inside
// winoInputF2PairsAVX512 for go vet (its frame references); winoInputF2PairsRowsAVX512
// has the same frame and arguments up to tileRows.
#define PAIRSLOOP(masks, rows, row, block, rowdone, done) \
row: \
	CMPQ  trl-32(SP), $0 /* tile rows left? */ \
	JLE   done \
	MOVQ  SI, s0row-8(SP) /* this tile row's planes */ \
	MOVQ  R11, s1row-16(SP) \
	MOVQ  DI, drow-24(SP) /* and pairs */ \
	MOVQ  tiles+88(FP), R12 /* R12 = tiles left */ \
block: \
	TESTQ R12, R12 /* tiles left? */ \
	JLE   rowdone \
	LANEMASK(R12, K1) /* K1 = this block's tiles */ \
	masks \
	MOVQ  SI, AX /* the first channel's rows */ \
	rows \
	COL0(Z8, Z12, Z16, Z20, 0) \
	COL0(Z9, Z13, Z17, Z21, 32) \
	COL0(Z10, Z14, Z18, Z22, 64) \
	COL0(Z11, Z15, Z19, Z23, 96) \
	MOVQ  R11, AX /* the second channel's rows */ \
	rows \
	MOVQ  DI, DX /* DX = &dst[0] of this block */ \
	XORQ  R14, R14 /* R14 = b·dstStride */ \
	COL1(Z8, Z12, Z16, Z20, 0) \
	COL1(Z9, Z13, Z17, Z21, 32) \
	COL1(Z10, Z14, Z18, Z22, 64) \
	COL1(Z11, Z15, Z19, Z23, 96) \
	ADDQ  $128, SI /* src0 += 32 columns */ \
	ADDQ  $128, R11 /* src1 += 32 columns */ \
	ADDQ  $64, DI /* dst += 16 tiles */ \
	SUBQ  $16, R12 /* tiles −= 16 */ \
	JMP   block \
rowdone: \
	MOVQ  s0row-8(SP), SI \
	LEAQ  (SI)(R9*2), SI /* two input rows down */ \
	MOVQ  s1row-16(SP), R11 \
	LEAQ  (R11)(R9*2), R11 \
	MOVQ  tiles+88(FP), AX \
	MOVQ  drow-24(SP), DI \
	LEAQ  (DI)(AX*4), DI /* the next tile row's pairs */ \
	DECQ  trl-32(SP) \
	JMP   row \
done: \
	VZEROUPPER \
	RET

	PAIRSLOOP(PAIRMASKS, ROWS, pr_row, pr_block, pr_rowdone, pr_done)

// INROWR(t0, t1, t2, t3): INROW with the loads of columns 2–33 under their own masks
// (K4, K5: the right padding column left out) and those of columns 0–31 under K2, K3
// (the left one left out).
#define INROWR(t0, t1, t2, t3) INROWM(K2, K3, K4, K5, t0, t1, t2, t3)

// ROWSR is ROWS with INROWR.
#define ROWSR \
	INROWR(Z8, Z9, Z10, Z11) \
	INROWR(Z12, Z13, Z14, Z15) \
	INROWR(Z16, Z17, Z18, Z19) \
	INROWR(Z20, Z21, Z22, Z23)

// func winoInputF2PairsRowsAVX512(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int, padLeft, padRight bool)
//
// winoInputF2PairsAVX512 with column 0 of each tile row read as zero when padLeft
// (in the row's first block: K2 without lane 0) and column 2·tiles + 1 when padRight
// (in its last block: K4, K5 one lane short).
TEXT ·winoInputF2PairsRowsAVX512(SB), NOSPLIT, $544-106
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	LEAQ (R8*4), R13                 // R13 = 4·dstStride
	MOVQ src0_base+32(FP), SI        // SI = &src0[0]
	MOVQ src1_base+56(FP), R11       // R11 = &src1[0]
	MOVQ rowStride+80(FP), R9
	SHLQ $2, R9                      // R9 = rowStride in bytes
	MOVQ tileRows+96(FP), AX
	MOVQ AX, trl-32(SP)              // tile rows left
	VMOVUPS f2peven<>(SB), Z30
	VMOVUPS f2podd<>(SB), Z31
	VMOVUPS f2pinterleave<>(SB), Z29
	MOVL $0xFFFE, BX
	KMOVW BX, K6                     // K6 = all lanes but 0

// PAIRMASKSR: PAIRMASKS for winoInputF2PairsRowsAVX512, without column 0 in the row's
// first block when padLeft and column 2·tiles + 1 in its last when padRight (K4, K5:
// the lanes of columns 2–17 and 18–33 read).
#define PAIRMASKSR \
	LEAQ  (R12)(R12*1), R10 /* R10 = 2·tiles left: the columns needed */ \
	MOVQ  R10, DX /* DX = the lanes of columns 2–33 read */ \
	CMPQ  R12, $16 /* the row's last block? */ \
	JGT   prr_noright \
	MOVBLZX padRight+105(FP), BX \
	SUBQ  BX, DX /* then not column 2·tiles + 1 when padRight */ \
prr_noright: \
	LANEMASK(DX, K4) /* K4 = columns 2–17 */ \
	SUBQ  $16, DX \
	LANEMASK(DX, K5) /* K5 = columns 18–33 */ \
	LANEMASK(R10, K2) /* K2 = columns 0–15 */ \
	SUBQ  $16, R10 \
	LANEMASK(R10, K3) /* K3 = columns 16–31 */ \
	CMPQ  SI, s0row-8(SP) /* the row's first block? */ \
	JNE   prr_noleft \
	MOVBLZX padLeft+104(FP), BX \
	TESTQ BX, BX \
	JZ    prr_noleft \
	KANDW K6, K2, K2 /* then not column 0 when padLeft */ \
prr_noleft:

	PAIRSLOOP(PAIRMASKSR, ROWSR, prr_row, prr_block, prr_rowdone, prr_done)
