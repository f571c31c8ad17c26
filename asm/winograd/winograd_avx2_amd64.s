//go:build amd64 && !purego

// Hand-written (not generated). The AVX2 Winograd F(4×4, 3×3) transforms, the AVX-512
// kernels (winograd_avx512_amd64.s) at 8 tiles per iteration: partial blocks load and
// store under VMASKMOVPS lane masks (masked-off lanes read as zero, are not written and
// never fault), taken from winoMask<>. With 16 YMM registers the 1-D transforms
// overwrite their inputs, and the output transform parks both passes on the stack.

#include "textflag.h"

// winoMask<>: eight all-ones lanes, then eight zero lanes; the 8 lanes from
// index 8−n hold n leading ones.
DATA winoMask<>+0(SB)/8, $0xffffffffffffffff
DATA winoMask<>+8(SB)/8, $0xffffffffffffffff
DATA winoMask<>+16(SB)/8, $0xffffffffffffffff
DATA winoMask<>+24(SB)/8, $0xffffffffffffffff
DATA winoMask<>+32(SB)/8, $0
DATA winoMask<>+40(SB)/8, $0
DATA winoMask<>+48(SB)/8, $0
DATA winoMask<>+56(SB)/8, $0
GLOBL winoMask<>(SB), RODATA|NOPTR, $64

// LANEMASK(n, y): y = the first clamp(n, 0, 8) lanes set (CX, BX scratch; n is kept).
#define LANEMASK(n, y) \
	MOVQ    n, CX                  /* CX = n                 */ \
	MOVQ    $8, BX \
	CMPQ    CX, BX \
	CMOVQGT BX, CX                 /* CX = min(n, 8)         */ \
	XORL    BX, BX \
	CMPQ    CX, BX \
	CMOVQLT BX, CX                 /* CX = max(CX, 0)        */ \
	NEGQ    CX \
	ADDQ    $8, CX                 /* CX = 8 − lanes         */ \
	LEAQ    winoMask<>(SB), BX \
	VMOVDQU (BX)(CX*4), y          /* y = lanes leading ones */

// IN6Y: the 1-D input transform of winoIn6 on d0..d5 = Y0..Y5 with Y13 = 4, Y14 = −4,
// Y15 = −5; leaves t0..t5 in Y6, Y0, Y1, Y2, Y3, Y7 (Y8–Y11 scratch).
#define IN6Y \
	VMOVAPS     Y4, Y6            /* t0 = d4            */ \
	VFMADD231PS Y15, Y2, Y6       /* t0 = d4 − 5·d2     */ \
	VFMADD231PS Y13, Y0, Y6       /* t0 += 4·d0         */ \
	VMOVAPS     Y5, Y7            /* t5 = d5            */ \
	VFMADD231PS Y15, Y3, Y7       /* t5 = d5 − 5·d3     */ \
	VFMADD231PS Y13, Y1, Y7       /* t5 += 4·d1         */ \
	VMOVAPS     Y4, Y8            /* a = d4             */ \
	VFMADD231PS Y14, Y2, Y8       /* a = d4 − 4·d2      */ \
	VMOVAPS     Y3, Y9            /* b = d3             */ \
	VFMADD231PS Y14, Y1, Y9       /* b = d3 − 4·d1      */ \
	VSUBPS      Y2, Y4, Y10       /* c = d4 − d2        */ \
	VSUBPS      Y1, Y3, Y11       /* e = d3 − d1        */ \
	VADDPS      Y11, Y11, Y11     /* e = 2·(d3 − d1)    */ \
	VADDPS      Y9, Y8, Y0        /* t1 = a + b         */ \
	VSUBPS      Y9, Y8, Y1        /* t2 = a − b         */ \
	VADDPS      Y11, Y10, Y2      /* t3 = c + e         */ \
	VSUBPS      Y11, Y10, Y3      /* t4 = c − e         */

