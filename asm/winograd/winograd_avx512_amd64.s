//go:build amd64 && !purego

// Hand-written (not generated). The AVX-512 Winograd F(4×4, 3×3) transforms
// (winograd.go has the matrices, winograd_generic.go the Go twins): 16 tiles of a
// tile row per iteration, one tile per lane, the last partial block under a lane mask
// (masked loads read zeros and never fault; masked stores write nothing outside the
// mask). Each 2-D transform is two passes of the 1-D one: along the columns into 36
// (input) or 24 (output) vectors parked on the stack, then along the rows.

#include "textflag.h"

// IN6(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5): t = Bᵀd, the 1-D input transform
// of winoIn6, with Z28 = 4, Z29 = −4, Z30 = −5 and Z12–Z15 as scratch.
#define IN6(d0, d1, d2, d3, d4, d5, t0, t1, t2, t3, t4, t5) \
	VMOVAPS     d4, Z12          /* a = d4                 */ \
	VFMADD231PS Z29, d2, Z12     /* a = d4 − 4·d2          */ \
	VMOVAPS     d3, Z13          /* b = d3                 */ \
	VFMADD231PS Z29, d1, Z13     /* b = d3 − 4·d1          */ \
	VSUBPS      d2, d4, Z14      /* c = d4 − d2            */ \
	VSUBPS      d1, d3, Z15      /* e = d3 − d1            */ \
	VADDPS      Z15, Z15, Z15    /* e = 2·(d3 − d1)        */ \
	VMOVAPS     d4, t0           /* t0 = d4                */ \
	VFMADD231PS Z30, d2, t0      /* t0 = d4 − 5·d2         */ \
	VFMADD231PS Z28, d0, t0      /* t0 += 4·d0             */ \
	VMOVAPS     d5, t5           /* t5 = d5                */ \
	VFMADD231PS Z30, d3, t5      /* t5 = d5 − 5·d3         */ \
	VFMADD231PS Z28, d1, t5      /* t5 += 4·d1             */ \
	VADDPS      Z13, Z12, t1     /* t1 = a + b             */ \
	VSUBPS      Z13, Z12, t2     /* t2 = a − b             */ \
	VADDPS      Z15, Z14, t3     /* t3 = c + e             */ \
	VSUBPS      Z15, Z14, t4     /* t4 = c − e             */

// INROW(i): pass 1 for input row i (AX = &src row i at this block, R10 = phase
// stride, R11 = 3·phase stride, bytes): load the six taps (phase j%4 at tile + j/4),
// transform, park t[i][0..5] at (6i+b)·64(SP).
#define INROW(i) \
	VMOVUPS.Z (AX), K1, Z0                /* d0 = phase 0 [t]   */ \
	VMOVUPS.Z (AX)(R10*1), K1, Z1         /* d1 = phase 1 [t]   */ \
	VMOVUPS.Z (AX)(R10*2), K1, Z2         /* d2 = phase 2 [t]   */ \
	VMOVUPS.Z (AX)(R11*1), K1, Z3         /* d3 = phase 3 [t]   */ \
	VMOVUPS.Z 4(AX), K1, Z4               /* d4 = phase 0 [t+1] */ \
	VMOVUPS.Z 4(AX)(R10*1), K1, Z5        /* d5 = phase 1 [t+1] */ \
	IN6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11) \
	VMOVUPS Z6, (384*i+0)(SP)             /* park t[i][0] */ \
	VMOVUPS Z7, (384*i+64)(SP)            /* park t[i][1] */ \
	VMOVUPS Z8, (384*i+128)(SP)           /* park t[i][2] */ \
	VMOVUPS Z9, (384*i+192)(SP)           /* park t[i][3] */ \
	VMOVUPS Z10, (384*i+256)(SP)          /* park t[i][4] */ \
	VMOVUPS Z11, (384*i+320)(SP)          /* park t[i][5] */ \
	ADDQ R9, AX                           /* next input row */

