//go:build amd64 && !purego

// Hand-written (not generated). PhaseRow in AVX-512 (phase.go has the Go twin): 16
// entries of each phase per iteration from 64 consecutive padded columns, loaded as
// four vectors under lane masks that keep only the columns inside the row (masked
// loads read zeros there and never fault, so the pad columns on the left and past the
// end cost nothing extra), dealt into the four phases by two-table permutes and 128-bit
// lane shuffles, and stored under a mask of the entries left.

#include "textflag.h"

// Permute indices into the pair (a, b) of 32 consecutive columns: phaseAB01 takes
// phase 0 then phase 1 of the 8 entries they hold, phaseAB23 phase 2 then phase 3.
DATA phaseAB01<>+0(SB)/4, $0
DATA phaseAB01<>+4(SB)/4, $4
DATA phaseAB01<>+8(SB)/4, $8
DATA phaseAB01<>+12(SB)/4, $12
DATA phaseAB01<>+16(SB)/4, $16
DATA phaseAB01<>+20(SB)/4, $20
DATA phaseAB01<>+24(SB)/4, $24
DATA phaseAB01<>+28(SB)/4, $28
DATA phaseAB01<>+32(SB)/4, $1
DATA phaseAB01<>+36(SB)/4, $5
DATA phaseAB01<>+40(SB)/4, $9
DATA phaseAB01<>+44(SB)/4, $13
DATA phaseAB01<>+48(SB)/4, $17
DATA phaseAB01<>+52(SB)/4, $21
DATA phaseAB01<>+56(SB)/4, $25
DATA phaseAB01<>+60(SB)/4, $29
GLOBL phaseAB01<>(SB), RODATA, $64

DATA phaseAB23<>+0(SB)/4, $2
DATA phaseAB23<>+4(SB)/4, $6
DATA phaseAB23<>+8(SB)/4, $10
DATA phaseAB23<>+12(SB)/4, $14
DATA phaseAB23<>+16(SB)/4, $18
DATA phaseAB23<>+20(SB)/4, $22
DATA phaseAB23<>+24(SB)/4, $26
DATA phaseAB23<>+28(SB)/4, $30
DATA phaseAB23<>+32(SB)/4, $3
DATA phaseAB23<>+36(SB)/4, $7
DATA phaseAB23<>+40(SB)/4, $11
DATA phaseAB23<>+44(SB)/4, $15
DATA phaseAB23<>+48(SB)/4, $19
DATA phaseAB23<>+52(SB)/4, $23
DATA phaseAB23<>+56(SB)/4, $27
DATA phaseAB23<>+60(SB)/4, $31
GLOBL phaseAB23<>(SB), RODATA, $64

// The lane numbers 0…15 (int32).
DATA phaseIota<>+0(SB)/4, $0
DATA phaseIota<>+4(SB)/4, $1
DATA phaseIota<>+8(SB)/4, $2
DATA phaseIota<>+12(SB)/4, $3
DATA phaseIota<>+16(SB)/4, $4
DATA phaseIota<>+20(SB)/4, $5
DATA phaseIota<>+24(SB)/4, $6
DATA phaseIota<>+28(SB)/4, $7
DATA phaseIota<>+32(SB)/4, $8
DATA phaseIota<>+36(SB)/4, $9
DATA phaseIota<>+40(SB)/4, $10
DATA phaseIota<>+44(SB)/4, $11
DATA phaseIota<>+48(SB)/4, $12
DATA phaseIota<>+52(SB)/4, $13
DATA phaseIota<>+56(SB)/4, $14
DATA phaseIota<>+60(SB)/4, $15
GLOBL phaseIota<>(SB), RODATA, $64

// COLMASK(k): k = the lanes of Z20's columns inside the row (0 ≤ column < w, one
// unsigned compare against Z21 = w), then Z20 = the next 16 columns.
#define COLMASK(k) \
	VPCMPUD $1, Z21, Z20, k    /* k = column < w (unsigned: negative ones fail) */ \
	VPADDD  Z22, Z20, Z20      /* next 16 columns                               */