// INROWY(i): pass 1 for input row i (AX = &row i at this block, R10 = phase stride,
// R11 = 3·phase stride, bytes; Y12 = tile mask): t[i][0..5] parked at (6i+b)·32(SP).
#define INROWY(i) \
	VMASKMOVPS (AX), Y12, Y0              /* d0 = phase 0 [t]   */ \
	VMASKMOVPS (AX)(R10*1), Y12, Y1       /* d1 = phase 1 [t]   */ \
	VMASKMOVPS (AX)(R10*2), Y12, Y2       /* d2 = phase 2 [t]   */ \
	VMASKMOVPS (AX)(R11*1), Y12, Y3       /* d3 = phase 3 [t]   */ \
	VMASKMOVPS 4(AX), Y12, Y4             /* d4 = phase 0 [t+1] */ \
	VMASKMOVPS 4(AX)(R10*1), Y12, Y5      /* d5 = phase 1 [t+1] */ \
	IN6Y \
	VMOVUPS Y6, (192*i+0)(SP)             /* park t[i][0] */ \
	VMOVUPS Y0, (192*i+32)(SP)            /* park t[i][1] */ \
	VMOVUPS Y1, (192*i+64)(SP)            /* park t[i][2] */ \
	VMOVUPS Y2, (192*i+96)(SP)            /* park t[i][3] */ \
	VMOVUPS Y3, (192*i+128)(SP)           /* park t[i][4] */ \
	VMOVUPS Y7, (192*i+160)(SP)           /* park t[i][5] */ \
	ADDQ    R9, AX                        /* next input row */

// INCOLY(b): pass 2 for column b (DX = &dst[b·dstStride] at this block, R13 = 6·dst
// stride, bytes): v[a][b] = Bᵀ t[·][b] stored to dst[(6a+b)·dstStride] under Y12.
#define INCOLY(b) \
	VMOVUPS    (32*b+0)(SP), Y0           /* t[0][b] */ \
	VMOVUPS    (32*b+192)(SP), Y1         /* t[1][b] */ \
	VMOVUPS    (32*b+384)(SP), Y2         /* t[2][b] */ \
	VMOVUPS    (32*b+576)(SP), Y3         /* t[3][b] */ \
	VMOVUPS    (32*b+768)(SP), Y4         /* t[4][b] */ \
	VMOVUPS    (32*b+960)(SP), Y5         /* t[5][b] */ \
	IN6Y \
	LEAQ       (DX)(R13*1), BX            /* BX = &v[1][b] */ \
	VMASKMOVPS Y6, Y12, (DX)              /* v[0][b] */ \
	VMASKMOVPS Y0, Y12, (BX)              /* v[1][b] */ \
	VMASKMOVPS Y1, Y12, (BX)(R13*1)       /* v[2][b] */ \
	LEAQ       (BX)(R13*2), BX            /* BX = &v[3][b] */ \
	VMASKMOVPS Y2, Y12, (BX)              /* v[3][b] */ \
	VMASKMOVPS Y3, Y12, (BX)(R13*1)       /* v[4][b] */ \
	VMASKMOVPS Y7, Y12, (BX)(R13*2)       /* v[5][b] */ \
	ADDQ       R8, DX                     /* next column b */

// OUT6Y: the 1-D output transform of winoOut6 on m0..m5 = Y0..Y5 with Y13 = 2,
// Y14 = 4, Y15 = 8; leaves o0..o3 in Y0..Y3 (Y6–Y9 scratch).
#define OUT6Y \
	VADDPS      Y2, Y1, Y6        /* s12 = m1 + m2   */ \
	VSUBPS      Y2, Y1, Y7        /* d12 = m1 − m2   */ \
	VADDPS      Y4, Y3, Y8        /* s34 = m3 + m4   */ \
	VSUBPS      Y4, Y3, Y9        /* d34 = m3 − m4   */ \
	VADDPS      Y6, Y0, Y0        /* o0 = m0 + s12   */ \
	VADDPS      Y8, Y0, Y0        /* o0 += s34       */ \
	VMOVAPS     Y7, Y1            /* o1 = d12        */ \
	VFMADD231PS Y13, Y9, Y1       /* o1 += 2·d34     */ \
	VMOVAPS     Y6, Y2            /* o2 = s12        */ \
	VFMADD231PS Y14, Y8, Y2       /* o2 += 4·s34     */ \
	VMOVAPS     Y7, Y3            /* o3 = d12        */ \
	VFMADD231PS Y15, Y9, Y3       /* o3 += 8·d34     */ \
	VADDPS      Y5, Y3, Y3        /* o3 += m5        */