// INCOL(b): pass 2 for column b (DX = &dst[b·dstStride] at this block, R13 = 6·dst
// stride, bytes): transform t[0..5][b] and store v[a][b] to dst[(6a+b)·dstStride].
#define INCOL(b) \
	VMOVUPS (64*b+0)(SP), Z0              /* t[0][b] */ \
	VMOVUPS (64*b+384)(SP), Z1            /* t[1][b] */ \
	VMOVUPS (64*b+768)(SP), Z2            /* t[2][b] */ \
	VMOVUPS (64*b+1152)(SP), Z3           /* t[3][b] */ \
	VMOVUPS (64*b+1536)(SP), Z4           /* t[4][b] */ \
	VMOVUPS (64*b+1920)(SP), Z5           /* t[5][b] */ \
	IN6(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11) \
	LEAQ    (DX)(R13*1), BX               /* BX = &v[1][b] */ \
	VMOVUPS Z6, K1, (DX)                  /* v[0][b] */ \
	VMOVUPS Z7, K1, (BX)                  /* v[1][b] */ \
	VMOVUPS Z8, K1, (BX)(R13*1)           /* v[2][b] */ \
	LEAQ    (BX)(R13*2), BX               /* BX = &v[3][b] */ \
	VMOVUPS Z9, K1, (BX)                  /* v[3][b] */ \
	VMOVUPS Z10, K1, (BX)(R13*1)          /* v[4][b] */ \
	VMOVUPS Z11, K1, (BX)(R13*2)          /* v[5][b] */ \
	ADDQ    R8, DX                        /* next column b */

// TILEMASK(n, k): k = lanes [0, min(n, 16)) (n > 0 tiles left; CX and BX scratch).
#define TILEMASK(n, k) \
	MOVL  $0xFFFF, BX      /* all 16 lanes          */ \
	CMPQ  n, $16           /* a full block?         */ \
	JGE   5(PC)            /* yes: keep BX          */ \
	MOVQ  n, CX            /* CX = tiles left       */ \
	MOVL  $1, BX           /* BX = 1                */ \
	SHLL  CX, BX           /* BX = 1 << n           */ \
	DECL  BX               /* BX = (1 << n) − 1     */ \
	KMOVW BX, k            /* k = BX                */

// func winoInputF4AVX512(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int)
TEXT ·winoInputF4AVX512(SB), 0, $2304-80
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
	VPBROADCASTD AX, Z28             // Z28 = 4
	MOVL $0xC0800000, AX
	VPBROADCASTD AX, Z29             // Z29 = −4
	MOVL $0xC0A00000, AX
	VPBROADCASTD AX, Z30             // Z30 = −5
in_block:
	TESTQ R12, R12                   // tiles left?
	JLE   in_done                    // no: done
	TILEMASK(R12, K1)                // K1 = this block's lanes
	MOVQ  SI, AX                     // AX = row 0 of this block
	INROW(0)
	INROW(1)
	INROW(2)
	INROW(3)
	INROW(4)
	INROW(5)
	MOVQ  DI, DX                     // DX = &dst[0·dstStride] of this block
	INCOL(0)
	INCOL(1)
	INCOL(2)
	INCOL(3)
	INCOL(4)
	INCOL(5)
	ADDQ  $64, SI                    // src += 16 tiles
	ADDQ  $64, DI                    // dst += 16 tiles
	SUBQ  $16, R12                   // tiles -= 16
	JMP   in_block
in_done:
	VZEROUPPER
	RET

// OUT6(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3): o = Aᵀm, the 1-D output transform of
// winoOut6, with Z29 = 2, Z30 = 4, Z31 = 8 and Z6–Z9 as scratch.
#define OUT6(m0, m1, m2, m3, m4, m5, o0, o1, o2, o3) \
	VADDPS      m2, m1, Z6       /* s12 = m1 + m2        */ \
	VSUBPS      m2, m1, Z7       /* d12 = m1 − m2        */ \
	VADDPS      m4, m3, Z8       /* s34 = m3 + m4        */ \
	VSUBPS      m4, m3, Z9       /* d34 = m3 − m4        */ \
	VADDPS      Z6, m0, o0       /* o0 = m0 + s12        */ \
	VADDPS      Z8, o0, o0       /* o0 += s34            */ \
	VMOVAPS     Z7, o1           /* o1 = d12             */ \
	VFMADD231PS Z29, Z9, o1      /* o1 += 2·d34          */ \
	VMOVAPS     Z6, o2           /* o2 = s12             */ \
	VFMADD231PS Z30, Z8, o2      /* o2 += 4·s34          */ \
	VMOVAPS     Z7, o3           /* o3 = d12             */ \
	VFMADD231PS Z31, Z9, o3      /* o3 += 8·d34          */ \
	VADDPS      m5, o3, o3       /* o3 += m5             */