// func winoPhaseRowAVX512(dst []float32, phaseStride, cnt int, src []float32, pad int)
TEXT ·winoPhaseRowAVX512(SB), NOSPLIT, $0-72
	MOVQ dst_base+0(FP), DI          // DI = &phase 0 entry t of this block
	MOVQ phaseStride+24(FP), R8
	SHLQ $2, R8                      // R8 = phase stride in bytes
	LEAQ (R8)(R8*2), R9              // R9 = 3·phase stride
	MOVQ cnt+32(FP), CX              // CX = entries left
	MOVQ src_base+40(FP), SI
	MOVQ src_len+48(FP), AX
	VPBROADCASTD AX, Z21             // Z21 = w
	MOVQ pad+64(FP), AX
	SHLQ $2, AX
	SUBQ AX, SI                      // SI = where padded column 0 would be (never read)
	SHRQ $2, AX
	NEGQ AX
	VPBROADCASTD AX, Z20
	VPADDD phaseIota<>(SB), Z20, Z20 // Z20 = the columns −pad … 15−pad of the first load
	MOVL $16, AX
	VPBROADCASTD AX, Z22             // Z22 = 16
	VMOVDQU32 phaseAB01<>(SB), Z24
	VMOVDQU32 phaseAB23<>(SB), Z25
	MOVL $0xFFFF, BX
	KMOVW BX, K1                     // K1 = all 16 entries
pr_block:
	TESTQ CX, CX                     // entries left?
	JLE   pr_done                    // no: done
	CMPQ  CX, $16                    // a full block?
	JGE   pr_masks                   // yes: keep K1
	MOVL  $1, BX
	SHLL  CX, BX
	DECL  BX                         // BX = (1 << entries left) − 1
	KMOVW BX, K1                     // K1 = the entries left
pr_masks:
	COLMASK(K2)
	COLMASK(K3)
	COLMASK(K4)
	COLMASK(K5)
	VMOVUPS.Z (SI), K2, Z0           // columns 64b−pad + 0…15 (b = this block)
	VMOVUPS.Z 64(SI), K3, Z1         // + 16…31
	VMOVUPS.Z 128(SI), K4, Z2        // + 32…47
	VMOVUPS.Z 192(SI), K5, Z3        // + 48…63
	VMOVDQU32 Z24, Z4
	VPERMI2PS Z1, Z0, Z4             // Z4 = phase 0 | phase 1 of entries 0…7
	VMOVDQU32 Z25, Z5
	VPERMI2PS Z1, Z0, Z5             // Z5 = phase 2 | phase 3 of entries 0…7
	VMOVDQU32 Z24, Z6
	VPERMI2PS Z3, Z2, Z6             // Z6 = phase 0 | phase 1 of entries 8…15
	VMOVDQU32 Z25, Z7
	VPERMI2PS Z3, Z2, Z7             // Z7 = phase 2 | phase 3 of entries 8…15
	VSHUFF32X4 $0x44, Z6, Z4, Z8     // Z8 = phase 0 of entries 0…15
	VSHUFF32X4 $0xEE, Z6, Z4, Z9     // Z9 = phase 1
	VSHUFF32X4 $0x44, Z7, Z5, Z10    // Z10 = phase 2
	VSHUFF32X4 $0xEE, Z7, Z5, Z11    // Z11 = phase 3
	VMOVUPS Z8, K1, (DI)
	VMOVUPS Z9, K1, (DI)(R8*1)
	VMOVUPS Z10, K1, (DI)(R8*2)
	VMOVUPS Z11, K1, (DI)(R9*1)
	ADDQ $256, SI                    // next 64 columns
	ADDQ $64, DI                     // next 16 entries
	SUBQ $16, CX
	JMP  pr_block
pr_done:
	VZEROUPPER
	RET