// Stack of the output transform: s[a][j] at (4a+j)·32 (pass 1, 768 bytes), o[i][j] at
// 768 + (4i+j)·32 (pass 2, 512 bytes), the four column masks at 1280 + 32k.

// OUTROWY(a): pass 1 for row a of m (AX = &src[6a·srcStride] at this block, R11 =
// srcStride, R13 = 3·srcStride, bytes; Y12 = tile mask).
#define OUTROWY(a) \
	LEAQ       (AX)(R11*2), BX        /* BX = &m[a][2] */ \
	VMASKMOVPS (AX), Y12, Y0          /* m[a][0] */ \
	VMASKMOVPS (AX)(R11*1), Y12, Y1   /* m[a][1] */ \
	VMASKMOVPS (BX), Y12, Y2          /* m[a][2] */ \
	VMASKMOVPS (BX)(R11*1), Y12, Y3   /* m[a][3] */ \
	VMASKMOVPS (BX)(R11*2), Y12, Y4   /* m[a][4] */ \
	LEAQ       (BX)(R11*2), BX        /* BX = &m[a][4] */ \
	VMASKMOVPS (BX)(R11*1), Y12, Y5   /* m[a][5] */ \
	OUT6Y \
	VMOVUPS    Y0, (128*a+0)(SP)      /* park s[a][0] */ \
	VMOVUPS    Y1, (128*a+32)(SP)     /* park s[a][1] */ \
	VMOVUPS    Y2, (128*a+64)(SP)     /* park s[a][2] */ \
	VMOVUPS    Y3, (128*a+96)(SP)     /* park s[a][3] */ \
	LEAQ       (AX)(R13*2), AX        /* AX = &m[a+1][0] */

// OUTCOLY(j): pass 2 for output column j: o[0..3][j] = Aᵀ s[0..5][j], parked.
#define OUTCOLY(j) \
	VMOVUPS (32*j+0)(SP), Y0          /* s[0][j] */ \
	VMOVUPS (32*j+128)(SP), Y1        /* s[1][j] */ \
	VMOVUPS (32*j+256)(SP), Y2        /* s[2][j] */ \
	VMOVUPS (32*j+384)(SP), Y3        /* s[3][j] */ \
	VMOVUPS (32*j+512)(SP), Y4        /* s[4][j] */ \
	VMOVUPS (32*j+640)(SP), Y5        /* s[5][j] */ \
	OUT6Y \
	VMOVUPS Y0, (768+32*j)(SP)        /* park o[0][j] */ \
	VMOVUPS Y1, (896+32*j)(SP)        /* park o[1][j] */ \
	VMOVUPS Y2, (1024+32*j)(SP)       /* park o[2][j] */ \
	VMOVUPS Y3, (1152+32*j)(SP)       /* park o[3][j] */