// OUTROW(a): pass 1 for row a of m (AX = &src[6a·srcStride] at this block, R11 =
// srcStride, bytes): load m[a][0..5], transform, park s[a][0..3] at (4a+j)·64(SP).
#define OUTROW(a) \
	LEAQ      (AX)(R11*2), BX          /* BX = &m[a][2] */ \
	VMOVUPS.Z (AX), K1, Z0             /* m[a][0] */ \
	VMOVUPS.Z (AX)(R11*1), K1, Z1      /* m[a][1] */ \
	VMOVUPS.Z (BX), K1, Z2             /* m[a][2] */ \
	VMOVUPS.Z (BX)(R11*1), K1, Z3      /* m[a][3] */ \
	VMOVUPS.Z (BX)(R11*2), K1, Z4      /* m[a][4] */ \
	LEAQ      (BX)(R11*2), BX          /* BX = &m[a][4] */ \
	VMOVUPS.Z (BX)(R11*1), K1, Z5      /* m[a][5] */ \
	OUT6(Z0, Z1, Z2, Z3, Z4, Z5, Z10, Z11, Z12, Z13) \
	VMOVUPS   Z10, (256*a+0)(SP)       /* park s[a][0] */ \
	VMOVUPS   Z11, (256*a+64)(SP)      /* park s[a][1] */ \
	VMOVUPS   Z12, (256*a+128)(SP)     /* park s[a][2] */ \
	VMOVUPS   Z13, (256*a+192)(SP)     /* park s[a][3] */ \
	LEAQ      (AX)(R13*2), AX          /* AX = &m[a+1][0] (R13 = 3·srcStride) */

// OUTCOL(j, o0, o1, o2, o3): pass 2 for output column j: o[0..3][j] = Aᵀ s[0..5][j].
#define OUTCOL(j, o0, o1, o2, o3) \
	VMOVUPS (64*j+0)(SP), Z0           /* s[0][j] */ \
	VMOVUPS (64*j+256)(SP), Z1         /* s[1][j] */ \
	VMOVUPS (64*j+512)(SP), Z2         /* s[2][j] */ \
	VMOVUPS (64*j+768)(SP), Z3         /* s[3][j] */ \
	VMOVUPS (64*j+1024)(SP), Z4        /* s[4][j] */ \
	VMOVUPS (64*j+1280)(SP), Z5        /* s[5][j] */ \
	OUT6(Z0, Z1, Z2, Z3, Z4, Z5, o0, o1, o2, o3)

// BIASROW(a, b, c, d): add the bias (Z28) to output row i's four columns a..d (16 tiles
// each) and interleave them into the row's 64 consecutive values, Z8..Z11 (Z0..Z7 scratch).
#define BIASROW(a, b, c, d) \
	VADDPS     Z28, a, a               /* + bias */ \
	VADDPS     Z28, b, b \
	VADDPS     Z28, c, c \
	VADDPS     Z28, d, d \
	VUNPCKLPS  b, a, Z0                /* [a0 b0 a1 b1 | a4 b4 a5 b5 | …] */ \
	VUNPCKHPS  b, a, Z1                /* [a2 b2 a3 b3 | a6 b6 a7 b7 | …] */ \
	VUNPCKLPS  d, c, Z2                /* [c0 d0 c1 d1 | …]               */ \
	VUNPCKHPS  d, c, Z3                /* [c2 d2 c3 d3 | …]               */ \
	VUNPCKLPD  Z2, Z0, Z4              /* tiles 0, 4, 8, 12 (one per 128-bit lane) */ \
	VUNPCKHPD  Z2, Z0, Z5              /* tiles 1, 5, 9, 13  */ \
	VUNPCKLPD  Z3, Z1, Z6              /* tiles 2, 6, 10, 14 */ \
	VUNPCKHPD  Z3, Z1, Z7              /* tiles 3, 7, 11, 15 */ \
	VSHUFF32X4 $0x44, Z5, Z4, Z0       /* tiles 0, 4, 1, 5   */ \
	VSHUFF32X4 $0xEE, Z5, Z4, Z1       /* tiles 8, 12, 9, 13 */ \
	VSHUFF32X4 $0x44, Z7, Z6, Z2       /* tiles 2, 6, 3, 7   */ \
	VSHUFF32X4 $0xEE, Z7, Z6, Z3       /* tiles 10, 14, 11, 15 */ \
	VSHUFF32X4 $0x88, Z2, Z0, Z8       /* tiles 0-3   */ \
	VSHUFF32X4 $0xDD, Z2, Z0, Z9       /* tiles 4-7   */ \
	VSHUFF32X4 $0x88, Z3, Z1, Z10      /* tiles 8-11  */ \
	VSHUFF32X4 $0xDD, Z3, Z1, Z11      /* tiles 12-15 */