// STOREROWY(i): output row i (AX = its first column at this block): o[i][0..3] + bias
// (Y10), interleaved into 32 consecutive values, added to dst when DX ≠ 0, stored under
// the column masks.
#define STOREROWY(i) \
	VADDPS      (768+128*i)(SP), Y10, Y0   /* a = o[i][0] + bias (8 tiles) */ \
	VADDPS      (800+128*i)(SP), Y10, Y1   /* b = o[i][1] + bias */ \
	VADDPS      (832+128*i)(SP), Y10, Y2   /* c = o[i][2] + bias */ \
	VADDPS      (864+128*i)(SP), Y10, Y3   /* d = o[i][3] + bias */ \
	VUNPCKLPS   Y1, Y0, Y4                 /* [a0 b0 a1 b1 | a4 b4 a5 b5] */ \
	VUNPCKHPS   Y1, Y0, Y5                 /* [a2 b2 a3 b3 | a6 b6 a7 b7] */ \
	VUNPCKLPS   Y3, Y2, Y6                 /* [c0 d0 c1 d1 | c4 d4 c5 d5] */ \
	VUNPCKHPS   Y3, Y2, Y7                 /* [c2 d2 c3 d3 | c6 d6 c7 d7] */ \
	VUNPCKLPD   Y6, Y4, Y0                 /* tiles 0 | 4 */ \
	VUNPCKHPD   Y6, Y4, Y1                 /* tiles 1 | 5 */ \
	VUNPCKLPD   Y7, Y5, Y2                 /* tiles 2 | 6 */ \
	VUNPCKHPD   Y7, Y5, Y3                 /* tiles 3 | 7 */ \
	VPERM2F128  $0x20, Y1, Y0, Y4          /* tiles 0, 1 */ \
	VPERM2F128  $0x20, Y3, Y2, Y5          /* tiles 2, 3 */ \
	VPERM2F128  $0x31, Y1, Y0, Y6          /* tiles 4, 5 */ \
	VPERM2F128  $0x31, Y3, Y2, Y7          /* tiles 6, 7 */ \
	VMOVUPS     1280(SP), Y8               /* column masks */ \
	VMOVUPS     1312(SP), Y9 \
	VMOVUPS     1344(SP), Y11 \
	VMOVUPS     1376(SP), Y12 \
	TESTQ       DX, DX                     /* accumulate? */ \
	JZ          9(PC) \
	VMASKMOVPS  (AX), Y8, Y0               /* old dst values (0 outside the mask) */ \
	VADDPS      Y0, Y4, Y4 \
	VMASKMOVPS  32(AX), Y9, Y0 \
	VADDPS      Y0, Y5, Y5 \
	VMASKMOVPS  64(AX), Y11, Y0 \
	VADDPS      Y0, Y6, Y6 \
	VMASKMOVPS  96(AX), Y12, Y0 \
	VADDPS      Y0, Y7, Y7 \
	VMASKMOVPS  Y4, Y8, (AX)               /* dst[4t .. 4t+8) */ \
	VMASKMOVPS  Y5, Y9, 32(AX) \
	VMASKMOVPS  Y6, Y11, 64(AX) \
	VMASKMOVPS  Y7, Y12, 96(AX)

// func winoInputF4AVX2(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int)
TEXT ·winoInputF4AVX2(SB), 0, $1152-80
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ dstStride+24(FP), R8
	SHLQ $2, R8                      // R8 = dstStride in bytes
	MOVQ src_base+32(FP), SI         // SI = &src[0]
	MOVQ rowStride+56(FP), R9
	SHLQ $2, R9                      // R9 = rowStride in bytes
	MOVQ phaseStride+64(FP), R10
	SHLQ $2, R10                     // R10 = phaseStride in bytes
	LEAQ (R10)(R10*2), R11           // R11 = 3·phaseStride
	LEAQ (R8)(R8*2), R13
	ADDQ R13, R13                    // R13 = 6·dstStride
	MOVQ tiles+72(FP), R12           // R12 = tiles left
	MOVL $0x40800000, AX
	MOVL AX, X13
	VBROADCASTSS X13, Y13            // Y13 = 4
	MOVL $0xC0800000, AX
	MOVL AX, X14
	VBROADCASTSS X14, Y14            // Y14 = −4
	MOVL $0xC0A00000, AX
	MOVL AX, X15
	VBROADCASTSS X15, Y15            // Y15 = −5
inY_block:
	TESTQ R12, R12                   // tiles left?
	JLE   inY_done
	LANEMASK(R12, Y12)               // Y12 = this block's tiles
	MOVQ  SI, AX                     // AX = row 0 of this block
	INROWY(0)
	INROWY(1)
	INROWY(2)
	INROWY(3)
	INROWY(4)
	INROWY(5)
	MOVQ  DI, DX                     // DX = &dst[0·dstStride] of this block
	INCOLY(0)
	INCOLY(1)
	INCOLY(2)
	INCOLY(3)
	INCOLY(4)
	INCOLY(5)
	ADDQ  $32, SI                    // src += 8 tiles
	ADDQ  $32, DI                    // dst += 8 tiles
	SUBQ  $8, R12                    // tiles −= 8
	JMP   inY_block