// STOREROW(a, b, c, d): add the bias (Z28) to output row i's four columns a..d (16
// tiles each), interleave them into the row's 64 consecutive values and store (or add,
// when DX ≠ 0) them at AX under the column masks K2..K5.
#define STOREROW(a, b, c, d) \
	BIASROW(a, b, c, d) \
	TESTQ      DX, DX                  /* accumulate? */ \
	JZ         5(PC) \
	VADDPS.Z   (AX), Z8, K2, Z8        /* + dst (lanes outside the mask are not stored) */ \
	VADDPS.Z   64(AX), Z9, K3, Z9 \
	VADDPS.Z   128(AX), Z10, K4, Z10 \
	VADDPS.Z   192(AX), Z11, K5, Z11 \
	VMOVUPS    Z8, K2, (AX)            /* dst[4t .. 4t+16) */ \
	VMOVUPS    Z9, K3, 64(AX) \
	VMOVUPS    Z10, K4, 128(AX) \
	VMOVUPS    Z11, K5, 192(AX)

// COLMASK(k): k = lanes [0, clamp(R10, 0, 16)) and R10 −= 16 (R10 = columns left from
// this vector on; CX and BX scratch).
#define COLMASK(k) \
	XORL  BX, BX           /* no lanes               */ \
	CMPQ  R10, $0          /* columns left?          */ \
	JLE   8(PC)            /* no: k = 0              */ \
	MOVL  $0xFFFF, BX      /* all 16 lanes           */ \
	CMPQ  R10, $16         /* a full vector?         */ \
	JGE   5(PC)            /* yes: keep BX           */ \
	MOVQ  R10, CX          /* CX = columns left      */ \
	MOVL  $1, BX \
	SHLL  CX, BX           /* BX = 1 << columns      */ \
	DECL  BX               /* BX = (1 << columns) − 1 */ \
	KMOVW BX, k \
	SUBQ  $16, R10

// PREFROW: prefetch the block's 64 columns (4 cache lines) of the output row at AX
// and advance AX by one row (R8 = ldy in bytes). Each block prefetches the rows the
// next tile row (the caller's next call) will write, which are usually in memory, not
// in the cache (a layer1 output is 51 MB at batch 64): measured
// (BenchmarkTuneWinoInfer, batch 64, one thread, alternating builds) layer1's forward
// convolution +16–22% and layer2's +3–11%, layer3 and layer4 within the noise.
// PREFETCHT0 rather than PREFETCHW, which Go's assembler lacks: with no other core
// holding the line it arrives exclusive, so the stores need no second request.
#define PREFROW \
	PREFETCHT0 (AX) \
	PREFETCHT0 64(AX) \
	PREFETCHT0 128(AX) \
	PREFETCHT0 192(AX) \
	ADDQ       R8, AX

// OUTCONSTS: the output transform's constants 2, 4 and 8 in Z29..Z31 (AX scratch).
#define OUTCONSTS \
	MOVL $0x40000000, AX \
	VPBROADCASTD AX, Z29  /* Z29 = 2 */ \
	MOVL $0x40800000, AX \
	VPBROADCASTD AX, Z30  /* Z30 = 4 */ \
	MOVL $0x41000000, AX \
	VPBROADCASTD AX, Z31  /* Z31 = 8 */

// OUTBLOCK: the output transform of one block of up to 16 tiles (R12 tiles left, R14
// columns left), shared by OutputF4 and OutputF4ReLU: the tile and column masks (K1,
// K2..K5), the next tile row's outputs prefetched, Aᵀ m A into Z12..Z27 (o[i][j] in
// Z(12 + 4i + j)), and AX pointing at the block's output row 0.
#define OUTBLOCK \
	TILEMASK(R12, K1)                /* K1 = this block's tiles */ \
	LEAQ  (DI)(R8*4), AX             /* AX = the next tile row's first output row */ \
	PREFROW \
	PREFROW \
	PREFROW \
	PREFROW \
	MOVQ  R14, R10 \
	COLMASK(K2)                      /* K2..K5 = the columns of the block's 4 vectors */ \
	COLMASK(K3) \
	COLMASK(K4) \
	COLMASK(K5) \
	MOVQ  SI, AX                     /* AX = &m[0][0] of this block */ \
	OUTROW(0) \
	OUTROW(1) \
	OUTROW(2) \
	OUTROW(3) \
	OUTROW(4) \
	OUTROW(5) \
	OUTCOL(0, Z12, Z16, Z20, Z24) \
	OUTCOL(1, Z13, Z17, Z21, Z25) \
	OUTCOL(2, Z14, Z18, Z22, Z26) \
	OUTCOL(3, Z15, Z19, Z23, Z27) \
	MOVQ  DI, AX                     /* AX = output row 0 at this block */