inY_done:
	VZEROUPPER
	RET

// PREFROWY: prefetch the block's 32 columns (2 cache lines) of the output row at AX
// and advance AX by one row (R8 = ldy in bytes); see PREFROW in
// winograd_avx512_amd64.s (measured here, FASTGO_SIMD=avx2: layer1 +12–15%, layer2
// +9–22%).
#define PREFROWY \
	PREFETCHT0 (AX) \
	PREFETCHT0 64(AX) \
	ADDQ       R8, AX

// func winoOutputF4AVX2(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool)
TEXT ·winoOutputF4AVX2(SB), 0, $1408-93
	MOVQ dst_base+0(FP), DI          // DI = &dst[0]
	MOVQ ldy+24(FP), R8
	SHLQ $2, R8                      // R8 = ldy in bytes
	MOVQ rows+32(FP), R9             // R9 = rows
	MOVQ cols+40(FP), R14            // R14 = columns left from this block on
	MOVQ src_base+48(FP), SI         // SI = &src[0]
	MOVQ srcStride+72(FP), R11
	SHLQ $2, R11                     // R11 = srcStride in bytes
	LEAQ (R11)(R11*2), R13           // R13 = 3·srcStride
	MOVQ tiles+80(FP), R12           // R12 = tiles left
	MOVBLZX acc+92(FP), DX           // DX = acc
	MOVL $0x40000000, AX
	MOVL AX, X13
	VBROADCASTSS X13, Y13            // Y13 = 2
	MOVL $0x40800000, AX
	MOVL AX, X14
	VBROADCASTSS X14, Y14            // Y14 = 4
	MOVL $0x41000000, AX
	MOVL AX, X15
	VBROADCASTSS X15, Y15            // Y15 = 8
outY_block:
	TESTQ R12, R12                   // tiles left?
	JLE   outY_done
	MOVQ  R14, R10                   // column masks of the block's 4 vectors
	LANEMASK(R10, Y0)
	VMOVUPS Y0, 1280(SP)
	SUBQ  $8, R10
	LANEMASK(R10, Y0)
	VMOVUPS Y0, 1312(SP)
	SUBQ  $8, R10
	LANEMASK(R10, Y0)
	VMOVUPS Y0, 1344(SP)
	SUBQ  $8, R10
	LANEMASK(R10, Y0)
	VMOVUPS Y0, 1376(SP)
	LANEMASK(R12, Y12)               // Y12 = this block's tiles
	LEAQ  (DI)(R8*4), AX             // AX = the next tile row's first output row
	PREFROWY
	PREFROWY
	PREFROWY
	PREFROWY
	MOVQ  SI, AX                     // AX = &m[0][0] of this block
	OUTROWY(0)
	OUTROWY(1)
	OUTROWY(2)
	OUTROWY(3)
	OUTROWY(4)
	OUTROWY(5)
	OUTCOLY(0)
	OUTCOLY(1)
	OUTCOLY(2)
	OUTCOLY(3)
	VBROADCASTSS bias+88(FP), Y10    // Y10 = bias
	MOVQ  DI, AX                     // AX = output row 0 at this block
	STOREROWY(0)
	CMPQ  R9, $1
	JLE   outY_next
	ADDQ  R8, AX                     // row 1
	STOREROWY(1)
	CMPQ  R9, $2
	JLE   outY_next
	ADDQ  R8, AX                     // row 2
	STOREROWY(2)
	CMPQ  R9, $3
	JLE   outY_next
	ADDQ  R8, AX                     // row 3
	STOREROWY(3)
outY_next:
	ADDQ  $32, SI                    // src += 8 tiles
	ADDQ  $128, DI                   // dst += 32 columns
	SUBQ  $32, R14                   // columns left −= 32
	SUBQ  $8, R12                    // tiles −= 8
	JMP   outY_block
outY_done:
	VZEROUPPER
	RET