// func winoOutputF4AVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool)
TEXT ·winoOutputF4AVX512(SB), 0, $1536-93
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
	VBROADCASTSS bias+88(FP), Z28    // Z28 = bias
	MOVBLZX acc+92(FP), DX           // DX = acc
	OUTCONSTS                        // Z29, Z30, Z31 = 2, 4, 8
out_block:
	TESTQ R12, R12                   // tiles left?
	JLE   out_done
	OUTBLOCK                         // Z12..Z27 = the block's 4×4 outputs; AX = output row 0
	STOREROW(Z12, Z13, Z14, Z15)
	CMPQ  R9, $1
	JLE   out_next
	ADDQ  R8, AX                     // row 1
	STOREROW(Z16, Z17, Z18, Z19)
	CMPQ  R9, $2
	JLE   out_next
	ADDQ  R8, AX                     // row 2
	STOREROW(Z20, Z21, Z22, Z23)
	CMPQ  R9, $3
	JLE   out_next
	ADDQ  R8, AX                     // row 3
	STOREROW(Z24, Z25, Z26, Z27)
out_next:
	ADDQ  $64, SI                    // src += 16 tiles
	ADDQ  $256, DI                   // dst += 64 columns
	SUBQ  $64, R14                   // columns left −= 64
	SUBQ  $16, R12                   // tiles −= 16
	JMP   out_block
out_done:
	VZEROUPPER
	RET

// STORERELU(a, b, c, d): STOREROW for OutputF4ReLU: add the bias (Z28), interleave, add
// the residual's row (at AX + 1536(SP), when DX ≠ 0), take max(0, ·) with NaN kept
// (VMAXPS returns its second source, the sum, when either is NaN) and store under the
// column masks K2..K5.
#define STORERELU(a, b, c, d) \
	BIASROW(a, b, c, d) \
	TESTQ      DX, DX                  /* a residual? */ \
	JZ         6(PC) \
	MOVQ       1536(SP), CX            /* CX = res − dst, bytes */ \
	VADDPS.Z   (AX)(CX*1), Z8, K2, Z8  /* + res (lanes outside the mask are not stored) */ \
	VADDPS.Z   64(AX)(CX*1), Z9, K3, Z9 \
	VADDPS.Z   128(AX)(CX*1), Z10, K4, Z10 \
	VADDPS.Z   192(AX)(CX*1), Z11, K5, Z11 \
	VPXORD     Z0, Z0, Z0              /* 0 */ \
	VMAXPS     Z8, Z0, Z8              /* max(0, ·), NaN kept */ \
	VMAXPS     Z9, Z0, Z9 \
	VMAXPS     Z10, Z0, Z10 \
	VMAXPS     Z11, Z0, Z11 \
	VMOVUPS    Z8, K2, (AX) \
	VMOVUPS    Z9, K3, 64(AX) \
	VMOVUPS    Z10, K4, 128(AX) \
	VMOVUPS    Z11, K5, 192(AX)

// func winoOutputF4ReLUAVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32)
TEXT ·winoOutputF4ReLUAVX512(SB), 0, $1544-120
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
	VBROADCASTSS bias+88(FP), Z28    // Z28 = bias
	MOVQ res_base+96(FP), DX         // DX = &res[0], or 0: no residual
	MOVQ DX, AX
	SUBQ DI, AX
	MOVQ AX, 1536(SP)                // res − dst in bytes (every output row's offset)
	OUTCONSTS                        // Z29, Z30, Z31 = 2, 4, 8
relu_block:
	TESTQ R12, R12                   // tiles left?
	JLE   relu_done
	OUTBLOCK                         // Z12..Z27 = the block's 4×4 outputs; AX = output row 0
	STORERELU(Z12, Z13, Z14, Z15)
	CMPQ  R9, $1
	JLE   relu_next
	ADDQ  R8, AX                     // row 1
	STORERELU(Z16, Z17, Z18, Z19)
	CMPQ  R9, $2
	JLE   relu_next
	ADDQ  R8, AX                     // row 2
	STORERELU(Z20, Z21, Z22, Z23)
	CMPQ  R9, $3
	JLE   relu_next
	ADDQ  R8, AX                     // row 3
	STORERELU(Z24, Z25, Z26, Z27)
relu_next:
	ADDQ  $64, SI                    // src += 16 tiles
	ADDQ  $256, DI                   // dst += 64 columns
	SUBQ  $64, R14                   // columns left −= 64
	SUBQ  $16, R12                   // tiles −= 16
	JMP   relu_block
relu_done:
	VZEROUPPER
	RET
